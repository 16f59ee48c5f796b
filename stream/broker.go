// Package stream delivers a store's events to Server-Sent Events streams (docs/architecture.md
// "Real time"): a broker per process fans each community's log out to its subscribers, and
// plain HTTP/1.x streams are taken out of net/http and written by the broker's own writers.
package stream

import (
	"context"
	"log/slog"
	"net"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
)

// Real-time delivery (docs/architecture.md "The event log"): the event log is the only source. A broker per process
// reads each watched community's log from the lowest sequence number any of its subscribers
// still needs, woken at once after a local commit and by a short poll for commits of other
// instances, and fans the events out to its subscribers. A subscriber that cannot keep up is
// dropped rather than slowing the others; its client reconnects with Last-Event-ID and the log
// gives it what it missed.
//
// A stream over plain HTTP/1.x is taken out of net/http once its response head is decided
// (conn.go): the broker owns the connection and writes to it from a few writer
// goroutines, so an open stream costs no goroutine and no buffers of its own. Other streams
// (HTTP/2, TLS served by this process, a writer that cannot be hijacked) keep a goroutine that
// reads the subscriber's channel and writes through net/http.
const (
	streamBuffer    = 64
	streamBatch     = 500
	streamPoll      = 500 * time.Millisecond
	streamHeartbeat = 15 * time.Second
	streamWriteWait = 10 * time.Second

	// After this many stream opens, once none has come for streamBurstQuiet, the memory they
	// used on their way in is returned to the operating system (Broker.releaseAfterBurst).
	streamBurst      = 1000
	streamBurstQuiet = time.Second
)

// subscriber is one open stream.
type subscriber struct {
	community uint64
	next      uint64 // the next sequence number it needs; only the broker changes it
	accept    func(*models.Event) bool

	// A stream served by its own goroutine reads ch until gone closes.
	ch   chan *models.Event
	gone chan struct{} // closed when the broker drops it
	once sync.Once

	// A hijacked stream: the broker writes each accepted event, passed through shape when not
	// nil, to conn; w is guarded by Broker.wmu.
	conn  net.Conn
	shape *Shaper
	w     connState
}

// Shaper rewrites each event a stream accepts before it is written; fn's false ends the stream
// after that event. Streams whose shapers have the same non-nil key (a comparable value) rewrite
// every event alike, so the broker makes a shaped frame once per key and event and shares it
// among their hijacked connections: the walls of one meeting cost one rewrite per event, not
// one per wall.
type Shaper struct {
	Key any
	Fn  func(models.Event) (models.Event, bool)
}

func (s *subscriber) drop() { s.once.Do(func() { close(s.gone) }) }

// Broker fans a store's events out to streams.
type Broker struct {
	store *models.Store
	log   *slog.Logger
	poll  time.Duration

	// Hijacked streams (conn.go); see Options.
	heartbeat  time.Duration // a silent connection gets a comment line this often
	writeWait  time.Duration // the longest a write to one connection may take before it is dropped
	tryWait    time.Duration // a pool writer's wait on one connection before handing it to its own goroutine
	maxPending int           // bytes queued for one connection before it is cut
	writers    int           // the writer goroutines

	// Returning memory after a burst of opens (releaseAfterBurst).
	burst      int
	burstQuiet time.Duration
	release    func()

	mu   sync.Mutex
	subs map[uint64]map[*subscriber]struct{}
	// read is, for each watched community, the sequence number from which the broker reads its
	// log next: every event before it has been handed out.
	read    map[uint64]uint64
	closed  bool
	running bool
	// Opens since the last release, the last open, and whether a release is running.
	opens     int
	lastOpen  time.Time
	releasing bool

	// Guarded by wmu (taken after mu when both are held, never before): the hijacked
	// connections, the queue of those with something to write, and whether the writers stop.
	wmu     sync.Mutex
	wcond   *sync.Cond
	conns   map[*subscriber]struct{}
	readyq  []*subscriber
	wclosed bool
	wg      sync.WaitGroup // writer goroutines and writes handed to their own goroutine

	wake      chan struct{}
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	closing   chan struct{} // closed when Close starts (Closing)
}

// Options tune a broker; a zero field takes the default. Tests shorten them.
type Options struct {
	// Poll is how often the broker reads the log for commits of other instances (500 ms).
	Poll time.Duration
	// Heartbeat: a silent stream gets a comment line this often (15 s).
	Heartbeat time.Duration
	// WriteWait is the longest a write to one stream may take before its client is dropped (10 s).
	WriteWait time.Duration
	// TryWait is a pool writer's wait on one hijacked connection before it hands the write to a
	// goroutine of its own (20 ms).
	TryWait time.Duration
	// MaxPending is the bytes queued for one hijacked connection before it is cut (256 KiB).
	MaxPending int
	// Writers is the number of writer goroutines of hijacked connections (4).
	Writers int
	// Burst and BurstQuiet: after Burst stream opens, once none has come for BurstQuiet, the
	// memory they used is returned to the operating system by Release (1000, 1 s, a collection
	// and a release; see releaseAfterBurst).
	Burst      int
	BurstQuiet time.Duration
	Release    func()
}

func (o Options) withDefaults() Options {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.Poll, streamPoll)
	def(&o.Heartbeat, streamHeartbeat)
	def(&o.WriteWait, streamWriteWait)
	def(&o.TryWait, streamTryWait)
	def(&o.BurstQuiet, streamBurstQuiet)
	if o.MaxPending <= 0 {
		o.MaxPending = streamMaxPending
	}
	if o.Writers <= 0 {
		o.Writers = streamWriters
	}
	if o.Burst <= 0 {
		o.Burst = streamBurst
	}
	if o.Release == nil {
		o.Release = releaseMemory
	}
	return o
}

// New makes a broker that reads the store's log. Nothing wakes it but its poll until Notify is
// called after each commit: server/ wires the store's AfterCommit to it. Its delivery loop and
// writers start with the first subscriber.
func New(store *models.Store, log *slog.Logger, o Options) *Broker {
	o = o.withDefaults()
	b := &Broker{store: store, log: log, poll: o.Poll, subs: map[uint64]map[*subscriber]struct{}{}, read: map[uint64]uint64{},
		heartbeat: o.Heartbeat, writeWait: o.WriteWait, tryWait: o.TryWait,
		maxPending: o.MaxPending, writers: o.Writers, conns: map[*subscriber]struct{}{},
		burst: o.Burst, burstQuiet: o.BurstQuiet, release: o.Release,
		wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}), closing: make(chan struct{})}
	b.wcond = sync.NewCond(&b.wmu)
	return b
}

// Notify wakes the broker; it never blocks.
func (b *Broker) Notify() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// Close drops every subscriber, closes the hijacked connections and stops the broker; streams
// end cleanly. It returns once the broker's goroutines have ended, on every call.
func (b *Broker) Close() {
	b.closeOnce.Do(func() {
		close(b.closing)
		b.mu.Lock()
		b.closed = true
		running := b.running
		for _, set := range b.subs {
			for s := range set {
				if s.conn == nil {
					s.drop()
				}
			}
		}
		b.subs, b.read = map[uint64]map[*subscriber]struct{}{}, map[uint64]uint64{}
		b.mu.Unlock()
		b.closeConns()
		if running {
			close(b.stop)
			<-b.done
		}
		b.wg.Wait()
	})
}

// Closing is closed when the broker starts to close (the server shuts down): streams kept
// outside the broker end on it, as its own do.
func (b *Broker) Closing() <-chan struct{} { return b.closing }

// Subscribers counts open streams, for metrics and tests.
func (b *Broker) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, set := range b.subs {
		n += len(set)
	}
	return n
}

func (b *Broker) subscribe(s *subscriber) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false
	}
	if b.subs[s.community] == nil {
		b.subs[s.community] = map[*subscriber]struct{}{}
	}
	b.subs[s.community][s] = struct{}{}
	b.opens++
	b.lastOpen = time.Now()
	if s.conn != nil {
		b.addConn(s)
	}
	if !b.running {
		b.running = true
		go b.run()
		for range b.writers {
			b.wg.Add(1)
			go b.writeLoop()
		}
	}
	// Only a stream that needs events the broker has already handed out (a resume, or the
	// first of its community) wakes it; the others are served by the round that the next
	// commit or poll starts. So a burst of thousands of opens costs no reads of the log.
	if r, ok := b.read[s.community]; !ok || s.next < r {
		b.Notify()
	}
	return true
}

func (b *Broker) unsubscribe(s *subscriber) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if set := b.subs[s.community]; set != nil {
		delete(set, s)
		if len(set) == 0 {
			delete(b.subs, s.community)
			delete(b.read, s.community)
		}
	}
}

func (b *Broker) run() {
	defer close(b.done)
	t := time.NewTicker(b.poll)
	defer t.Stop()
	beat := time.NewTicker(b.heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-beat.C:
			b.beat()
			continue
		case <-b.wake:
		case <-t.C:
			b.releaseAfterBurst()
		}
		b.deliver()
	}
}

// releaseAfterBurst returns memory to the operating system once a burst of stream opens is
// over: at least b.burst opens since the last release, and none for b.burstQuiet. Opening a
// stream is an ordinary request until it is handed over, and when thousands come at once (the
// clients of a restarted server reconnect together) they wait for the database side by side,
// each with net/http's buffers and goroutines, the authentication and the queries' garbage: tens
// of kilobytes apiece, hundreds of megabytes in all, while an open stream keeps about two. The
// Go runtime would keep that memory until its next garbage collection, which an idle server may
// not run for minutes, and then give it back slowly; a collection and release right after the
// burst (well under a second of CPU with thousands of streams open) returns it at once.
//
// One collection is not enough: Echo keeps its request contexts in a sync.Pool, and each one
// holds on to its last request and response writer — and through it net/http's connection with
// its buffers — until it is reused; a sync.Pool lets go of what it holds only over two
// collections.
func (b *Broker) releaseAfterBurst() {
	b.mu.Lock()
	due := b.opens >= b.burst && !b.releasing && time.Since(b.lastOpen) >= b.burstQuiet
	if due {
		b.opens, b.releasing = 0, true
	}
	b.mu.Unlock()
	if !due {
		return
	}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		b.release()
		b.mu.Lock()
		b.releasing = false
		b.mu.Unlock()
	}()
}

// deliver reads what each watched community's subscribers still need and hands it out.
func (b *Broker) deliver() {
	b.mu.Lock()
	need := map[uint64]uint64{}
	for cid, set := range b.subs {
		for s := range set {
			if n, ok := need[cid]; !ok || s.next < n {
				need[cid] = s.next
			}
		}
	}
	b.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for cid, from := range need {
		for {
			evs, err := b.store.EventsFrom(ctx, cid, from, streamBatch)
			if err != nil {
				b.log.Warn("stream: read events", "community", cid, "err", err)
				break
			}
			if len(evs) == 0 {
				b.mu.Lock()
				if b.subs[cid] != nil {
					b.read[cid] = max(b.read[cid], from)
				}
				b.mu.Unlock()
				break
			}
			b.fanOut(cid, evs)
			from = evs[len(evs)-1].Seq + 1
			if len(evs) < streamBatch {
				break
			}
		}
	}
}

func (b *Broker) fanOut(cid uint64, evs []models.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	behind := false
	// The frames of unshaped events are the same for every hijacked stream, and those of events
	// shaped alike the same for every stream of that shaper key: made once, shared.
	frames := make([][]byte, len(evs))
	var shaped map[shapedKey]shapedFrame
	for s := range b.subs[cid] {
	events:
		for i := range evs {
			e := &evs[i]
			if e.Seq != s.next {
				// Older events were already delivered to it; a subscriber that joined during
				// this round needs older ones first, which the next round reads for it.
				behind = behind || e.Seq > s.next
				continue
			}
			s.next = e.Seq + 1
			if s.accept != nil && !s.accept(e) {
				continue
			}
			if s.conn != nil {
				f, more := frames[i], true
				if s.shape != nil {
					k := shapedKey{i, s.shape.Key}
					sf, ok := shaped[k]
					if !ok {
						out, more := s.shape.Fn(*e)
						sf = shapedFrame{eventFrame(&out), more}
						if s.shape.Key != nil {
							if shaped == nil {
								shaped = map[shapedKey]shapedFrame{}
							}
							shaped[k] = sf
						}
					}
					f, more = sf.frame, sf.more
				} else if f == nil {
					f = eventFrame(e)
					frames[i] = f
				}
				if !b.enqueue(s, f, !more) {
					// It ends, or cannot keep up: it is cut once what it has is written.
					delete(b.subs[cid], s)
					break
				}
				continue
			}
			select {
			case s.ch <- e:
			default:
				// Too slow: drop it; it reconnects with Last-Event-ID and catches up.
				s.drop()
				delete(b.subs[cid], s)
				break events
			}
		}
	}
	if len(b.subs[cid]) == 0 {
		delete(b.subs, cid)
		delete(b.read, cid)
	} else {
		b.read[cid] = max(b.read[cid], evs[len(evs)-1].Seq+1)
	}
	if behind {
		b.Notify()
	}
}

// shapedKey names an event of a fan-out round as rewritten by the shapers of one key.
type shapedKey struct {
	event int
	key   any
}

// shapedFrame is a shaped event's frame, and whether the stream goes on after it.
type shapedFrame struct {
	frame []byte
	more  bool
}

// releaseMemory collects twice, so that sync.Pools let go of what they held, and returns the
// free memory to the operating system.
func releaseMemory() {
	runtime.GC()
	debug.FreeOSMemory()
}
