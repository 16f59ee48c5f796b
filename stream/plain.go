package stream

import "net/http"

// What a stream served outside the broker (the inbox's, handlers/notify_stream.go) shares with
// the broker's, so that every event stream of the server looks and paces alike.
const (
	// Heartbeat is how often a silent stream sends a comment line.
	Heartbeat = streamHeartbeat
	// WriteWait is the longest one write to a stream may take.
	WriteWait = streamWriteWait
)

// SetHeaders marks a response as an event stream that no proxy buffers or caches.
func SetHeaders(h http.Header) { setStreamHeaders(h) }

// Ping is the comment line a silent stream sends; a caller must not change it.
func Ping() []byte { return pingFrame }
