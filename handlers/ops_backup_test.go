package handlers

// Backups taken while the server serves (docs/operations.md "Backups"): a backup taken under
// concurrent ballots and cards holds every write acknowledged before it started, restores into
// an empty database whose event chain verifies, and a restore refuses a target in use.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/backup"
	"github.com/yueyuetan/yueyuetan/internal/testenv"
	"github.com/yueyuetan/yueyuetan/migrations"
	"github.com/yueyuetan/yueyuetan/models"
	"github.com/yueyuetan/yueyuetan/storage"
)

// ack is one write and when its answer came back.
type ack struct {
	kind string // "ballot" or "card"
	key  uint64 // the voter's id, or the card's number
	at   time.Time
	code int
}

func TestBackup_UnderConcurrentWrites(t *testing.T) {
	ta := newTestApp(t)
	pf := ta.buildPollFixture("2027-05")
	const nVoters, nCards = 160, 160
	voters := ta.addVoters(t, 0, nVoters, nil)
	p := ta.openedPoll(t, pf.meeting, map[string]any{"title": "备份期间的表决", "method": "dot", "dots_per_voter": 3,
		"max_dots_per_option": 2, "secrecy": "named", "results_visibility": "after_close",
		"options": []map[string]any{{"label": "甲"}, {"label": "乙"}, {"label": "丙"}}})
	cy := ta.cardCycle(t)
	// An uploaded file, to come back with the database.
	photo := ta.uploadPhoto(t, ta.fx.Resident, ta.fx.A.ID, photoWithGPS(t))
	wantStatus(t, photo, http.StatusCreated)
	filesDir := ta.store.Files.(*storage.Dir).Root

	var mu sync.Mutex
	var acks []ack
	var done atomic.Int64
	record := func(a ack) {
		mu.Lock()
		acks = append(acks, a)
		mu.Unlock()
		done.Add(1)
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i := range nVoters + nCards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if i%2 == 0 && i/2 < nVoters {
				v := voters[i/2]
				rec := ta.vote(p, v, map[string]any{"dots": map[string]int{p.opt(i % 3): 2, p.opt((i + 1) % 3): 1}})
				record(ack{kind: "ballot", key: v.ID, at: time.Now(), code: rec.Code})
				return
			}
			rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/cards", cy.ID), as: ta.fx.Resident,
				body: map[string]any{"body": fmt.Sprintf("备份测试卡片%d", i)}})
			record(ack{kind: "card", key: uint64(i), at: time.Now(), code: rec.Code})
		}()
	}
	// The backup starts once a third of the writes are in, with the rest still coming.
	for done.Load() < (nVoters+nCards)/3 {
		time.Sleep(5 * time.Millisecond)
	}
	var archive bytes.Buffer
	started := time.Now()
	m, err := backup.Take(context.Background(), ta.store, filesDir, t.TempDir(), &archive)
	finished := time.Now()
	if err != nil {
		t.Fatal(err)
	}
	wg.Wait()

	before, during := 0, 0
	for _, a := range acks {
		if a.code >= 300 {
			t.Fatalf("%s %d answered %d", a.kind, a.key, a.code)
		}
		switch {
		case a.at.Before(started):
			before++
		case a.at.Before(finished):
			during++
		}
	}
	if m.Files == 0 {
		t.Fatalf("manifest %+v: the uploaded photo is missing", m)
	}
	t.Logf("%s backup (%s) of %d bytes: %d writes acknowledged before it started, %d while it ran, %d after; took %v",
		m.Dialect, m.Method, archive.Len(), before, during, len(acks)-before-during, finished.Sub(started).Round(time.Millisecond))
	if before == 0 || len(acks)-before == 0 {
		t.Fatalf("the writes did not straddle the backup: %d before, %d after its start", before, len(acks)-before)
	}

	// Restore into an empty database and data folder.
	path := filepath.Join(t.TempDir(), "b.tar.gz")
	if err := os.WriteFile(path, archive.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	dsn, dir := testenv.DSN(t)
	if _, err := backup.Restore(context.Background(), path, backup.Target{DSN: dsn, DataDir: dir}); err != nil {
		t.Fatal(err)
	}
	restored, err := models.Open(models.OpenOptions{DSN: dsn, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if rep, err := migrations.Compare(restored.Gorm()); err != nil || !rep.Agree() {
		t.Fatalf("restored schema: %+v %v", rep, err)
	}
	for _, a := range acks {
		if !a.at.Before(started) {
			continue
		}
		var n int64
		var err error
		if a.kind == "ballot" {
			err = restored.Gorm().Table("poll_receipts").Where("poll_id = ? AND user_id = ?", p.ID, a.key).Count(&n).Error
		} else {
			err = restored.Gorm().Table("cards").Where("cycle_id = ? AND body = ?", cy.ID, fmt.Sprintf("备份测试卡片%d", a.key)).Count(&n).Error
		}
		if err != nil || n != 1 {
			t.Fatalf("%s %d, acknowledged before the backup started, is not in it (%d rows, %v)", a.kind, a.key, n, err)
		}
	}
	for _, cid := range []uint64{ta.fx.A.ID, ta.fx.B.ID} {
		res, err := restored.VerifyChain(context.Background(), cid)
		if err != nil || !res.OK {
			t.Fatalf("restored chain of community %d: %+v %v", cid, res, err)
		}
	}
	files, err := os.ReadDir(filepath.Join(dir, "files"))
	if err != nil || len(files) == 0 {
		t.Fatalf("restored files folder: %v %v", files, err)
	}

	// The restored database takes writes where the original left off.
	restoredApp := appOnStoreNoFixture(t, restored, Config{})
	rec := restoredApp.doWith(restoredApp.e, req{method: "GET", path: "/readyz"})
	wantStatus(t, rec, http.StatusOK)

	// A second restore into the same, now used, target is refused and changes nothing.
	_, err = backup.Restore(context.Background(), path, backup.Target{DSN: dsn, DataDir: dir})
	if !errors.Is(err, backup.ErrNotEmpty) {
		t.Fatalf("restore over a database in use: %v, want ErrNotEmpty", err)
	}
}

// appOnStoreNoFixture is the app on a store that already holds its data.
func appOnStoreNoFixture(t *testing.T, store *models.Store, cfg Config) *testApp {
	ta := &testApp{t: t, store: store, tok: &tokens{secret: []byte(testSecret), ttl: AccessTTL, now: time.Now}}
	cfg.Store, cfg.JWTSecret, cfg.Logger = store, []byte(testSecret), discardLogger()
	ta.e = New(cfg)
	return ta
}
