package handlers

// Graceful shutdown (docs/operations.md "Graceful shutdown"): Shutdown — what the serve command
// runs on SIGTERM — under ballot load over real connections: every ballot answered 2xx is
// stored and no ballot is stored without its answer, open streams are told to reconnect, and the
// port stops taking connections.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/internal/testenv"
	"github.com/yueyuetan/yueyuetan/stream"
)

func TestShutdown_UnderBallotLoad(t *testing.T) {
	store := testenv.Open(t)
	broker := wiredBroker(t, store, stream.Options{})
	ta := &testApp{t: t, store: store, tok: &tokens{secret: []byte(testSecret), ttl: AccessTTL, now: time.Now}}
	ta.e = New(Config{Store: store, JWTSecret: []byte(testSecret), Logger: discardLogger(), Broker: broker})
	ta.fx = buildFixture(t, store)
	pf := ta.buildPollFixture("2027-06")
	const n = 300
	voters := ta.addVoters(t, 0, n, nil)
	p := ta.openedPoll(t, pf.meeting, map[string]any{"title": "停机时的表决", "method": "single", "secrecy": "named",
		"results_visibility": "after_close", "options": []map[string]any{{"label": "同意"}, {"label": "反对"}}})
	tokens := make([]string, n)
	for i, v := range voters {
		tokens[i] = ta.token(v)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: ta.e, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	base := "http://" + ln.Addr().String()

	// An open event stream, hijacked like every HTTP/1.1 stream, and the inbox's stream, which the
	// app keeps open on every page a signed-in person has open.
	stream := openSSE(t, fmt.Sprintf("%s/api/v1/meetings/%d/stream", base, pf.meeting.ID), ta.token(ta.fx.Resident))
	inbox := openSSE(t, base+"/api/v1/me/notifications/stream", ta.token(ta.fx.Resident))

	client := &http.Client{Timeout: 15 * time.Second}
	var acked sync.Map // voter index → true, for every 2xx
	var answered, failed atomic.Int64
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				body, _ := json.Marshal(map[string]any{"option_id": p.Options[i%2].ID})
				r, _ := http.NewRequest("POST", base+pollPath(p, "/ballots"), bytes.NewReader(body))
				r.Header.Set("Authorization", "Bearer "+tokens[i])
				r.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(r)
				if err != nil {
					failed.Add(1)
					continue
				}
				resp.Body.Close()
				if resp.StatusCode/100 == 2 {
					acked.Store(i, true)
					answered.Add(1)
				} else if resp.StatusCode >= 500 {
					t.Errorf("ballot %d: %d", i, resp.StatusCode)
				}
			}
		}()
	}
	for answered.Load() < n/4 {
		time.Sleep(2 * time.Millisecond)
	}
	start := time.Now()
	if err := Shutdown(srv, broker, ShutdownGrace); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	took := time.Since(start)
	wg.Wait()

	// The streams heard they should reconnect, then ended, and the shutdown did not wait for them.
	rest, _ := readAll(stream)
	if !strings.Contains(rest, "event: reconnect") {
		t.Fatalf("the stream ended without being told to reconnect: %q", rest)
	}
	if rest, _ := readAll(inbox); !strings.Contains(rest, "event: reconnect") {
		t.Fatalf("the inbox stream ended without being told to reconnect: %q", rest)
	}
	if took > ShutdownGrace/2 {
		t.Fatalf("shutdown took %v: it waited for a stream", took)
	}
	// The port takes no more connections.
	if c, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		c.Close()
		t.Fatal("the port still accepts connections after shutdown")
	}

	var stored []uint64
	if err := store.Gorm().Table("poll_receipts").Where("poll_id = ?", p.ID).Pluck("user_id", &stored).Error; err != nil {
		t.Fatal(err)
	}
	byUser := map[uint64]bool{}
	for _, id := range stored {
		byUser[id] = true
	}
	acks := 0
	acked.Range(func(k, _ any) bool {
		acks++
		if !byUser[voters[k.(int)].ID] {
			t.Errorf("ballot %d was answered 2xx and is not stored", k)
		}
		return true
	})
	t.Logf("shutdown took %v: %d ballots acknowledged (all stored), %d refused or cut before being read, %d stored",
		took.Round(time.Millisecond), acks, failed.Load(), len(stored))
	if len(stored) != acks {
		t.Fatalf("%d ballots stored, %d acknowledged: a request was cut mid-way", len(stored), acks)
	}
	if acks == n {
		t.Fatal("every ballot got through: the shutdown came after the load")
	}
	res, err := store.VerifyChain(t.Context(), ta.fx.A.ID)
	if err != nil || !res.OK {
		t.Fatalf("chain after shutdown: %+v %v", res, err)
	}
}

func readAll(r *bufio.Reader) (string, error) {
	var b strings.Builder
	_, err := r.WriteTo(&b)
	return b.String(), err
}

// openSSE opens a stream with the bearer token and reads its first line (retry:); the stream is
// closed with the test.
func openSSE(t *testing.T, url, token string) *bufio.Reader {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("open %s: %v %v", url, resp, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	r := bufio.NewReader(resp.Body)
	if line, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(line, "retry:") {
		t.Fatalf("%s: first line %q %v", url, line, err)
	}
	return r
}
