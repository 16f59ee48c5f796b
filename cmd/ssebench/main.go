// Command ssebench measures the fan-out of a meeting's event streams on this machine: with N
// Server-Sent Events subscribers on one meeting — members' streams (GET
// /api/v1/meetings/:id/stream), the wall's streams (GET /api/v1/display/:token/stream), or a mix
// of both — the time from a committed change to its arrival at every subscriber, the events
// missed, the 5xx answers, the server's memory per subscriber measured from outside the process,
// and its CPU use while the streams are open and idle. Each figure is printed next to its floor
// (a change at the last subscriber within 1 s p99, at most 20 KB of server RSS per subscriber,
// nothing missed, no 5xx) with PASS or MISS. Run it from the repository:
//
//	go run ./cmd/ssebench                                                  # SQLite: member, wall, mix
//	go run ./cmd/ssebench -streams wall -n 2000                            # one kind, fewer streams
//	go run ./cmd/ssebench -mysql 'root@tcp(127.0.0.1:3306)/test'           # a new MariaDB/MySQL database
//	go run ./cmd/ssebench -mysql 'root@tcp(127.0.0.1:3306)/test' -instances 2
//
// It builds ./server into a temporary folder, loads the demo data (`seed demo`) into a temporary
// --data-dir (or a new MySQL database, dropped afterwards) and goes through the API as the demo
// facilitator once: a cycle for the next free month of 安友花园, a topic, the topic selected, card
// collection, a meeting, its projector on the card wall (so that the wall's stream carries new
// cards too). Then, for each kind of stream asked for (-streams), it runs `serve` afresh as child
// processes on free 127.0.0.1 ports (with -instances 2, two servers on the one database and data
// folder, so they share the JWT secret), opens N streams spread over the instances in turn — a
// member's with a demo resident's token, a wall's with the meeting's display token; in the mix,
// every other one — reads each server's VmRSS before and after, its CPU over an idle spell, and
// has the resident submit K cards through the first instance: each card's latency is from the 201
// answer (the commit) to the arrival of its card.created event at each subscriber. The second
// instance hears of the cards only by polling the event log. Everything is bounded by -timeout and
// goes to those loopback servers only; the servers are stopped with SIGTERM and the temporary
// folder and database are removed at the end.
//
// Memory is the server processes' own: the clients run in this process, and each server's figures
// come from its /proc/PID/status (VmRSS) and its /metrics (Go heap and stacks); socket buffers
// are the kernel's and in no process's RSS. The client shares the machine (and its cores) with
// the servers, so the latencies include the scheduling of this process's N reader goroutines; its
// own CPU use is printed next to them.
//
// Each stream is one goroutine with a 1 KB read buffer on a plain TCP connection, so the client
// stays small next to the servers. Open files: this process raises its soft RLIMIT_NOFILE to the
// hard limit (the servers, which inherit it, raise theirs the same way: Go does it at start since
// 1.19) and prints both. Ports: N connections to one server address take N of the loopback's
// ephemeral ports (net.ipv4.ip_local_port_range), and each kind runs against a new server port,
// so the TIME_WAIT of the kind before does not count against the next.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/yueyuetan/yueyuetan/internal/benchkit"
	"github.com/yueyuetan/yueyuetan/models"
)

type options struct {
	n           int
	k           int
	streams     string
	instances   int
	gap         time.Duration
	idle        time.Duration
	settle      time.Duration
	settleMax   time.Duration
	warm        int
	hold        time.Duration
	drain       time.Duration
	dial        int
	timeout     time.Duration
	mysqlDSN    string
	facilitator string
	resident    string
	password    string
	keep        bool
}

// The floors of issue 9, printed next to the figures.
const (
	floorLatency = time.Second // p99 of a change's arrival at the last subscriber
	floorPerSub  = 20 << 10    // server RSS per subscriber, bytes
)

// Kinds of stream.
const (
	kindMember = "member"
	kindWall   = "wall"
	kindMix    = "mix"
)

func main() {
	var o options
	flag.IntVar(&o.n, "n", 10000, "SSE subscribers on the meeting for each kind, spread over the instances")
	flag.IntVar(&o.k, "k", 20, "changes (cards submitted by the resident) timed at every subscriber")
	flag.StringVar(&o.streams, "streams", "all", "kinds of stream, each run on fresh servers: member, wall, mix (half each) or all, comma-separated")
	flag.IntVar(&o.instances, "instances", 1, "server processes on the one database (2 needs -mysql); the changes go through the first")
	flag.DurationVar(&o.gap, "gap", 500*time.Millisecond, "spacing of the changes")
	flag.DurationVar(&o.idle, "idle", 10*time.Second, "idle spell with all streams open over which the servers' CPU is read (heartbeats are every 15 s)")
	flag.DurationVar(&o.settle, "settle", 2*time.Second, "wait after the last stream connected before reading the servers' RSS")
	flag.DurationVar(&o.settleMax, "settle-max", 45*time.Second, "longest wait for a server's RSS to settle (no change over 1 MiB in 3 s) before each reading")
	flag.IntVar(&o.warm, "warm", 100, "streams opened first, after which the RSS baseline of the per-subscriber figure is read (at most N/2)")
	flag.DurationVar(&o.hold, "hold", 0, "after the changes, keep the streams open and idle this long and read the memory again (130s covers the runtime's 2-minute periodic GC; raise -timeout)")
	flag.DurationVar(&o.drain, "drain", 10*time.Second, "how long after the last change to wait for events still on their way")
	flag.IntVar(&o.dial, "dial", 100, "streams being opened at once (each until its `connected` event)")
	flag.DurationVar(&o.timeout, "timeout", 12*time.Minute, "bound on the whole run after the build")
	flag.StringVar(&o.mysqlDSN, "mysql", "", "run on MySQL/MariaDB instead of SQLite: user:pass@tcp(127.0.0.1:3306)/db; a new database is made and dropped")
	flag.StringVar(&o.facilitator, "facilitator", "13900000002", "demo facilitator who sets up the cycle and the meeting")
	flag.StringVar(&o.resident, "resident", "13900000101", "demo resident (verified) who holds the member streams and submits the cards")
	flag.StringVar(&o.password, "password", "yueyuetan-demo", "the demo password")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary folder (binary, data, server logs)")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "ssebench:", err)
		os.Exit(1)
	}
}

// parseKinds reads -streams.
func parseKinds(s string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, k := range strings.Split(s, ",") {
		k = strings.TrimSpace(k)
		var add []string
		switch k {
		case "all":
			add = []string{kindMember, kindWall, kindMix}
		case kindMember, kindWall, kindMix:
			add = []string{k}
		default:
			return nil, fmt.Errorf("-streams: unknown kind %q (member, wall, mix or all)", k)
		}
		for _, a := range add {
			if !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	return out, nil
}

func run(o options) error {
	if o.n < 1 || o.k < 1 || o.dial < 1 || o.gap <= 0 || o.timeout <= 0 {
		return errors.New("-n, -k and -dial must be at least 1, -gap and -timeout positive")
	}
	if o.instances < 1 || o.instances > 1 && o.mysqlDSN == "" {
		return errors.New("-instances must be at least 1, and several instances need -mysql (one SQLite file is one server's)")
	}
	kinds, err := parseKinds(o.streams)
	if err != nil {
		return err
	}
	nofile, err := raiseNoFile(uint64(o.n) + 1024)
	if err != nil {
		return err
	}
	root, tmp, cleanup, err := benchkit.Workspace("ssebench", o.keep)
	if err != nil {
		return err
	}
	defer cleanup()
	bin := filepath.Join(tmp, "yueyuetan")
	if _, err := benchkit.BuildServer(root, bin, ""); err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()

	dialect := models.DialectSQLite
	if o.mysqlDSN != "" {
		dialect = models.DialectMySQL
	}
	t, err := benchkit.NewTarget(filepath.Join(tmp, "data"), dialect, o.mysqlDSN, "yyt_ssebench_")
	if err != nil {
		return err
	}
	defer t.Drop()
	if err := benchkit.RunCLI(ctx, bin, t, "seed", "demo"); err != nil {
		return err
	}
	var fx *fixture
	var done []*scenario
	for _, kind := range kinds {
		sc := &scenario{o: o, kind: kind, dialect: dialect, nofile: nofile}
		err := runScenario(ctx, bin, tmp, t, sc, &fx)
		done = append(done, sc)
		if err != nil && ctx.Err() != nil {
			err = fmt.Errorf("%w (stopped by -timeout %s or a signal)", err, o.timeout)
		}
		if err != nil {
			printSummary(done)
			return fmt.Errorf("%s streams: %w", kind, err)
		}
	}
	printSummary(done)
	return nil
}

// runScenario starts the servers afresh, measures one kind of stream on them, prints the
// scenario's report and stops them. The meeting is set up on the first run and kept in fx.
func runScenario(ctx context.Context, bin, tmp string, t *benchkit.Target, sc *scenario, fx **fixture) error {
	// One after the other: the first writes the JWT secret into the shared data folder, the
	// others read it, so a token from one is good on all.
	for i := range sc.o.instances {
		s, _, err := benchkit.Start(ctx, bin, filepath.Join(tmp, fmt.Sprintf("%s-server%d.log", sc.kind, i+1)), t, 5*time.Millisecond)
		if err != nil {
			return err
		}
		defer s.Stop()
		sc.inst = append(sc.inst, &instance{idx: i + 1, s: s, pid: s.Cmd.Process.Pid,
			api: benchkit.NewAPI(s.Base, 30*time.Second)})
	}
	err := bench(ctx, sc, fx)
	sc.print()
	for _, in := range sc.inst {
		if w := serverWarnings(in.s.Log); w != "" {
			fmt.Printf("\nserver %d log warnings/errors (last lines):\n%s", in.idx, w)
		}
	}
	return err
}

// ---- machine

// raiseNoFile lifts this process's soft limit of open files to its hard limit (the servers it
// starts inherit it) and fails when that is below want.
func raiseNoFile(want uint64) (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			return 0, fmt.Errorf("raise RLIMIT_NOFILE: %w", err)
		}
	}
	if lim.Cur < want {
		return lim.Cur, fmt.Errorf("RLIMIT_NOFILE is %d (hard limit %d): too low for -n; raise the hard limit", lim.Cur, lim.Max)
	}
	return lim.Cur, nil
}

// procNoFile is a process's soft limit of open files, from /proc/PID/limits ("?" when unread).
func procNoFile(pid int) string {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", pid))
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "Max open files"); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				return f[0]
			}
		}
	}
	return "?"
}

func readTrim(path string) string {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(raw))
}
