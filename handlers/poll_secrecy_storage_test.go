package handlers

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/yueyuetan/yueyuetan/models"
)

// TestPoll_SecretStorageUnlinkable casts a secret poll of every method in a shuffled order, closes
// it, and reads what the database stores (docs/ballot-secrecy.md):
//   - every table with a poll_id: the only rows per voter are the receipts; the tallies are one
//     row per option; no other table holds a row of the poll (no ballot table);
//   - the receipts in storage order (SQLite's rowid; InnoDB's clustered key) are in voter-key
//     order, not the order of casting, and have no time; the tallies are in option order;
//   - the poll's ballot events carry the same payload and no actor: their order, the only order
//     of casting kept, pairs with nothing that holds a choice;
//   - SQLite: secure_delete is on and the write-ahead log is empty after the close (no old page
//     image of a tally);
//   - MariaDB: each receipt's and tally row's DB_TRX_ID — read from the tables' .ibd files after
//     FLUSH TABLES … FOR EXPORT wrote their pages, by walking the clustered index's leaf pages —
//     is the closing transaction's, which is no ballot event's.
func TestPoll_SecretStorageUnlinkable(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	pf := ta.buildPollFixture("2027-03")
	voters := ta.addVoters(t, 0, 7, nil)
	rng := rand.New(rand.NewPCG(9, 2026))
	opts := []map[string]any{{"label": "甲"}, {"label": "乙"}, {"label": "丙"}}
	polls := map[string]map[string]any{
		"approval": {"method": "approval"},
		"single":   {"method": "single", "options": opts},
		"multi":    {"method": "multi", "options": opts, "max_choices": 2},
		"dot":      {"method": "dot", "options": opts, "dots_per_voter": 3, "max_dots_per_option": 2},
		"ranked":   {"method": "ranked", "options": opts},
		"score":    {"method": "score", "options": opts, "score_max": 5},
	}
	for _, method := range []string{"approval", "single", "multi", "dot", "ranked", "score"} {
		body := polls[method]
		body["title"], body["secrecy"] = "不记名"+method, "secret"
		p := ta.openedPoll(t, pf.meeting, body)
		order := slices.Clone(voters)
		for sorted := true; sorted; {
			rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			sorted = slices.IsSortedFunc(order, func(a, b *models.User) int { return int(a.ID) - int(b.ID) })
		}
		for i, u := range order {
			a, b := p.opt(i%len(p.Options)), p.opt((i+1)%len(p.Options))
			ballot := map[string]map[string]any{
				"approval": map[string]any{"choice": []string{"yes", "no", "abstain"}[i%3]},
				"single":   map[string]any{"option_id": p.Options[i%3].ID},
				"multi":    map[string]any{"option_ids": []uint64{p.Options[i%3].ID, p.Options[(i+1)%3].ID}},
				"dot":      map[string]any{"dots": map[string]int{a: 1 + i%2, b: 1}},
				"ranked":   map[string]any{"ranking": []uint64{p.Options[i%3].ID, p.Options[(i+2)%3].ID}},
				"score":    map[string]any{"scores": map[string]int{a: i % 6, b: 5}},
			}[method]
			wantStatus(t, ta.vote(p, u, ballot), http.StatusCreated)
		}
		ta.closePoll(t, p)
		t.Run(method, func(t *testing.T) {
			checkSecretStorage(t, ta, p, order)
		})
	}
}

// checkSecretStorage reads the stored rows of a closed secret poll cast by voters in order.
func checkSecretStorage(t *testing.T, ta *testApp, p pollView, order []*models.User) {
	db := ta.store.Gorm()
	mysql := ta.store.Dialect() == models.DialectMySQL
	tables, err := db.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"poll_receipts": int64(len(order)), "poll_option_tallies": int64(len(p.Options)),
		"poll_options": int64(len(p.Options))}
	for _, table := range tables {
		if !db.Migrator().HasColumn(table, "poll_id") {
			continue
		}
		var n int64
		if err := db.Table(table).Where("poll_id = ?", p.ID).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != want[table] {
			t.Fatalf("%s holds %d rows of the poll, want %d", table, n, want[table])
		}
	}
	cols, err := db.Migrator().ColumnTypes("poll_receipts")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cols {
		if !slices.Contains([]string{"poll_id", "voter_key", "user_id"}, c.Name()) {
			t.Fatalf("poll_receipts has a column %s", c.Name())
		}
	}

	// Storage order: SQLite's rowid, InnoDB's clustered index (its primary key).
	orderBy := "rowid"
	if mysql {
		orderBy = "poll_id, voter_key"
	}
	var stored []uint64
	if err := db.Raw("SELECT voter_key FROM poll_receipts WHERE poll_id = ? ORDER BY "+orderBy, p.ID).Scan(&stored).Error; err != nil {
		t.Fatal(err)
	}
	cast := make([]uint64, len(order))
	for i, u := range order {
		cast[i] = u.ID
	}
	sorted := slices.Sorted(slices.Values(cast))
	if !slices.Equal(stored, sorted) {
		t.Fatalf("receipts in storage order %v, want voter-key order %v (cast in order %v)", stored, sorted, cast)
	}
	if mysql {
		orderBy = "option_id, shard"
	}
	var tallies []uint64
	if err := db.Raw("SELECT option_id FROM poll_option_tallies WHERE poll_id = ? ORDER BY "+orderBy, p.ID).Scan(&tallies).Error; err != nil {
		t.Fatal(err)
	}
	for i, o := range p.Options {
		if i >= len(tallies) || tallies[i] != o.ID {
			t.Fatalf("tallies in storage order %v, want one row per option in option order", tallies)
		}
	}

	// The ballot events: one per ballot, each the same.
	var ballotEvents []models.Event
	for _, e := range ta.events(ta.fx.A.ID) {
		if e.Type == models.EvPollBallotCast && e.SubjectID == p.ID {
			ballotEvents = append(ballotEvents, e)
			if e.ActorID != nil || e.Payload != ballotEvents[0].Payload {
				t.Fatalf("ballot event %+v differs from %+v", e, ballotEvents[0])
			}
		}
	}
	if len(ballotEvents) != len(order) {
		t.Fatalf("%d ballot events, want %d", len(ballotEvents), len(order))
	}

	if !mysql {
		checkSQLiteLog(t, ta)
		return
	}
	trx := innodbTrxIDs(t, ta, []string{"poll_receipts", "poll_option_tallies", "events"})
	closing := map[uint64]bool{}
	for _, k := range stored {
		id, ok := trx["poll_receipts"][pk(p.ID, k)]
		if !ok {
			t.Fatalf("receipt %d not found in poll_receipts.ibd", k)
		}
		closing[id] = true
	}
	options := map[string]bool{}
	for _, o := range p.Options {
		options[pk(o.ID)] = true
	}
	for key, id := range trx["poll_option_tallies"] {
		if options[key[:16]] {
			closing[id] = true
		}
	}
	if len(closing) != 1 {
		t.Fatalf("receipts and tallies of the poll were last written by %d transactions, want the closing one only", len(closing))
	}
	for _, e := range ballotEvents {
		if closing[trx["events"][pk(e.ID)]] {
			t.Fatalf("ballot event %d shares a transaction with the sealed receipts and tallies", e.ID)
		}
	}
}

// pk is the hex of big-endian unsigned 64-bit key columns, as InnoDB stores them.
func pk(cols ...uint64) string {
	var b strings.Builder
	for _, c := range cols {
		fmt.Fprintf(&b, "%016x", c)
	}
	return b.String()
}

// checkSQLiteLog checks that deleted content is zeroed and the write-ahead log is empty.
func checkSQLiteLog(t *testing.T, ta *testApp) {
	var secure int
	if err := ta.store.Gorm().Raw("PRAGMA secure_delete").Scan(&secure).Error; err != nil || secure != 1 {
		t.Fatalf("secure_delete=%d (%v), want 1", secure, err)
	}
	var files []struct {
		Seq        int
		Name, File string
	}
	if err := ta.store.Gorm().Raw("PRAGMA database_list").Scan(&files).Error; err != nil || len(files) == 0 {
		t.Fatalf("database_list: %v", err)
	}
	st, err := os.Stat(files[0].File + "-wal")
	if err != nil {
		t.Fatalf("the write-ahead log: %v", err)
	}
	if st.Size() != 0 {
		t.Fatalf("the write-ahead log holds %d bytes after a secret poll closed, want 0", st.Size())
	}
}

// innodbTrxIDs reads, for each table, the DB_TRX_ID of every record of its clustered index, keyed
// by the hex of the record's first 16 bytes (two 64-bit key columns; pk of one column is its first
// 8 bytes, which is also a prefix). The tables' pages are written to their .ibd files with FLUSH
// TABLES … FOR EXPORT first; a server whose files this test cannot read (not on this machine)
// skips.
func innodbTrxIDs(t *testing.T, ta *testApp, tables []string) map[string]map[string]uint64 {
	ctx := context.Background()
	sqlDB, err := ta.store.Gorm().DB()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var dir, dbName string
	var pageSize int
	if err := conn.QueryRowContext(ctx, "SELECT @@datadir, DATABASE(), @@innodb_page_size").Scan(&dir, &dbName, &pageSize); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, dbName)); err != nil {
		t.Skipf("the server's data folder %s is not readable here (%v): DB_TRX_ID cannot be read", dir, err)
	}
	out := map[string]map[string]uint64{}
	if _, err := conn.ExecContext(ctx, "FLUSH TABLES "+strings.Join(tables, ", ")+" FOR EXPORT"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, "UNLOCK TABLES")
	for _, table := range tables {
		var index uint64
		if err := conn.QueryRowContext(ctx, `SELECT i.INDEX_ID FROM information_schema.INNODB_SYS_INDEXES i
			JOIN information_schema.INNODB_SYS_TABLES tb ON tb.TABLE_ID = i.TABLE_ID
			WHERE tb.NAME = ? AND i.NAME = 'PRIMARY'`, dbName+"/"+table).Scan(&index); err != nil {
			t.Fatalf("index of %s: %v", table, err)
		}
		raw, err := os.ReadFile(filepath.Join(dir, dbName, table+".ibd"))
		if err != nil {
			t.Fatal(err)
		}
		pkLen := 16
		if table == "events" {
			pkLen = 8
		}
		out[table] = leafTrxIDs(raw, pageSize, index, pkLen)
		if len(out[table]) == 0 {
			t.Fatalf("no record found in %s.ibd", table)
		}
	}
	return out
}

// leafTrxIDs walks the leaf pages of one index in a tablespace file: each record's key (pkLen
// bytes at its origin, hex) and the 6-byte DB_TRX_ID that follows the key in a clustered index
// record (COMPACT and DYNAMIC formats). Delete-marked records are included: they are stored too.
func leafTrxIDs(raw []byte, pageSize int, index uint64, pkLen int) map[string]uint64 {
	const (
		filPageType  = 24
		pageLevel    = 38 + 26
		pageIndexID  = 38 + 28
		infimum      = 99
		typeIndex    = 17855
		statusNormal = 0
		statusSupr   = 3
	)
	out := map[string]uint64{}
	for off := 0; off+pageSize <= len(raw); off += pageSize {
		pg := raw[off : off+pageSize]
		if binary.BigEndian.Uint16(pg[filPageType:]) != typeIndex || binary.BigEndian.Uint64(pg[pageIndexID:]) != index ||
			binary.BigEndian.Uint16(pg[pageLevel:]) != 0 {
			continue
		}
		rec := infimum
		for range pageSize {
			next := int(int16(binary.BigEndian.Uint16(pg[rec-2:])))
			if next == 0 {
				break
			}
			rec = (rec + next) & (pageSize - 1)
			status := binary.BigEndian.Uint16(pg[rec-4:]) & 7
			if status == statusSupr {
				break
			}
			if status != statusNormal || rec+pkLen+6 > pageSize {
				continue
			}
			key := fmt.Sprintf("%x", pg[rec:rec+pkLen])
			var trx [8]byte
			copy(trx[2:], pg[rec+pkLen:rec+pkLen+6])
			out[key] = binary.BigEndian.Uint64(trx[:])
		}
	}
	return out
}
