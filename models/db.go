package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/glebarez/sqlite"
	mysqldrv "github.com/go-sql-driver/mysql"
	"github.com/yueyuetan/yueyuetan/media"
	"github.com/yueyuetan/yueyuetan/storage"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"
)

// Dialects the store runs on.
const (
	DialectSQLite = "sqlite"
	DialectMySQL  = "mysql"
)

// Store is the data layer: a write handle, a read handle and the clock. On SQLite every write goes
// through one connection (SQLite commits one writer at a time; queuing in Go is faster than
// contending for the file lock) while reads use a pool; on MySQL both handles are the same pool.
type Store struct {
	write *gorm.DB
	read  *gorm.DB
	// batchW is the group commit's handle on MySQL: connections of their own that may send
	// several statements in one query, so that a batch writes its rows, tallies and events in one
	// round trip (batch.go "finishBatch"). Every statement on it binds its values (interpolated
	// and escaped by the driver); nothing else uses it. Nil on SQLite.
	batchW  *gorm.DB
	dialect string
	// Now is the clock; tests replace it to move time without sleeping.
	Now func() time.Time
	// Files keeps uploaded photos; nil refuses uploads.
	Files storage.Store
	// PasswordCost, when set, is the argon2id cost of the password and code hashes the store
	// makes; nil is ProductionPasswordCost. Only test stores set it (internal/testenv).
	PasswordCost *PasswordCost
	// Photos cleans uploaded photos within its memory budget; nil uses media.Shared, the one
	// budget of the process.
	Photos *media.Cleaner
	// AfterCommit, when set, is called with the events a transaction appended, after it committed.
	// Real-time delivery hangs off it; it must not block.
	AfterCommit func(events []Event)
	// OutboundChannels names the outbound channels (SMS, WeChat) a notification of an outbound
	// kind is queued for, in the same transaction; a worker sends them after the commit
	// (docs/notifications.md "Outbound channels"). Empty: the inbox only.
	OutboundChannels []string

	batch batcher // group commit of ballots (batch.go)
	// consecutiveIDs: the server gives the rows of one multi-row insert consecutive ids
	// (InnoDB's auto-increment lock mode 0 or 1; SQLite always), so they need not be read back.
	consecutiveIDs bool
	// lostRaces counts the runs of transactions that lost a lock race and were run again.
	lostRaces atomic.Int64
	// Log receives the lines about database outages (outage.go); slog.Default when nil.
	Log *slog.Logger
	// health follows database outages (outage.go).
	health *health
	// sqlitePath is the SQLite database file, for snapshots.
	sqlitePath string
	// heldFallbacks counts the batches of ballots that could not be cast together and were run
	// again one savepoint a ballot (batch.go).
	heldFallbacks atomic.Int64
	// beforeHeldFlush, in tests, runs in a batch of ballots just before its rows are written.
	beforeHeldFlush func(tx *Tx)
	heads           heads
	// sessionLookups batches the session checks of concurrent requests (session_lookup.go).
	sessionLookups sessionLookups
}

// heads are the event-chain heads this store's transactions left, by community: a hint that
// saves reading the head under its lock (appendRun), never trusted without checking that the row
// still holds it. A transaction notes the head it moved the row to at once, before it commits, so
// that the next batch chains after it and waits for the row lock instead of missing; if it rolls
// back, it takes its note back.
type heads struct {
	mu sync.Mutex
	m  map[uint64]eventHead
}

func (s *Store) knownHead(cid uint64) (eventHead, bool) {
	s.heads.mu.Lock()
	defer s.heads.mu.Unlock()
	h, ok := s.heads.m[cid]
	return h, ok
}

// forgetHeads takes back the notes of a transaction that rolled back.
func (s *Store) forgetHeads(evs []Event) {
	if len(evs) == 0 {
		return
	}
	s.heads.mu.Lock()
	defer s.heads.mu.Unlock()
	for _, e := range evs {
		if h, ok := s.heads.m[e.CommunityID]; ok && h.Seq == e.Seq && h.Hash == e.Hash {
			delete(s.heads.m, e.CommunityID)
		}
	}
}

// forgetHead drops what the store knows of a community's head, which another server moved.
func (s *Store) forgetHead(cid uint64) {
	s.heads.mu.Lock()
	defer s.heads.mu.Unlock()
	delete(s.heads.m, cid)
}

// noteHeads keeps the heads that chained events leave.
func (s *Store) noteHeads(evs []Event) {
	if len(evs) == 0 {
		return
	}
	s.heads.mu.Lock()
	defer s.heads.mu.Unlock()
	if s.heads.m == nil {
		s.heads.m = map[uint64]eventHead{}
	}
	for _, e := range evs {
		if h, ok := s.heads.m[e.CommunityID]; !ok || e.Seq > h.Seq {
			s.heads.m[e.CommunityID] = eventHead{CommunityID: e.CommunityID, Seq: e.Seq, Hash: e.Hash}
		}
	}
}

// LostLockRaces is how many transaction runs lost a lock race (MySQL deadlock or lock wait
// timeout) and were rolled back to be run again or answered busy, since the store opened.
func (s *Store) LostLockRaces() int64 { return s.lostRaces.Load() }

// HeldFallbacks is how many batches of ballots could not be cast together and were run again one
// savepoint a ballot (poll_ballot_batch.go), since the store opened.
func (s *Store) HeldFallbacks() int64 { return s.heldFallbacks.Load() }

// OpenOptions configure Open.
type OpenOptions struct {
	// DSN is "sqlite:PATH", "sqlite:" (a file in DataDir) or "mysql://user:pass@tcp(host:3306)/db".
	DSN     string
	DataDir string
	// LogSQL prints every statement (debugging only).
	LogSQL bool
}

// Open connects to the database named by the DSN. It does not migrate.
func Open(opts OpenOptions) (*Store, error) {
	cfg := &gorm.Config{
		TranslateError: true,
		Logger:         logger.Default.LogMode(logger.Silent),
		NowFunc:        func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) },
	}
	if opts.LogSQL {
		cfg.Logger = logger.Default.LogMode(logger.Info)
	}
	dsn := opts.DSN
	switch {
	case dsn == "" || strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			dir := opts.DataDir
			if dir == "" {
				dir = "data"
			}
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("create data dir: %w", err)
			}
			path = filepath.Join(dir, "yueyuetan.db")
		}
		return openSQLite(path, cfg)
	case strings.HasPrefix(dsn, "mysql://"):
		return openMySQL(strings.TrimPrefix(dsn, "mysql://"), cfg)
	default:
		return nil, fmt.Errorf("unknown database %q: want sqlite:PATH or mysql://DSN", redactDSN(dsn))
	}
}

func sqliteDSN(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	// Deleted and overwritten content is zeroed, so that no freed page or cell keeps an earlier
	// state of a secret poll's tallies (docs/ballot-secrecy.md).
	q.Add("_pragma", "secure_delete(1)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

func openSQLite(path string, cfg *gorm.Config) (*Store, error) {
	w, err := gorm.Open(sqlite.Open(sqliteDSN(path, false)), cfg)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	wdb, err := w.DB()
	if err != nil {
		return nil, err
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	if err := wdb.Ping(); err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r, err := gorm.Open(sqlite.Open(sqliteDSN(path, true)), cfg)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s for reading: %w", path, err)
	}
	rdb, err := r.DB()
	if err != nil {
		return nil, err
	}
	rdb.SetMaxOpenConns(8)
	rdb.SetMaxIdleConns(8)
	s := &Store{write: w, read: r, dialect: DialectSQLite, Now: time.Now, consecutiveIDs: true, sqlitePath: path}
	if err := s.initHealth(); err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return s, nil
}

// MySQLDSN turns "user:pass@tcp(host)/db?x=y" into the driver's DSN with the options the store
// relies on (UTC times, utf8mb4, parsed times) and time bounds on talking to the server, so that
// no request waits on an unreachable database for more than a few seconds (docs/operations.md
// "Database outages"): 2 s to connect, 4 s for the server to answer a read or take a write, and
// lock waits cut at 3 s (a lock wait timeout is retried, models/db.go tx) so that they end before
// the read timeout would take them for an outage. The DSN's own values win.
func MySQLDSN(dsn string) string {
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	for _, kv := range []string{"parseTime=true", "loc=UTC", "charset=utf8mb4", "collation=utf8mb4_unicode_ci", "interpolateParams=true",
		"timeout=2s", "readTimeout=4s", "writeTimeout=4s", "innodb_lock_wait_timeout=3"} {
		k := strings.SplitN(kv, "=", 2)[0] + "="
		if !strings.Contains(dsn, k) {
			dsn += sep + kv
			sep = "&"
		}
	}
	return dsn
}

// MySQLWithDatabase swaps the database name in a "user:pass@tcp(host)/db?opts" DSN, keeping
// the options; tests and benchmarks use it to point at a fresh database.
func MySQLWithDatabase(dsn, name string) string {
	slash := strings.LastIndex(dsn, "/")
	if slash < 0 {
		return dsn + "/" + name
	}
	rest := ""
	if q := strings.Index(dsn[slash:], "?"); q >= 0 {
		rest = dsn[slash+q:]
	}
	return dsn[:slash+1] + name + rest
}

func openMySQL(dsn string, cfg *gorm.Config) (*Store, error) {
	silenceDriverLog()
	db, err := openMySQLPool(MySQLDSN(dsn), cfg, 32)
	if err != nil {
		return nil, fmt.Errorf("open mysql: %w", err)
	}
	// Servers without the variable (or with interleaved ids, MySQL 8's default) read ids back.
	autoincMode := -1
	_ = db.Raw("SELECT @@innodb_autoinc_lock_mode").Row().Scan(&autoincMode)
	s := &Store{write: db, read: db, dialect: DialectMySQL, Now: time.Now, consecutiveIDs: autoincMode == 0 || autoincMode == 1}
	// The group commit's handle (Store.batchW): the same server and options, with several
	// statements allowed in one query, and two connections (one batch runs at a time). Several
	// statements in one query need their values interpolated by the driver: a server-side
	// prepared statement holds one statement.
	dc, err := mysqldrv.ParseDSN(MySQLDSN(dsn))
	if err == nil {
		dc.MultiStatements, dc.InterpolateParams = true, true
		s.batchW, err = openMySQLPool(dc.FormatDSN(), cfg, 2)
	}
	if err == nil {
		err = s.initHealth()
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("open mysql: %w", err)
	}
	return s, nil
}

// openMySQLPool opens a handle of conns connections on a driver DSN, watched for lost lock races.
// Idle connections are kept up to the open limit: under a burst (a whole room voting at once) a
// smaller idle pool closes connections as requests return them and dials new ones for the next,
// and each dial costs a handshake and a server thread on both sides.
func openMySQLPool(dsn string, cfg *gorm.Config, conns int) (*gorm.DB, error) {
	db, err := gorm.Open(mysql.Open(dsn), cfg)
	if err != nil {
		return nil, err
	}
	sdb, err := db.DB()
	if err != nil {
		return nil, err
	}
	sdb.SetMaxOpenConns(conns)
	sdb.SetMaxIdleConns(conns)
	sdb.SetConnMaxIdleTime(time.Minute)
	sdb.SetConnMaxLifetime(5 * time.Minute)
	if err := watchLockRaces(db); err != nil {
		sdb.Close()
		return nil, err
	}
	return db, nil
}

// batchHandle is the handle batches of the group commit run on.
func (s *Store) batchHandle() *gorm.DB {
	if s.batchW != nil {
		return s.batchW
	}
	return s.write
}

func redactDSN(dsn string) string {
	if i := strings.Index(dsn, "@"); i > 0 {
		return "…" + dsn[i:]
	}
	return dsn
}

// Dialect is DialectSQLite or DialectMySQL.
func (s *Store) Dialect() string { return s.dialect }

// Gorm is the write handle, for migrations and the command line; handlers never use it.
func (s *Store) Gorm() *gorm.DB { return s.write }

// SQLDBs returns the pools by name, for metrics.
func (s *Store) SQLDBs() map[string]*sql.DB {
	out := map[string]*sql.DB{}
	if w, err := s.write.DB(); err == nil {
		out["write"] = w
	}
	if s.read != s.write {
		if r, err := s.read.DB(); err == nil {
			out["read"] = r
		}
	}
	if s.batchW != nil {
		if b, err := s.batchW.DB(); err == nil {
			out["batch"] = b
		}
	}
	return out
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	for _, db := range s.SQLDBs() {
		if err := db.PingContext(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Close releases the pools.
func (s *Store) Close() error {
	var errs []error
	for _, db := range s.SQLDBs() {
		errs = append(errs, db.Close())
	}
	return errors.Join(errs...)
}

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

// Tx is one write transaction. Events appended to it are handed to AfterCommit once it commits.
type Tx struct {
	*gorm.DB
	store  *Store
	now    time.Time
	events []Event
	// A batched transaction holds its events and chains them just before the commit, so the
	// community's chain head is locked only for that (batch.go).
	deferEvents bool
	pending     []EventInput
	// A batched transaction also holds its ballots' tally changes, summed and applied just before
	// its events, and reads each poll and its place once (ballot.go).
	tallies []tallyChange
	polls   map[uint64]*Poll
	places  map[uint64]*pollPlace
	facts   map[heldKey]*ballotFacts // by poll and user
	voted   map[heldKey]bool         // by poll and voter key: has a receipt (poll_ballot_batch.go)
	named   map[heldKey]*namedBallot // by poll and voter key: its named ballot, read without a lock
	// together: the transaction runs on the batch handle, which takes several statements in one
	// query; held are the statements a batch keeps for its end, to send with its tallies and
	// events (finishBatch).
	together bool
	held     []heldStmt
	// A batch of ballots on MySQL begins and commits its transaction itself (batch_pinned.go):
	// opening until a query has begun it, closing when its last query commits it, committed once
	// that query succeeded.
	opening, closing, committed bool
}

// Now is the transaction's clock reading, taken once so every row it writes agrees.
func (tx *Tx) Now() time.Time { return tx.now }

// tx runs fn in one write transaction and commits it, or rolls back when fn fails. On MySQL a
// transaction that loses a lock race — chosen as a deadlock victim (1213) or timed out waiting
// for a lock (1205) — is run again from the start, up to maxTxAttempts times with a short
// jittered pause between runs; then the caller gets EUNAVAILABLE (503 with Retry-After), never a
// raw database error. So fn must be safe to run again: it writes only through tx, builds the
// rows it creates afresh on every run and keeps no state between runs but its results. The
// events of a run that rolled back are dropped with it: AfterCommit sees only the committed run's.
func (s *Store) tx(ctx context.Context, fn func(tx *Tx) error) error {
	var err error
	for attempt := 1; attempt <= maxTxAttempts; attempt++ {
		if attempt > 1 {
			if werr := retryPause(ctx, attempt); werr != nil {
				return werr
			}
		}
		if err := s.refuseWhileDown(); err != nil {
			return err
		}
		race := &lockRace{}
		t := &Tx{store: s, now: s.now()}
		err = s.write.WithContext(race.bind(ctx)).Transaction(func(db *gorm.DB) error {
			t.DB = db
			return race.outcome(fn(t))
		})
		if err == nil {
			if s.AfterCommit != nil && len(t.events) > 0 {
				s.AfterCommit(t.events)
			}
			return nil
		}
		s.forgetHeads(t.events)
		if !retryable(err) {
			return s.NoteOutage(err)
		}
		s.lostRaces.Add(1)
	}
	return busy(err)
}

// maxTxAttempts bounds how often a transaction that lost a lock race is run.
const maxTxAttempts = 8

// retryPause waits before run attempt (2 or more): a pause drawn between half and all of
// 2^attempt ms, at most 150 ms, so victims of one deadlock do not meet again in step. It
// returns early with the context's error when the caller has gone.
func retryPause(ctx context.Context, attempt int) error {
	d := min(time.Millisecond<<attempt, 150*time.Millisecond)
	d = d/2 + mrand.N(d/2+1)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// forgetHistory drops what the database keeps of earlier states of its rows beyond the rows
// themselves, after a secret poll closed (docs/ballot-secrecy.md). On SQLite that is the
// write-ahead log: its frames are old page images, one set per commit, and a checkpoint in
// TRUNCATE mode copies them into the database and empties the file. It fails (and leaves the
// log as it is) when readers hold old snapshots for longer than the busy timeout. MySQL keeps
// its undo and redo logs to itself and purges them on its own; there is nothing to ask of it.
func (s *Store) forgetHistory(ctx context.Context) error {
	if s.dialect != DialectSQLite {
		return nil
	}
	var row struct{ Busy, Log, Checkpointed int }
	if err := s.write.WithContext(ctx).Raw("PRAGMA wal_checkpoint(TRUNCATE)").Row().Scan(&row.Busy, &row.Log, &row.Checkpointed); err != nil {
		return fmt.Errorf("checkpoint the write-ahead log: %w", err)
	}
	if row.Busy != 0 {
		return fmt.Errorf("checkpoint the write-ahead log: readers kept %d of %d frames", row.Log-row.Checkpointed, row.Log)
	}
	return nil
}

// busy is the answer after the last attempt lost its lock race too: try again shortly.
func busy(cause error) error {
	return &Error{Code: EUNAVAILABLE, Reason: "busy_try_again", RetryAfterSeconds: 1, Cause: cause}
}

// errLockRaceLost stands for a lost lock race that fn did not pass on (it wrapped the error in
// one of its own, or went on): the transaction is gone all the same and the run is retried.
var errLockRaceLost = errors.New("transaction lost a lock race and was rolled back")

// retryable reports a MySQL deadlock (1213) or lock wait timeout (1205).
func retryable(err error) bool {
	var me *mysqldrv.MySQLError
	return errors.Is(err, errLockRaceLost) || errors.As(err, &me) && (me.Number == 1213 || me.Number == 1205)
}

// lockRace watches one run of a transaction for a lost lock race. When MySQL picks a deadlock
// victim it rolls the whole transaction back (savepoints included), and any statement after that
// would run outside a transaction and commit at once; so once one statement has lost, the
// watch (the callbacks of watchLockRaces) refuses every later statement of the run, and the run
// ends as lost whatever fn returned.
type lockRace struct{ lost atomic.Bool }

type lockRaceKey struct{}

// bind returns ctx carrying the watch; statements run with it report to it.
func (r *lockRace) bind(ctx context.Context) context.Context {
	return context.WithValue(ctx, lockRaceKey{}, r)
}

// outcome is the run's result: errLockRaceLost when a statement lost, whatever fn said.
func (r *lockRace) outcome(err error) error {
	if r.lost.Load() && !retryable(err) {
		return errLockRaceLost
	}
	return err
}

func lockRaceOf(db *gorm.DB) *lockRace {
	if db.Statement == nil || db.Statement.Context == nil {
		return nil
	}
	r, _ := db.Statement.Context.Value(lockRaceKey{}).(*lockRace)
	return r
}

// watchLockRaces registers the callbacks that report a statement's lost lock race to its
// transaction's watch and refuse the statements that come after it.
func watchLockRaces(db *gorm.DB) error {
	refuse := func(db *gorm.DB) {
		if r := lockRaceOf(db); r != nil && r.lost.Load() {
			_ = db.AddError(errLockRaceLost)
		}
	}
	report := func(db *gorm.DB) {
		if db.Error != nil && retryable(db.Error) {
			if r := lockRaceOf(db); r != nil {
				r.lost.Store(true)
			}
		}
	}
	cb := db.Callback()
	return errors.Join(
		cb.Create().Before("*").Register("yyt:refuse_after_lost_race", refuse),
		cb.Query().Before("*").Register("yyt:refuse_after_lost_race", refuse),
		cb.Update().Before("*").Register("yyt:refuse_after_lost_race", refuse),
		cb.Delete().Before("*").Register("yyt:refuse_after_lost_race", refuse),
		cb.Row().Before("*").Register("yyt:refuse_after_lost_race", refuse),
		cb.Raw().Before("*").Register("yyt:refuse_after_lost_race", refuse),
		cb.Create().After("*").Register("yyt:report_lost_race", report),
		cb.Query().After("*").Register("yyt:report_lost_race", report),
		cb.Update().After("*").Register("yyt:report_lost_race", report),
		cb.Delete().After("*").Register("yyt:report_lost_race", report),
		cb.Row().After("*").Register("yyt:report_lost_race", report),
		cb.Raw().After("*").Register("yyt:report_lost_race", report),
	)
}

// rdb is a read handle bound to ctx.
func (s *Store) rdb(ctx context.Context) *gorm.DB { return s.read.WithContext(ctx) }

// forUpdate locks the rows a query reads until the transaction ends. SQLite needs nothing:
// BEGIN IMMEDIATE already holds the only write lock.
func (tx *Tx) forUpdate() *gorm.DB {
	if tx.store.dialect == DialectMySQL {
		return tx.DB.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
	}
	return tx.DB
}
