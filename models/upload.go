package models

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/yueyuetan/yueyuetan/media"
)

// Upload is a cleaned photo kept in the file store, owned by one community: only its members may
// see it. Attaching it to a card is what gives it meaning (and an event).
type Upload struct {
	ID          uint64    `gorm:"primaryKey" json:"id"`
	CommunityID uint64    `json:"community_id"`
	UploaderID  uint64    `json:"-"`
	BlobKey     string    `json:"-"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	Width       int       `json:"width"`
	Height      int       `json:"height"`
	CreatedAt   time.Time `json:"created_at"`
}

// TableName pins the table.
func (Upload) TableName() string { return "uploads" }

// SaveUpload checks, cleans (EXIF dropped) and stores a photo for a community's member.
func (s *Store) SaveUpload(ctx context.Context, a Actor, communityID uint64, r io.Reader) (*Upload, error) {
	if _, err := s.readAccess(ctx, a, communityID); err != nil {
		return nil, err
	}
	if s.Files == nil {
		return nil, errors.New("no file store configured")
	}
	p, err := media.Clean(r)
	switch {
	case errors.Is(err, media.ErrTooLarge):
		return nil, FieldError("file", "photo_too_large")
	case errors.Is(err, media.ErrUnsupported):
		return nil, FieldError("file", "photo_type")
	case errors.Is(err, media.ErrCorrupt):
		return nil, FieldError("file", "photo_corrupt")
	case err != nil:
		return nil, fmt.Errorf("clean photo: %w", err)
	}
	key, err := s.Files.Put(ctx, p.Data)
	if err != nil {
		return nil, fmt.Errorf("store photo: %w", err)
	}
	u := &Upload{CommunityID: communityID, UploaderID: a.UserID, BlobKey: key, ContentType: p.ContentType,
		Size: int64(len(p.Data)), Width: p.Width, Height: p.Height}
	if err := s.tx(ctx, func(tx *Tx) error { return tx.Create(u).Error }); err != nil {
		return nil, fmt.Errorf("record upload: %w", err)
	}
	return u, nil
}

// OpenUpload returns a photo to a member of the community that owns it.
func (s *Store) OpenUpload(ctx context.Context, a Actor, id uint64) (*Upload, io.ReadCloser, error) {
	var u Upload
	if err := s.rdb(ctx).Take(&u, id).Error; err != nil {
		return nil, nil, notFound(err)
	}
	if _, err := s.readAccess(ctx, a, u.CommunityID); err != nil {
		return nil, nil, err
	}
	if s.Files == nil {
		return nil, nil, errNotFound
	}
	rc, err := s.Files.Open(ctx, u.BlobKey)
	if err != nil {
		return nil, nil, fmt.Errorf("open photo %d: %w", id, err)
	}
	return &u, rc, nil
}
