package testenv

import (
	"testing"

	"github.com/yueyuetan/yueyuetan/migrations"
	"github.com/yueyuetan/yueyuetan/models"
)

func TestWithDatabase(t *testing.T) {
	for in, want := range map[string]string{
		"root@tcp(127.0.0.1:3306)/test":                "root@tcp(127.0.0.1:3306)/yyt_x",
		"root@tcp(127.0.0.1:3306)/":                    "root@tcp(127.0.0.1:3306)/yyt_x",
		"u:p@tcp(db:3306)/test?parseTime=true&loc=UTC": "u:p@tcp(db:3306)/yyt_x?parseTime=true&loc=UTC",
		"u:p@tcp(db:3306)/?tls=skip-verify":            "u:p@tcp(db:3306)/yyt_x?tls=skip-verify",
		"u:p/w@tcp(db:3306)/test":                      "u:p/w@tcp(db:3306)/yyt_x",
		"root@unix(/run/mysqld/mysqld.sock)/test":      "root@unix(/run/mysqld/mysqld.sock)/yyt_x",
		"u:p@tcp(db:3306)/test?loc=Asia%2FShanghai":    "u:p@tcp(db:3306)/yyt_x?loc=Asia%2FShanghai",
		"root@tcp(127.0.0.1:3306)":                     "root@tcp(127.0.0.1:3306)/yyt_x",
	} {
		if got := models.MySQLWithDatabase(in, "yyt_x"); got != want {
			t.Fatalf("withDatabase(%q)=%q, want %q", in, got, want)
		}
	}
}

func TestOpen(t *testing.T) {
	s := Open(t)
	if s.Dialect() != Name() {
		t.Fatalf("dialect=%q, want %q", s.Dialect(), Name())
	}
	ok, err := migrations.Current(s.Gorm())
	if err != nil || !ok {
		t.Fatalf("a test store is not migrated: current=%v err=%v", ok, err)
	}
	// Two tests never share a database.
	other := Open(t)
	var n int64
	if err := other.Gorm().Table("users").Count(&n).Error; err != nil || n != 0 {
		t.Fatalf("users in a fresh store=%d err=%v", n, err)
	}
	if err := s.Gorm().Exec("INSERT INTO event_heads (community_id, seq, hash) VALUES (1, 0, 'x')").Error; err != nil {
		t.Fatal(err)
	}
	if err := other.Gorm().Table("event_heads").Count(&n).Error; err != nil || n != 0 {
		t.Fatalf("a row written to one test store shows in another: %d", n)
	}
}
