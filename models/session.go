package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// RefreshTTL is how long a refresh token lives; each use replaces it with a new one.
const RefreshTTL = 30 * 24 * time.Hour

// refreshToken is one link of a login session's rotation chain. Only the SHA-256 of the token is
// stored. Tokens of one login share a family; using a token twice revokes the whole family,
// since only a thief would replay an already-rotated token.
type refreshToken struct {
	ID        uint64 `gorm:"primaryKey"`
	UserID    uint64
	FamilyID  string
	TokenHash string
	ExpiresAt time.Time
	UsedAt    *time.Time
	RevokedAt *time.Time
	CreatedAt time.Time
}

func (refreshToken) TableName() string { return "refresh_tokens" }

func randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("read random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func tokenHash(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}

// issueRefresh stores a new token of the family and returns it.
func issueRefresh(tx *Tx, userID uint64, family string) (string, error) {
	raw, err := randomToken(32)
	if err != nil {
		return "", err
	}
	rt := refreshToken{UserID: userID, FamilyID: family, TokenHash: tokenHash(raw), ExpiresAt: tx.Now().Add(RefreshTTL)}
	if err := tx.Create(&rt).Error; err != nil {
		return "", fmt.Errorf("store refresh token: %w", err)
	}
	return raw, nil
}

var errSessionEnded = Errorf(EUNAUTHORIZED, "session_ended")

// Refresh exchanges a refresh token for the user and a new token. A token that was already used
// revokes its whole family.
func (s *Store) Refresh(ctx context.Context, raw string) (*User, string, error) {
	if raw == "" {
		return nil, "", errSessionEnded
	}
	var u User
	var next string
	reused := false
	err := s.tx(ctx, func(tx *Tx) error {
		var rt refreshToken
		if err := tx.Where("token_hash = ?", tokenHash(raw)).Take(&rt).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return errSessionEnded
			}
			return err
		}
		now := tx.Now()
		if rt.RevokedAt != nil || !now.Before(rt.ExpiresAt) {
			return errSessionEnded
		}
		res := tx.Model(&refreshToken{}).Where("id = ? AND used_at IS NULL", rt.ID).Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			reused = true
			return tx.Model(&refreshToken{}).Where("family_id = ? AND revoked_at IS NULL", rt.FamilyID).
				Update("revoked_at", now).Error
		}
		if err := tx.Where("closed_at IS NULL").Take(&u, rt.UserID).Error; err != nil {
			return errSessionEnded
		}
		var err error
		next, err = issueRefresh(tx, u.ID, rt.FamilyID)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	if reused {
		return nil, "", Errorf(EUNAUTHORIZED, "token_reused")
	}
	return &u, next, nil
}

// Logout revokes the family of the given refresh token. An unknown token is not an error.
func (s *Store) Logout(ctx context.Context, raw string) error {
	if raw == "" {
		return nil
	}
	return s.tx(ctx, func(tx *Tx) error {
		var rt refreshToken
		err := tx.Where("token_hash = ?", tokenHash(raw)).Take(&rt).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return tx.Model(&refreshToken{}).Where("family_id = ? AND revoked_at IS NULL", rt.FamilyID).
			Update("revoked_at", tx.Now()).Error
	})
}
