package stream

// What a stream hears when the server stops (docs/operations.md "Graceful shutdown"): kept apart
// from the streams themselves, which call it at the two places a stream ends at shutdown.

import (
	"net"
	"time"
)

// reconnectFrame tells a client to reconnect after a second — to another instance behind the
// proxy, or to this one once it is back — resuming with Last-Event-ID, before its stream closes.
var reconnectFrame = []byte("retry: 1000\nevent: reconnect\ndata: {}\n\n")

// reconnectWait bounds the farewell write to one hijacked connection.
const reconnectWait = 200 * time.Millisecond

// sayReconnect writes the farewell to a hijacked stream's connection, giving up quickly on a
// client that does not read.
func sayReconnect(conn net.Conn) {
	if conn == nil {
		return
	}
	_ = conn.SetWriteDeadline(time.Now().Add(reconnectWait))
	_, _ = conn.Write(reconnectFrame)
}

// Reconnect is the farewell frame, for a stream kept outside the broker (the inbox) to write when
// the broker closes (Closing).
func Reconnect() []byte { return reconnectFrame }
