package models

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	mysqldrv "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
)

// A batch of ballots on MySQL (castHeld on the batch handle) runs in a transaction it begins and
// commits itself, on one connection held for the batch: its begin goes with its first query (the
// poll and its voters, sharePollVoters) and its commit with its last (the rows, tallies and
// events, finishBatch). That makes the batch two round trips where database/sql's transaction
// takes four — a begin and a commit of their own — and a batch is bound by its round trips, not
// by its work (docs/architecture.md "Group commit").
//
// database/sql does not know of this transaction, so this code makes sure that none outlives its
// batch on the connection: whatever ends the batch other than its commit — an error, a refused
// ballot, a lost lock race, a panic — rolls it back before the connection goes back to the pool,
// and a connection whose rollback fails is closed instead. After a lost lock race (MySQL has then
// rolled the transaction back, and any later statement would commit on its own) the lock race
// watch refuses every later statement of the batch, those sent by execPinned included.

// errNotPinned: execPinned was given a handle without a connection of its own.
var errNotPinned = errors.New("batch: no pinned connection")

// inPinnedTx runs run in a transaction on one connection of the batch handle, begun by the
// batch's first query and committed by its last (Tx.opening, Tx.closing). ctx carries the lock
// race watch.
func (s *Store) inPinnedTx(ctx context.Context, t *Tx, run func(db *gorm.DB) error) error {
	handle := s.batchW.WithContext(ctx).Session(&gorm.Session{SkipDefaultTransaction: true})
	return handle.Connection(func(c *gorm.DB) error {
		db := c.Session(&gorm.Session{})
		t.opening, t.closing, t.committed = true, true, false
		defer func() {
			if t.committed || t.opening {
				return // committed, or nothing was begun
			}
			// Without the lock race watch, which would refuse it after a lost race.
			if err := c.Session(&gorm.Session{NewDB: true, Context: context.Background()}).Exec("ROLLBACK").Error; err != nil {
				s.dropPinned(c)
			}
		}()
		return run(db)
	})
}

// dropPinned closes the connection of db instead of giving it back to the pool: a transaction may
// still be open on it.
func (s *Store) dropPinned(db *gorm.DB) {
	if conn, ok := db.Statement.ConnPool.(*sql.Conn); ok {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
}

// begin is the prefix of a batch's first query, which begins its transaction, or "" when it is
// begun already (or begun by database/sql).
func (t *Tx) begin() string {
	if !t.opening {
		return ""
	}
	t.opening = false
	return "START TRANSACTION; "
}

// beginNow begins a pinned transaction that no query has begun yet, before anything is written.
func (t *Tx) beginNow() error {
	if !t.opening {
		return nil
	}
	t.opening = false
	if err := t.Exec("START TRANSACTION").Error; err != nil {
		return fmt.Errorf("begin batch: %w", err)
	}
	return nil
}

// execPinned sends a query of several statements on db's own connection straight to the MySQL
// driver and returns the driver's result, which keeps every statement's insert id and rows
// affected (database/sql keeps only the last's). The values are bound as gorm binds them (a slice
// for IN ? becomes its list), and the lock race watch and the outage breaker refuse the query as
// they would any other.
func execPinned(db *gorm.DB, query string, args []any) (mysqldrv.Result, error) {
	conn, ok := db.Statement.ConnPool.(*sql.Conn)
	if !ok {
		return nil, errNotPinned
	}
	st := db.Session(&gorm.Session{DryRun: true}).Exec(query, args...)
	if st.Error != nil {
		return nil, st.Error
	}
	ctx, sqlText, vars := st.Statement.Context, st.Statement.SQL.String(), st.Statement.Vars
	var res mysqldrv.Result
	err := conn.Raw(func(dc any) error {
		ex, ok := dc.(driver.ExecerContext)
		if !ok {
			return errNotPinned
		}
		vals := make([]driver.NamedValue, len(vars))
		checker, _ := dc.(driver.NamedValueChecker)
		for i, v := range vars {
			vals[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
			if checker != nil {
				if err := checker.CheckNamedValue(&vals[i]); err != nil {
					return fmt.Errorf("bind value %d: %w", i+1, err)
				}
			}
		}
		r, err := ex.ExecContext(ctx, sqlText, vals)
		if err != nil {
			return err
		}
		if res, ok = r.(mysqldrv.Result); !ok {
			return errNotPinned
		}
		return nil
	})
	if err != nil && retryable(err) {
		if r := lockRaceOf(db); r != nil {
			r.lost.Store(true)
		}
	}
	return res, err
}
