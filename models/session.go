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

// session is one login. Its id travels in every access token issued for it (claim sid), and the
// request's user lookup joins this row by that id (SessionUser), so a revoked session's access
// tokens stop working at once on every instance sharing the database — with no extra query, since
// the user row is read on every request anyway.
type session struct {
	ID        string `gorm:"primaryKey"`
	UserID    uint64
	CreatedAt time.Time
	RevokedAt *time.Time
}

func (session) TableName() string { return "sessions" }

// refreshToken is one link of a session's rotation chain. Only the SHA-256 of the token is
// stored. The tokens of one session share its id as their family; using a token twice revokes
// the session, since only a thief would replay an already-rotated token.
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

// Session is what a client gets from a login: the session's id, for its access tokens, and the
// refresh token that renews them.
type Session struct {
	ID      string
	Refresh string
}

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

// startSession stores a new session of the user with its first refresh token.
func startSession(tx *Tx, userID uint64) (Session, error) {
	id, err := randomToken(16)
	if err != nil {
		return Session{}, err
	}
	if err := tx.Create(&session{ID: id, UserID: userID, CreatedAt: tx.Now()}).Error; err != nil {
		return Session{}, fmt.Errorf("store session: %w", err)
	}
	raw, err := issueRefresh(tx, userID, id)
	if err != nil {
		return Session{}, err
	}
	return Session{ID: id, Refresh: raw}, nil
}

// issueRefresh stores a new token of the session and returns it.
func issueRefresh(tx *Tx, userID uint64, sessionID string) (string, error) {
	raw, err := randomToken(32)
	if err != nil {
		return "", err
	}
	rt := refreshToken{UserID: userID, FamilyID: sessionID, TokenHash: tokenHash(raw), ExpiresAt: tx.Now().Add(RefreshTTL)}
	if err := tx.Create(&rt).Error; err != nil {
		return "", fmt.Errorf("store refresh token: %w", err)
	}
	return raw, nil
}

var errSessionEnded = Errorf(EUNAUTHORIZED, "session_ended")

// Refresh exchanges a refresh token for the user and a new token of the same session. A token
// that was already used revokes its whole session.
func (s *Store) Refresh(ctx context.Context, raw string) (*User, Session, error) {
	if raw == "" {
		return nil, Session{}, errSessionEnded
	}
	var u User
	var next Session
	reused := false
	err := s.tx(ctx, func(tx *Tx) error {
		reused = false
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
		var sess session
		if err := tx.Where("id = ? AND revoked_at IS NULL", rt.FamilyID).Take(&sess).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return errSessionEnded
			}
			return err
		}
		res := tx.Model(&refreshToken{}).Where("id = ? AND used_at IS NULL", rt.ID).Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			reused = true
			return revokeSession(tx, sess.ID)
		}
		if err := tx.Where("closed_at IS NULL").Take(&u, rt.UserID).Error; err != nil {
			return errSessionEnded
		}
		var err error
		next.ID = sess.ID
		next.Refresh, err = issueRefresh(tx, u.ID, sess.ID)
		return err
	})
	if err != nil {
		return nil, Session{}, err
	}
	if reused {
		return nil, Session{}, Errorf(EUNAUTHORIZED, "token_reused")
	}
	return &u, next, nil
}

// Logout revokes the session of the given refresh token. An unknown token is not an error.
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
		return revokeSession(tx, rt.FamilyID)
	})
}

// revokeSession ends one session: its access tokens stop working with this commit, and its
// refresh tokens with them.
func revokeSession(tx *Tx, id string) error {
	now := tx.Now()
	if err := tx.Model(&session{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", now).Error; err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	if err := tx.Model(&refreshToken{}).Where("family_id = ? AND revoked_at IS NULL", id).Update("revoked_at", now).Error; err != nil {
		return fmt.Errorf("revoke refresh tokens: %w", err)
	}
	return nil
}

// revokeSessions ends every session of the user but the one named by except ("" for none),
// inside the caller's transaction.
func revokeSessions(tx *Tx, userID uint64, except string) error {
	now := tx.Now()
	if err := tx.Model(&session{}).Where("user_id = ? AND revoked_at IS NULL AND id <> ?", userID, except).
		Update("revoked_at", now).Error; err != nil {
		return fmt.Errorf("revoke sessions: %w", err)
	}
	if err := tx.Model(&refreshToken{}).Where("user_id = ? AND revoked_at IS NULL AND family_id <> ?", userID, except).
		Update("revoked_at", now).Error; err != nil {
		return fmt.Errorf("revoke refresh tokens: %w", err)
	}
	return nil
}

// RevokeSessions ends every session of the user but the one named by except ("" ends them all):
// their access tokens answer 401 from the commit on, on every instance.
func (s *Store) RevokeSessions(ctx context.Context, userID uint64, except string) error {
	return s.tx(ctx, func(tx *Tx) error { return revokeSessions(tx, userID, except) })
}
