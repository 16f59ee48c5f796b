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
	"sync"
	"sync/atomic"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
)

// stream is one subscriber.
type stream struct {
	idx         int
	in          *instance
	kind        string // kindMember or kindWall
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
	return fmt.Sprintf("%s stream %d after %s: %s", st.kind, st.idx, st.endAt.Sub(st.connectedAt).Round(time.Millisecond), st.endErr), true
}

// run opens the stream at path on addr (with token as a bearer when not empty) and reads it
// until ctx ends, on one connection of its own and in this goroutine only: no transport, so a
// stream costs this process one goroutine and a 1 KB buffer. It calls onConnected after the
// `connected` event and returns nil once connected (however the stream ends later; an end
// before ctx is recorded). A 5xx answer is counted in fiveXX.
func (st *stream) run(ctx context.Context, dialer *net.Dialer, addr, path, token string,
	pings, cardEvents, fiveXX *atomic.Int64, onConnected func()) error {
	st.openAt = time.Now()
	conn, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	var req bytes.Buffer
	fmt.Fprintf(&req, "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\nUser-Agent: ssebench\r\n", path, addr)
	if token != "" {
		fmt.Fprintf(&req, "Authorization: Bearer %s\r\n", token)
	}
	req.WriteString("\r\n")
	if _, err := conn.Write(req.Bytes()); err != nil {
		return err
	}
	br := bufio.NewReaderSize(conn, 1024)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		if resp.StatusCode >= 500 {
			fiveXX.Add(1)
		}
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 500))
		return fmt.Errorf("status %d: %s", resp.StatusCode, raw)
	}
	// A stream the server has taken over ends with the connection, so its body is the rest of
	// br; a chunked one (served through net/http) is read through the body's decoder.
	rd := br
	if len(resp.TransferEncoding) > 0 {
		rd = bufio.NewReaderSize(resp.Body, 1024)
	}
	var event string
	var data, long []byte
	for {
		line, err := rd.ReadSlice('\n')
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
			case string(models.EvCardCreated):
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
