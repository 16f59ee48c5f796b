// Package testenv gives tests a fresh, migrated database: a SQLite file in the test's temp folder,
// or, when YYT_TEST_MYSQL_DSN is set (e.g. "root@tcp(127.0.0.1:3306)/test"), a new MySQL/MariaDB
// database made for the test and dropped after it. The same suite runs on both.
package testenv

import (
	"sync"

	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/yueyuetan/yueyuetan/migrations"
	"github.com/yueyuetan/yueyuetan/models"
	"github.com/yueyuetan/yueyuetan/storage"
)

// MySQLDSN is the server the MySQL run uses, or "" for SQLite only.
func MySQLDSN() string { return os.Getenv("YYT_TEST_MYSQL_DSN") }

// DSN returns a database DSN for a fresh, empty database (not migrated) and registers its
// clean-up. dataDir is where SQLite keeps its file.
func DSN(tb testing.TB) (dsn, dataDir string) {
	tb.Helper()
	dataDir = tb.TempDir()
	base := MySQLDSN()
	if base == "" {
		return "sqlite:" + filepath.Join(dataDir, "test.db"), dataDir
	}
	buf := make([]byte, 6)
	if _, err := rand.Read(buf); err != nil {
		tb.Fatal(err)
	}
	name := "yyt_t_" + hex.EncodeToString(buf)
	admin, err := gorm.Open(mysql.Open(models.MySQLDSN(base)), &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	if err != nil {
		tb.Fatalf("connect to MySQL for tests: %v", err)
	}
	if err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci").Error; err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		admin.Exec("DROP DATABASE IF EXISTS " + name)
		if db, err := admin.DB(); err == nil {
			db.Close()
		}
	})
	return "mysql://" + models.MySQLWithDatabase(base, name), dataDir
}

// Open returns a migrated store on a fresh database, closed when the test ends.
func Open(tb testing.TB) *models.Store {
	tb.Helper()
	dsn, dir := DSN(tb)
	s, err := models.Open(models.OpenOptions{DSN: dsn, DataDir: dir})
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	files, err := storage.NewDir(filepath.Join(dir, "files"))
	if err != nil {
		tb.Fatal(err)
	}
	s.Files = files
	if _, bench := tb.(*testing.B); !bench {
		// Tests make hundreds of accounts and log in thousands of times: they hash at the cheapest
		// argon2id cost; benchmarks (BenchmarkLogin) measure the production cost.
		s.PasswordCost = &models.TestPasswordCost
	}
	if err := migrations.Up(s.Gorm()); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	opened.Store(s, dsn)
	checkEventTypes(tb, s)
	return s
}

// opened remembers the DSN of each store Open made, for Another.
var opened sync.Map

// Another opens a second store on the database of a store Open made, as a second server
// instance would (closed when the test ends), for tests of what several instances do at once.
func Another(tb testing.TB, s *models.Store) *models.Store {
	tb.Helper()
	dsn, ok := opened.Load(s)
	if !ok {
		tb.Fatal("testenv.Another: the store was not made by testenv.Open")
	}
	o, err := models.Open(models.OpenOptions{DSN: dsn.(string)})
	if err != nil {
		tb.Fatalf("open another store: %v", err)
	}
	tb.Cleanup(func() { o.Close() })
	o.Files = s.Files
	o.PasswordCost = s.PasswordCost
	return o
}

// Name says which database a run uses, for messages.
func Name() string {
	if MySQLDSN() != "" {
		return "mysql"
	}
	return "sqlite"
}
