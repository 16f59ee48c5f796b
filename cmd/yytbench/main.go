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
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yueyuetan/yueyuetan/internal/benchkit"
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
	root, tmp, cleanup, err := benchkit.Workspace("yytbench", o.keep)
	if err != nil {
		return err
	}
	defer cleanup()
	printMachine()

	stripped := filepath.Join(tmp, "yueyuetan")
	fmt.Printf("\n== build (%s)\n", root)
	d, err := benchkit.BuildServer(root, stripped, o.tags, "-trimpath", "-ldflags=-s -w")
	if err != nil {
		return err
	}
	fmt.Printf("built %s in %s\n", "go build -trimpath -ldflags='-s -w' ./server", d.Round(time.Millisecond))
	if phases["size"] {
		full := filepath.Join(tmp, "yueyuetan-full")
		if _, err := benchkit.BuildServer(root, full, o.tags, "-trimpath"); err != nil {
			return err
		}
		fmt.Printf("\n== binary size (tags %q)\n", o.tags)
		for _, b := range []struct{ what, path string }{
			{"-trimpath -ldflags='-s -w'", stripped}, {"-trimpath", full}} {
			st, err := os.Stat(b.path)
			if err != nil {
				return err
			}
			fmt.Printf("%-28s %7.2f MiB  (%d bytes)\n", b.what, benchkit.MiB(st.Size()), st.Size())
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
	fmt.Printf("\nload average at the end: %s\n", benchkit.LoadAvg())
	return nil
}

// ---- machine and build

func printMachine() {
	fmt.Println("== machine")
	fmt.Printf("nproc %d, GOMAXPROCS %d, %s %s/%s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Printf("cpu   %s\n", benchkit.CPUModel())
	fmt.Printf("mem   %s\n", benchkit.MemTotal())
	fmt.Printf("load average at the start: %s\n", benchkit.LoadAvg())
}

// ---- server processes

type bench struct {
	o   options
	bin string
	tmp string
	seq int
}

// newTarget makes a fresh data folder and, for MySQL, a new empty database.
func (b *bench) newTarget(dialect string) (*benchkit.Target, error) {
	b.seq++
	dir := filepath.Join(b.tmp, fmt.Sprintf("%s-%02d", dialect, b.seq))
	return benchkit.NewTarget(dir, dialect, b.o.mysqlDSN, "yyt_bench_")
}

// runCLI runs a maintenance command of the binary against the target (not timed).
func (b *bench) runCLI(t *benchkit.Target, args ...string) error {
	return benchkit.RunCLI(context.Background(), b.bin, t, args...)
}

// start runs `serve` on a free loopback port and returns once /readyz answers 200, with the
// time from process start to that answer. It polls every 2 ms because that start is timed.
func (b *bench) start(t *benchkit.Target) (*benchkit.Server, time.Duration, error) {
	b.seq++
	logPath := filepath.Join(b.tmp, fmt.Sprintf("server-%02d.log", b.seq))
	return benchkit.Start(context.Background(), b.bin, logPath, t, 2*time.Millisecond)
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
		d += benchkit.CPUTime(p)
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
			rss, _ := benchkit.ProcStatus(s.Cmd.Process.Pid)
			s.Stop()
			*times = append(*times, float64(d)/float64(time.Millisecond))
			*rsss = append(*rsss, benchkit.MiB(rss))
			return nil
		}
		err = measure(&fresh, &freshRSS)
		if err == nil {
			err = measure(&again, &againRSS)
		}
		t.Drop()
		if err != nil {
			return err
		}
	}
	fmt.Printf("%-44s %9s %9s %9s   (load average now %s)\n", "", "median", "min", "max", benchkit.LoadAvg())
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
	defer t.Drop()
	if err := b.runCLI(t, "seed", "demo"); err != nil {
		return err
	}
	s, _, err := b.start(t)
	if err != nil {
		return err
	}
	defer s.Stop()
	pid := s.Cmd.Process.Pid
	rss, _ := benchkit.ProcStatus(pid)
	fmt.Printf("idle VmRSS after start: %.1f MiB\n", benchkit.MiB(rss))

	loginBody, _ := json.Marshal(map[string]string{"phone": b.o.phone, "password": b.o.password})
	loginReq := func() (*http.Request, error) {
		r, err := http.NewRequest(http.MethodPost, s.Base+"/api/v1/auth/login", bytes.NewReader(loginBody))
		if err == nil {
			r.Header.Set("Content-Type", "application/json")
		}
		return r, err
	}
	api := benchkit.NewAPI(s.Base, 10*time.Second)
	token, err := api.Login(context.Background(), b.o.phone, b.o.password)
	if err != nil {
		return err
	}
	get := func(path string) func() (*http.Request, error) {
		return func() (*http.Request, error) {
			r, err := http.NewRequest(http.MethodGet, s.Base+path, nil)
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
		srv0, self0, db0, all0 := benchkit.CPUTime(pid), benchkit.CPUTime(os.Getpid()), cpuTimes(dbp), busyCPU()
		res := hammer(r.clients, r.limit, r.dur, r.req)
		srv, self, db, all := benchkit.CPUTime(pid)-srv0, benchkit.CPUTime(os.Getpid())-self0, cpuTimes(dbp)-db0, busyCPU()-all0
		results[r.name] = res
		pc := func(d time.Duration) string { return fmt.Sprintf("%.0f%%", 100*d.Seconds()/res.elapsed.Seconds()) }
		dbs := "-"
		if dbp != nil {
			dbs = pc(db)
		}
		fmt.Printf("%-34s %9d %10.1f %9.2f %9.2f %9.2f %7d %7s %7s %7s %7s\n", r.label, res.ok, res.rate(),
			benchkit.MS(res.pct(50)), benchkit.MS(res.pct(99)), benchkit.MS(res.pct(100)), res.errs, pc(srv), pc(self), dbs, pc(max(all-srv-self-db, 0)))
		if res.firstErr != "" {
			fmt.Printf("  first error: %s\n", res.firstErr)
		}
	}
	if h := results["healthz"].rate(); h > 0 {
		fmt.Printf("ratio /me ÷ /healthz: %.3f (/healthz is %.1f× /me)\n", results["me"].rate()/h, h/results["me"].rate())
	}
	rss, hwm := benchkit.ProcStatus(pid)
	fmt.Printf("load average now: %s\n", benchkit.LoadAvg())
	fmt.Printf("VmRSS after the runs: %.1f MiB, peak VmHWM: %.1f MiB\n", benchkit.MiB(rss), benchkit.MiB(hwm))
	return nil
}

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

func (r result) pct(p int) time.Duration { return benchkit.Percentile(r.lat, p) }

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
