package models

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"gorm.io/gorm"

	"github.com/yueyuetan/yueyuetan/media"
)

// Upload is a cleaned photo kept in the file store, owned by one community. Attaching it to a
// card or an owners' decision is what gives it meaning (and an event), and what lets others
// than its uploader see it (OpenUpload).
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

// SaveUpload checks, cleans (EXIF dropped) and stores a photo for a community's member. Only a
// verified member, or staff who type in what residents hand them, may upload: every use of a
// photo (an online card, a paper card, an owners' notice) needs one of them, and an upload
// attached to nothing is only storage for whoever sent it.
func (s *Store) SaveUpload(ctx context.Context, a Actor, communityID uint64, r io.ReadSeeker) (*Upload, error) {
	acc, err := s.readAccess(ctx, a, communityID)
	if err != nil {
		return nil, err
	}
	if err := acc.requireVerified(); err != nil {
		return nil, err
	}
	if s.Files == nil {
		return nil, errors.New("no file store configured")
	}
	cleaner := s.Photos
	if cleaner == nil {
		cleaner = media.Shared
	}
	p, err := cleaner.Clean(ctx, r)
	switch {
	case errors.Is(err, media.ErrTooLarge):
		return nil, PhotoTooLarge()
	case errors.Is(err, media.ErrTooManyPixels):
		return nil, FieldError("file", "photo_too_many_pixels")
	case errors.Is(err, media.ErrTooBigToDecode):
		return nil, FieldError("file", "photo_too_big_to_open")
	case errors.Is(err, media.ErrBusy):
		return nil, &Error{Code: EUNAVAILABLE, Reason: "photo_busy", Fields: map[string]string{"file": "photo_busy"},
			RetryAfterSeconds: int(media.RetryAfter / time.Second)}
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

// PhotoTooLarge is the answer to a photo file over media.MaxBytes (413), whether the upload's
// body or the file in it was found too large.
func PhotoTooLarge() *Error {
	return &Error{Code: ETOOLARGE, Reason: "photo_too_large", Fields: map[string]string{"file": "photo_too_large"}}
}

// OpenUpload returns a photo to those who may see it: its uploader, and whoever may see what it
// is attached to — a card (visible to members; hidden or withdrawn, to its author and the
// moderators), an owners' decision's notice or an item update's evidence (members, like the resolution). Anyone else,
// including every member for a photo attached to nothing, is told it does not exist.
func (s *Store) OpenUpload(ctx context.Context, a Actor, id uint64) (*Upload, io.ReadCloser, error) {
	db := s.rdb(ctx)
	var u Upload
	if err := db.Take(&u, id).Error; err != nil {
		return nil, nil, notFound(err)
	}
	acc, err := access(db, a, u.CommunityID)
	if err != nil {
		return nil, nil, err
	}
	if ok, err := mayOpenUpload(db, a, acc, &u); err != nil || !ok {
		if err == nil {
			err = errNotFound
		}
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

// mayOpenUpload answers OpenUpload's rule for a member of the upload's community. Every place a
// photo can be attached is asked here; a new one joins this list.
func mayOpenUpload(db *gorm.DB, a Actor, acc *Access, u *Upload) (bool, error) {
	if u.UploaderID == a.UserID {
		return true, nil
	}
	cards := db.Model(&Card{}).Where("photo_id = ? AND community_id = ?", u.ID, u.CommunityID)
	if !acc.Has(moderatorRoles...) {
		cards = cards.Where("status = ? OR author_id = ?", CardVisible, a.UserID)
	}
	var n int64
	if err := cards.Limit(1).Count(&n).Error; err != nil {
		return false, fmt.Errorf("find cards of photo %d: %w", u.ID, err)
	}
	if n > 0 {
		return true, nil
	}
	// Evidence of an action item's update is shown to members, like the resolution it carries out.
	if err := db.Model(&itemUpdatePhoto{}).Joins("JOIN item_updates ON item_updates.id = item_update_photos.update_id").
		Where("item_update_photos.upload_id = ? AND item_updates.community_id = ?", u.ID, u.CommunityID).
		Limit(1).Count(&n).Error; err != nil {
		return false, fmt.Errorf("find item updates of photo %d: %w", u.ID, err)
	}
	if n > 0 {
		return true, nil
	}
	err := db.Model(&ownerDecisionRow{}).Joins("JOIN resolutions ON resolutions.id = resolution_owner_decisions.resolution_id").
		Where("resolution_owner_decisions.notice_upload_id = ? AND resolutions.community_id = ?", u.ID, u.CommunityID).
		Limit(1).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("find owners' decisions of photo %d: %w", u.ID, err)
	}
	return n > 0, nil
}
