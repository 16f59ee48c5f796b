package main

import (
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/yueyuetan/yueyuetan/internal/benchkit"
)

// Short names for the figures the report prints many of.
var (
	pct = benchkit.PercentileOf
	ms  = benchkit.MS
	mib = benchkit.MiB
)

func verdict(ok bool) string {
	if ok {
		return "PASS"
	}
	return "MISS"
}

// memory is the scenario's server RSS over all instances: before any stream, with the first W
// streams, with all, and what each subscriber adds (in bytes) measured two ways: the growth
// from the first W streams to all over the streams added (marginal), and the growth from before
// any stream over all of them (naive, which the dead memory of the logins' password hashing can
// push below zero). The floor is judged on the larger.
type memory struct {
	before, warm, after int64
	opened, warmOpened  int
	marginal, naive     float64
}

func (sc *scenario) memory() (memory, bool) {
	var m memory
	for _, in := range sc.inst {
		if in.rssAfter == 0 {
			return m, false
		}
		m.before += in.rssBefore
		m.warm += in.rssWarm
		m.after += in.rssAfter
		m.opened += in.opened
		m.warmOpened += in.warmOpened
	}
	m.naive = float64(m.after-m.before) / float64(max(m.opened, 1))
	m.marginal = m.naive
	if m.warmOpened > 0 && m.opened > m.warmOpened {
		m.marginal = float64(m.after-m.warm) / float64(m.opened-m.warmOpened)
	}
	return m, true
}

func (m memory) perSub() float64 { return max(m.marginal, m.naive) }

// server5xx is the sum over the instances of the 5xx answers in their own request counters.
func (sc *scenario) server5xx() int {
	n := 0.0
	for _, in := range sc.inst {
		n += in.metEnd["http_5xx"]
	}
	return int(n)
}

// clamped is v with the arrivals that came before the 201 answer counted as 0.
func clamped(v []time.Duration) []time.Duration {
	out := make([]time.Duration, len(v))
	for i, d := range v {
		out[i] = max(d, 0)
	}
	return out
}

func (sc *scenario) print() {
	o := sc.o
	fmt.Printf("\n== ssebench: %s streams of one meeting\n", sc.kind)
	fmt.Printf("%-30s nproc %d, GOMAXPROCS %d, %s, %s %s/%s\n", "machine", runtime.NumCPU(), runtime.GOMAXPROCS(0),
		benchkit.MemTotal()+" RAM", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Printf("%-30s %s\n", "cpu", benchkit.CPUModel())
	var srvFiles []string
	for _, in := range sc.inst {
		srvFiles = append(srvFiles, in.nofile)
	}
	fmt.Printf("%-30s %s; somaxconn %s; ports %s; RLIMIT_NOFILE client %d, server %s; load average %s\n", "database / limits",
		sc.dialect, readTrim("/proc/sys/net/core/somaxconn"), strings.Join(strings.Fields(readTrim("/proc/sys/net/ipv4/ip_local_port_range")), "–"),
		sc.nofile, strings.Join(srvFiles, ", "), benchkit.LoadAvg())
	fmt.Printf("%-30s N=%d K=%d instances=%d gap=%s idle=%s dial=%d timeout=%s\n", "settings", o.n, o.k, len(sc.inst),
		o.gap, o.idle, o.dial, o.timeout)
	if sc.fx != nil {
		fmt.Printf("%-30s cycle %d, meeting %d (set up in %s), projector on the card wall\n", "meeting", sc.fx.cycleID,
			sc.fx.meetingID, sc.fx.setup.Round(time.Millisecond))
	}
	if sc.opened+sc.failedOpen == 0 {
		return
	}
	var kinds []string
	for _, k := range []string{kindMember, kindWall} {
		if n := sc.openedKind[k]; n > 0 {
			kinds = append(kinds, fmt.Sprintf("%d %s", n, k))
		}
	}
	fmt.Printf("%-30s %d of %d (%s) in %s; connect p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", "streams opened", sc.opened, o.n,
		strings.Join(kinds, ", "), sc.openAll.Round(time.Millisecond), ms(pct(sc.connectLat, 50)), ms(pct(sc.connectLat, 99)),
		ms(pct(sc.connectLat, 100)))
	if sc.failedOpen > 0 {
		fmt.Printf("%-30s %d; first: %s\n", "streams that failed to open", sc.failedOpen, sc.firstOpenErr)
	}
	multi := len(sc.inst) > 1
	label := func(in *instance, what string) string {
		if multi {
			return fmt.Sprintf("[%d] %s", in.idx, what)
		}
		return what
	}
	fmt.Printf("%-30s each server process's own (the clients run in this one): VmRSS from /proc/PID/status,\n", "memory measured as")
	fmt.Printf("%-30s Go heap in use and goroutine stacks from its /metrics; per subscriber = the growth from the\n", "")
	fmt.Printf("%-30s first %d streams to all, over the streams added (socket buffers are the kernel's, not counted)\n", "", o.warm)
	for _, in := range sc.inst {
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
			fmt.Printf("%-30s %.1f MiB with %d → %.1f MiB with %d: %+.1f MiB, %.1f KB per subscriber\n",
				label(in, "memory per subscriber"), mib(in.rssWarm), in.warmOpened, mib(in.rssAfter), in.opened, mib(d), float64(d)/1024/float64(n))
			if in.metWarm != nil && in.metAfter != nil {
				per := func(k string) float64 { return (in.metAfter[k] - in.metWarm[k]) / float64(n) }
				fmt.Printf("%-30s goroutines %.2f, heap in use %.1f KB, stacks %.1f KB (Go runtime, /metrics)\n", "  of which, per subscriber",
					per("go_goroutines"), per("go_memstats_heap_inuse_bytes")/1024, per("go_memstats_stack_inuse_bytes")/1024)
			}
		}
		if m := in.metAfter; m != nil {
			fmt.Printf("%-30s goroutines %.0f, heap in use %.1f MiB, stacks %.1f MiB, heap idle %.1f MiB (released %.1f), next GC at %.1f MiB, GCs %.0f\n",
				label(in, "Go runtime with all"), m["go_goroutines"], mib(int64(m["go_memstats_heap_inuse_bytes"])),
				mib(int64(m["go_memstats_stack_inuse_bytes"])), mib(int64(m["go_memstats_heap_idle_bytes"])),
				mib(int64(m["go_memstats_heap_released_bytes"])), mib(int64(m["go_memstats_next_gc_bytes"])), m["go_gc_duration_seconds_count"])
		}
		fmt.Printf("%-30s VmRSS %.1f MiB, goroutines %.0f, heap in use %.1f MiB, stacks %.1f MiB (sampled every 250 ms)\n",
			label(in, "peak while opening"), mib(in.peak.rss), in.peak.goroutines, mib(int64(in.peak.heap)), mib(int64(in.peak.stacks)))
		fmt.Printf("%-30s settled in %s before, %s with all (each after a %s fixed wait)\n", "", in.settleBefore.Round(time.Millisecond),
			in.settleAfter.Round(time.Millisecond), sc.o.settle)
	}
	if m, ok := sc.memory(); ok {
		fmt.Printf("%-30s %.1f KB (marginal %.1f, naive %.1f; floor ≤ %d KB) %s\n", "RSS per subscriber, judged",
			m.perSub()/1024, m.marginal/1024, m.naive/1024, floorPerSub>>10, verdict(m.perSub() <= floorPerSub))
	}
	if sc.idleWall == 0 {
		return
	}
	for _, in := range sc.inst {
		fmt.Printf("%-30s %.1f%% of one core over %s (%s CPU)\n", label(in, "server CPU, idle"),
			100*in.idleCPU.Seconds()/sc.idleWall.Seconds(), sc.idleWall.Round(time.Millisecond), in.idleCPU)
	}
	fmt.Printf("%-30s %d heartbeats received; client %.1f%% of one core\n", "  idle spell", sc.pings,
		100*sc.idleSelf.Seconds()/sc.idleWall.Seconds())
	if sc.changes == 0 {
		return
	}
	var serverCPU []string
	for _, in := range sc.inst {
		serverCPU = append(serverCPU, fmt.Sprintf("%.1f%%", 100*in.changeCPU.Seconds()/sc.changeWall.Seconds()))
	}
	fmt.Printf("%-30s %d cards through instance 1, POST p50 %.1f ms, max %.1f ms; server CPU %s, client %.1f%% of one core over %s\n",
		"changes", sc.changes, ms(pct(sc.postLat, 50)), ms(pct(sc.postLat, 100)), strings.Join(serverCPU, " + "),
		100*sc.selfCPU.Seconds()/sc.changeWall.Seconds(), sc.changeWall.Round(time.Millisecond))
	before := 0
	for _, d := range sc.fromCommit {
		if d < 0 {
			before++
		}
	}
	fmt.Printf("%-30s %d of %d (N×K); %d arrived before the 201 answer reached the client (counted as 0)\n",
		"arrivals", len(sc.fromCommit), sc.opened*sc.changes, before)
	latency := func(title string, v []time.Duration) {
		c := clamped(v)
		fmt.Printf("%-30s p50 %7.1f ms   p99 %7.1f ms   max %7.1f ms\n", title, ms(pct(c, 50)), ms(pct(c, 99)), ms(pct(c, 100)))
	}
	latency("201 → card.created", sc.fromCommit)
	if sc.kind == kindMix {
		for _, k := range []string{kindMember, kindWall} {
			latency(fmt.Sprintf("  at %s streams", k), sc.fromCommitKind[k])
		}
	}
	if multi {
		for _, in := range sc.inst {
			how := "woken after its own commit"
			if in.idx > 1 {
				how = "learns by polling the log"
			}
			latency(fmt.Sprintf("  at instance %d", in.idx), in.fromCommit)
			fmt.Printf("%-30s (%s)\n", "", how)
		}
	}
	fmt.Printf("%-30s p50 %7.1f ms   p99 %7.1f ms   max %7.1f ms\n", "request sent → card.created",
		ms(pct(sc.fromSend, 50)), ms(pct(sc.fromSend, 99)), ms(pct(sc.fromSend, 100)))
	all := clamped(sc.allArrived)
	fmt.Printf("%-30s p50 %7.1f ms   p99 %7.1f ms   (over %d changes; floor p99 ≤ %d ms) %s\n", "201 → at every subscriber",
		ms(pct(all, 50)), ms(pct(all, 99)), len(all), floorLatency.Milliseconds(), verdict(pct(all, 99) <= floorLatency))
	if multi {
		for _, in := range sc.inst {
			a := clamped(in.allArrived)
			fmt.Printf("%-30s p50 %7.1f ms   p99 %7.1f ms\n", fmt.Sprintf("  at instance %d", in.idx), ms(pct(a, 50)), ms(pct(a, 99)))
		}
	}
	fmt.Printf("%-30s %d", "missed (subscriber × change)", sc.missed)
	if multi {
		var per []string
		for _, in := range sc.inst {
			per = append(per, fmt.Sprintf("instance %d: %d", in.idx, in.missed))
		}
		fmt.Printf(" (%s)", strings.Join(per, ", "))
	}
	if len(sc.missedWho) > 0 {
		fmt.Printf("; e.g. %s", strings.Join(sc.missedWho, ", "))
	}
	fmt.Printf(" (floor 0) %s\n", verdict(sc.missed == 0))
	fmt.Printf("%-30s client saw %d, servers counted %d (floor 0) %s\n", "5xx answers", sc.client5xx, sc.server5xx(),
		verdict(sc.client5xx == 0 && sc.server5xx() == 0))
	fmt.Printf("%-30s %d", "streams ended by the server", sc.ended)
	if sc.firstEnd != "" {
		fmt.Printf("; first: %s", sc.firstEnd)
	}
	fmt.Println()
	var hwm []string
	for _, in := range sc.inst {
		hwm = append(hwm, fmt.Sprintf("%.1f MiB", mib(in.hwm)))
	}
	fmt.Printf("%-30s %s; load average at the end %s (the machine's, others' work included)\n", "server peak VmHWM",
		strings.Join(hwm, ", "), sc.loadEnd)
	if sc.held > 0 {
		for _, in := range sc.inst {
			if in.warmOpened == 0 {
				continue
			}
			live := in.opened - in.ended
			fmt.Printf("%-30s after %s idle: VmRSS %.1f MiB, %d streams still open, GCs %.0f → %.0f; %.1f KB per subscriber vs the %d-stream baseline\n",
				label(in, "hold"), sc.held.Round(time.Second), mib(in.rssHeld), live, in.metAfter["go_gc_duration_seconds_count"],
				in.metHeld["go_gc_duration_seconds_count"], float64(in.rssHeld-in.rssWarm)/1024/float64(max(live-in.warmOpened, 1)), in.warmOpened)
			if in.metHeld != nil {
				fmt.Printf("%-30s goroutines %.0f, heap in use %.1f MiB, stacks %.1f MiB\n", "", in.metHeld["go_goroutines"],
					mib(int64(in.metHeld["go_memstats_heap_inuse_bytes"])), mib(int64(in.metHeld["go_memstats_stack_inuse_bytes"])))
			}
		}
	}
}

// printSummary is one line per kind of stream with each figure next to its floor.
func printSummary(done []*scenario) {
	if len(done) == 0 {
		return
	}
	fmt.Printf("\n== ssebench summary (floors: a change at every subscriber p99 ≤ %d ms, ≤ %d KB server RSS per subscriber, 0 missed, 0 5xx)\n",
		floorLatency.Milliseconds(), floorPerSub>>10)
	fmt.Printf("%-7s %-9s %-7s %8s %8s %-5s %7s %-5s %7s %-5s %-26s %8s %-5s %s\n", "streams", "database", "subs", "p50 ms", "p99 ms", "",
		"missed", "", "5xx", "", "RSS MiB before→W→all", "KB/sub", "", "peak MiB while opening")
	for _, sc := range done {
		all := clamped(sc.allArrived)
		lat := "-"
		if len(all) > 0 {
			lat = verdict(pct(all, 99) <= floorLatency)
		}
		fiveXX := sc.client5xx + sc.server5xx()
		rss, per, memOK := "-", "-", "-"
		if m, ok := sc.memory(); ok {
			rss = fmt.Sprintf("%.1f→%.1f", mib(m.before), mib(m.after))
			if m.warmOpened > 0 {
				rss = fmt.Sprintf("%.1f→%.1f→%.1f", mib(m.before), mib(m.warm), mib(m.after))
			}
			per = fmt.Sprintf("%.1f", m.perSub()/1024)
			memOK = verdict(m.perSub() <= floorPerSub)
		}
		missOK := "-"
		if sc.changes > 0 {
			missOK = verdict(sc.missed == 0)
		}
		var peak int64
		for _, in := range sc.inst {
			peak += in.peak.rss
		}
		fmt.Printf("%-7s %-9s %-7d %8.1f %8.1f %-5s %7d %-5s %7d %-5s %-26s %8s %-5s %.1f\n", sc.kind, sc.dialect, sc.opened,
			ms(pct(all, 50)), ms(pct(all, 99)), lat, sc.missed, missOK, fiveXX, verdict(fiveXX == 0), rss, per, memOK, mib(peak))
	}
	fmt.Printf("load average now %s (a machine shared with other work: the latencies move with it)\n", benchkit.LoadAvg())
}
