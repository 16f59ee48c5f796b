package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yueyuetan/yueyuetan/internal/benchkit"
)

// fixture is the meeting every kind of stream watches, set up once.
type fixture struct {
	cycleID, meetingID uint64
	displayToken       string
	setup              time.Duration
}

// instance is one server process and what was measured of it.
type instance struct {
	idx int
	s   *benchkit.Server
	pid int
	api *benchkit.API

	nofile                    string
	peak                      peak // while the streams open
	opened, warmOpened        int
	rssBefore, rssWarm        int64
	rssAfter, rssHeld, hwm    int64
	settleBefore, settleAfter time.Duration
	metBefore, metWarm        map[string]float64
	metAfter, metHeld, metEnd map[string]float64
	idleCPU, changeCPU        time.Duration
	fromCommit                []time.Duration // arrival − 201 at its subscribers, negatives kept
	allArrived                []time.Duration // per change: last arrival at its subscribers − 201
	missed, ended             int
}

// scenario is one kind of stream measured on fresh servers.
type scenario struct {
	o       options
	kind    string
	dialect string
	nofile  uint64
	inst    []*instance
	fx      *fixture

	opened, failedOpen int
	openedKind         map[string]int
	firstOpenErr       string
	openAll            time.Duration
	connectLat         []time.Duration
	idleSelf, idleWall time.Duration
	pings              int64
	changes            int
	fromCommit         []time.Duration            // arrival − 201, negatives kept (arrived before the answer)
	fromCommitKind     map[string][]time.Duration // the same by kind of stream, for the mix
	fromSend           []time.Duration            // arrival − request sent
	allArrived         []time.Duration            // per change: last arrival − 201
	postLat            []time.Duration
	missed             int
	missedWho          []string
	ended              int
	firstEnd           string
	client5xx          int // 5xx answers seen by this client: stream opens and card submissions
	selfCPU            time.Duration
	changeWall         time.Duration
	held               time.Duration
	loadEnd            string
}

// streamKind is the kind of the i-th stream of the scenario.
func (sc *scenario) streamKind(i int) string {
	if sc.kind == kindMix {
		if i%2 == 0 {
			return kindMember
		}
		return kindWall
	}
	return sc.kind
}

func bench(ctx context.Context, sc *scenario, fxp **fixture) error {
	o := sc.o
	first := sc.inst[0]
	api := first.api
	for _, in := range sc.inst {
		in.nofile = procNoFile(in.pid)
	}
	res, err := api.Login(ctx, o.resident, o.password)
	if err != nil {
		return err
	}
	if *fxp == nil {
		t0 := time.Now()
		fac, err := api.Login(ctx, o.facilitator, o.password)
		if err != nil {
			return err
		}
		fx, err := setupMeeting(ctx, api, fac)
		if err != nil {
			return err
		}
		fx.setup = time.Since(t0)
		*fxp = fx
	}
	sc.fx = *fxp
	// The logins' password hashing leaves freed heap that the Go runtime returns to the OS only
	// gradually: wait for the RSS to settle, so the baseline is not inflated by it.
	for _, in := range sc.inst {
		if in.rssBefore, in.settleBefore, err = settledRSS(ctx, in.pid, o.settleMax); err != nil {
			return err
		}
		in.metBefore = scrape(ctx, in.api)
	}

	// Open the streams, o.dial at a time, each until its `connected` event; stream i goes to
	// instance i mod the number of instances.
	sctx, scancel := context.WithCancel(ctx)
	defer scancel()
	// A generous dial timeout: when thousands connect at once, the listen queue overflows and
	// the kernel retries the handshake after 1, 3, 7 s…, as it would for a browser.
	dialer := &net.Dialer{Timeout: 60 * time.Second}
	subs := make([]*stream, o.n)
	var wg sync.WaitGroup
	defer func() { scancel(); wg.Wait() }()
	var pings, cardEvents, fiveXX atomic.Int64
	sem := make(chan struct{}, o.dial)
	var openMu sync.Mutex
	var openWG sync.WaitGroup
	sc.openedKind = map[string]int{}
	open := func(from, to int) error {
		start := time.Now()
		defer func() { sc.openAll += time.Since(start) }()
		for i := from; i < to; i++ {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return ctx.Err()
			}
			in := sc.inst[i%len(sc.inst)]
			st := &stream{idx: i, in: in, kind: sc.streamKind(i), arrivals: map[uint64]time.Time{}, connected: make(chan struct{})}
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
						sc.failedOpen++
						if sc.firstOpenErr == "" {
							sc.firstOpenErr = err.Error()
						}
					} else {
						sc.opened++
						sc.openedKind[st.kind]++
						in.opened++
						sc.connectLat = append(sc.connectLat, st.connectedAt.Sub(st.openAt))
					}
					openMu.Unlock()
					<-sem
					openWG.Done()
				}
				path, token := fmt.Sprintf("/api/v1/meetings/%d/stream", sc.fx.meetingID), res
				if st.kind == kindWall {
					path, token = "/api/v1/display/"+sc.fx.displayToken+"/stream", ""
				}
				err := st.run(sctx, dialer, strings.TrimPrefix(in.s.Base, "http://"), path, token,
					&pings, &cardEvents, &fiveXX, func() { release(nil) })
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
		for _, in := range sc.inst {
			if in.rssWarm, _, err = settledRSS(ctx, in.pid, o.settleMax); err != nil {
				return err
			}
			in.warmOpened, in.metWarm = in.opened, scrape(ctx, in.api)
		}
	}
	stopPeak := watchPeaks(ctx, sc.inst)
	err = open(warm, o.n)
	stopPeak()
	if err != nil {
		return err
	}
	sc.client5xx = int(fiveXX.Load())
	if sc.opened == 0 {
		return fmt.Errorf("no stream opened: %s", sc.firstOpenErr)
	}

	// Idle: memory once settled, then CPU over the idle spell.
	if !sleepCtx(ctx, o.settle) {
		return ctx.Err()
	}
	for _, in := range sc.inst {
		if in.rssAfter, in.settleAfter, err = settledRSS(ctx, in.pid, o.settleMax); err != nil {
			return err
		}
		in.metAfter = scrape(ctx, in.api)
	}
	cpus := func() []time.Duration {
		var out []time.Duration
		for _, in := range sc.inst {
			out = append(out, benchkit.CPUTime(in.pid))
		}
		return out
	}
	p0, self0, ping0, w0 := cpus(), benchkit.CPUTime(os.Getpid()), pings.Load(), time.Now()
	if !sleepCtx(ctx, o.idle) {
		return ctx.Err()
	}
	for i, c := range cpus() {
		sc.inst[i].idleCPU = c - p0[i]
	}
	sc.idleSelf, sc.idleWall = benchkit.CPUTime(os.Getpid())-self0, time.Since(w0)
	sc.pings = pings.Load() - ping0

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
		id, status, err := postCard(ctx, api, sc.fx.cycleID, res,
			fmt.Sprintf("ssebench %s 第%d张卡片：楼道灯坏了，晚上看不清台阶。", sc.kind, k+1))
		if status >= 500 {
			sc.client5xx++
			continue
		}
		if err != nil {
			return fmt.Errorf("card %d: %w", k+1, err)
		}
		changes = append(changes, change{id: id, sent: sent, done: time.Now()})
		sc.postLat = append(sc.postLat, time.Since(sent))
	}
	sc.changes = len(changes)
	want := int64(sc.opened * len(changes))
	deadline := time.Now().Add(o.drain)
	for cardEvents.Load() < want && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(5 * time.Millisecond)
	}
	for i, c := range cpus() {
		sc.inst[i].changeCPU = c - p0[i]
	}
	sc.selfCPU, sc.changeWall = benchkit.CPUTime(os.Getpid())-self0, time.Since(w0)
	for _, in := range sc.inst {
		_, in.hwm = benchkit.ProcStatus(in.pid)
	}

	sc.fromCommitKind = map[string][]time.Duration{}
	for _, c := range changes {
		var last time.Duration
		lastOf := make([]time.Duration, len(sc.inst))
		for _, st := range subs {
			if st == nil || !st.wasConnected() {
				continue
			}
			at, ok := st.arrival(c.id)
			if !ok {
				sc.missed++
				st.in.missed++
				if len(sc.missedWho) < 5 {
					sc.missedWho = append(sc.missedWho, fmt.Sprintf("%s stream %d (instance %d) card %d", st.kind, st.idx, st.in.idx, c.id))
				}
				continue
			}
			d := at.Sub(c.done)
			sc.fromCommit = append(sc.fromCommit, d)
			sc.fromCommitKind[st.kind] = append(sc.fromCommitKind[st.kind], d)
			st.in.fromCommit = append(st.in.fromCommit, d)
			sc.fromSend = append(sc.fromSend, at.Sub(c.sent))
			last = max(last, d)
			lastOf[st.in.idx-1] = max(lastOf[st.in.idx-1], d)
		}
		sc.allArrived = append(sc.allArrived, last)
		for i, in := range sc.inst {
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
		sc.held = time.Since(h0)
		for _, in := range sc.inst {
			in.rssHeld, _ = benchkit.ProcStatus(in.pid)
			in.metHeld = scrape(ctx, in.api)
		}
	}
	for _, st := range subs {
		if st == nil {
			continue
		}
		if end, ok := st.endedEarly(); ok {
			sc.ended++
			st.in.ended++
			if sc.firstEnd == "" {
				sc.firstEnd = end
			}
		}
	}
	for _, in := range sc.inst {
		in.metEnd = scrape(ctx, in.api)
	}
	sc.loadEnd = benchkit.LoadAvg()
	return nil
}

// peak is the most a server held at once while the streams opened: VmRSS, and the Go
// runtime's goroutines, heap in use and stacks from its /metrics.
type peak struct {
	rss                      int64
	goroutines, heap, stacks float64
}

// watchPeaks samples every instance every 250 ms until the returned stop is called, which
// waits for the last sample.
func watchPeaks(ctx context.Context, inst []*instance) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			for _, in := range inst {
				rss, _ := benchkit.ProcStatus(in.pid)
				p := &in.peak
				p.rss = max(p.rss, rss)
				if m := scrape(ctx, in.api); m != nil {
					p.goroutines = max(p.goroutines, m["go_goroutines"])
					p.heap = max(p.heap, m["go_memstats_heap_inuse_bytes"])
					p.stacks = max(p.stacks, m["go_memstats_stack_inuse_bytes"])
				}
			}
			if !sleepCtx(ctx, 250*time.Millisecond) {
				return
			}
		}
	}()
	return func() { cancel(); <-done }
}

// postCard submits a card as token and returns its id and the answer's status; a status other
// than 201 is also an error.
func postCard(ctx context.Context, api *benchkit.API, cycleID uint64, token, body string) (uint64, int, error) {
	raw, _ := json.Marshal(map[string]string{"body": body})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, fmt.Sprintf("%s/api/v1/cycles/%d/cards", api.Base, cycleID),
		bytes.NewReader(raw))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := api.HC.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusCreated {
		return 0, resp.StatusCode, fmt.Errorf("status %d: %.300s", resp.StatusCode, out)
	}
	var card struct {
		ID uint64 `json:"id"`
	}
	if err := json.Unmarshal(out, &card); err != nil {
		return 0, resp.StatusCode, err
	}
	return card.ID, resp.StatusCode, nil
}

// setupMeeting makes, as the facilitator, a cycle for the next free month of 安友花园 in
// community 1, takes it to card collection with a selected topic, schedules a meeting and puts
// its projector on the card wall, so that new cards reach the wall's streams as well.
func setupMeeting(ctx context.Context, api *benchkit.API, fac string) (*fixture, error) {
	var compounds struct {
		Items []struct {
			ID   uint64 `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	if err := api.Do(ctx, http.MethodGet, "/api/v1/communities/1/compounds", fac, nil, http.StatusOK, &compounds); err != nil {
		return nil, err
	}
	var compoundID uint64
	for _, c := range compounds.Items {
		if c.Name == "安友花园" {
			compoundID = c.ID
		}
	}
	if compoundID == 0 {
		return nil, errors.New("compound 安友花园 not in community 1 (was the demo data loaded?)")
	}
	var cycles struct {
		Items []struct {
			Month      string `json:"month"`
			CompoundID uint64 `json:"compound_id"`
		} `json:"items"`
	}
	if err := api.Do(ctx, http.MethodGet, "/api/v1/communities/1/cycles", fac, nil, http.StatusOK, &cycles); err != nil {
		return nil, err
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
		map[string]any{"month": month.Format("2006-01"), "compound_id": compoundID, "reason": "ssebench：楼道照明问题反映较多"},
		http.StatusCreated, &cy); err != nil {
		return nil, err
	}
	advance := func(to string) error {
		return api.Do(ctx, http.MethodPost, fmt.Sprintf("/api/v1/cycles/%d/advance", cy.ID), fac,
			map[string]any{"to": to}, http.StatusOK, nil)
	}
	if err := advance("topic_collection"); err != nil {
		return nil, err
	}
	var topic struct {
		ID uint64 `json:"id"`
	}
	if err := api.Do(ctx, http.MethodPost, fmt.Sprintf("/api/v1/cycles/%d/topics", cy.ID), fac,
		map[string]any{"title": "楼道照明改造", "description": "ssebench"}, http.StatusCreated, &topic); err != nil {
		return nil, err
	}
	if err := advance("topic_selection"); err != nil {
		return nil, err
	}
	if err := api.Do(ctx, http.MethodPost, fmt.Sprintf("/api/v1/cycles/%d/select-topic", cy.ID), fac,
		map[string]any{"topic_id": topic.ID, "reason": "ssebench"}, http.StatusOK, nil); err != nil {
		return nil, err
	}
	if err := advance("card_collection"); err != nil {
		return nil, err
	}
	var m struct {
		ID           uint64 `json:"id"`
		DisplayToken string `json:"display_token"`
	}
	if err := api.Do(ctx, http.MethodPost, fmt.Sprintf("/api/v1/cycles/%d/meetings", cy.ID), fac,
		map[string]any{"title": "楼道照明议事会（ssebench）", "starts_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
			"location": "安友花园活动室"}, http.StatusCreated, &m); err != nil {
		return nil, err
	}
	if m.DisplayToken == "" {
		return nil, errors.New("the new meeting came without a display_token")
	}
	if err := api.Do(ctx, http.MethodPut, fmt.Sprintf("/api/v1/meetings/%d/projector", m.ID), fac,
		map[string]any{"mode": "cards"}, http.StatusOK, nil); err != nil {
		return nil, err
	}
	return &fixture{cycleID: cy.ID, meetingID: m.ID, displayToken: m.DisplayToken}, nil
}

// scrape reads the server's Go runtime gauges from /metrics, and under "http_5xx" the sum of its
// request counters with a 5xx status (nil when it cannot).
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
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		i := strings.LastIndexByte(line, ' ')
		if i < 0 || strings.HasPrefix(line, "#") {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			continue
		}
		name := line[:i]
		switch {
		case strings.HasPrefix(name, "go_") && !strings.Contains(name, "{"):
			out[name] = v
		case strings.HasPrefix(name, "yyt_http_requests_total{") && strings.Contains(name, `status="5`):
			out["http_5xx"] += v
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
