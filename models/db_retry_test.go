package models_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/internal/testenv"
	"github.com/yueyuetan/yueyuetan/models"
)

// A forced deadlock on MySQL/MariaDB: two transactions lock two rows in opposite order. The
// victim is run again by the store and both commit; each one's event is delivered once, by
// AfterCommit for the committed run, and the lost run's writes are gone. A run that swallows
// the deadlock and carries on writing cannot commit those writes outside the transaction.
func TestTx_DeadlockRetried(t *testing.T) {
	if testenv.MySQLDSN() == "" {
		t.Skip("a deadlock needs MySQL/MariaDB (YYT_TEST_MYSQL_DSN); SQLite runs one writer at a time")
	}
	t.Parallel()
	w := mustOpenWorld(t)
	ctx := context.Background()
	db := w.s.Gorm()
	for _, q := range []string{"CREATE TABLE lock_pair (id INT PRIMARY KEY, n INT NOT NULL)",
		"INSERT INTO lock_pair VALUES (1, 0), (2, 0)",
		"CREATE TABLE lock_marks (id INT PRIMARY KEY AUTO_INCREMENT, who VARCHAR(20) NOT NULL, run INT NOT NULL)"} {
		if err := db.Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	delivered := map[models.EventType]int{}
	w.s.AfterCommit = func(evs []models.Event) {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range evs {
			delivered[e.Type]++
		}
	}
	// run locks first, then (once both hold their first row, on the first run only) second, and
	// appends its event. swallow makes it ignore the deadlock and write a mark regardless.
	pair := func(name string, first, second int, swallow bool, held *sync.WaitGroup, runs *atomic.Int32) error {
		return w.s.Tx(ctx, func(tx *models.Tx) error {
			run := runs.Add(1)
			if err := tx.Exec("UPDATE lock_pair SET n = n + 1 WHERE id = ?", first).Error; err != nil {
				return err
			}
			if run == 1 {
				held.Done()
				held.Wait()
			}
			err := tx.Exec("UPDATE lock_pair SET n = n + 1 WHERE id = ?", second).Error
			if err != nil && !swallow {
				return fmt.Errorf("lock row %d: %w", second, err)
			}
			if err := tx.Exec("INSERT INTO lock_marks (who, run) VALUES (?, ?)", name, run).Error; err != nil && !swallow {
				return err
			}
			_, aerr := tx.AppendEvent(models.EventInput{CommunityID: w.c.ID, Type: models.EventType("test." + name), SubjectType: "test", SubjectID: 1})
			if swallow {
				return nil
			}
			return aerr
		})
	}
	for _, swallow := range []bool{false, true} {
		t.Run(fmt.Sprintf("swallow=%v", swallow), func(t *testing.T) {
			mu.Lock()
			clear(delivered)
			mu.Unlock()
			db.Exec("DELETE FROM lock_marks")
			lostBefore := w.s.LostLockRaces()
			var held, done sync.WaitGroup
			held.Add(2)
			var runsA, runsB atomic.Int32
			var errA, errB error
			done.Add(2)
			go func() { defer done.Done(); errA = pair("a", 1, 2, swallow, &held, &runsA) }()
			go func() { defer done.Done(); errB = pair("b", 2, 1, swallow, &held, &runsB) }()
			done.Wait()
			if errA != nil || errB != nil {
				t.Fatalf("a: %v, b: %v; want both committed", errA, errB)
			}
			if runs := runsA.Load() + runsB.Load(); runs < 3 {
				t.Fatalf("%d runs, want the deadlock victim run again", runs)
			}
			if lost := w.s.LostLockRaces() - lostBefore; lost < 1 {
				t.Fatalf("%d lost races counted, want at least 1", lost)
			}
			mu.Lock()
			if delivered["test.a"] != 1 || delivered["test.b"] != 1 {
				t.Fatalf("delivered %v, want each event once", delivered)
			}
			mu.Unlock()
			// Only the committed runs' marks: one each, from their last run.
			var marks []struct {
				Who string
				Run int32
			}
			if err := db.Raw("SELECT who, run FROM lock_marks ORDER BY who").Scan(&marks).Error; err != nil {
				t.Fatal(err)
			}
			if len(marks) != 2 || marks[0].Who != "a" || marks[0].Run != runsA.Load() || marks[1].Who != "b" || marks[1].Run != runsB.Load() {
				t.Fatalf("marks %+v, want one of a (run %d) and one of b (run %d)", marks, runsA.Load(), runsB.Load())
			}
			res, err := w.s.VerifyChain(ctx, w.c.ID)
			if err != nil || !res.OK {
				t.Fatalf("chain: %+v, %v", res, err)
			}
		})
	}
}

// A transaction that keeps losing is answered busy (EUNAVAILABLE with Retry-After) after a
// bounded number of runs, and delivers nothing.
func TestTx_BusyAfterLastAttempt(t *testing.T) {
	if testenv.MySQLDSN() == "" {
		t.Skip("a lock wait timeout needs MySQL/MariaDB (YYT_TEST_MYSQL_DSN)")
	}
	t.Parallel()
	w := mustOpenWorld(t)
	ctx := context.Background()
	db := w.s.Gorm()
	if err := db.Exec("CREATE TABLE lock_one (id INT PRIMARY KEY, n INT NOT NULL)").Error; err != nil {
		t.Fatal(err)
	}
	db.Exec("INSERT INTO lock_one VALUES (1, 0)")
	var delivered atomic.Int32
	w.s.AfterCommit = func(evs []models.Event) { delivered.Add(int32(len(evs))) }
	// A holder keeps the row locked while the writer tries, giving up at once every run (MariaDB
	// takes a lock wait timeout of 0 as "do not wait"; MySQL raises it to 1 s).
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	holder, err := sqlDB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	if _, err := holder.Exec("UPDATE lock_one SET n = n + 1 WHERE id = 1"); err != nil {
		t.Fatal(err)
	}
	var runs atomic.Int32
	start := time.Now()
	err = w.s.Tx(ctx, func(tx *models.Tx) error {
		runs.Add(1)
		if err := tx.Exec("SET SESSION innodb_lock_wait_timeout = 0").Error; err != nil {
			return err
		}
		if _, err := tx.AppendEvent(models.EventInput{CommunityID: w.c.ID, Type: "test.never", SubjectType: "test", SubjectID: 1}); err != nil {
			return err
		}
		return tx.Exec("UPDATE lock_one SET n = n + 1 WHERE id = 1").Error
	})
	var de *models.Error
	if !errors.As(err, &de) || de.Code != models.EUNAVAILABLE || de.Reason != "busy_try_again" || de.RetryAfterSeconds < 1 {
		t.Fatalf("err=%v, want EUNAVAILABLE busy_try_again with Retry-After", err)
	}
	if runs.Load() < 2 || runs.Load() > 10 {
		t.Fatalf("%d runs, want a few and a bound", runs.Load())
	}
	if delivered.Load() != 0 {
		t.Fatalf("%d events delivered from runs that rolled back", delivered.Load())
	}
	t.Logf("%d runs in %v", runs.Load(), time.Since(start))
}
