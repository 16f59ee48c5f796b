// Command yytbench measures the real server binary on this machine: binary size, cold start to
// /readyz with the idle RSS after it, login throughput and authenticated GET /api/v1/me against
// GET /healthz over loopback HTTP. Run it from the repository:
//
//	go run ./cmd/yytbench                       # SQLite
//	go run ./cmd/yytbench -mysql 'root@tcp(127.0.0.1:3306)/test'   # SQLite, then MariaDB/MySQL
//
// It builds ./server into a temporary folder (with -trimpath -ldflags='-s -w', and once more
// without -s -w to show the difference), runs the stripped binary as a child process on a free
// 127.0.0.1 port with a temporary --data-dir (or a new MySQL database, dropped afterwards), and
// stops it with SIGTERM. Every load run is bounded by a request count and a duration and goes to
// that loopback server only. The client shares the machine with the server, so the request
// rates are what one box serving itself gives, not the server alone; the server's own CPU use
// during each run is printed next to them.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/yueyuetan/yueyuetan/models"
)

type options struct {
	n            int
	settle       time.Duration
	duration     time.Duration
	warmup       time.Duration
	clients      int
	maxRequests  int64
	loginClients int
	logins       int64
	loginLimit   time.Duration
	phone        string
	password     string
	mysqlDSN     string
	phases       string
	tags         string
	keep         bool
	quiet        float64
	quietWait    time.Duration
}

func main() {
	var o options
	flag.IntVar(&o.n, "n", 5, "cold starts per database (fresh and existing DB each); median/min/max are printed")
	flag.DurationVar(&o.settle, "settle", time.Second, "idle time after /readyz before reading the server's RSS")
	flag.DurationVar(&o.duration, "duration", 5*time.Second, "length of each GET load run (/healthz, /me)")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured load before each GET run, to open the connections")
	flag.IntVar(&o.clients, "clients", 16, "concurrent keep-alive clients for the GET runs")
	flag.Int64Var(&o.maxRequests, "max-requests", 2_000_000, "cap on requests per GET run")
	flag.IntVar(&o.loginClients, "login-clients", 4, "concurrent clients for the login run")
	flag.Int64Var(&o.logins, "logins", 200, "logins in the login run")
	flag.DurationVar(&o.loginLimit, "login-limit", 60*time.Second, "time cap on the login run")
	flag.StringVar(&o.phone, "phone", "13900000101", "account used for the load runs (a demo resident; the demo data is loaded first)")
	flag.StringVar(&o.password, "password", "yueyuetan-demo", "its password (the demo password)")
	flag.StringVar(&o.mysqlDSN, "mysql", os.Getenv("YYT_TEST_MYSQL_DSN"), "also measure on MySQL/MariaDB: user:pass@tcp(127.0.0.1:3306)/db (default $YYT_TEST_MYSQL_DSN); a new database is made per server start and dropped")
	flag.StringVar(&o.phases, "phases", "size,start,load", "what to measure, comma-separated: size, start, load")
	flag.StringVar(&o.tags, "tags", "", "build tags for the server binary (embedui needs frontend/dist built first)")
	flag.Float64Var(&o.quiet, "quiet", 0, "on a shared machine: before each start and each run, wait until the machine's busy CPU over 1 s is below this % of one core (0: don't wait)")
	flag.DurationVar(&o.quietWait, "quiet-wait", 5*time.Minute, "longest wait for -quiet; the measurement goes ahead after it, with a note")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary folder (binaries, data, server logs)")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "yytbench:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	if o.n < 1 || o.clients < 1 || o.loginClients < 1 || o.logins < 1 || o.maxRequests < 1 {
		return errors.New("-n, -clients, -login-clients, -logins and -max-requests must be at least 1")
	}
	phases := map[string]bool{}
	for _, p := range strings.Split(o.phases, ",") {
		switch p = strings.TrimSpace(p); p {
		case "size", "start", "load":
			phases[p] = true
		case "":
		default:
			return fmt.Errorf("unknown phase %q: want size, start or load", p)
		}
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "yytbench-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Println("keeping", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	printMachine()

	stripped := filepath.Join(tmp, "yueyuetan")
	fmt.Printf("\n== build (%s)\n", root)
	d, err := build(root, stripped, o.tags, "-trimpath", "-ldflags=-s -w")
	if err != nil {
		return err
	}
	fmt.Printf("built %s in %s\n", "go build -trimpath -ldflags='-s -w' ./server", d.Round(time.Millisecond))
	if phases["size"] {
		full := filepath.Join(tmp, "yueyuetan-full")
		if _, err := build(root, full, o.tags, "-trimpath"); err != nil {
			return err
		}
		fmt.Printf("\n== binary size (tags %q)\n", o.tags)
		for _, b := range []struct{ what, path string }{
			{"-trimpath -ldflags='-s -w'", stripped}, {"-trimpath", full}} {
			st, err := os.Stat(b.path)
			if err != nil {
				return err
			}
			fmt.Printf("%-28s %7.2f MiB  (%d bytes)\n", b.what, mib(st.Size()), st.Size())
		}
	}

	dbs := []string{models.DialectSQLite}
	if o.mysqlDSN != "" {
		dbs = append(dbs, models.DialectMySQL)
	}
	b := &bench{o: o, bin: stripped, tmp: tmp}
	if phases["start"] {
		for _, db := range dbs {
			if err := b.coldStarts(db); err != nil {
				return fmt.Errorf("%s cold start: %w", db, err)
			}
		}
	}
	if phases["load"] {
		for _, db := range dbs {
			if err := b.load(db); err != nil {
				return fmt.Errorf("%s load: %w", db, err)
			}
		}
	}
	fmt.Printf("\nload average at the end: %s\n", loadavg())
	return nil
}

// ---- machine and build

func printMachine() {
	fmt.Println("== machine")
	fmt.Printf("nproc %d, GOMAXPROCS %d, %s %s/%s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Printf("cpu   %s\n", cpuModel())
	fmt.Printf("mem   %s\n", memTotal())
	fmt.Printf("load average at the start: %s\n", loadavg())
}

func cpuModel() string {
	raw, _ := os.ReadFile("/proc/cpuinfo")
	var model, family, mod string
	for _, line := range strings.Split(string(raw), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch {
		case k == "model name" && model == "":
			model = v
		case k == "cpu family" && family == "":
			family = v
		case k == "model" && mod == "":
			mod = v
		}
	}
	if model == "" {
		return "unknown"
	}
	return fmt.Sprintf("%s (family %s, model %s)", model, family, mod)
}

func memTotal() string {
	raw, _ := os.ReadFile("/proc/meminfo")
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
		}
	}
	return "unknown"
}

func loadavg() string {
	raw, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("run yytbench inside the repository (go run ./cmd/yytbench)")
	}
	return filepath.Dir(gomod), nil
}

func build(root, out, tags string, flags ...string) (time.Duration, error) {
	args := append([]string{"build"}, flags...)
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	args = append(args, "-o", out, "./server")
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("go %s: %w", strings.Join(args, " "), err)
	}
	return time.Since(start), nil
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

// ---- server processes

type bench struct {
	o   options
	bin string
	tmp string
	seq int
}

// target is one database for the server: a data folder and the --db value.
type target struct {
	dataDir, db string
	drop        func()
}

// newTarget makes a fresh data folder and, for MySQL, a new empty database.
func (b *bench) newTarget(dialect string) (*target, error) {
	b.seq++
	dir := filepath.Join(b.tmp, fmt.Sprintf("%s-%02d", dialect, b.seq))
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	if dialect == models.DialectSQLite {
		return &target{dataDir: dir, db: "sqlite:", drop: func() {}}, nil
	}
	admin, err := gorm.Open(mysql.Open(models.MySQLDSN(b.o.mysqlDSN)), &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	if err != nil {
		return nil, fmt.Errorf("connect to MySQL: %w", err)
	}
	buf := make([]byte, 5)
	if _, err := rand.Read(buf); err != nil {
		return nil, err
	}
	name := "yyt_bench_" + hex.EncodeToString(buf)
	if err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci").Error; err != nil {
		return nil, fmt.Errorf("create database: %w", err)
	}
	return &target{dataDir: dir, db: "mysql://" + withDatabase(b.o.mysqlDSN, name), drop: func() {
		admin.Exec("DROP DATABASE IF EXISTS " + name)
		if db, err := admin.DB(); err == nil {
			db.Close()
		}
	}}, nil
}

// withDatabase swaps the database name in a "user:pass@tcp(host)/db?opts" DSN.
func withDatabase(dsn, name string) string {
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

// childEnv is this environment without YYT_* settings, so only the flags configure the server.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "YYT_") {
			env = append(env, kv)
		}
	}
	return env
}

// runCLI runs a maintenance command of the binary against the target (not timed).
func (b *bench) runCLI(t *target, args ...string) error {
	args = append(args, "--data-dir", t.dataDir, "--db", t.db)
	cmd := exec.Command(b.bin, args...)
	cmd.Env = childEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

type server struct {
	cmd  *exec.Cmd
	base string // http://127.0.0.1:PORT
	log  string
	done chan struct{}
	err  error
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// start runs `serve` on a free loopback port and returns once /readyz answers 200, with the
// time from process start to that answer.
func (b *bench) start(t *target) (*server, time.Duration, error) {
	port, err := freePort()
	if err != nil {
		return nil, 0, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	b.seq++
	logPath := filepath.Join(b.tmp, fmt.Sprintf("server-%02d.log", b.seq))
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, 0, err
	}
	cmd := exec.Command(b.bin, "serve", "--addr", addr, "--data-dir", t.dataDir, "--db", t.db,
		"--base-url", "http://"+addr)
	cmd.Env = childEnv()
	cmd.Stdout, cmd.Stderr = logf, logf
	s := &server{cmd: cmd, base: "http://" + addr, log: logPath, done: make(chan struct{})}
	poll := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	startAt := time.Now()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, 0, err
	}
	go func() { s.err = cmd.Wait(); logf.Close(); close(s.done) }()
	deadline := startAt.Add(60 * time.Second)
	for {
		resp, err := poll.Get(s.base + "/readyz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, time.Since(startAt), nil
			}
		}
		select {
		case <-s.done:
			return nil, 0, fmt.Errorf("server exited before /readyz (%v); log:\n%s", s.err, tail(logPath))
		default:
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, 0, fmt.Errorf("/readyz not OK after 60s; log:\n%s", tail(logPath))
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// stop sends SIGTERM and waits; it kills the process after 20 s.
func (s *server) stop() {
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

func tail(path string) string {
	raw, _ := os.ReadFile(path)
	if len(raw) > 2000 {
		raw = raw[len(raw)-2000:]
	}
	return string(raw)
}

// procStatus returns VmRSS and VmHWM of a process in bytes.
func procStatus(pid int) (rss, hwm int64) {
	raw, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(raw), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			rss = kb << 10
		case "VmHWM":
			hwm = kb << 10
		}
	}
	return rss, hwm
}

// cpuTime is the user+system CPU a process has used (from /proc/PID/stat, USER_HZ = 100).
func cpuTime(pid int) time.Duration {
	raw, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	s := string(raw)
	i := strings.LastIndexByte(s, ')') // the command name may hold spaces
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// busyCPU is the CPU time the whole machine has spent busy (all cores, from /proc/stat), so a
// run can show how much of the machine something other than the server and this client took.
func busyCPU() time.Duration {
	raw, _ := os.ReadFile("/proc/stat")
	line, _, _ := strings.Cut(string(raw), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0
	}
	var ticks int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} { // user nice system irq softirq steal
		v, _ := strconv.ParseInt(f[i], 10, 64)
		ticks += v
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}

// waitQuiet waits, up to -quiet-wait, for a second in which the machine's busy CPU is below
// -quiet % of one core. It says so when it had to wait or gave up.
func (b *bench) waitQuiet() {
	if b.o.quiet <= 0 {
		return
	}
	start := time.Now()
	for {
		all0 := busyCPU()
		time.Sleep(time.Second)
		busy := 100 * (busyCPU() - all0).Seconds()
		waited := time.Since(start).Round(time.Second)
		if busy < b.o.quiet {
			if waited > time.Second {
				fmt.Printf("  (waited %s for a quiet machine: %.0f%% busy)\n", waited, busy)
			}
			return
		}
		if waited >= b.o.quietWait {
			fmt.Printf("  (machine still %.0f%% busy after %s; measuring anyway)\n", busy, waited)
			return
		}
	}
}

// dbPIDs finds the local MySQL/MariaDB server processes by name, to read their CPU use (read
// only; yytbench never signals them). Empty when the database runs elsewhere.
func dbPIDs() []int {
	var pids []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		switch strings.TrimSpace(string(comm)) {
		case "mariadbd", "mysqld":
			pids = append(pids, pid)
		}
	}
	return pids
}

func cpuTimes(pids []int) time.Duration {
	var d time.Duration
	for _, p := range pids {
		d += cpuTime(p)
	}
	return d
}

// ---- cold start

func (b *bench) coldStarts(dialect string) error {
	fmt.Printf("\n== cold start to /readyz, %s, %d rounds (RSS read %s after ready)\n", dialect, b.o.n, b.o.settle)
	var fresh, again, freshRSS, againRSS []float64
	for i := 0; i < b.o.n; i++ {
		t, err := b.newTarget(dialect)
		if err != nil {
			return err
		}
		measure := func(times, rsss *[]float64) error {
			b.waitQuiet()
			s, d, err := b.start(t)
			if err != nil {
				return err
			}
			time.Sleep(b.o.settle)
			rss, _ := procStatus(s.cmd.Process.Pid)
			s.stop()
			*times = append(*times, float64(d)/float64(time.Millisecond))
			*rsss = append(*rsss, mib(rss))
			return nil
		}
		err = measure(&fresh, &freshRSS)
		if err == nil {
			err = measure(&again, &againRSS)
		}
		t.drop()
		if err != nil {
			return err
		}
	}
	fmt.Printf("%-44s %9s %9s %9s   (load average now %s)\n", "", "median", "min", "max", loadavg())
	row := func(what, unit string, v []float64) {
		md, lo, hi := stats(v)
		fmt.Printf("%-44s %9.1f %9.1f %9.1f  %s\n", what, md, lo, hi, unit)
	}
	row("start, fresh data dir (incl. migrations)", "ms", fresh)
	row("start, existing DB", "ms", again)
	row("idle VmRSS after fresh start", "MiB", freshRSS)
	row("idle VmRSS after start on existing DB", "MiB", againRSS)
	return nil
}

func stats(v []float64) (median, lo, hi float64) {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0, 0, 0
	}
	median = s[n/2]
	if n%2 == 0 {
		median = (s[n/2-1] + s[n/2]) / 2
	}
	return median, s[0], s[n-1]
}

// ---- load

func (b *bench) load(dialect string) error {
	fmt.Printf("\n== load, %s (demo data; account %s)\n", dialect, b.o.phone)
	t, err := b.newTarget(dialect)
	if err != nil {
		return err
	}
	defer t.drop()
	if err := b.runCLI(t, "seed", "demo"); err != nil {
		return err
	}
	s, _, err := b.start(t)
	if err != nil {
		return err
	}
	defer s.stop()
	pid := s.cmd.Process.Pid
	rss, _ := procStatus(pid)
	fmt.Printf("idle VmRSS after start: %.1f MiB\n", mib(rss))

	loginBody, _ := json.Marshal(map[string]string{"phone": b.o.phone, "password": b.o.password})
	loginReq := func() (*http.Request, error) {
		r, err := http.NewRequest(http.MethodPost, s.base+"/api/v1/auth/login", bytes.NewReader(loginBody))
		if err == nil {
			r.Header.Set("Content-Type", "application/json")
		}
		return r, err
	}
	token, err := loginOnce(loginReq)
	if err != nil {
		return err
	}
	get := func(path string) func() (*http.Request, error) {
		return func() (*http.Request, error) {
			r, err := http.NewRequest(http.MethodGet, s.base+path, nil)
			if err == nil && strings.HasPrefix(path, "/api/") {
				r.Header.Set("Authorization", "Bearer "+token)
			}
			return r, err
		}
	}

	var dbp []int
	if dialect == models.DialectMySQL {
		dbp = dbPIDs()
	}
	fmt.Println("(CPU columns: % of one core during the run. db: the local mariadbd/mysqld; rest: everything else —\n" +
		" kernel softirq time of the loopback network, and other people's work on a shared machine)")
	fmt.Printf("%-34s %9s %10s %9s %9s %9s %7s %7s %7s %7s %7s\n", "run", "requests", "rate/s", "p50 ms", "p99 ms", "max ms",
		"errors", "server", "client", "db", "rest")
	var results = map[string]result{}
	runs := []struct {
		name, label string
		clients     int
		limit       int64
		dur         time.Duration
		req         func() (*http.Request, error)
	}{
		{"healthz", fmt.Sprintf("GET /healthz   C=%d %s", b.o.clients, b.o.duration), b.o.clients, b.o.maxRequests, b.o.duration, get("/healthz")},
		{"me", fmt.Sprintf("GET /api/v1/me C=%d %s", b.o.clients, b.o.duration), b.o.clients, b.o.maxRequests, b.o.duration, get("/api/v1/me")},
		{"login", fmt.Sprintf("POST login     C=%d n=%d", b.o.loginClients, b.o.logins), b.o.loginClients, b.o.logins, b.o.loginLimit, loginReq},
	}
	for _, r := range runs {
		b.waitQuiet()
		if r.name != "login" && b.o.warmup > 0 {
			hammer(r.clients, r.limit, b.o.warmup, r.req)
		}
		srv0, self0, db0, all0 := cpuTime(pid), cpuTime(os.Getpid()), cpuTimes(dbp), busyCPU()
		res := hammer(r.clients, r.limit, r.dur, r.req)
		srv, self, db, all := cpuTime(pid)-srv0, cpuTime(os.Getpid())-self0, cpuTimes(dbp)-db0, busyCPU()-all0
		results[r.name] = res
		pc := func(d time.Duration) string { return fmt.Sprintf("%.0f%%", 100*d.Seconds()/res.elapsed.Seconds()) }
		dbs := "-"
		if dbp != nil {
			dbs = pc(db)
		}
		fmt.Printf("%-34s %9d %10.1f %9.2f %9.2f %9.2f %7d %7s %7s %7s %7s\n", r.label, res.ok, res.rate(),
			ms(res.pct(50)), ms(res.pct(99)), ms(res.pct(100)), res.errs, pc(srv), pc(self), dbs, pc(max(all-srv-self-db, 0)))
		if res.firstErr != "" {
			fmt.Printf("  first error: %s\n", res.firstErr)
		}
	}
	if h := results["healthz"].rate(); h > 0 {
		fmt.Printf("ratio /me ÷ /healthz: %.3f (/healthz is %.1f× /me)\n", results["me"].rate()/h, h/results["me"].rate())
	}
	rss, hwm := procStatus(pid)
	fmt.Printf("load average now: %s\n", loadavg())
	fmt.Printf("VmRSS after the runs: %.1f MiB, peak VmHWM: %.1f MiB\n", mib(rss), mib(hwm))
	return nil
}

func loginOnce(req func() (*http.Request, error)) (string, error) {
	r, err := req()
	if err != nil {
		return "", err
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: nil}}).Do(r)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var s struct {
		AccessToken string `json:"access_token"`
	}
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &s) != nil || s.AccessToken == "" {
		return "", fmt.Errorf("login: status %d: %s", resp.StatusCode, raw)
	}
	return s.AccessToken, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

type result struct {
	ok, errs int64
	elapsed  time.Duration
	lat      []time.Duration // sorted, successful requests only
	firstErr string
}

func (r result) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.ok) / r.elapsed.Seconds()
}

func (r result) pct(p int) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := (len(r.lat)*p + 99) / 100
	return r.lat[min(max(i-1, 0), len(r.lat)-1)]
}

// hammer runs clients workers on one keep-alive transport until limit requests have been sent
// or dur has passed, whichever comes first. A request counts as OK on status 200.
func hammer(clients int, limit int64, dur time.Duration, mk func() (*http.Request, error)) result {
	tr := &http.Transport{Proxy: nil, MaxIdleConns: clients, MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients,
		IdleConnTimeout: 30 * time.Second, DisableCompression: true,
		DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	var sent, errs atomic.Int64
	var firstErr atomic.Pointer[string]
	lats := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range clients {
		wg.Go(func() {
			for ctx.Err() == nil && sent.Add(1) <= limit {
				r, err := mk()
				if err != nil {
					errs.Add(1)
					continue
				}
				t0 := time.Now()
				resp, err := client.Do(r.WithContext(ctx))
				if err != nil {
					if ctx.Err() == nil { // not the deadline cutting a request short
						errs.Add(1)
						msg := err.Error()
						firstErr.CompareAndSwap(nil, &msg)
					}
					continue
				}
				_, cerr := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				d := time.Since(t0)
				switch {
				case resp.StatusCode != http.StatusOK:
					errs.Add(1)
					msg := "status " + resp.Status
					firstErr.CompareAndSwap(nil, &msg)
				case cerr != nil:
					if ctx.Err() == nil {
						errs.Add(1)
					}
				default:
					lats[w] = append(lats[w], d)
				}
			}
		})
	}
	wg.Wait()
	res := result{elapsed: time.Since(start), errs: errs.Load()}
	for _, l := range lats {
		res.lat = append(res.lat, l...)
	}
	slices.Sort(res.lat)
	res.ok = int64(len(res.lat))
	if p := firstErr.Load(); p != nil {
		res.firstErr = *p
	}
	return res
}
