package handlers

// Scheduled backups (docs/operations.md "Scheduled backups"): of two instances on one database
// exactly one — the lease row's holder — takes each backup, the newest Keep archives stay, and
// the admin screen's status says when the newest is older than two periods.

import (
	"context"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/backup"
	"github.com/yueyuetan/yueyuetan/storage"
)

func TestBackup_Schedule(t *testing.T) {
	ta := openTestApp(t, Config{Backups: BackupSchedule{On: true, Every: time.Hour, Keep: 2}})
	dir := t.TempDir()
	files := ta.store.Files.(*storage.Dir).Root
	inst := func(name string) *backup.Scheduler {
		return &backup.Scheduler{Store: ta.store, FilesDir: files, Dir: dir, Every: time.Hour, Keep: 2, Holder: name, Log: discardLogger()}
	}
	a, b := inst("host-a/1"), inst("host-b/2")
	ctx := context.Background()
	runs := func() int64 { return ta.count(t, "backup_runs", "ok = ?", true) }
	archives := func() int {
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		return len(ents)
	}
	// An hour passes: the newest backup is made older by an hour and a second.
	age := func() {
		if err := ta.store.Gorm().Exec("UPDATE backup_runs SET started_at = ?, finished_at = ?",
			time.Now().Add(-time.Hour-time.Second).UTC(), time.Now().Add(-time.Hour).UTC()).Error; err != nil {
			t.Fatal(err)
		}
		time.Sleep(1100 * time.Millisecond) // archive names are by the second
	}

	status := func() backupStatusView {
		rec := ta.do(req{method: "GET", path: "/api/v1/ops/backups", as: ta.fx.AdminA})
		wantStatus(t, rec, http.StatusOK)
		return decode[backupStatusView](t, rec)
	}
	if s := status(); s.Last != nil || s.Stale || !s.Scheduled || s.EverySeconds != 3600 {
		t.Fatalf("status before any backup: %+v", s)
	}

	// Both instances look at once: one takes the backup.
	var wg sync.WaitGroup
	took := make([]bool, 2)
	for i, s := range []*backup.Scheduler{a, b} {
		wg.Add(1)
		go func() { defer wg.Done(); took[i] = s.Once(ctx, time.Minute) }()
	}
	wg.Wait()
	if took[0] == took[1] || runs() != 1 || archives() != 1 {
		t.Fatalf("took=%v, %d runs recorded, %d archives; want exactly one instance to back up", took, runs(), archives())
	}
	holder, other := a, b
	if took[1] {
		holder, other = b, a
	}
	// Not due yet, and the other instance never runs while the lease is held.
	if holder.Once(ctx, time.Minute) || other.Once(ctx, time.Minute) || runs() != 1 {
		t.Fatalf("a backup was taken before it was due: %d runs", runs())
	}
	s := status()
	if s.Last == nil || s.Last.Size <= 0 || s.Stale || s.Last.File == "" {
		t.Fatalf("status after a backup: %+v", s)
	}

	age()
	if other.Once(ctx, time.Minute) {
		t.Fatal("the instance without the lease backed up")
	}
	if !holder.Once(ctx, time.Minute) || runs() != 2 {
		t.Fatalf("the holder did not back up when due: %d runs", runs())
	}
	age()
	if !holder.Once(ctx, time.Minute) || runs() != 3 || archives() != 2 {
		t.Fatalf("%d runs, %d archives kept; want 3 and the newest 2", runs(), archives())
	}

	// The holder is gone: once its lease expires, the other instance takes over.
	if err := ta.store.Gorm().Exec("UPDATE job_leases SET expires_at = ? WHERE name = ?", time.Now().Add(-time.Second).UTC(), backup.LeaseName).Error; err != nil {
		t.Fatal(err)
	}
	age()
	if !other.Once(ctx, time.Minute) || runs() != 4 {
		t.Fatalf("the other instance did not take over: %d runs", runs())
	}

	// Older than two periods: the admin screen warns.
	if err := ta.store.Gorm().Exec("UPDATE backup_runs SET started_at = ?, finished_at = ?",
		time.Now().Add(-3*time.Hour).UTC(), time.Now().Add(-3*time.Hour).UTC()).Error; err != nil {
		t.Fatal(err)
	}
	if s := status(); !s.Stale || s.Last == nil {
		t.Fatalf("status with a backup three periods old: %+v", s)
	}
	rec := ta.do(req{method: "GET", path: "/api/v1/ops/backups", as: ta.fx.Resident})
	wantProblem(t, rec, http.StatusForbidden, "forbidden")
}
