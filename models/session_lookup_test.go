package models_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
)

// TestSessionUser_Batched: many requests checking their sessions at once — live, revoked,
// unknown, another user's, a closed account's — each get their own answer, however the lookups
// were batched, and a session revoked before a check is refused by it.
func TestSessionUser_Batched(t *testing.T) {
	t.Parallel()
	w := mustOpenWorld(t)
	ctx := context.Background()
	db := w.s.Gorm()
	var users [2]*models.User
	for i := range users {
		u, err := w.s.AddUser(ctx, models.AddUserInput{Phone: fmt.Sprintf("1390000000%d", i), Name: fmt.Sprintf("居民%d", i),
			Password: "resident-pass-1", Role: models.RoleResident, CommunityID: w.c.ID})
		if err != nil {
			t.Fatal(err)
		}
		users[i] = u
	}
	open, closed := users[0], users[1]
	now := time.Now().UTC()
	type check struct {
		userID uint64
		sid    string
		live   bool
	}
	var checks []check
	var rows []map[string]any
	for i := range 40 {
		sid := fmt.Sprintf("live-%d", i)
		rows = append(rows, map[string]any{"id": sid, "user_id": open.ID, "created_at": now})
		checks = append(checks, check{open.ID, sid, true}, check{closed.ID, sid, false}) // the other user's id
		rev := fmt.Sprintf("revoked-%d", i)
		rows = append(rows, map[string]any{"id": rev, "user_id": open.ID, "created_at": now, "revoked_at": now})
		checks = append(checks, check{open.ID, rev, false})
		gone := fmt.Sprintf("closed-%d", i)
		rows = append(rows, map[string]any{"id": gone, "user_id": closed.ID, "created_at": now})
		checks = append(checks, check{closed.ID, gone, false}, check{open.ID, fmt.Sprintf("unknown-%d", i), false})
	}
	if err := db.Table("sessions").Create(rows).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Table("users").Where("id = ?", closed.ID).Update("closed_at", now).Error; err != nil {
		t.Fatal(err)
	}
	for round := range 3 {
		var wg sync.WaitGroup
		errs := make(chan string, len(checks))
		for _, c := range checks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				u, err := w.s.SessionUser(ctx, c.userID, c.sid)
				switch _, reason := code(err); {
				case c.live && (err != nil || u == nil || u.ID != c.userID || u.Name != open.Name):
					errs <- fmt.Sprintf("round %d: live session %s of user %d: %v, %v", round, c.sid, c.userID, u, err)
				case !c.live && reason != "session_ended":
					errs <- fmt.Sprintf("round %d: session %s of user %d: want session_ended, got %v, %v", round, c.sid, c.userID, u, err)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
	}
	// A check after a revocation sees it.
	if err := w.s.RevokeSessions(ctx, open.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.SessionUser(ctx, open.ID, "live-0"); err == nil {
		t.Fatal("a revoked session still passes its check")
	}
}
