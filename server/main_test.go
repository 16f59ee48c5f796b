package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/yueyuetan/yueyuetan/internal/testenv"
	"github.com/yueyuetan/yueyuetan/migrations"
	"github.com/yueyuetan/yueyuetan/models"
	"github.com/yueyuetan/yueyuetan/sms"
)

// cli runs the command line against one fresh database and data folder.
type cli struct {
	t       *testing.T
	db, dir string
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	dsn, dir := testenv.DSN(t)
	return &cli{t: t, db: dsn, dir: dir}
}

// run runs a command line with the test's database and returns the exit code and output.
func (c *cli) run(args ...string) (code int, stdout, stderr string) {
	c.t.Helper()
	var out, errb bytes.Buffer
	args = append(args, "--db", c.db, "--data-dir", c.dir)
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func (c *cli) mustRun(args ...string) string {
	c.t.Helper()
	code, out, errs := c.run(args...)
	if code != 0 {
		c.t.Fatalf("%v: exit %d\nstdout: %s\nstderr: %s", args, code, out, errs)
	}
	return out
}

func (c *cli) store() *models.Store {
	c.t.Helper()
	s, err := models.Open(models.OpenOptions{DSN: c.db, DataDir: c.dir})
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { s.Close() })
	return s
}

func TestRun_UserAdd(t *testing.T) {
	c := newCLI(t)
	t.Run("OKSuperadmin", func(t *testing.T) {
		out := c.mustRun("user", "add", "--phone", "13900000000", "--name", "唐街道", "--password", "super-pass-1", "--role", "superadmin")
		if !regexp.MustCompile(`^added user \d+ \(唐街道, 13900000000\) as superadmin\n$`).MatchString(out) {
			t.Fatalf("stdout=%q", out)
		}
		s := c.store()
		u, _, err := s.Login(context.Background(), "13900000000", "super-pass-1", "127.0.0.1")
		if err != nil || !u.IsSuperadmin {
			t.Fatalf("login as the new superadmin: user=%+v err=%v", u, err)
		}
	})
	t.Run("OKNameNormalized", func(t *testing.T) {
		out := c.mustRun("user", "add", "--phone", "13900000008", "--name", " \u200b唐\u0000街道\n", "--password", "super-pass-1", "--role", "superadmin")
		if !strings.Contains(out, "(唐街道, 13900000008)") {
			t.Fatalf("stdout=%q", out)
		}
		var u models.User
		if err := c.store().Gorm().Where("phone = ?", "13900000008").Take(&u).Error; err != nil || u.Name != "唐街道" {
			t.Fatalf("stored name=%q err=%v, want 唐街道", u.Name, err)
		}
	})
	t.Run("OKCommunityRole", func(t *testing.T) {
		s := c.store()
		ctx := context.Background()
		super, _, err := s.Login(ctx, "13900000000", "super-pass-1", "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		cm, err := s.CreateCommunity(ctx, super.Actor(), models.CommunityInput{Name: "西桥社区", Street: "唐家墩街道", District: "江汉区", City: "武汉市"})
		if err != nil {
			t.Fatal(err)
		}
		c.mustRun("user", "add", "--phone", "13900000001", "--name", "刘书记", "--password", "admin-pass-1", "--role", "admin", "--community", "1")
		u, _, err := s.Login(ctx, "13900000001", "admin-pass-1", "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		acc, err := s.Access(ctx, u.Actor(), cm.ID)
		if err != nil || !acc.Verified || strings.Join(acc.Roles, ",") != "admin" {
			t.Fatalf("access=%+v err=%v, want a verified admin", acc, err)
		}
	})
	for name, tc := range map[string]struct {
		args []string
		msg  string
	}{
		"ErrPhone":          {[]string{"--phone", "12345", "--name", "x", "--password", "pass-pass-1", "--role", "superadmin"}, "--phone must be an 11-digit mobile number"},
		"ErrName":           {[]string{"--phone", "13900000009", "--password", "pass-pass-1", "--role", "superadmin"}, "--name is required"},
		"ErrNameInvisible":  {[]string{"--phone", "13900000009", "--name", "\u200b\u3164\u0000", "--password", "pass-pass-1", "--role", "superadmin"}, "--name is required"},
		"ErrNameBidi":       {[]string{"--phone", "13900000009", "--name", "\u202e管理员", "--password", "pass-pass-1", "--role", "superadmin"}, "--name holds characters that change the direction of text"},
		"ErrNameLong":       {[]string{"--phone", "13900000009", "--name", strings.Repeat("长", 51), "--password", "pass-pass-1", "--role", "superadmin"}, "--name must be at most 50 characters"},
		"ErrPassword":       {[]string{"--phone", "13900000009", "--name", "x", "--password", "short", "--role", "superadmin"}, "--password must be at least 8 characters"},
		"ErrPasswordCommon": {[]string{"--phone", "13900000009", "--name", "x", "--password", "88888888", "--role", "superadmin"}, "--password must not be one character repeated"},
		"ErrPasswordList":   {[]string{"--phone", "13900000009", "--name", "x", "--password", "Password123", "--role", "superadmin"}, "--password is one of the most common passwords; choose another"},
		"ErrPasswordPhone":  {[]string{"--phone", "13900000009", "--name", "x", "--password", "13900000009", "--role", "superadmin"}, "--password must not be the phone number"},
		"ErrRoleMissing":    {[]string{"--phone", "13900000009", "--name", "x", "--password", "pass-pass-1"}, "--role is required"},
		"ErrSuperCommunity": {[]string{"--phone", "13900000009", "--name", "x", "--password", "pass-pass-1", "--role", "superadmin", "--community", "1"}, "a superadmin works at street level"},
		"ErrUnknownRole":    {[]string{"--phone", "13900000009", "--name", "x", "--password", "pass-pass-1", "--role", "mayor", "--community", "1"}, "role: unknown_role"},
		"ErrNoCommunity":    {[]string{"--phone", "13900000009", "--name", "x", "--password", "pass-pass-1", "--role", "resident"}, "community: required"},
		"ErrMissingCommunity": {[]string{"--phone", "13900000009", "--name", "x", "--password", "pass-pass-1", "--role", "resident", "--community", "99"},
			"community: community_not_found"},
		"ErrPhoneTaken": {[]string{"--phone", "13900000000", "--name", "x", "--password", "pass-pass-1", "--role", "superadmin"}, "phone: phone_taken"},
		"ErrFlag":       {[]string{"--nonsense"}, "flag provided but not defined"},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, errs := c.run(append([]string{"user", "add"}, tc.args...)...)
			if code != 1 || !strings.Contains(errs, tc.msg) {
				t.Fatalf("exit=%d stderr=%q, want 1 and %q", code, errs, tc.msg)
			}
		})
	}
	// None of the refused commands created the account.
	if _, _, err := c.store().Login(context.Background(), "13900000009", "pass-pass-1", "127.0.0.2"); err == nil {
		t.Fatal("a refused user add created the account")
	}
}

func TestRun_Migrate(t *testing.T) {
	c := newCLI(t)
	latest := migrations.Latest()
	t.Run("OKStatusFresh", func(t *testing.T) {
		out := c.mustRun("migrate", "status")
		if strings.Contains(out, "applied") || !strings.Contains(out, "pending  "+latest) {
			t.Fatalf("status=%q, want every step pending", out)
		}
	})
	t.Run("OKUp", func(t *testing.T) {
		if out := c.mustRun("migrate", "up"); out != "migrations: up to date at "+latest+"\n" {
			t.Fatalf("up=%q", out)
		}
		out := c.mustRun("migrate", "status")
		if strings.Contains(out, "pending") || !strings.Contains(out, "applied  "+latest) {
			t.Fatalf("status=%q, want every step applied", out)
		}
	})
	t.Run("OKDownAndUp", func(t *testing.T) {
		if out := c.mustRun("migrate", "down"); !strings.Contains(out, "rolled back") {
			t.Fatalf("down=%q", out)
		}
		out := c.mustRun("migrate", "status")
		if !strings.Contains(out, "pending  "+latest) || strings.Count(out, "applied") != strings.Count(out, "\n")-2 {
			t.Fatalf("status after down=%q, want only the latest pending", out)
		}
		c.mustRun("migrate", "up")
		if out := c.mustRun("migrate", "status"); strings.Contains(out, "pending") {
			t.Fatalf("status=%q", out)
		}
	})
	t.Run("ErrUsage", func(t *testing.T) {
		var out, errb bytes.Buffer
		if code := run([]string{"migrate"}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "migrate needs up, down or status") {
			t.Fatalf("migrate: exit=%d stderr=%q", code, errb.String())
		}
		if code, _, errs := c.run("migrate", "sideways"); code != 1 || !strings.Contains(errs, `unknown migrate command "sideways"`) {
			t.Fatalf("migrate sideways: exit=%d stderr=%q", code, errs)
		}
	})
}

// TestRun_SeedAndAudit loads the demo, checks what it promises, verifies the log, tampers with it
// and sees the audit fail.
func TestRun_SeedAndAudit(t *testing.T) {
	c := newCLI(t)
	out := c.mustRun("seed", "demo")
	if !strings.Contains(out, "安友花园 (11 stairwells, 164 households)") || !strings.Contains(out, "13900000001") {
		t.Fatalf("seed output=%q", out)
	}
	s := c.store()
	ctx := context.Background()
	var super models.User
	if err := s.Gorm().Where("phone = ?", "13900000000").Take(&super).Error; err != nil {
		t.Fatal(err)
	}
	sa := super.Actor()
	var xq models.Community
	if err := s.Gorm().Where("name = ?", "西桥社区").Take(&xq).Error; err != nil {
		t.Fatal(err)
	}
	t.Run("OKPlaces", func(t *testing.T) {
		cs, err := s.ListCompounds(ctx, sa, xq.ID)
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]models.Compound{}
		for _, cp := range cs {
			byName[cp.Name] = cp
		}
		if a := byName["安友花园"]; a.HouseholdCount != 164 || a.BuildingCount != 11 || len(cs) != 3 {
			t.Fatalf("compounds=%+v, want 安友花园 with 11 stairwells and 164 households", cs)
		}
		hs, err := s.ListHouseholds(ctx, sa, byName["安友花园"].ID, 0)
		if err != nil || len(hs) != 164 {
			t.Fatalf("households=%d err=%v", len(hs), err)
		}
	})
	members := func(t *testing.T, f models.MemberFilter) []models.MemberView {
		t.Helper()
		f.Limit = 200
		ms, next, err := s.ListMembers(ctx, sa, xq.ID, f)
		if err != nil || next != 0 {
			t.Fatalf("list members: next=%d err=%v", next, err)
		}
		return ms
	}
	t.Run("OKPeople", func(t *testing.T) {
		party := members(t, models.MemberFilter{Role: models.RolePartyMember})
		if len(party) != 3 {
			t.Fatalf("%d party members, want 3", len(party))
		}
		for _, p := range party {
			if len(p.Skills) != 1 || p.WorkUnit == "" || p.HouseholdID == nil || !p.Verified {
				t.Fatalf("party member %+v, want one skill, a work unit and a home", p)
			}
		}
		residents := 0
		for _, m := range members(t, models.MemberFilter{Role: models.RoleResident}) {
			if !strings.Contains(strings.Join(m.Roles, ","), models.RolePartyMember) {
				residents++
				if m.HouseholdID == nil {
					t.Fatalf("resident %s has no home", m.Name)
				}
			}
		}
		if residents != 20 {
			t.Fatalf("%d residents, want 20", residents)
		}
		no := false
		if n := len(members(t, models.MemberFilter{Verified: &no})); n != 5 {
			t.Fatalf("%d unverified members, want 5", n)
		}
		if u, _, err := s.Login(ctx, "13900000116", DemoPassword, "127.0.0.1"); err != nil || u.Name != "韩十八" {
			t.Fatalf("demo login: user=%+v err=%v", u, err)
		}
	})
	t.Run("OKSeedTwice", func(t *testing.T) {
		out := c.mustRun("seed", "demo")
		if !strings.Contains(out, "nothing loaded") {
			t.Fatalf("second seed output=%q", out)
		}
		ids, err := s.CommunityIDs(ctx)
		if err != nil || len(ids) != 1 {
			t.Fatalf("communities=%v err=%v", ids, err)
		}
	})
	t.Run("OKAuditVerify", func(t *testing.T) {
		out := c.mustRun("audit", "verify")
		res, err := s.VerifyChain(ctx, xq.ID)
		if err != nil || !res.OK || res.Checked < 200 {
			t.Fatalf("verify=%+v err=%v", res, err)
		}
		if want := "community 1: OK, "; !strings.HasPrefix(out, want) || !strings.Contains(out, " events\n") {
			t.Fatalf("audit output=%q", out)
		}
	})
	t.Run("ErrTampered", func(t *testing.T) {
		var ev models.Event
		if err := s.Gorm().Where("community_id = ? AND seq = ?", xq.ID, 40).Take(&ev).Error; err != nil {
			t.Fatal(err)
		}
		if err := s.Gorm().Exec("UPDATE events SET payload = ? WHERE id = ?", `{"room":"999"}`, ev.ID).Error; err != nil {
			t.Fatal(err)
		}
		code, out, errs := c.run("audit", "verify")
		want := "community 1: BROKEN at event " + strconv.FormatUint(ev.ID, 10) + " (seq 40, " + string(ev.Type) + "): hash_mismatch; 39 events before it check out"
		if code != 1 || !strings.Contains(out, want) || !strings.Contains(errs, "1 communities have a broken event chain") {
			t.Fatalf("exit=%d stdout=%q stderr=%q, want 1 and %q", code, out, errs, want)
		}
		if code, out, _ := c.run("audit", "verify", "--community", strconv.FormatUint(xq.ID, 10)); code != 1 || !strings.Contains(out, want) {
			t.Fatalf("--community %d: exit=%d stdout=%q", xq.ID, code, out)
		}
	})
}

func TestRun_Usage(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run([]string{"help"}, &out, &errs); code != 0 || !strings.Contains(out.String(), "yueyuetan migrate up|down|status") {
		t.Fatalf("help: exit=%d stdout=%q", code, out.String())
	}
	out.Reset()
	if code := run([]string{"frobnicate"}, &out, &errs); code != 2 || !strings.Contains(errs.String(), `unknown command "frobnicate"`) {
		t.Fatalf("unknown command: exit=%d stderr=%q", code, errs.String())
	}
	for _, args := range [][]string{{"seed"}, {"seed", "production"}, {"user"}, {"audit"}} {
		errs.Reset()
		if code := run(args, &out, &errs); code != 1 || errs.Len() == 0 {
			t.Fatalf("%v: exit=%d stderr=%q", args, code, errs.String())
		}
	}
}

func TestRun_Healthcheck(t *testing.T) {
	ready := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(ready)
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	var out, errs bytes.Buffer
	if code := run([]string{"healthcheck", "--addr", addr}, &out, &errs); code != 0 || out.String() != "ready\n" {
		t.Fatalf("healthcheck: exit=%d stdout=%q stderr=%q", code, out.String(), errs.String())
	}
	ready = http.StatusServiceUnavailable
	if code := run([]string{"healthcheck", "--addr", addr}, &out, &errs); code != 1 || !strings.Contains(errs.String(), "not ready") {
		t.Fatalf("healthcheck of an unready server: exit=%d stderr=%q", code, errs.String())
	}
}

func TestConfig_JWTSecret(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	t.Run("OKGeneratedOnce", func(t *testing.T) {
		c := &config{DataDir: t.TempDir()}
		first, err := c.jwtSecret(log)
		if err != nil || len(first) < 32 {
			t.Fatalf("secret=%q err=%v", first, err)
		}
		st, err := os.Stat(filepath.Join(c.DataDir, "jwt.secret"))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("secret file: %v %v, want mode 0600", st, err)
		}
		again, err := c.jwtSecret(log)
		if err != nil || !bytes.Equal(first, again) {
			t.Fatalf("second start got another secret: %q vs %q", again, first)
		}
	})
	t.Run("OKExplicit", func(t *testing.T) {
		c := &config{DataDir: t.TempDir(), JWTSecret: strings.Repeat("s", 32)}
		if got, err := c.jwtSecret(log); err != nil || string(got) != c.JWTSecret {
			t.Fatalf("secret=%q err=%v", got, err)
		}
	})
	t.Run("ErrShort", func(t *testing.T) {
		c := &config{DataDir: t.TempDir(), JWTSecret: "short"}
		if _, err := c.jwtSecret(log); err == nil {
			t.Fatal("a short secret was accepted")
		}
	})
}

func TestConfig_SMS(t *testing.T) {
	settings := func(t *testing.T, env map[string]string, args ...string) *config {
		t.Helper()
		for k, v := range env {
			t.Setenv(k, v)
		}
		cfg, fs, _ := parseFlags("serve", args, io.Discard)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	aliyun := map[string]string{"YYT_SMS_PROVIDER": "aliyun", "YYT_SMS_ACCESS_KEY_ID": "LTAI5t", "YYT_SMS_ACCESS_KEY_SECRET": "s3cret",
		"YYT_SMS_SIGN_NAME": "月月谈", "YYT_SMS_TEMPLATE": "SMS_1", "YYT_SMS_ENDPOINT": "http://127.0.0.1:9/"}
	t.Run("OKNone", func(t *testing.T) {
		if s, err := settings(t, nil).smsSender(); s != nil || err != nil {
			t.Fatalf("sender=%v err=%v, want none", s, err)
		}
	})
	t.Run("OKAliyun", func(t *testing.T) {
		s, err := settings(t, aliyun, "--sms-template", "SMS_2").smsSender()
		a, ok := s.(*sms.Aliyun)
		if err != nil || !ok || a.AccessKeyID != "LTAI5t" || a.AccessKeySecret != "s3cret" || a.SignName != "月月谈" ||
			a.TemplateCode != "SMS_2" || a.Endpoint != "http://127.0.0.1:9/" {
			t.Fatalf("sender=%+v err=%v", s, err)
		}
	})
	t.Run("ErrIncomplete", func(t *testing.T) {
		env := maps.Clone(aliyun)
		env["YYT_SMS_TEMPLATE"] = ""
		if _, err := settings(t, env).smsSender(); err == nil || !strings.Contains(err.Error(), "template") {
			t.Fatalf("err=%v, want the missing template named", err)
		}
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		if _, err := settings(t, map[string]string{"YYT_SMS_PROVIDER": "pigeon"}).smsSender(); err == nil {
			t.Fatal("an unknown provider was accepted")
		}
	})
}

func TestConfig_ListenAddr(t *testing.T) {
	parse := func(t *testing.T, env string, args ...string) *config {
		t.Helper()
		t.Setenv("YYT_ADDR", env)
		cfg, fs, _ := parseFlags("serve", args, io.Discard)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	cases := []struct {
		name, env string
		args      []string
		want      string
	}{
		{"DefaultAllInterfaces", "", nil, ":8080"},
		{"DemoLoopbackOnly", "", []string{"--demo"}, "127.0.0.1:8080"},
		{"DemoWithFlag", "", []string{"--demo", "--addr", ":9090"}, ":9090"},
		{"DemoWithEnv", "0.0.0.0:8081", []string{"--demo"}, "0.0.0.0:8081"},
		{"Env", ":7070", nil, ":7070"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := parse(t, c.env, c.args...).listenAddr(); got != c.want {
				t.Fatalf("listen address = %q, want %q", got, c.want)
			}
		})
	}
}
