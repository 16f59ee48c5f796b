package models

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Attempt throttling: attempts are counted per key in the database, so every server instance sees
// them, and each attempt is counted before it is evaluated, so parallel requests cannot evaluate
// more than the limit. A phone locks after 5 failures in 15 minutes; an address after 50 (a
// meeting room shares one address, so it must allow many honest typos). Registration allows 20
// new accounts per address and hour (a community office helping neighbours sign up shares one).
const (
	throttleWindow     = 15 * time.Minute
	throttleLock       = 15 * time.Minute
	phoneFailureLimit  = 5
	clientFailureLimit = 50
	registerWindow     = time.Hour
	registerLimit      = 20
)

type loginThrottle struct {
	Key         string `gorm:"primaryKey"`
	Failures    int
	WindowStart time.Time
	LockedUntil *time.Time
}

func (loginThrottle) TableName() string { return "login_throttles" }

// throttleRule is one counter an attempt is charged to: at most limit attempts per window, then
// a lock of lock.
type throttleRule struct {
	key    string
	limit  int
	window time.Duration
	lock   time.Duration
}

func loginRules(phone, clientAddr string) []throttleRule {
	return []throttleRule{
		{key: "addr:" + clientAddr, limit: clientFailureLimit, window: throttleWindow, lock: throttleLock},
		{key: "phone:" + phone, limit: phoneFailureLimit, window: throttleWindow, lock: throttleLock},
	}
}

// reserveAttempt charges one attempt to every rule before the attempt is evaluated, or refuses it
// (ETOOMANY with reason and the wait) and charges nothing. The rows are created beforehand, each
// in a transaction of its own, so the reservation only locks existing rows by primary key, in key
// order: on MySQL no gap lock, hence no deadlock between first attempts.
func (s *Store) reserveAttempt(ctx context.Context, reason string, rules []throttleRule) error {
	sort.Slice(rules, func(i, j int) bool { return rules[i].key < rules[j].key })
	for _, r := range rules {
		if err := s.ensureThrottle(ctx, r.key); err != nil {
			return err
		}
	}
	wait := 0
	err := s.tx(ctx, func(tx *Tx) error {
		wait = 0
		now := tx.Now()
		rows := make([]loginThrottle, len(rules))
		for i, r := range rules {
			t := &rows[i]
			if err := tx.forUpdate().Where("`key` = ?", r.key).Take(t).Error; err != nil {
				return fmt.Errorf("read attempt throttle: %w", err)
			}
			if t.LockedUntil != nil && now.Before(*t.LockedUntil) {
				wait = max(wait, int(math.Ceil(t.LockedUntil.Sub(now).Seconds())))
				continue
			}
			if t.LockedUntil != nil || !now.Before(t.WindowStart.Add(r.window)) {
				t.Failures, t.WindowStart, t.LockedUntil = 0, now, nil
			}
		}
		if wait > 0 {
			return nil
		}
		for i, r := range rules {
			t := &rows[i]
			t.Failures++
			if t.Failures >= r.limit {
				until := now.Add(r.lock)
				t.LockedUntil = &until
			}
			if err := saveThrottle(tx, t); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if wait > 0 {
		return &Error{Code: ETOOMANY, Reason: reason, RetryAfterSeconds: wait, Params: map[string]any{"minutes": (wait + 59) / 60}}
	}
	return nil
}

func (s *Store) ensureThrottle(ctx context.Context, key string) error {
	var n int64
	if err := s.rdb(ctx).Model(&loginThrottle{}).Where("`key` = ?", key).Count(&n).Error; err != nil {
		return fmt.Errorf("read attempt throttle: %w", err)
	}
	if n > 0 {
		return nil
	}
	return s.tx(ctx, func(tx *Tx) error {
		err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&loginThrottle{Key: key, WindowStart: tx.Now()}).Error
		if err != nil {
			return fmt.Errorf("create attempt throttle: %w", err)
		}
		return nil
	})
}

func saveThrottle(tx *Tx, t *loginThrottle) error {
	err := tx.Model(&loginThrottle{}).Where("`key` = ?", t.Key).Updates(map[string]any{
		"failures": t.Failures, "window_start": t.WindowStart, "locked_until": t.LockedUntil}).Error
	if err != nil {
		return fmt.Errorf("record attempt: %w", err)
	}
	return nil
}

// releaseLogin gives back a successful login's reservation: the phone starts afresh, and the
// address's count drops by the attempt that turned out honest (lifting a lock it caused).
func releaseLogin(tx *Tx, rules []throttleRule) error {
	for _, r := range rules {
		var t loginThrottle
		if err := tx.forUpdate().Where("`key` = ?", r.key).Take(&t).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				continue
			}
			return fmt.Errorf("read attempt throttle: %w", err)
		}
		if strings.HasPrefix(r.key, "phone:") {
			t.Failures = 0
		} else if t.Failures > 0 {
			t.Failures--
		}
		if t.Failures < r.limit {
			t.LockedUntil = nil
		}
		if err := saveThrottle(tx, &t); err != nil {
			return err
		}
	}
	return nil
}

// Login checks a phone and password and starts a session. Wrong credentials and unknown phones
// fail alike, and the attempt is counted before the password is checked.
func (s *Store) Login(ctx context.Context, phone, password, clientAddr string) (*User, Session, error) {
	rules := loginRules(phone, clientAddr)
	if err := s.reserveAttempt(ctx, "login_locked", rules); err != nil {
		return nil, Session{}, err
	}
	var u User
	err := s.rdb(ctx).Where("phone = ? AND closed_at IS NULL", phone).Take(&u).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, Session{}, fmt.Errorf("find user: %w", err)
	}
	hash := u.PasswordHash
	if hash == "" {
		hash = s.dummyHash()
	}
	if !CheckPassword(hash, password) || u.ID == 0 || u.PasswordHash == "" {
		return nil, Session{}, Errorf(EUNAUTHORIZED, "bad_credentials")
	}
	var sess Session
	err = s.tx(ctx, func(tx *Tx) error {
		if err := releaseLogin(tx, rules); err != nil {
			return err
		}
		var err error
		sess, err = startSession(tx, u.ID)
		return err
	})
	if err != nil {
		return nil, Session{}, err
	}
	return &u, sess, nil
}
