// Command ssebench measures the fan-out of the meeting stream on this machine: with N Server-Sent
// Events subscribers on one meeting (GET /api/v1/meetings/:id/stream), the time from a committed
// change to its arrival at every subscriber, the server's memory per subscriber and its CPU use
// while the streams are open and idle. Run it from the repository:
//
//	go run ./cmd/ssebench                                                  # SQLite
//	go run ./cmd/ssebench -mysql 'root@tcp(127.0.0.1:3306)/test'           # a new MariaDB/MySQL database
//	go run ./cmd/ssebench -mysql 'root@tcp(127.0.0.1:3306)/test' -instances 2
//
// It builds ./server into a temporary folder, loads the demo data (`seed demo`) into a temporary
// --data-dir (or a new MySQL database, dropped afterwards), runs `serve` as child processes on
// free 127.0.0.1 ports (with -instances 2, two servers on the one database and data folder, so
// they share the JWT secret), and goes through the API of the first as the demo facilitator: a
// cycle for the next free month of 安友花园, a topic, the topic selected, card collection, a
// meeting. Then it opens N streams with a demo resident's token, spread over the instances in
// turn, reads each server's VmRSS before and after, its CPU over an idle spell, and has the
// resident submit K cards through the first instance: each card's latency is from the 201 answer
// (the commit) to the arrival of its card.created event at each subscriber. The second instance
// hears of the cards only by polling the event log. Everything is bounded by -timeout and goes to
// those loopback servers only; the servers are stopped with SIGTERM and the temporary folder and
// database are removed at the end.
//
// Memory is the server processes' own: the clients run in this process, and each server's
// figures come from its /proc/PID/status (VmRSS) and its /metrics (Go heap and stacks). The
// client shares the machine (and its cores) with the servers, so the latencies include the
// scheduling of this process's N reader goroutines; its own CPU use is printed next to them.
package main

import (
	"bufio"
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
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/yueyuetan/yueyuetan/internal/benchkit"
	"github.com/yueyuetan/yueyuetan/models"
)

type options struct {
	n           int
	k           int
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

func main() {
	var o options
	flag.IntVar(&o.n, "n", 2000, "SSE subscribers on the meeting, spread over the instances")
	flag.IntVar(&o.k, "k", 20, "changes (cards submitted by the resident) timed at every subscriber")
	flag.IntVar(&o.instances, "instances", 1, "server processes on the one database (2 needs -mysql); the changes go through the first")
	flag.DurationVar(&o.gap, "gap", 500*time.Millisecond, "spacing of the changes")
	flag.DurationVar(&o.idle, "idle", 10*time.Second, "idle spell with all streams open over which the servers' CPU is read (heartbeats are every 15 s)")
	flag.DurationVar(&o.settle, "settle", 2*time.Second, "wait after the last stream connected before reading the servers' RSS")
	flag.DurationVar(&o.settleMax, "settle-max", 45*time.Second, "longest wait for a server's RSS to settle (no change over 1 MiB in 3 s) before each reading")
	flag.IntVar(&o.warm, "warm", 100, "streams opened first, after which the RSS baseline of the per-subscriber figure is read (at most N/2)")
	flag.DurationVar(&o.hold, "hold", 0, "after the changes, keep the streams open and idle this long and read the memory again (130s covers the runtime's 2-minute periodic GC; raise -timeout)")
	flag.DurationVar(&o.drain, "drain", 10*time.Second, "how long after the last change to wait for events still on their way")
	flag.IntVar(&o.dial, "dial", 100, "streams being opened at once (each until its `connected` event)")
	flag.DurationVar(&o.timeout, "timeout", 3*time.Minute, "bound on the whole run after the build")
	flag.StringVar(&o.mysqlDSN, "mysql", "", "run on MySQL/MariaDB instead of SQLite: user:pass@tcp(127.0.0.1:3306)/db; a new database is made and dropped")
	flag.StringVar(&o.facilitator, "facilitator", "13900000002", "demo facilitator who sets up the cycle and the meeting")
	flag.StringVar(&o.resident, "resident", "13900000101", "demo resident (verified) who holds the streams and submits the cards")
	flag.StringVar(&o.password, "password", "yueyuetan-demo", "the demo password")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary folder (binary, data, server logs)")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "ssebench:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	if o.n < 1 || o.k < 1 || o.dial < 1 || o.gap <= 0 || o.timeout <= 0 {
		return errors.New("-n, -k and -dial must be at least 1, -gap and -timeout positive")
	}
	if o.instances < 1 || o.instances > 1 && o.mysqlDSN == "" {
		return errors.New("-instances must be at least 1, and several instances need -mysql (one SQLite file is one server's)")
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
	r := &report{o: o, dialect: dialect, nofile: nofile}
	// One after the other: the first writes the JWT secret into the shared data folder, the
	// others read it, so a token from one is good on all.
	for i := range o.instances {
		s, _, err := benchkit.Start(ctx, bin, filepath.Join(tmp, fmt.Sprintf("server%d.log", i+1)), t, 5*time.Millisecond)
		if err != nil {
			return err
		}
		defer s.Stop()
		r.inst = append(r.inst, &instance{idx: i + 1, s: s, pid: s.Cmd.Process.Pid,
			api: benchkit.NewAPI(s.Base, 30*time.Second)})
	}

	err = bench(ctx, o, r)
	r.print()
	for _, in := range r.inst {
		if w := serverWarnings(in.s.Log); w != "" {
			fmt.Printf("\nserver %d log warnings/errors (last lines):\n%s", in.idx, w)
		}
	}
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("%w (stopped by -timeout %s or a signal)", err, o.timeout)
	}
	return err
}

// ---- the measurement

// instance is one server process and what was measured of it.
type instance struct {
	idx int
	s   *benchkit.Server
	pid int
	api *benchkit.API

	opened, warmOpened        int
	rssBefore, rssWarm        int64
	rssAfter, rssHeld, hwm    int64
	settleBefore, settleAfter time.Duration
	metBefore, metWarm        map[string]float64
	metAfter, metHeld         map[string]float64
	idleCPU, changeCPU        time.Duration
	fromCommit                []time.Duration // arrival − 201 at its subscribers, negatives kept
	allArrived                []time.Duration // per change: last arrival at its subscribers − 201
	missed, ended             int
}

type report struct {
	o       options
	dialect string
	nofile  uint64
	inst    []*instance

	meetingID, cycleID uint64
	setup              time.Duration
	opened, failedOpen int
	firstOpenErr       string
	openAll            time.Duration
	connectLat         []time.Duration
	idleSelf, idleWall time.Duration
	pings              int64
	changes            int
	fromCommit         []time.Duration // arrival − 201, negatives kept (arrived before the answer)
	fromSend           []time.Duration // arrival − request sent
	allArrived         []time.Duration // per change: last arrival − 201
	postLat            []time.Duration
	missed             int
	missedWho          []string
	ended              int
	firstEnd           string
	selfCPU            time.Duration
	changeWall         time.Duration
	held               time.Duration
}

func bench(ctx context.Context, o options, r *report) error {
	t0 := time.Now()
	first := r.inst[0]
	api := first.api
	fac, err := api.Login(ctx, o.facilitator, o.password)
	if err != nil {
		return err
	}
	res, err := api.Login(ctx, o.resident, o.password)
	if err != nil {
		return err
	}
	cycleID, meetingID, err := setupMeeting(ctx, api, fac)
	if err != nil {
		return err
	}
	r.cycleID, r.meetingID, r.setup = cycleID, meetingID, time.Since(t0)
	// The logins' password hashing leaves freed heap that the Go runtime returns to the OS only
	// gradually: wait for the RSS to settle, so the baseline is not inflated by it.
	for _, in := range r.inst {
		if in.rssBefore, in.settleBefore, err = settledRSS(ctx, in.pid, o.settleMax); err != nil {
			return err
		}
		in.metBefore = scrape(ctx, in.api)
	}

	// Open the streams, o.dial at a time, each until its `connected` event; stream i goes to
	// instance i mod the number of instances.
	tr := &http.Transport{Proxy: nil, MaxConnsPerHost: 0, MaxIdleConns: o.n + 16, MaxIdleConnsPerHost: o.n + 16,
		DisableCompression: true, ResponseHeaderTimeout: 30 * time.Second,
		DialContext: (&net.Dialer{Timeout: 10 * time.Second}).DialContext}
	defer tr.CloseIdleConnections()
	sctx, scancel := context.WithCancel(ctx)
	defer scancel()
	hc := &http.Client{Transport: tr}
	subs := make([]*stream, o.n)
	var wg sync.WaitGroup
	defer func() { scancel(); wg.Wait() }()
	var pings, cardEvents atomic.Int64
	sem := make(chan struct{}, o.dial)
	var openMu sync.Mutex
	var openWG sync.WaitGroup
	open := func(from, to int) error {
		start := time.Now()
		defer func() { r.openAll += time.Since(start) }()
		for i := from; i < to; i++ {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return ctx.Err()
			}
			in := r.inst[i%len(r.inst)]
			st := &stream{idx: i, in: in, arrivals: map[uint64]time.Time{}, connected: make(chan struct{})}
			subs[i] = st
			openWG.Add(1)
			wg.Go(func() {
				opened := false
				release := func(err error) {
					if opened {
						return
					}
					opened = true
					openMu.Lock()
					if err != nil {
						r.failedOpen++
						if r.firstOpenErr == "" {
							r.firstOpenErr = err.Error()
						}
					} else {
						r.opened++
						in.opened++
						r.connectLat = append(r.connectLat, st.connectedAt.Sub(st.openAt))
					}
					openMu.Unlock()
					<-sem
					openWG.Done()
				}
				err := st.run(sctx, hc, in.s.Base, meetingID, res, &pings, &cardEvents, func() { release(nil) })
				if err != nil {
					release(err)
				} else {
					release(errors.New("stream ended before `connected`"))
				}
			})
		}
		openWG.Wait()
		return nil
	}
	// A first batch of W streams, then the RSS again as the baseline of the per-subscriber
	// figure: opening streams allocates, which runs the garbage collector that the idle server
	// had not run since the logins, so the RSS before any stream holds their dead hash memory.
	warm := min(o.warm, o.n/2)
	if warm > 0 {
		if err := open(0, warm); err != nil {
			return err
		}
		if !sleepCtx(ctx, o.settle) {
			return ctx.Err()
		}
		for _, in := range r.inst {
			if in.rssWarm, _, err = settledRSS(ctx, in.pid, o.settleMax); err != nil {
				return err
			}
			in.warmOpened, in.metWarm = in.opened, scrape(ctx, in.api)
		}
	}
	if err := open(warm, o.n); err != nil {
		return err
	}
	if r.opened == 0 {
		return fmt.Errorf("no stream opened: %s", r.firstOpenErr)
	}

	// Idle: memory once settled, then CPU over the idle spell.
	if !sleepCtx(ctx, o.settle) {
		return ctx.Err()
	}
	for _, in := range r.inst {
		if in.rssAfter, in.settleAfter, err = settledRSS(ctx, in.pid, o.settleMax); err != nil {
			return err
		}
		in.metAfter = scrape(ctx, in.api)
	}
	cpus := func() []time.Duration {
		var out []time.Duration
		for _, in := range r.inst {
			out = append(out, benchkit.CPUTime(in.pid))
		}
		return out
	}
	p0, self0, ping0, w0 := cpus(), benchkit.CPUTime(os.Getpid()), pings.Load(), time.Now()
	if !sleepCtx(ctx, o.idle) {
		return ctx.Err()
	}
	for i, c := range cpus() {
		r.inst[i].idleCPU = c - p0[i]
	}
	r.idleSelf, r.idleWall = benchkit.CPUTime(os.Getpid())-self0, time.Since(w0)
	r.pings = pings.Load() - ping0

	// Changes: K cards by the resident through the first instance, o.gap apart.
	type change struct {
		id         uint64
		sent, done time.Time
	}
	var changes []change
	p0, self0, w0 = cpus(), benchkit.CPUTime(os.Getpid()), time.Now()
	next := time.Now()
	for k := range o.k {
		if !sleepCtx(ctx, time.Until(next)) {
			return ctx.Err()
		}
		next = next.Add(o.gap)
		sent := time.Now()
		var card struct {
			ID uint64 `json:"id"`
		}
		if err := api.Do(ctx, http.MethodPost, fmt.Sprintf("/api/v1/cycles/%d/cards", cycleID), res,
			map[string]any{"body": fmt.Sprintf("ssebench 第%d张卡片：楼道灯坏了，晚上看不清台阶。", k+1)}, http.StatusCreated, &card); err != nil {
			return fmt.Errorf("card %d: %w", k+1, err)
		}
		changes = append(changes, change{id: card.ID, sent: sent, done: time.Now()})
		r.postLat = append(r.postLat, time.Since(sent))
	}
	r.changes = len(changes)
	want := int64(r.opened * len(changes))
	deadline := time.Now().Add(o.drain)
	for cardEvents.Load() < want && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(5 * time.Millisecond)
	}
	for i, c := range cpus() {
		r.inst[i].changeCPU = c - p0[i]
	}
	r.selfCPU, r.changeWall = benchkit.CPUTime(os.Getpid())-self0, time.Since(w0)
	for _, in := range r.inst {
		_, in.hwm = benchkit.ProcStatus(in.pid)
	}

	for _, c := range changes {
		var last time.Duration
		lastOf := make([]time.Duration, len(r.inst))
		for _, st := range subs {
			if st == nil || !st.wasConnected() {
				continue
			}
			at, ok := st.arrival(c.id)
			if !ok {
				r.missed++
				st.in.missed++
				if len(r.missedWho) < 5 {
					r.missedWho = append(r.missedWho, fmt.Sprintf("stream %d (instance %d) card %d", st.idx, st.in.idx, c.id))
				}
				continue
			}
			d := at.Sub(c.done)
			r.fromCommit = append(r.fromCommit, d)
			st.in.fromCommit = append(st.in.fromCommit, d)
			r.fromSend = append(r.fromSend, at.Sub(c.sent))
			last = max(last, d)
			lastOf[st.in.idx-1] = max(lastOf[st.in.idx-1], d)
		}
		r.allArrived = append(r.allArrived, last)
		for i, in := range r.inst {
			in.allArrived = append(in.allArrived, lastOf[i])
		}
	}
	if o.hold > 0 {
		// Optional: stay idle long enough for the runtime's periodic GC (every 2 min when no
		// other runs), then read the memory again.
		h0 := time.Now()
		if !sleepCtx(ctx, o.hold) {
			return ctx.Err()
		}
		r.held = time.Since(h0)
		for _, in := range r.inst {
			in.rssHeld, _ = benchkit.ProcStatus(in.pid)
			in.metHeld = scrape(ctx, in.api)
		}
	}
	for _, st := range subs {
		if st == nil {
			continue
		}
		if end, ok := st.endedEarly(); ok {
			r.ended++
			st.in.ended++
			if r.firstEnd == "" {
				r.firstEnd = end
			}
		}
	}
	return nil
}

// stream is one subscriber.
type stream struct {
	idx         int
	in          *instance
	openAt      time.Time
	connectedAt time.Time
	connected   chan struct{}

	mu       sync.Mutex
	arrivals map[uint64]time.Time // card id → arrival of its card.created
	endErr   string
	endAt    time.Time
}

func (st *stream) wasConnected() bool {
	select {
	case <-st.connected:
		return true
	default:
		return false
	}
}

func (st *stream) arrival(id uint64) (time.Time, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	t, ok := st.arrivals[id]
	return t, ok
}

func (st *stream) endedEarly() (string, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.endErr == "" {
		return "", false
	}
	return fmt.Sprintf("stream %d after %s: %s", st.idx, st.endAt.Sub(st.connectedAt).Round(time.Millisecond), st.endErr), true
}

// run reads the stream until ctx ends. It calls onConnected after the `connected` event and
// returns nil once connected (however the stream ends later; an end before ctx is recorded).
func (st *stream) run(ctx context.Context, hc *http.Client, base string, meetingID uint64, token string,
	pings, cardEvents *atomic.Int64, onConnected func()) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/api/v1/meetings/%d/stream", base, meetingID), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "text/event-stream")
	st.openAt = time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 500))
		return fmt.Errorf("status %d: %s", resp.StatusCode, raw)
	}
	br := bufio.NewReaderSize(resp.Body, 1024)
	var event string
	var data, long []byte
	for {
		line, err := br.ReadSlice('\n')
		now := time.Now()
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long, line...)
			continue
		}
		if err != nil {
			if st.wasConnected() {
				if ctx.Err() == nil {
					st.mu.Lock()
					st.endErr, st.endAt = err.Error(), now
					st.mu.Unlock()
				}
				return nil
			}
			return err
		}
		if long != nil {
			line = append(long, line...)
			long = nil
		}
		line = bytes.TrimRight(line, "\r\n")
		switch {
		case len(line) == 0: // end of an event
			switch event {
			case "connected":
				if !st.wasConnected() {
					st.connectedAt = now
					close(st.connected)
					onConnected()
				}
			case "card.created":
				var ev struct {
					SubjectID uint64 `json:"subject_id"`
				}
				if json.Unmarshal(data, &ev) == nil {
					st.mu.Lock()
					if _, dup := st.arrivals[ev.SubjectID]; !dup {
						st.arrivals[ev.SubjectID] = now
						cardEvents.Add(1)
					}
					st.mu.Unlock()
				}
			}
			event, data = "", data[:0]
		case bytes.HasPrefix(line, []byte(":")):
			pings.Add(1)
		case bytes.HasPrefix(line, []byte("event:")):
			event = string(bytes.TrimSpace(line[len("event:"):]))
		case bytes.HasPrefix(line, []byte("data:")):
			data = append(data, bytes.TrimSpace(line[len("data:"):])...)
		}
	}
}

// setupMeeting makes, as the facilitator, a cycle for the next free month of 安友花园 in
// community 1, takes it to card collection with a selected topic, and schedules a meeting.
func setupMeeting(ctx context.Context, api *benchkit.API, fac string) (cycleID, meetingID uint64, err error) {
	var compounds struct {
		Items []struct {
			ID   uint64 `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	if err := api.Do(ctx, http.MethodGet, "/api/v1/communities/1/compounds", fac, nil, http.StatusOK, &compounds); err != nil {
		return 0, 0, err
	}
	var compoundID uint64
	for _, c := range compounds.Items {
		if c.Name == "安友花园" {
			compoundID = c.ID
		}
	}
	if compoundID == 0 {
		return 0, 0, errors.New("compound 安友花园 not in community 1 (was the demo data loaded?)")
	}
	var cycles struct {
		Items []struct {
			Month      string `json:"month"`
			CompoundID uint64 `json:"compound_id"`
		} `json:"items"`
	}
	if err := api.Do(ctx, http.MethodGet, "/api/v1/communities/1/cycles", fac, nil, http.StatusOK, &cycles); err != nil {
		return 0, 0, err
	}
	taken := map[string]bool{}
	for _, c := range cycles.Items {
		if c.CompoundID == compoundID {
			taken[c.Month] = true
		}
	}
	month := time.Now().AddDate(0, 1, 0)
	month = time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, time.Local)
	for taken[month.Format("2006-01")] {
		month = month.AddDate(0, 1, 0)
	}
	var cy struct {
		ID uint64 `json:"id"`
	}
	if err := api.Do(ctx, http.MethodPost, "/api/v1/communities/1/cycles", fac,
		map[string]any{"month": month.Format("2006-01"), "compound_id": compoundID, "reason": "加装电梯的呼声最高"}, http.StatusCreated, &cy); err != nil {
		return 0, 0, err
	}
	advance := func(to string) error {
		return api.Do(ctx, http.MethodPost, fmt.Sprintf("/api/v1/cycles/%d/advance", cy.ID), fac,
			map[string]any{"to": to}, http.StatusOK, nil)
	}
	if err := advance("topic_collection"); err != nil {
		return 0, 0, err
	}
	var topic struct {
		ID uint64 `json:"id"`
	}
	if err := api.Do(ctx, http.MethodPost, fmt.Sprintf("/api/v1/cycles/%d/topics", cy.ID), fac,
		map[string]any{"title": "楼道照明改造", "description": "ssebench"}, http.StatusCreated, &topic); err != nil {
		return 0, 0, err
	}
	if err := advance("topic_selection"); err != nil {
		return 0, 0, err
	}
	if err := api.Do(ctx, http.MethodPost, fmt.Sprintf("/api/v1/cycles/%d/select-topic", cy.ID), fac,
		map[string]any{"topic_id": topic.ID, "reason": "ssebench"}, http.StatusOK, nil); err != nil {
		return 0, 0, err
	}
	if err := advance("card_collection"); err != nil {
		return 0, 0, err
	}
	var m struct {
		ID uint64 `json:"id"`
	}
	if err := api.Do(ctx, http.MethodPost, fmt.Sprintf("/api/v1/cycles/%d/meetings", cy.ID), fac,
		map[string]any{"title": "楼道照明议事会（ssebench）", "starts_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
			"location": "安友花园活动室"}, http.StatusCreated, &m); err != nil {
		return 0, 0, err
	}
	return cy.ID, m.ID, nil
}

// ---- the report

func (r *report) print() {
	o := r.o
	fmt.Println("\n== ssebench: meeting stream fan-out")
	fmt.Printf("%-30s nproc %d, GOMAXPROCS %d, %s, %s %s/%s\n", "machine", runtime.NumCPU(), runtime.GOMAXPROCS(0),
		benchkit.MemTotal()+" RAM", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Printf("%-30s %s\n", "cpu", benchkit.CPUModel())
	fmt.Printf("%-30s %s; somaxconn %s; RLIMIT_NOFILE %d; load average %s\n", "database / limits", r.dialect,
		readTrim("/proc/sys/net/core/somaxconn"), r.nofile, benchkit.LoadAvg())
	fmt.Printf("%-30s N=%d K=%d instances=%d gap=%s idle=%s dial=%d timeout=%s\n", "settings", o.n, o.k, len(r.inst),
		o.gap, o.idle, o.dial, o.timeout)
	fmt.Printf("%-30s cycle %d, meeting %d (set up in %s)\n", "meeting", r.cycleID, r.meetingID, r.setup.Round(time.Millisecond))
	if r.opened+r.failedOpen == 0 {
		return
	}
	fmt.Printf("%-30s %d of %d in %s; connect p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", "streams opened", r.opened, o.n,
		r.openAll.Round(time.Millisecond), ms(pct(r.connectLat, 50)), ms(pct(r.connectLat, 99)), ms(pct(r.connectLat, 100)))
	if r.failedOpen > 0 {
		fmt.Printf("%-30s %d; first: %s\n", "streams that failed to open", r.failedOpen, r.firstOpenErr)
	}
	multi := len(r.inst) > 1
	label := func(in *instance, what string) string {
		if multi {
			return fmt.Sprintf("[%d] %s", in.idx, what)
		}
		return what
	}
	fmt.Printf("%-30s each server process's own (the clients run in this one): VmRSS from /proc/PID/status,\n", "memory measured as")
	fmt.Printf("%-30s Go heap in use and goroutine stacks from its /metrics; per subscriber = the growth from the\n", "")
	fmt.Printf("%-30s first %d streams to all, over the streams added (socket buffers are the kernel's, not counted)\n", "", o.warm)
	for _, in := range r.inst {
		if in.rssAfter == 0 {
			return
		}
		if multi {
			fmt.Printf("%-30s %s, %d streams\n", fmt.Sprintf("instance %d", in.idx), in.s.Base, in.opened)
		}
		delta := in.rssAfter - in.rssBefore
		fmt.Printf("%-30s %.1f MiB before any stream → %.1f MiB with %d idle streams (%+.1f MiB; naive %.1f KB each)\n",
			label(in, "server VmRSS"), mib(in.rssBefore), mib(in.rssAfter), in.opened, mib(delta), float64(delta)/1024/float64(max(in.opened, 1)))
		if in.warmOpened > 0 && in.opened > in.warmOpened {
			d, n := in.rssAfter-in.rssWarm, in.opened-in.warmOpened
			fmt.Printf("%-30s %.1f MiB with %d → %.1f MiB with %d: %+.1f MiB, %.1f KB per subscriber (target < 30)\n",
				label(in, "memory per subscriber"), mib(in.rssWarm), in.warmOpened, mib(in.rssAfter), in.opened, mib(d), float64(d)/1024/float64(n))
			if in.metWarm != nil && in.metAfter != nil {
				per := func(k string) float64 { return (in.metAfter[k] - in.metWarm[k]) / float64(n) }
				fmt.Printf("%-30s goroutines %.2f, heap in use %.1f KB, stacks %.1f KB (Go runtime, /metrics)\n", "  of which, per subscriber",
					per("go_goroutines"), per("go_memstats_heap_inuse_bytes")/1024, per("go_memstats_stack_inuse_bytes")/1024)
			}
		}
		fmt.Printf("%-30s settled in %s before, %s with all (each after a %s fixed wait)\n", "", in.settleBefore.Round(time.Millisecond),
			in.settleAfter.Round(time.Millisecond), r.o.settle)
	}
	if r.idleWall == 0 {
		return
	}
	for _, in := range r.inst {
		fmt.Printf("%-30s %.1f%% of one core over %s (%s CPU)\n", label(in, "server CPU, idle"),
			100*in.idleCPU.Seconds()/r.idleWall.Seconds(), r.idleWall.Round(time.Millisecond), in.idleCPU)
	}
	fmt.Printf("%-30s %d heartbeats received; client %.1f%% of one core\n", "  idle spell", r.pings,
		100*r.idleSelf.Seconds()/r.idleWall.Seconds())
	if r.changes == 0 {
		return
	}
	var serverCPU []string
	for _, in := range r.inst {
		serverCPU = append(serverCPU, fmt.Sprintf("%.1f%%", 100*in.changeCPU.Seconds()/r.changeWall.Seconds()))
	}
	fmt.Printf("%-30s %d cards through instance 1, POST p50 %.1f ms, max %.1f ms; server CPU %s, client %.1f%% of one core over %s\n",
		"changes", r.changes, ms(pct(r.postLat, 50)), ms(pct(r.postLat, 100)), strings.Join(serverCPU, " + "),
		100*r.selfCPU.Seconds()/r.changeWall.Seconds(), r.changeWall.Round(time.Millisecond))
	before := 0
	for _, d := range r.fromCommit {
		if d < 0 {
			before++
		}
	}
	fmt.Printf("%-30s %d of %d (N×K); %d arrived before the 201 answer reached the client (counted as 0)\n",
		"arrivals", len(r.fromCommit), r.opened*r.changes, before)
	latency := func(title string, v []time.Duration) {
		clamped := make([]time.Duration, len(v))
		for i, d := range v {
			clamped[i] = max(d, 0)
		}
		fmt.Printf("%-30s p50 %7.1f ms   p99 %7.1f ms   max %7.1f ms   (target p99 < 1000 ms)\n", title,
			ms(pct(clamped, 50)), ms(pct(clamped, 99)), ms(pct(clamped, 100)))
	}
	latency("201 → card.created", r.fromCommit)
	if multi {
		for _, in := range r.inst {
			how := "woken after its own commit"
			if in.idx > 1 {
				how = "learns by polling the log"
			}
			latency(fmt.Sprintf("  at instance %d", in.idx), in.fromCommit)
			fmt.Printf("%-30s (%s)\n", "", how)
		}
	}
	fmt.Printf("%-30s p50 %7.1f ms   p99 %7.1f ms   max %7.1f ms\n", "request sent → card.created",
		ms(pct(r.fromSend, 50)), ms(pct(r.fromSend, 99)), ms(pct(r.fromSend, 100)))
	fmt.Printf("%-30s p50 %7.1f ms   max %7.1f ms   (per change, over %d changes)\n", "201 → at every subscriber",
		ms(pct(r.allArrived, 50)), ms(pct(r.allArrived, 100)), len(r.allArrived))
	if multi {
		for _, in := range r.inst {
			fmt.Printf("%-30s p50 %7.1f ms   max %7.1f ms\n", fmt.Sprintf("  at instance %d", in.idx),
				ms(pct(in.allArrived, 50)), ms(pct(in.allArrived, 100)))
		}
	}
	fmt.Printf("%-30s %d", "missed (subscriber × change)", r.missed)
	if multi {
		var per []string
		for _, in := range r.inst {
			per = append(per, fmt.Sprintf("instance %d: %d", in.idx, in.missed))
		}
		fmt.Printf(" (%s)", strings.Join(per, ", "))
	}
	if len(r.missedWho) > 0 {
		fmt.Printf("; e.g. %s", strings.Join(r.missedWho, ", "))
	}
	fmt.Println()
	fmt.Printf("%-30s %d", "streams ended by the server", r.ended)
	if r.firstEnd != "" {
		fmt.Printf("; first: %s", r.firstEnd)
	}
	fmt.Println()
	var hwm []string
	for _, in := range r.inst {
		hwm = append(hwm, fmt.Sprintf("%.1f MiB", mib(in.hwm)))
	}
	fmt.Printf("%-30s %s; load average at the end %s (the machine's, others' work included)\n", "server peak VmHWM",
		strings.Join(hwm, ", "), benchkit.LoadAvg())
	if r.held > 0 {
		for _, in := range r.inst {
			if in.warmOpened == 0 {
				continue
			}
			live := in.opened - in.ended
			fmt.Printf("%-30s after %s idle: VmRSS %.1f MiB, %d streams still open, GCs %.0f → %.0f; %.1f KB per subscriber vs the %d-stream baseline\n",
				label(in, "hold"), r.held.Round(time.Second), mib(in.rssHeld), live, in.metAfter["go_gc_duration_seconds_count"],
				in.metHeld["go_gc_duration_seconds_count"], float64(in.rssHeld-in.rssWarm)/1024/float64(max(live-in.warmOpened, 1)), in.warmOpened)
			if in.metHeld != nil {
				fmt.Printf("%-30s goroutines %.0f, heap in use %.1f MiB, stacks %.1f MiB\n", "", in.metHeld["go_goroutines"],
					mib(int64(in.metHeld["go_memstats_heap_inuse_bytes"])), mib(int64(in.metHeld["go_memstats_stack_inuse_bytes"])))
			}
		}
	}
}

// Short names for the figures the report prints many of.
var (
	pct = benchkit.PercentileOf
	ms  = benchkit.MS
	mib = benchkit.MiB
)

// scrape reads the server's Go runtime gauges from /metrics (nil when it cannot).
func scrape(ctx context.Context, api *benchkit.API) map[string]float64 {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, api.Base+"/metrics", nil)
	if err != nil {
		return nil
	}
	resp, err := api.HC.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && strings.HasPrefix(f[0], "go_") {
			if v, err := strconv.ParseFloat(f[1], 64); err == nil {
				out[f[0]] = v
			}
		}
	}
	return out
}

// settledRSS samples the process's VmRSS every 250 ms until it has moved less than 1 MiB over
// the last 3 s (or max has passed) and returns the last sample and the time it took.
func settledRSS(ctx context.Context, pid int, maxWait time.Duration) (int64, time.Duration, error) {
	start := time.Now()
	var window []int64
	for {
		rss, _ := benchkit.ProcStatus(pid)
		window = append(window, rss)
		if len(window) > 12 {
			window = window[1:]
		}
		if len(window) == 12 && slices.Max(window)-slices.Min(window) < 1<<20 || time.Since(start) >= maxWait {
			return rss, time.Since(start), nil
		}
		if !sleepCtx(ctx, 250*time.Millisecond) {
			return 0, 0, ctx.Err()
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// serverWarnings is the tail of the server log's WARN and ERROR lines.
func serverWarnings(path string) string {
	raw, _ := os.ReadFile(path)
	var lines []string
	for _, l := range strings.Split(string(raw), "\n") {
		if strings.Contains(l, "YYT_JWT_SECRET is not set") || strings.Contains(l, "built without the UI") {
			continue // expected with a temporary data folder and a plain build
		}
		if strings.Contains(l, "level=WARN") || strings.Contains(l, "level=ERROR") || strings.Contains(l, "panic") {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return ""
	}
	n := len(lines)
	out := fmt.Sprintf("  (%d lines)\n", n)
	for _, l := range lines[max(n-10, 0):] {
		out += "  " + truncate(l, 300) + "\n"
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// ---- machine

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

func readTrim(path string) string {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(raw))
}
