package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/migrations"
	"github.com/yueyuetan/yueyuetan/models"
)

// TestRun_NewerDatabase: a database that records a schema step this binary does not know (a
// newer binary migrated it) is refused by serve, migrate up and backup with a clear message,
// and migrate status names the step.
func TestRun_NewerDatabase(t *testing.T) {
	c := newCLI(t)
	c.mustRun("migrate", "up")
	if out := c.mustRun("migrate", "status"); !strings.Contains(out, "binary and database agree") {
		t.Fatalf("status=%q", out)
	}
	s := c.store()
	if err := s.Gorm().Exec("INSERT INTO schema_migrations (id) VALUES (?)", "209901010001_future").Error; err != nil {
		t.Fatal(err)
	}
	code, out, errs := c.run("migrate", "status")
	if code != 1 || !strings.Contains(out, "unknown  209901010001_future (not known to this binary)") ||
		!strings.Contains(out, "disagree: the database was migrated by a newer binary") {
		t.Fatalf("status: exit %d\n%s%s", code, out, errs)
	}
	for _, args := range [][]string{{"serve", "--addr", "127.0.0.1:0"}, {"migrate", "up"}, {"backup", "--to", filepath.Join(t.TempDir(), "b.tar.gz")}} {
		code, _, errs := c.run(args...)
		if code != 1 || !strings.Contains(errs, "the database was migrated by a newer yueyuetan") || !strings.Contains(errs, "209901010001_future") {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errs)
		}
	}
}

// freeAddr is a loopback address with a port nobody listens on.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestRun_BackupRestore: backup --to while a community exists, restore --from into an empty
// database and data folder (refused over one in use without --force), audit verify passes on it,
// and the server starts on it and stops on SIGTERM.
func TestRun_BackupRestore(t *testing.T) {
	src := newCLI(t)
	src.mustRun("user", "add", "--phone", "13900000000", "--name", "唐街道", "--password", "super-pass-1", "--role", "superadmin")
	s := src.store()
	ctx := context.Background()
	super, _, err := s.Login(ctx, "13900000000", "super-pass-1", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateCommunity(ctx, super.Actor(), models.CommunityInput{Name: "西桥社区", Street: "唐家墩街道", District: "江汉区", City: "武汉市"}); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(t.TempDir(), "yyt.tar.gz")
	out := src.mustRun("backup", "--to", archive)
	if !strings.Contains(out, "backup written to "+archive) {
		t.Fatalf("backup: %q", out)
	}

	dst := newCLI(t)
	out = dst.mustRun("restore", "--from", archive)
	if !strings.Contains(out, "restored the") {
		t.Fatalf("restore: %q", out)
	}
	if out := dst.mustRun("audit", "verify"); !strings.Contains(out, "community 1: OK") {
		t.Fatalf("audit verify after restore: %q", out)
	}
	if out := dst.mustRun("migrate", "status"); !strings.Contains(out, "binary and database agree") {
		t.Fatalf("migrate status after restore: %q", out)
	}
	code, _, errs := dst.run("restore", "--from", archive)
	if code != 1 || !strings.Contains(errs, "not empty") || !strings.Contains(errs, "--force") {
		t.Fatalf("restore over a database in use: exit %d, %q", code, errs)
	}
	dst.mustRun("restore", "--from", archive, "--force")
	if out := dst.mustRun("audit", "verify"); !strings.Contains(out, "community 1: OK") {
		t.Fatalf("audit verify after a forced restore: %q", out)
	}

	// The server starts on the restored database and stops on SIGTERM.
	addr := freeAddr(t)
	done := make(chan int, 1)
	var sout, serr bytes.Buffer
	go func() {
		done <- run([]string{"serve", "--addr", addr, "--db", dst.db, "--data-dir", dst.dir, "--jwt-secret", strings.Repeat("s", 32)}, &sout, &serr)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case code := <-done:
			t.Fatalf("serve ended with %d before it was ready: %s", code, serr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server on the restored database was not ready in 20 s: %s", serr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 0 || !strings.Contains(serr.String(), "stopped") {
			t.Fatalf("serve after SIGTERM: exit %d\n%s", code, serr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop within 15 s of SIGTERM")
	}
	if ok, err := migrations.Current(dst.store().Gorm()); err != nil || !ok {
		t.Fatalf("restored database after serving: current=%v %v", ok, err)
	}
}
