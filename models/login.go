package models

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"gorm.io/gorm"
)

// Login throttling: failures are counted per phone and per client address in the database, so
// every server instance sees them. A phone locks after 5 failures in 15 minutes; an address after
// 50 (a meeting room shares one address, so it must allow many honest typos).
const (
	throttleWindow     = 15 * time.Minute
	throttleLock       = 15 * time.Minute
	phoneFailureLimit  = 5
	clientFailureLimit = 50
)

type loginThrottle struct {
	Key         string `gorm:"primaryKey"`
	Failures    int
	WindowStart time.Time
	LockedUntil *time.Time
}

func (loginThrottle) TableName() string { return "login_throttles" }

// Login checks a phone and password and starts a session: it returns the user and a new refresh
// token. Wrong credentials and unknown phones fail alike.
func (s *Store) Login(ctx context.Context, phone, password, clientAddr string) (*User, string, error) {
	keys := map[string]int{"phone:" + phone: phoneFailureLimit, "addr:" + clientAddr: clientFailureLimit}
	now := s.now()
	var locks []loginThrottle
	if err := s.rdb(ctx).Where("`key` IN ? AND locked_until > ?", mapKeys(keys), now).Find(&locks).Error; err != nil {
		return nil, "", fmt.Errorf("read login throttle: %w", err)
	}
	if wait := lockWait(locks, now); wait > 0 {
		return nil, "", &Error{Code: ETOOMANY, Reason: "login_locked", RetryAfterSeconds: wait,
			Params: map[string]any{"minutes": (wait + 59) / 60}}
	}
	var u User
	err := s.rdb(ctx).Where("phone = ? AND closed_at IS NULL", phone).Take(&u).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, "", fmt.Errorf("find user: %w", err)
	}
	hash := u.PasswordHash
	if hash == "" {
		hash = dummyHash()
	}
	ok := CheckPassword(hash, password) && u.ID != 0 && u.PasswordHash != ""
	var raw string
	err = s.tx(ctx, func(tx *Tx) error {
		if !ok {
			return recordFailures(tx, keys)
		}
		if err := tx.Where("`key` = ?", "phone:"+phone).Delete(&loginThrottle{}).Error; err != nil {
			return err
		}
		family, err := randomToken(16)
		if err != nil {
			return err
		}
		raw, err = issueRefresh(tx, u.ID, family)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	if !ok {
		return nil, "", Errorf(EUNAUTHORIZED, "bad_credentials")
	}
	return &u, raw, nil
}

func mapKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func lockWait(locks []loginThrottle, now time.Time) int {
	wait := 0
	for _, l := range locks {
		if l.LockedUntil != nil {
			if s := int(math.Ceil(l.LockedUntil.Sub(now).Seconds())); s > wait {
				wait = s
			}
		}
	}
	return wait
}

func recordFailures(tx *Tx, keys map[string]int) error {
	now := tx.Now()
	ordered := mapKeys(keys)
	sort.Strings(ordered) // one lock order for every transaction
	for _, key := range ordered {
		limit := keys[key]
		var t loginThrottle
		err := tx.forUpdate().Where("`key` = ?", key).Take(&t).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			t = loginThrottle{Key: key, Failures: 1, WindowStart: now}
			if err := tx.Create(&t).Error; err != nil && !isDuplicate(err) {
				return fmt.Errorf("record login failure: %w", err)
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("read login throttle: %w", err)
		}
		if now.Sub(t.WindowStart) > throttleWindow {
			t.Failures, t.WindowStart, t.LockedUntil = 0, now, nil
		}
		t.Failures++
		if t.Failures >= limit {
			until := now.Add(throttleLock)
			t.LockedUntil = &until
			t.Failures, t.WindowStart = 0, now
		}
		if err := tx.Model(&loginThrottle{}).Where("`key` = ?", key).Updates(map[string]any{
			"failures": t.Failures, "window_start": t.WindowStart, "locked_until": t.LockedUntil}).Error; err != nil {
			return fmt.Errorf("record login failure: %w", err)
		}
	}
	return nil
}
