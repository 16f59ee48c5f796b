// Package storage keeps uploaded files behind a small interface. The default keeps them in the
// data folder by content hash; several server instances share one store by sharing that folder
// (an object store can implement the same interface).
package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
)

// Store keeps immutable blobs by key.
type Store interface {
	// Put stores data under its SHA-256 and returns that key; storing the same bytes twice is free.
	Put(ctx context.Context, data []byte) (string, error)
	// Open reads a blob.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
}

// ErrNotFound is returned by Open for an unknown key.
var ErrNotFound = errors.New("blob not found")

var keyPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Dir is a Store in a folder: blobs live at ab/cdef… by their hash.
type Dir struct{ Root string }

// NewDir makes the folder if needed.
func NewDir(root string) (*Dir, error) {
	if err := os.MkdirAll(root, 0o750); err != nil {
		return nil, fmt.Errorf("create file store: %w", err)
	}
	return &Dir{Root: root}, nil
}

func (d *Dir) path(key string) string { return filepath.Join(d.Root, key[:2], key[2:]) }

// Put writes data durably (temp file, fsync, rename) before returning its key.
func (d *Dir) Put(_ context.Context, data []byte) (string, error) {
	sum := sha256.Sum256(data)
	key := hex.EncodeToString(sum[:])
	dst := d.path(key)
	if _, err := os.Stat(dst); err == nil {
		return key, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(filepath.Dir(dst), ".tmp-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(f.Name(), dst); err != nil {
		return "", err
	}
	return key, nil
}

// Open reads a blob by key.
func (d *Dir) Open(_ context.Context, key string) (io.ReadCloser, error) {
	if !keyPattern.MatchString(key) {
		return nil, ErrNotFound
	}
	f, err := os.Open(d.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	return f, err
}
