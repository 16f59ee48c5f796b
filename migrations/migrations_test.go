package migrations_test

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/yueyuetan/yueyuetan/internal/testenv"
	"github.com/yueyuetan/yueyuetan/migrations"
	"github.com/yueyuetan/yueyuetan/models"
)

func openEmpty(t *testing.T) *models.Store {
	t.Helper()
	dsn, dir := testenv.DSN(t)
	s, err := models.Open(models.OpenOptions{DSN: dsn, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// tables lists the schema's tables, without SQLite's own bookkeeping.
func tables(t *testing.T, db *gorm.DB) []string {
	t.Helper()
	all, err := db.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	ts := []string{}
	for _, n := range all {
		if !strings.HasPrefix(n, "sqlite_") {
			ts = append(ts, n)
		}
	}
	sort.Strings(ts)
	return ts
}

// columns lists the schema's tables with their columns ("table.column"), so that a step which
// only adds a column still shows when rolled back.
func columns(t *testing.T, db *gorm.DB) []string {
	t.Helper()
	out := []string{}
	for _, n := range tables(t, db) {
		cols, err := db.Migrator().ColumnTypes(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cols {
			out = append(out, n+"."+c.Name())
		}
	}
	sort.Strings(out)
	return out
}

// schema is columns and the indexes of every table ("table#index(col,col)"), so that a step
// which only adds or replaces an index still shows when rolled back.
func schema(t *testing.T, db *gorm.DB) []string {
	t.Helper()
	out := columns(t, db)
	for _, n := range tables(t, db) {
		idx, err := db.Migrator().GetIndexes(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, ix := range idx {
			out = append(out, n+"#"+ix.Name()+"("+strings.Join(ix.Columns(), ",")+")")
		}
	}
	sort.Strings(out)
	return out
}

func status(t *testing.T, db *gorm.DB) map[string]bool {
	t.Helper()
	st, err := migrations.Status(db)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, s := range st {
		out[s.ID] = s.Applied
	}
	return out
}

func current(t *testing.T, db *gorm.DB) bool {
	t.Helper()
	ok, err := migrations.Current(db)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// TestMigrations_UpDown runs every step up, rolls the latest back and forward again, then every
// step down and up, on the database of this run (SQLite, or MySQL/MariaDB with YYT_TEST_MYSQL_DSN).
func TestMigrations_UpDown(t *testing.T) {
	s := openEmpty(t)
	db := s.Gorm()
	latest := migrations.Latest()

	st := status(t, db)
	if len(st) == 0 || st[latest] || current(t, db) {
		t.Fatalf("fresh database status=%v, want every step pending", st)
	}
	if ts := tables(t, db); len(ts) != 0 {
		t.Fatalf("fresh database has tables %v", ts)
	}

	if err := migrations.Up(db); err != nil {
		t.Fatal(err)
	}
	up := tables(t, db)
	upSchema := schema(t, db)
	for _, want := range []string{"communities", "compounds", "buildings", "households", "users", "memberships", "member_roles",
		"member_skills", "organizations", "refresh_tokens", "login_throttles", "events", "event_heads", "schema_migrations"} {
		if !slices.Contains(up, want) {
			t.Fatalf("after up tables=%v, missing %s", up, want)
		}
	}
	for id, applied := range status(t, db) {
		if !applied {
			t.Fatalf("after up step %s is pending", id)
		}
	}
	if !current(t, db) {
		t.Fatal("after up Current=false")
	}
	t.Run("OKUpIsIdempotent", func(t *testing.T) {
		if err := migrations.Up(db); err != nil {
			t.Fatal(err)
		}
		if got := tables(t, db); !slices.Equal(got, up) {
			t.Fatalf("tables=%v, want %v", got, up)
		}
	})
	t.Run("OKDownLatest", func(t *testing.T) {
		if err := migrations.Down(db); err != nil {
			t.Fatal(err)
		}
		st := status(t, db)
		if st[latest] || current(t, db) {
			t.Fatalf("after down status=%v, want %s pending", st, latest)
		}
		n := 0
		for _, applied := range st {
			if applied {
				n++
			}
		}
		if n != len(st)-1 {
			t.Fatalf("after down %d of %d steps applied, want all but the latest", n, len(st))
		}
		// The rollback undoes the step: something the step made (a table, a column or an
		// index) is gone.
		down := schema(t, db)
		dropped := slices.DeleteFunc(slices.Clone(upSchema), func(x string) bool { return slices.Contains(down, x) })
		if len(dropped) == 0 {
			t.Fatalf("down of %s dropped no table, column or index: %v", latest, down)
		}
		if err := migrations.Up(db); err != nil {
			t.Fatal(err)
		}
		if got := schema(t, db); !slices.Equal(got, upSchema) || !current(t, db) {
			t.Fatalf("up again: schema=%v current=%v, want %v", got, current(t, db), upSchema)
		}
	})
	t.Run("OKDownEveryStep", func(t *testing.T) {
		for range len(status(t, db)) {
			if err := migrations.Down(db); err != nil {
				t.Fatal(err)
			}
		}
		if got := tables(t, db); !slices.Equal(got, []string{"schema_migrations"}) {
			t.Fatalf("after rolling back every step tables=%v, want only schema_migrations", got)
		}
		if err := migrations.Up(db); err != nil {
			t.Fatal(err)
		}
		if got := tables(t, db); !slices.Equal(got, up) {
			t.Fatalf("up from nothing: tables=%v, want %v", got, up)
		}
	})
	t.Run("OKSchemaWorks", func(t *testing.T) {
		ctx := context.Background()
		u, err := s.AddUser(ctx, models.AddUserInput{Phone: "13800000000", Name: "超管", Password: "super-pass-1", Role: "superadmin"})
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.CreateCommunity(ctx, u.Actor(), models.CommunityInput{Name: "西桥社区", Street: "唐家墩街道", District: "江汉区", City: "武汉市"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateCompound(ctx, u.Actor(), c.ID, models.CompoundInput{Name: "安友花园"}); err != nil {
			t.Fatal(err)
		}
		// The unique keys the code relies on are there.
		_, err = s.CreateCompound(ctx, u.Actor(), c.ID, models.CompoundInput{Name: "安友花园"})
		if models.ErrorCode(err) != models.EINVALID {
			t.Fatalf("duplicate compound: err=%v, want a field error from the unique key", err)
		}
		if res, err := s.VerifyChain(ctx, c.ID); err != nil || !res.OK || res.Checked != 2 {
			t.Fatalf("verify=%+v err=%v", res, err)
		}
	})
	t.Run("ErrDownPastTheStart", func(t *testing.T) {
		fresh := openEmpty(t)
		if err := migrations.Down(fresh.Gorm()); err == nil {
			t.Fatal("rolling back an empty database succeeded")
		}
	})
}
