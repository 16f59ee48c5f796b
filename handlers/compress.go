package handlers

import (
	"bufio"
	"compress/gzip"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
)

// compressMin is the smallest body worth compressing: below it the gzip framing (about 20
// bytes) and the CPU cost buy nothing a phone would notice.
const compressMin = 1024

// acceptsEncoding reports whether the request's Accept-Encoding takes coding (gzip, br) with a
// quality above zero, by name or through "*".
func acceptsEncoding(r *http.Request, coding string) bool {
	star := false
	for _, field := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(field, ",") {
			name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			name = strings.ToLower(strings.TrimSpace(name))
			q := 1.0
			for _, p := range strings.Split(params, ";") {
				k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
				if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
					if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
						q = f
					}
				}
			}
			switch name {
			case coding:
				return q > 0
			case "*":
				star = q > 0
			}
		}
	}
	return star
}

// compressibleType reports a media type whose body is text: JSON (problem+json included), YAML,
// JavaScript, CSS, HTML, SVG. Event streams are text too but are never compressed: each event
// must reach the client when it is written.
func compressibleType(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case mt == "text/event-stream":
		return false
	case strings.HasPrefix(mt, "text/"):
		return true
	case mt == "application/json", strings.HasSuffix(mt, "+json"), mt == "application/yaml",
		mt == "application/x-yaml", mt == "application/javascript", mt == "application/manifest+json",
		mt == "image/svg+xml", mt == "application/xml", strings.HasSuffix(mt, "+xml"):
		return true
	}
	return false
}

var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
	return w
}}

// compressResponses gzips an answer whose body is text of at least compressMin bytes, for a
// client that accepts gzip. It holds back the first compressMin bytes to decide; an answer that
// is flushed before then, is not text (photos are already compressed), already carries a
// Content-Encoding, or is hijacked goes out as the handler wrote it. Event streams (routes ending
// in /stream, or asked for as text/event-stream) are never wrapped at all.
func compressResponses(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Method == http.MethodHead || isStreamRequest(c) {
			return next(c)
		}
		res := c.Response()
		res.Header().Add("Vary", "Accept-Encoding")
		if !acceptsEncoding(r, "gzip") {
			return next(c)
		}
		w := &gzipResponseWriter{ResponseWriter: res.Writer}
		res.Writer = w
		defer func() {
			w.finish()
			res.Writer = w.ResponseWriter
		}()
		return next(c)
	}
}

// isStreamRequest reports an event-stream request, which must reach the hijacking stream
// handlers (stream_conn.go) with the server's own writer.
func isStreamRequest(c echo.Context) bool {
	return strings.HasSuffix(c.Path(), "/stream") ||
		strings.Contains(c.Request().Header.Get("Accept"), "text/event-stream")
}

// gzipResponseWriter decides on the first compressMin bytes (or at the end, or on a flush)
// whether the answer is compressed, then passes everything on accordingly.
type gzipResponseWriter struct {
	http.ResponseWriter
	code     int
	buf      []byte
	decided  bool
	gz       *gzip.Writer
	hijacked bool
}

func (w *gzipResponseWriter) WriteHeader(code int) {
	if w.decided {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	if code >= 100 && code < 200 {
		// Informational answers go out at once and do not end the header.
		w.ResponseWriter.WriteHeader(code)
		return
	}
	if w.code == 0 {
		w.code = code
	}
}

func (w *gzipResponseWriter) Write(b []byte) (int, error) {
	if w.decided {
		if w.gz != nil {
			return w.gz.Write(b)
		}
		return w.ResponseWriter.Write(b)
	}
	if w.code == 0 {
		w.code = http.StatusOK
	}
	w.buf = append(w.buf, b...)
	if len(w.buf) >= compressMin {
		if err := w.decide(); err != nil {
			return 0, err
		}
	}
	return len(b), nil
}

// decide writes the header, compressed or not, and what was held back.
func (w *gzipResponseWriter) decide() error {
	w.decided = true
	h := w.Header()
	if len(w.buf) >= compressMin && h.Get("Content-Encoding") == "" && compressibleType(h.Get("Content-Type")) &&
		w.code != http.StatusNoContent && w.code != http.StatusNotModified && w.code != http.StatusPartialContent {
		h.Del("Content-Length")
		h.Set("Content-Encoding", "gzip")
		w.ResponseWriter.WriteHeader(w.code)
		gz := gzipWriters.Get().(*gzip.Writer)
		gz.Reset(w.ResponseWriter)
		w.gz = gz
		_, err := gz.Write(w.buf)
		w.buf = nil
		return err
	}
	w.ResponseWriter.WriteHeader(w.code)
	var err error
	if len(w.buf) > 0 {
		_, err = w.ResponseWriter.Write(w.buf)
	}
	w.buf = nil
	return err
}

// finish ends the answer: what was held back goes out, the gzip stream is closed. Nothing is
// written for a handler that wrote nothing (it returned an error for Echo's error handler).
func (w *gzipResponseWriter) finish() {
	if w.hijacked {
		return
	}
	if !w.decided {
		if w.code == 0 {
			return
		}
		_ = w.decide()
	}
	if w.gz != nil {
		_ = w.gz.Close()
		gzipWriters.Put(w.gz)
		w.gz = nil
	}
}

// Flush sends what was written so far; an undecided answer is sent as it is.
func (w *gzipResponseWriter) Flush() {
	if !w.decided {
		if w.code == 0 {
			w.code = http.StatusOK
		}
		_ = w.decide()
	}
	if w.gz != nil {
		_ = w.gz.Flush()
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack hands the connection over untouched.
func (w *gzipResponseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil {
		w.hijacked = true
	}
	return conn, rw, err
}

// Unwrap lets http.ResponseController reach the server's writer (deadlines).
func (w *gzipResponseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
