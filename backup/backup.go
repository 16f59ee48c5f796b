// Package backup takes and restores backups of a Yueyuetan server while it serves: the database
// as of one moment together with the uploaded files, in one gzip-compressed tar archive
// (docs/operations.md "Backups").
//
// The archive holds manifest.json, then the database — yueyuetan.db, a SQLite snapshot made by
// VACUUM INTO, or mysql.sql, a logical dump of MySQL/MariaDB read inside one
// START TRANSACTION WITH CONSISTENT SNAPSHOT (the semantics of mysqldump --single-transaction) —,
// then files/…, the uploaded files. The database is read first and the files after: a file is
// stored before the transaction that names it commits (models/db.go), so every file the
// snapshot names is already there.
package backup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/yueyuetan/yueyuetan/migrations"
	"github.com/yueyuetan/yueyuetan/models"
)

// Format is the archive layout's version.
const Format = 1

// Names inside the archive.
const (
	manifestName = "manifest.json"
	sqliteName   = "yueyuetan.db"
	mysqlName    = "mysql.sql"
	filesPrefix  = "files/"
)

// Manifest describes an archive.
type Manifest struct {
	Format    int       `json:"format"`
	Dialect   string    `json:"dialect"`
	CreatedAt time.Time `json:"created_at"`
	// Method says how the database was read.
	Method string `json:"method"`
	// Migrations are the schema steps the database had run.
	Migrations []string `json:"migrations"`
	Files      int      `json:"files"`
	FileBytes  int64    `json:"file_bytes"`
	DBBytes    int64    `json:"db_bytes"`
}

// Take writes an archive of the store's database and of the uploaded files under filesDir to w.
// tmpDir holds the SQLite snapshot while it is archived.
func Take(ctx context.Context, store *models.Store, filesDir, tmpDir string, w io.Writer) (Manifest, error) {
	m := Manifest{Format: Format, Dialect: store.Dialect(), CreatedAt: time.Now().UTC()}
	rep, err := migrations.Compare(store.Gorm().WithContext(ctx))
	if err != nil {
		return m, err
	}
	m.Migrations = append(rep.Applied, rep.Unknown...)

	// The database first, into a temporary file, so that the manifest can lead the archive.
	db, err := os.CreateTemp(tmpDir, ".yyt-backup-db-*")
	if err != nil {
		return m, fmt.Errorf("backup: temporary file: %w", err)
	}
	dbPath := db.Name()
	defer os.Remove(dbPath)
	dbName := sqliteName
	switch store.Dialect() {
	case models.DialectSQLite:
		db.Close()
		os.Remove(dbPath) // VACUUM INTO wants a path that does not exist
		m.Method = "sqlite VACUUM INTO"
		if err := store.SnapshotSQLite(ctx, dbPath); err != nil {
			return m, fmt.Errorf("backup: snapshot the SQLite database: %w", err)
		}
	case models.DialectMySQL:
		dbName = mysqlName
		m.Method = "go logical dump in START TRANSACTION WITH CONSISTENT SNAPSHOT"
		err := dumpMySQL(ctx, store, db)
		if cerr := db.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return m, fmt.Errorf("backup: dump the database: %w", err)
		}
	default:
		return m, fmt.Errorf("backup: unknown dialect %q", store.Dialect())
	}
	st, err := os.Stat(dbPath)
	if err != nil {
		return m, err
	}
	m.DBBytes = st.Size()

	// Then the files, listed now: the snapshot is older, so it names none that are missing.
	type file struct {
		rel  string
		size int64
	}
	var files []file
	if filesDir != "" {
		err := filepath.WalkDir(filesDir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) && p == filesDir {
					return filepath.SkipDir
				}
				return err
			}
			if d.IsDir() || strings.HasPrefix(d.Name(), ".") || !d.Type().IsRegular() {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(filesDir, p)
			if err != nil {
				return err
			}
			files = append(files, file{rel: filepath.ToSlash(rel), size: info.Size()})
			return nil
		})
		if err != nil {
			return m, fmt.Errorf("backup: list the uploaded files: %w", err)
		}
	}
	m.Files = len(files)
	for _, f := range files {
		m.FileBytes += f.size
	}

	gz, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
	tw := tar.NewWriter(gz)
	mj, _ := json.MarshalIndent(m, "", "  ")
	if err := writeEntry(tw, manifestName, m.CreatedAt, int64(len(mj)), strings.NewReader(string(mj))); err != nil {
		return m, err
	}
	if err := copyEntry(tw, dbName, m.CreatedAt, dbPath); err != nil {
		return m, err
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return m, err
		}
		if err := copyEntry(tw, filesPrefix+f.rel, m.CreatedAt, filepath.Join(filesDir, filepath.FromSlash(f.rel))); err != nil {
			return m, err
		}
	}
	if err := tw.Close(); err != nil {
		return m, err
	}
	return m, gz.Close()
}

// TakeFile writes an archive to path durably: a temporary file beside it, synced, then renamed,
// so a crash never leaves a half archive under the name. It returns the archive's size.
func TakeFile(ctx context.Context, store *models.Store, filesDir, path string) (Manifest, int64, error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".yyt-backup-*")
	if err != nil {
		return Manifest{}, 0, fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(f.Name())
	m, err := Take(ctx, store, filesDir, dir, f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return m, 0, err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return m, 0, fmt.Errorf("backup: %w", err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return m, 0, err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return m, st.Size(), nil
}

func writeEntry(tw *tar.Writer, name string, mod time.Time, size int64, r io.Reader) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: size, ModTime: mod, Typeflag: tar.TypeReg}); err != nil {
		return fmt.Errorf("backup: write %s: %w", name, err)
	}
	if _, err := io.Copy(tw, r); err != nil {
		return fmt.Errorf("backup: write %s: %w", name, err)
	}
	return nil
}

func copyEntry(tw *tar.Writer, name string, mod time.Time, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("backup: read %s: %w", name, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	// A file is immutable once stored (storage.Dir), so its size does not change under us.
	return writeEntry(tw, name, mod, st.Size(), io.LimitReader(f, st.Size()))
}
