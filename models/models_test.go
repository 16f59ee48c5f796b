package models_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/internal/testenv"
	"github.com/yueyuetan/yueyuetan/models"
)

// world is a store with a superadmin and one community, the least the operations need.
type world struct {
	s     *models.Store
	super models.Actor
	c     *models.Community
}

func mustOpenWorld(t *testing.T) *world {
	t.Helper()
	s := testenv.Open(t)
	ctx := context.Background()
	u, err := s.AddUser(ctx, models.AddUserInput{Phone: "13800000000", Name: "超管", Password: "super-pass-1", Role: "superadmin"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.CreateCommunity(ctx, u.Actor(), models.CommunityInput{Name: "西桥社区", Street: "唐家墩街道", District: "江汉区", City: "武汉市"})
	if err != nil {
		t.Fatal(err)
	}
	return &world{s: s, super: u.Actor(), c: c}
}

// code returns the domain code and reason of an error.
func code(err error) (string, string) {
	var e *models.Error
	if errors.As(err, &e) {
		return e.Code, e.Reason
	}
	return models.ErrorCode(err), ""
}

func TestPassword_Hash(t *testing.T) {
	t.Parallel()
	h, err := models.HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OK", func(t *testing.T) {
		if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
			t.Fatalf("hash=%q, want argon2id with OWASP's parameters", h)
		}
		if !models.CheckPassword(h, "correct horse") {
			t.Fatal("the right password does not match")
		}
		h2, _ := models.HashPassword("correct horse")
		if h2 == h {
			t.Fatal("two hashes of one password are equal: no salt")
		}
	})
	t.Run("ErrWrongPassword", func(t *testing.T) {
		for _, pw := range []string{"", "correct horse ", "Correct horse", "correct hors"} {
			if models.CheckPassword(h, pw) {
				t.Fatalf("%q matches", pw)
			}
		}
	})
	t.Run("ErrMalformedHash", func(t *testing.T) {
		parts := strings.Split(h, "$")
		for _, bad := range []string{
			"", "$", "$argon2id$", "$2a$10$abcdefghijklmnopqrstuu5Cc0hQH9c1yX1nO3sX3vQm0b8u1yG2W",
			strings.Replace(h, "argon2id", "argon2i", 1), strings.Replace(h, "v=19", "v=16", 1),
			strings.Replace(h, "m=19456", "m=999999999", 1), strings.Replace(h, "t=2", "t=0", 1), strings.Replace(h, "t=2", "t=99", 1),
			strings.Replace(h, "p=1", "p=0", 1), strings.Join(append(parts[:4:4], "!!!", parts[5]), "$"),
			strings.Join(append(parts[:5:5], ""), "$"), strings.Join(append(parts[:5:5], strings.Repeat("A", 400)), "$"), h + "$extra",
		} {
			if models.CheckPassword(bad, "correct horse") {
				t.Fatalf("malformed hash %q matches", bad)
			}
		}
	})
}

// TestPassword_StoreCost: a store hashes at the production cost unless its PasswordCost says
// otherwise (test stores use TestPasswordCost, internal/testenv), and logs in with either; an
// unknown phone is refused after a check at the store's cost.
func TestPassword_StoreCost(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, c := range []struct {
		name   string
		cost   *models.PasswordCost
		prefix string
	}{
		{"Production", nil, "$argon2id$v=19$m=19456,t=2,p=1$"},
		{"Test", &models.TestPasswordCost, "$argon2id$v=19$m=8,t=1,p=1$"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := testenv.Open(t)
			s.PasswordCost = c.cost
			u, err := s.AddUser(ctx, models.AddUserInput{Phone: "13800000000", Name: "超管", Password: "super-pass-1", Role: "superadmin"})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(u.PasswordHash, c.prefix) {
				t.Fatalf("hash=%q, want prefix %q", u.PasswordHash, c.prefix)
			}
			if _, _, err := s.Login(ctx, "13800000000", "super-pass-1", "192.0.2.1"); err != nil {
				t.Fatalf("login: %v", err)
			}
			for _, phone := range []string{"13800000000", "13800000009"} {
				_, _, err := s.Login(ctx, phone, "wrong-password", "192.0.2.2")
				if got, _ := code(err); got != models.EUNAUTHORIZED {
					t.Fatalf("login %s with a wrong password: err=%v, want %s", phone, err, models.EUNAUTHORIZED)
				}
			}
		})
	}
}

func TestMaskPhone(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"13800000006": "138****0006", "15912345678": "159****5678", "1234567": "****", "": "****", "12345678": "123*5678",
	} {
		if got := models.MaskPhone(in); got != want {
			t.Fatalf("MaskPhone(%q)=%q, want %q", in, got, want)
		}
	}
}

func TestAreaToCenti(t *testing.T) {
	t.Parallel()
	for in, want := range map[float64]int64{
		88.5: 8850, 70.35: 7035, 56.65: 5665, 0.1 + 0.2: 30, 0.005: 1, 0.004: 0, 9999.99: 999999, 1e-9: 0,
	} {
		if got := models.AreaToCenti(in); got != want {
			t.Fatalf("AreaToCenti(%v)=%d, want %d", in, got, want)
		}
	}
}

// TestEvent_AfterCommit: real-time delivery hears of an event only once its transaction has
// committed, and never of a change that was rolled back.
func TestEvent_AfterCommit(t *testing.T) {
	t.Parallel()
	w := mustOpenWorld(t)
	ctx := context.Background()
	var mu sync.Mutex
	var got []models.Event
	w.s.AfterCommit = func(evs []models.Event) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, evs...)
	}
	t.Run("OK", func(t *testing.T) {
		c, err := w.s.CreateCompound(ctx, w.super, w.c.ID, models.CompoundInput{Name: "安友花园"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Type != models.EvCompoundCreated || got[0].SubjectID != c.ID || got[0].ID == 0 || got[0].Seq != 2 {
			t.Fatalf("after commit got %+v", got)
		}
	})
	t.Run("ErrRolledBack", func(t *testing.T) {
		got = nil
		_, err := w.s.CreateCompound(ctx, w.super, w.c.ID, models.CompoundInput{Name: "安友花园"})
		if c, _ := code(err); c != models.EINVALID {
			t.Fatalf("err=%v, want a duplicate-name error", err)
		}
		if len(got) != 0 {
			t.Fatalf("a rolled-back change was delivered: %+v", got)
		}
		res, err := w.s.VerifyChain(ctx, w.c.ID)
		if err != nil || !res.OK || res.Head != 2 {
			t.Fatalf("verify=%+v err=%v, want the head unmoved at 2", res, err)
		}
	})
}

func TestEvent_VerifyEmpty(t *testing.T) {
	t.Parallel()
	s := testenv.Open(t)
	res, err := s.VerifyChain(context.Background(), 12345)
	if err != nil || !res.OK || res.Checked != 0 || res.Head != 0 {
		t.Fatalf("verify of a community without events=%+v err=%v", res, err)
	}
}

// TestLogin_Throttle drives the per-phone counter with the store's clock: failures count within a
// 15-minute window, the fifth locks, the lock lasts 15 minutes.
func TestLogin_Throttle(t *testing.T) {
	t.Parallel()
	w := mustOpenWorld(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	w.s.Now = func() time.Time { return now }
	fail := func(t *testing.T, wantCode string) {
		t.Helper()
		_, _, err := w.s.Login(ctx, "13800000000", "wrong-password", "192.0.2.1")
		if c, _ := code(err); c != wantCode {
			t.Fatalf("err=%v, want %s", err, wantCode)
		}
	}
	t.Run("OKWindowSlides", func(t *testing.T) {
		for i := 0; i < 4; i++ {
			fail(t, models.EUNAUTHORIZED)
		}
		now = now.Add(16 * time.Minute) // the window has passed: the count starts again
		for i := 0; i < 4; i++ {
			fail(t, models.EUNAUTHORIZED)
		}
		if _, sess, err := w.s.Login(ctx, "13800000000", "super-pass-1", "192.0.2.1"); err != nil || sess.Refresh == "" || sess.ID == "" {
			t.Fatalf("login after 8 spread failures: err=%v", err)
		}
	})
	t.Run("ErrLocked", func(t *testing.T) {
		for i := 0; i < 5; i++ {
			fail(t, models.EUNAUTHORIZED)
		}
		_, _, err := w.s.Login(ctx, "13800000000", "super-pass-1", "192.0.2.2")
		var e *models.Error
		if !errors.As(err, &e) || e.Code != models.ETOOMANY || e.Reason != "login_locked" || e.RetryAfterSeconds != 900 || e.Params["minutes"] != 15 {
			t.Fatalf("err=%+v, want login_locked for 900 s", err)
		}
		now = now.Add(14 * time.Minute)
		if _, _, err := w.s.Login(ctx, "13800000000", "super-pass-1", "192.0.2.2"); !errors.As(err, &e) || e.RetryAfterSeconds != 60 {
			t.Fatalf("err=%+v, want 60 s left", err)
		}
		now = now.Add(time.Minute + time.Second)
		if _, _, err := w.s.Login(ctx, "13800000000", "super-pass-1", "192.0.2.2"); err != nil {
			t.Fatalf("login after the lock: %v", err)
		}
	})
}

// TestRefresh_Concurrent replays one refresh token from two places at once: one wins, the other
// is taken for a thief, and the winner's new token dies with the family.
func TestRefresh_Concurrent(t *testing.T) {
	t.Parallel()
	w := mustOpenWorld(t)
	ctx := context.Background()
	_, sess, err := w.s.Login(ctx, "13800000000", "super-pass-1", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	raw := sess.Refresh
	var wg sync.WaitGroup
	next := make([]models.Session, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, next[i], errs[i] = w.s.Refresh(ctx, raw)
		}()
	}
	wg.Wait()
	won, reused := -1, 0
	for i, err := range errs {
		switch _, reason := code(err); {
		case err == nil:
			won = i
		case reason == "token_reused":
			reused++
		default:
			t.Fatalf("refresh %d: %v", i, err)
		}
	}
	if won < 0 || reused != 1 {
		t.Fatalf("errs=%v, want one success and one token_reused", errs)
	}
	if _, _, err := w.s.Refresh(ctx, next[won].Refresh); err == nil {
		t.Fatal("the winner's new token still works after reuse was detected")
	}
}

func TestRefresh_Expiry(t *testing.T) {
	t.Parallel()
	w := mustOpenWorld(t)
	ctx := context.Background()
	now := time.Now()
	w.s.Now = func() time.Time { return now }
	_, sess, err := w.s.Login(ctx, "13800000000", "super-pass-1", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(models.RefreshTTL - time.Minute)
	_, sess, err = w.s.Refresh(ctx, sess.Refresh)
	if err != nil {
		t.Fatalf("refresh a minute before expiry: %v", err)
	}
	// Each rotation starts a new 30 days.
	now = now.Add(models.RefreshTTL - time.Minute)
	if _, sess, err = w.s.Refresh(ctx, sess.Refresh); err != nil {
		t.Fatalf("refresh of the rotated token: %v", err)
	}
	now = now.Add(models.RefreshTTL)
	if _, _, err := w.s.Refresh(ctx, sess.Refresh); err == nil {
		t.Fatal("an expired refresh token still works")
	}
}

// TestAddUser covers the command line's way in: a superadmin, or one verified role in a community.
func TestAddUser(t *testing.T) {
	t.Parallel()
	w := mustOpenWorld(t)
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		u, err := w.s.AddUser(ctx, models.AddUserInput{Phone: "13800000001", Name: " 刘书记 ", Password: "admin-pass-1", Role: models.RoleAdmin, CommunityID: w.c.ID})
		if err != nil {
			t.Fatal(err)
		}
		acc, err := w.s.Access(ctx, u.Actor(), w.c.ID)
		if err != nil || !acc.Verified || strings.Join(acc.Roles, ",") != "admin" || u.Name != "刘书记" || u.IsSuperadmin {
			t.Fatalf("access=%+v user=%+v err=%v", acc, u, err)
		}
		if n, err := w.s.CountSuperadmins(ctx); err != nil || n != 1 {
			t.Fatalf("superadmins=%d err=%v", n, err)
		}
	})
	for name, c := range map[string]struct {
		in            models.AddUserInput
		code, reasonF string
	}{
		"ErrUnknownRole":  {models.AddUserInput{Phone: "13800000002", Name: "x", Password: "pass-pass-1", Role: "mayor", CommunityID: w.c.ID}, models.EINVALID, "role"},
		"ErrNoCommunity":  {models.AddUserInput{Phone: "13800000002", Name: "x", Password: "pass-pass-1", Role: models.RoleResident}, models.EINVALID, "community"},
		"ErrNoSuchPlace":  {models.AddUserInput{Phone: "13800000002", Name: "x", Password: "pass-pass-1", Role: models.RoleResident, CommunityID: 999}, models.EINVALID, "community"},
		"ErrPhoneTaken":   {models.AddUserInput{Phone: "13800000000", Name: "x", Password: "pass-pass-1", Role: "superadmin"}, models.EINVALID, "phone"},
		"ErrPhoneTaken2":  {models.AddUserInput{Phone: "13800000001", Name: "x", Password: "pass-pass-1", Role: models.RoleResident, CommunityID: w.c.ID}, models.EINVALID, "phone"},
		"ErrUnknownRole2": {models.AddUserInput{Phone: "13800000002", Name: "x", Password: "pass-pass-1", Role: ""}, models.EINVALID, "role"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := w.s.AddUser(ctx, c.in)
			var e *models.Error
			if !errors.As(err, &e) || e.Code != c.code || e.Fields[c.reasonF] == "" {
				t.Fatalf("err=%v, want %s on %s", err, c.code, c.reasonF)
			}
		})
	}
	// A refused AddUser left nothing behind: the phone is still free.
	if _, err := w.s.AddUser(ctx, models.AddUserInput{Phone: "13800000002", Name: "x", Password: "pass-pass-1", Role: models.RoleResident, CommunityID: w.c.ID}); err != nil {
		t.Fatalf("phone of refused adds is not free: %v", err)
	}
}
