package models

// Database outages (docs/operations.md "Database outages"): while the database cannot be reached
// (MySQL/MariaDB down, restarting, unreachable) or cannot take writes (SQLite's disk full or its
// folder read-only), every request that needs it answers 503 `unavailable` with Retry-After
// instead of a 500, and the log gets one line when the outage starts and one when it ends.

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	mysqldrv "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
)

// OutageRetryAfter is the Retry-After of an outage answer, in seconds.
const OutageRetryAfter = 5

// sqliteCoded is the error of the SQLite driver, which carries SQLite's result code.
type sqliteCoded interface{ Code() int }

// SQLite primary result codes that mean the file cannot be written or read at all.
const (
	sqliteReadonly = 8
	sqliteIOErr    = 10
	sqliteCorrupt  = 11
	sqliteFull     = 13
	sqliteCantOpen = 14
)

// IsOutage reports an error that says the database is unreachable or cannot take writes, as
// opposed to a bug or a refused input: a lost or refused connection, a timeout talking to the
// server, a server shutting down or read-only, SQLite's disk full, read-only or I/O error.
func IsOutage(err error) bool {
	if err == nil {
		return false
	}
	var de *Error
	if errors.As(err, &de) {
		return de.Code == EUNAVAILABLE && de.Reason == "unavailable"
	}
	if errors.Is(err, mysqldrv.ErrInvalidConn) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EROFS) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var me *mysqldrv.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1021, // disk full
			1040, // too many connections
			1053, // server shutdown in progress
			1114, // table is full
			1290, // --read-only and the like
			1836, // read-only mode
			1927, // connection was killed
			4031: // disconnected by the server because of inactivity
			return true
		}
		return false
	}
	var sc sqliteCoded
	if errors.As(err, &sc) {
		switch sc.Code() & 0xff {
		case sqliteReadonly, sqliteIOErr, sqliteFull, sqliteCantOpen:
			return true
		}
		return false
	}
	msg := err.Error()
	for _, s := range []string{"database or disk is full", "readonly database", "disk I/O error", "unable to open database file",
		"connection refused", "invalid connection", "bad connection", "broken pipe"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// Unavailable is the answer to a request that met an outage: 503 `unavailable` with Retry-After.
func Unavailable(cause error) *Error {
	return &Error{Code: EUNAVAILABLE, Reason: "unavailable", RetryAfterSeconds: OutageRetryAfter, Cause: cause}
}

// health follows the database's outages: it logs one line when one starts, one when it ends, and
// meanwhile probes the database in the background so the end is seen without traffic.
type health struct {
	mu      sync.Mutex
	down    bool
	since   time.Time
	lastErr time.Time
	refused int
	cause   string
	log     func() *slog.Logger
	probe   func(context.Context) error
	// probing is true while a probe goroutine runs.
	probing bool
	// every is the probe interval.
	every time.Duration
	// breaker refuses statements at once while an outage lasts, instead of letting each wait
	// for a silent server (MySQL; SQLite reads on while its disk is full). downFlag mirrors
	// down for that check, without the lock.
	breaker  bool
	downFlag atomic.Bool
}

// errDatabaseDown is the cause of a statement refused while an outage lasts.
var errDatabaseDown = errors.New("refused while the database is unavailable")

// refusedByBreaker reports an error the breaker made (not a new sign of the outage).
func refusedByBreaker(err error) bool {
	var de *Error
	return errors.As(err, &de) && de.Cause == errDatabaseDown
}

// refusing reports whether statements are refused now: the breaker is open.
func (h *health) refusing() bool { return h.breaker && h.downFlag.Load() }

// fail records an outage error; the first one of an outage logs the start.
func (h *health) fail(err error) {
	h.mu.Lock()
	h.refused++
	h.lastErr = time.Now()
	if h.down {
		h.mu.Unlock()
		return
	}
	h.down, h.since, h.cause = true, time.Now(), err.Error()
	h.downFlag.Store(true)
	start := !h.probing
	h.probing = true
	h.mu.Unlock()
	h.log().Error("database unavailable: answering 503 until it is back", "cause", outageHint(err), "err", err)
	if start {
		go h.probeLoop()
	}
}

// outageQuiet is how long an outage must have been quiet — no statement failing for want of
// the database — before a statement that works ends it. A disk that is nearly full fails some
// writes and takes others; one outage is logged for it, not one per failed write.
const outageQuiet = time.Second

// ok records a statement that worked; the first one after an outage has been quiet logs its
// end.
func (h *health) ok() {
	h.mu.Lock()
	if !h.down || time.Since(h.lastErr) < outageQuiet {
		h.mu.Unlock()
		return
	}
	h.down = false
	h.downFlag.Store(false)
	took, refused := time.Since(h.since), h.refused
	h.refused = 0
	h.mu.Unlock()
	h.log().Info("database available again", "outage", took.Round(time.Millisecond).String(), "statements_failed", refused)
}

// isDown reports an outage in progress.
func (h *health) isDown() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.down
}

func (h *health) probeLoop() {
	defer func() {
		h.mu.Lock()
		h.probing = false
		h.mu.Unlock()
	}()
	for h.isDown() {
		time.Sleep(h.every)
		if h.probe == nil {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := h.probe(ctx)
		cancel()
		if err == nil {
			h.ok()
		}
	}
}

// watchOutages registers the callbacks that report each statement's outcome to h. okCounts says
// whether a statement that worked on this handle ends an outage: not so for SQLite's read pool,
// which reads on while the disk is full.
func watchOutages(db *gorm.DB, h *health, okCounts bool) error {
	refuse := func(db *gorm.DB) {
		if h.refusing() {
			_ = db.AddError(Unavailable(errDatabaseDown))
		}
	}
	report := func(db *gorm.DB) {
		switch {
		case refusedByBreaker(db.Error):
		case db.Error == nil || errors.Is(db.Error, gorm.ErrRecordNotFound):
			if okCounts {
				h.ok()
			}
		case IsOutage(db.Error):
			h.fail(db.Error)
		}
	}
	cb := db.Callback()
	return errors.Join(
		cb.Create().Before("*").Register("yyt:outage_breaker", refuse),
		cb.Query().Before("*").Register("yyt:outage_breaker", refuse),
		cb.Update().Before("*").Register("yyt:outage_breaker", refuse),
		cb.Delete().Before("*").Register("yyt:outage_breaker", refuse),
		cb.Row().Before("*").Register("yyt:outage_breaker", refuse),
		cb.Raw().Before("*").Register("yyt:outage_breaker", refuse),
		cb.Create().After("*").Register("yyt:outage", report),
		cb.Query().After("*").Register("yyt:outage", report),
		cb.Update().After("*").Register("yyt:outage", report),
		cb.Delete().After("*").Register("yyt:outage", report),
		cb.Row().After("*").Register("yyt:outage", report),
		cb.Raw().After("*").Register("yyt:outage", report),
	)
}

// Logger is where the store logs outages; slog.Default when nil.
func (s *Store) logger() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// refuseWhileDown is the answer to a transaction about to begin while the breaker is open: a
// BEGIN on a pooled connection to a silent server would wait for the read timeout.
func (s *Store) refuseWhileDown() error {
	if s.health != nil && s.health.refusing() {
		return Unavailable(errDatabaseDown)
	}
	return nil
}

// Down reports a database outage in progress (the last statement failed for want of the
// database, and no statement or probe has worked since).
func (s *Store) Down() bool { return s.health.isDown() }

// NoteOutage lets a caller outside the store's statements (a transaction's begin or commit, a
// ping) report what it met; it returns err, as Unavailable when it is an outage.
func (s *Store) NoteOutage(err error) error {
	if refusedByBreaker(err) {
		return err
	}
	if IsOutage(err) {
		var de *Error
		if !errors.As(err, &de) {
			s.health.fail(err)
			return Unavailable(err)
		}
	}
	return err
}

// probeDatabase is the background probe of an outage: a ping on MySQL; on SQLite, whose file is
// always there, a small write (the disk full or read-only is what failed).
func (s *Store) probeDatabase(ctx context.Context) error {
	if s.dialect == DialectSQLite {
		return s.write.WithContext(ctx).Exec("UPDATE job_leases SET expires_at = expires_at WHERE name = ?", "probe").Error
	}
	db, err := s.write.DB()
	if err != nil {
		return err
	}
	return db.PingContext(ctx)
}

// initHealth sets up the outage watch on the store's handles.
func (s *Store) initHealth() error {
	s.health = &health{log: s.logger, probe: s.probeDatabase, every: 500 * time.Millisecond, breaker: s.dialect == DialectMySQL}
	if err := watchOutages(s.write, s.health, true); err != nil {
		return err
	}
	if s.batchW != nil {
		if err := watchOutages(s.batchW, s.health, true); err != nil {
			return err
		}
	}
	if s.read != s.write {
		return watchOutages(s.read, s.health, false)
	}
	return nil
}

// quietDriver keeps the MySQL driver's own log lines ("closing bad idle connection: EOF", one per
// pooled connection an outage broke) out of the server's log: the outage has its own two lines.
var quietDriver sync.Once

type driverLog struct{}

func (driverLog) Print(v ...any) {
	slog.Debug("mysql driver", "msg", strings.TrimSpace(fmt.Sprint(v...)))
}

func silenceDriverLog() { quietDriver.Do(func() { _ = mysqldrv.SetLogger(driverLog{}) }) }

// outageHint says in a few words what the operator should look at.
func outageHint(err error) string {
	var sc sqliteCoded
	msg := err.Error()
	switch {
	case errors.Is(err, syscall.ENOSPC) || errors.As(err, &sc) && sc.Code()&0xff == sqliteFull ||
		strings.Contains(msg, "disk is full"):
		return "the disk of the data folder is full: free space on it"
	case errors.Is(err, syscall.EROFS) || errors.As(err, &sc) && sc.Code()&0xff == sqliteReadonly ||
		strings.Contains(msg, "readonly database"):
		return "the database file or its folder cannot be written: check the disk, its mount and the permissions"
	case errors.As(err, &sc):
		return "the database file cannot be read or written: check the disk"
	}
	var me *mysqldrv.MySQLError
	if errors.As(err, &me) {
		return "the database server refuses work: " + me.Message
	}
	return "the database server cannot be reached: check that it runs and the network to it"
}
