package stream

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/internal/testenv"
	"github.com/yueyuetan/yueyuetan/models"
)

// The broker's own mechanics, on a real store. The streams as clients see them, through the
// real routes, are tested in handlers (stream_test.go, stream_conn_test.go, display_*_test.go).

// testStore is a store with a community whose log has a few events.
type testStore struct {
	s     *models.Store
	super models.Actor
	cid   uint64
}

func openStore(t *testing.T) *testStore {
	t.Helper()
	s := testenv.Open(t)
	ctx := context.Background()
	u, err := s.AddUser(ctx, models.AddUserInput{Phone: "13800000000", Name: "超管", Password: "super-pass-1", Role: "superadmin"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.CreateCommunity(ctx, u.Actor(), models.CommunityInput{Name: "西桥社区", Street: "唐家墩街道", District: "江汉区", City: "武汉市"})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"一区", "二区"} {
		if _, err := s.CreateCompound(ctx, u.Actor(), c.ID, models.CompoundInput{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	return &testStore{s: s, super: u.Actor(), cid: c.ID}
}

// newTestBroker is a broker on s woken by its commits, as server/ wires it, closed with the test.
func newTestBroker(t *testing.T, s *models.Store) *Broker {
	b := New(s, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{})
	prev := s.AfterCommit
	s.AfterCommit = func(evs []models.Event) {
		prev(evs)
		b.Notify()
	}
	t.Cleanup(b.Close)
	return b
}

// wallKey and wallShape stand for the projector wall's shaper (handlers/display.go): every
// event becomes one of the meeting's, with only the meeting id, and a renewed display token
// ends the stream.
type wallKey struct{ meetingID uint64 }

func wallShape(meetingID uint64) func(models.Event) (models.Event, bool) {
	return func(e models.Event) (models.Event, bool) {
		e.Data, _ = json.Marshal(map[string]uint64{"meeting_id": meetingID})
		return e, e.Type != models.EvMeetingDisplayTokenRenewed
	}
}

// TestBroker_EnqueueLimit: the queue of a hijacked stream takes frames up to the limit (always
// at least one, however big, so a client is never stuck before one event) and then ends.
func TestBroker_EnqueueLimit(t *testing.T) {
	b := newTestBroker(t, openStore(t).s)
	b.maxPending = 100
	s := &subscriber{}
	if !b.enqueue(s, make([]byte, 500), false) {
		t.Fatal("a first frame over the limit was refused")
	}
	if b.enqueue(s, make([]byte, 10), false) || !s.w.closing || s.w.size != 500 {
		t.Fatalf("a frame past the limit was taken: closing=%v size=%d", s.w.closing, s.w.size)
	}
	s = &subscriber{}
	if !b.enqueue(s, make([]byte, 40), false) || !b.enqueue(s, make([]byte, 60), false) {
		t.Fatal("frames within the limit were refused")
	}
	if b.enqueue(s, make([]byte, 1), true) || len(s.w.out) != 2 {
		t.Fatalf("queued %d frames, want 2", len(s.w.out))
	}
	s = &subscriber{}
	if b.enqueue(s, make([]byte, 1), true) || !s.w.closing || len(s.w.out) != 1 {
		t.Fatalf("a last frame: closing=%v frames=%d, want it queued and the stream ending", s.w.closing, len(s.w.out))
	}
}

// TestBroker_WallFrameShared: the hijacked walls of one meeting share each event's shaped
// frame — the event is rewritten once, not once per wall — and a last event (a renewed display
// token) ends every one of them; a stream whose shaper has no key is shaped on its own.
func TestBroker_WallFrameShared(t *testing.T) {
	b := newTestBroker(t, openStore(t).s)
	calls := 0
	counted := func(fn func(models.Event) (models.Event, bool)) func(models.Event) (models.Event, bool) {
		return func(e models.Event) (models.Event, bool) {
			calls++
			return fn(e)
		}
	}
	const cid, meetingID = 7, 3
	wall := &Shaper{Key: wallKey{meetingID}, Fn: counted(wallShape(meetingID))}
	var subs []*subscriber
	for i := range 4 {
		c1, c2 := net.Pipe()
		t.Cleanup(func() { c1.Close(); c2.Close() })
		s := &subscriber{community: cid, next: 1, conn: c1, shape: wall}
		if i == 3 {
			s.shape = &Shaper{Fn: counted(wallShape(meetingID))}
		}
		// Marked as being written, so that no writer takes the frames before they are read here.
		s.w.queued = true
		subs = append(subs, s)
	}
	b.subs[cid] = map[*subscriber]struct{}{}
	for _, s := range subs {
		b.subs[cid][s] = struct{}{}
	}
	evs := []models.Event{
		{ID: 10, Seq: 1, Type: models.EvCardCreated, SubjectType: "card", SubjectID: 5, Data: []byte(`{"cycle_id":2,"body":"秘密"}`)},
		{ID: 11, Seq: 2, Type: models.EvMeetingDisplayTokenRenewed, SubjectType: "meeting", SubjectID: meetingID,
			Data: []byte(`{"meeting_id":3}`)},
	}
	b.fanOut(cid, evs)
	if calls != 4 {
		t.Fatalf("shaped %d times, want 2 for the three walls sharing a key and 2 for the one without", calls)
	}
	first := subs[0].w.out
	if len(first) != 2 || strings.Contains(string(first[0]), "秘密") || !strings.Contains(string(first[1]), "display_token_renewed") {
		t.Fatalf("frames=%q", first)
	}
	for i, s := range subs {
		if len(s.w.out) != 2 || !s.w.closing {
			t.Fatalf("stream %d: %d frames, closing=%v; want both frames and the stream ending", i, len(s.w.out), s.w.closing)
		}
		for j := range s.w.out {
			shared := &s.w.out[j][0] == &first[j][0]
			if string(s.w.out[j]) != string(first[j]) || shared != (i < 3) {
				t.Fatalf("stream %d frame %d: %q shared=%v", i, j, s.w.out[j], shared)
			}
		}
	}
	if len(b.subs[cid]) != 0 {
		t.Fatalf("%d streams left subscribed after their last event", len(b.subs[cid]))
	}
}

// TestBroker_ReleaseAfterBurst: once a burst of opens is over (b.burst opens, then none for
// b.burstQuiet) the broker returns memory once; fewer opens do not.
func TestBroker_ReleaseAfterBurst(t *testing.T) {
	b := newTestBroker(t, openStore(t).s)
	var released atomic.Int32
	b.poll, b.burst, b.burstQuiet = 10*time.Millisecond, 5, 50*time.Millisecond
	b.release = func() { released.Add(1) }
	open := func(n int) {
		for range n {
			if !b.subscribe(&subscriber{community: 1, next: 1, ch: make(chan *models.Event, 1), gone: make(chan struct{})}) {
				t.Fatal("subscribe refused")
			}
		}
	}
	waitFor := func(want int32) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for released.Load() != want && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		// Longer than the quiet spell and many polls: a release that should not come would.
		time.Sleep(200 * time.Millisecond)
		if got := released.Load(); got != want {
			t.Fatalf("released %d times, want %d", got, want)
		}
	}
	open(4)
	waitFor(0)
	open(1)
	waitFor(1)
	open(4)
	waitFor(1)
	open(1)
	waitFor(2)
}

// TestBroker_OpenWakesOnlyToCatchUp: a stream that opens from where the broker has read its
// community's log does not make it read again (a burst of opens would otherwise read the log
// once per open); the first stream of a community and a resume from an older event do.
func TestBroker_OpenWakesOnlyToCatchUp(t *testing.T) {
	ta := openStore(t)
	b := New(ta.s, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{}) // never closed: it never runs
	b.running = true                                                          // no delivery loop: this test runs the rounds itself
	cid := ta.cid
	head, err := ta.s.HeadSeq(context.Background(), cid)
	if err != nil || head < 2 {
		t.Fatalf("head=%d err=%v: the fixture should have events", head, err)
	}
	woken := func() bool {
		select {
		case <-b.wake:
			return true
		default:
			return false
		}
	}
	open := func(next uint64) *subscriber {
		s := &subscriber{community: cid, next: next, ch: make(chan *models.Event, 8), gone: make(chan struct{})}
		if !b.subscribe(s) {
			t.Fatal("subscribe refused")
		}
		return s
	}
	open(head + 1)
	if !woken() {
		t.Fatal("the first stream of a community did not wake the broker")
	}
	b.deliver()
	for range 3 {
		open(head + 1)
		if woken() {
			t.Fatal("a stream from the head woke the broker")
		}
	}
	old := open(head - 1)
	if !woken() {
		t.Fatal("a resume from an older event did not wake the broker")
	}
	b.deliver()
	for _, want := range []uint64{head - 1, head} {
		select {
		case e := <-old.ch:
			if e.Seq != want {
				t.Fatalf("resumed stream got seq %d, want %d", e.Seq, want)
			}
		default:
			t.Fatalf("resumed stream did not get seq %d", want)
		}
	}
}

func TestStream_SlowClientDropped(t *testing.T) {
	t.Parallel()
	ta := openStore(t)
	b := newTestBroker(t, ta.s)
	head, err := ta.s.HeadSeq(context.Background(), ta.cid)
	if err != nil {
		t.Fatal(err)
	}
	slow := &subscriber{community: ta.cid, next: 1, ch: make(chan *models.Event, 2), gone: make(chan struct{})}
	fast := &subscriber{community: ta.cid, next: head + 1, ch: make(chan *models.Event, 100), gone: make(chan struct{})}
	b.subscribe(slow)
	b.subscribe(fast)
	select {
	case <-slow.gone:
	case <-time.After(5 * time.Second):
		t.Fatalf("a subscriber that cannot take %d backlog events was not dropped", head)
	}
	if _, err := ta.s.CreateCompound(context.Background(), ta.super, ta.cid, models.CompoundInput{Name: "快的小区"}); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-fast.ch:
		if e.Type != models.EvCompoundCreated {
			t.Fatalf("fast got %s", e.Type)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the fast subscriber waited for the slow one")
	}
	if n := b.Subscribers(); n != 1 {
		t.Fatalf("subscribers=%d, want 1", n)
	}
}
