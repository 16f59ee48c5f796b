package handlers

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
	"github.com/yueyuetan/yueyuetan/stream"
)

// gunzip decodes a gzip body once, failing the test when it is not gzip.
func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v (%.40q)", err, b)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	return out
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

func wantVary(t *testing.T, rec *httptest.ResponseRecorder, want bool) {
	t.Helper()
	got := strings.Contains(strings.Join(rec.Header().Values("Vary"), ","), "Accept-Encoding")
	if got != want {
		t.Fatalf("Vary=%q, want Accept-Encoding %v", rec.Header().Values("Vary"), want)
	}
}

// TestCompress_UIAssets: the UI's text files go out gzipped (made once here) or in the build's
// precompressed brotli/gzip form to a client that asks, plain to one that does not, each form
// with its own ETag that answers 304; fonts and small files are never compressed.
func TestCompress_UIAssets(t *testing.T) {
	t.Parallel()
	js := []byte(strings.Repeat("export const greeting = '你好，月月谈';\n", 200))
	css := []byte(strings.Repeat(".van-cell { padding: 16px; line-height: 1.5 }\n", 100))
	index := []byte("<!doctype html><html lang=\"zh-CN\"><head><title>月月谈</title>" +
		strings.Repeat("<link rel=\"modulepreload\" href=\"/assets/chunk.js\">", 40) + "</head><body><div id=app></div></body></html>")
	font := make([]byte, 8000)
	_, _ = rand.Read(font)
	cssBr := []byte("pretend-brotli") // served as is: the server never re-encodes a sibling
	ui := fstest.MapFS{
		"index.html":             {Data: index},
		"favicon.svg":            {Data: []byte("<svg xmlns='http://www.w3.org/2000/svg'/>")},
		"assets/app-1a2b.js":     {Data: js},
		"assets/app-3c4d.css":    {Data: css},
		"assets/app-3c4d.css.br": {Data: cssBr},
		"assets/app-3c4d.css.gz": {Data: gzipped(css)},
		"assets/icon-5e6f.woff2": {Data: font},
	}
	ta := openTestApp(t, Config{UI: ui, UIBuilt: true})
	get := func(path, acceptEncoding string, extra ...string) *httptest.ResponseRecorder {
		t.Helper()
		h := map[string]string{}
		if acceptEncoding != "" {
			h["Accept-Encoding"] = acceptEncoding
		}
		if len(extra) == 2 {
			h[extra[0]] = extra[1]
		}
		return ta.do(req{method: "GET", path: path, header: h})
	}

	t.Run("OKGzipMadeOnce", func(t *testing.T) {
		rec := get("/assets/app-1a2b.js", "gzip, deflate")
		wantStatus(t, rec, http.StatusOK)
		if rec.Header().Get("Content-Encoding") != "gzip" {
			t.Fatalf("Content-Encoding=%q, want gzip", rec.Header().Get("Content-Encoding"))
		}
		if !bytes.Equal(gunzip(t, rec.Body.Bytes()), js) {
			t.Fatal("the gzipped body is not the file")
		}
		if rec.Body.Len() >= len(js)/4 {
			t.Fatalf("gzipped %d of %d bytes", rec.Body.Len(), len(js))
		}
		if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/javascript") ||
			rec.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Fatalf("headers=%v", rec.Header())
		}
		wantVary(t, rec, true)
		gzTag := rec.Header().Get("ETag")

		plain := get("/assets/app-1a2b.js", "")
		if plain.Header().Get("Content-Encoding") != "" || !bytes.Equal(plain.Body.Bytes(), js) {
			t.Fatalf("without Accept-Encoding: encoding=%q, %d bytes", plain.Header().Get("Content-Encoding"), plain.Body.Len())
		}
		wantVary(t, plain, true)
		plainTag := plain.Header().Get("ETag")
		if gzTag == "" || plainTag == "" || gzTag == plainTag {
			t.Fatalf("ETags gzip=%q plain=%q: want two different strong tags", gzTag, plainTag)
		}
		if rec := get("/assets/app-1a2b.js", "gzip", "If-None-Match", gzTag); rec.Code != http.StatusNotModified {
			t.Fatalf("If-None-Match the gzip tag: status=%d, want 304", rec.Code)
		}
		if rec := get("/assets/app-1a2b.js", "", "If-None-Match", plainTag); rec.Code != http.StatusNotModified {
			t.Fatalf("If-None-Match the plain tag: status=%d, want 304", rec.Code)
		}
		// The gzip form's tag does not validate the plain form.
		if rec := get("/assets/app-1a2b.js", "", "If-None-Match", gzTag); rec.Code != http.StatusOK {
			t.Fatalf("If-None-Match another form's tag: status=%d, want 200", rec.Code)
		}
		if rec := get("/assets/app-1a2b.js", "gzip;q=0, identity"); rec.Header().Get("Content-Encoding") != "" {
			t.Fatalf("gzip;q=0: Content-Encoding=%q", rec.Header().Get("Content-Encoding"))
		}
	})
	t.Run("OKPrecompressedSiblings", func(t *testing.T) {
		rec := get("/assets/app-3c4d.css", "gzip, deflate, br, zstd")
		if rec.Header().Get("Content-Encoding") != "br" || !bytes.Equal(rec.Body.Bytes(), cssBr) {
			t.Fatalf("br: encoding=%q body=%q", rec.Header().Get("Content-Encoding"), rec.Body.Bytes())
		}
		if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/css") {
			t.Fatalf("Content-Type=%q", rec.Header().Get("Content-Type"))
		}
		rec = get("/assets/app-3c4d.css", "br;q=0, gzip")
		if rec.Header().Get("Content-Encoding") != "gzip" || !bytes.Equal(gunzip(t, rec.Body.Bytes()), css) {
			t.Fatalf("gzip: encoding=%q", rec.Header().Get("Content-Encoding"))
		}
		rec = get("/assets/app-3c4d.css", "")
		if rec.Header().Get("Content-Encoding") != "" || !bytes.Equal(rec.Body.Bytes(), css) {
			t.Fatalf("plain: encoding=%q", rec.Header().Get("Content-Encoding"))
		}
	})
	t.Run("OKIndexAndClientRoutes", func(t *testing.T) {
		for _, p := range []string{"/", "/login", "/me/data"} {
			rec := get(p, "gzip")
			if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != "gzip" ||
				!bytes.Equal(gunzip(t, rec.Body.Bytes()), index) {
				t.Fatalf("%s: status=%d encoding=%q", p, rec.Code, rec.Header().Get("Content-Encoding"))
			}
			if rec.Header().Get("Cache-Control") != "no-cache" || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
				t.Fatalf("%s: headers=%v", p, rec.Header())
			}
			wantVary(t, rec, true)
			if again := get(p, "gzip", "If-None-Match", rec.Header().Get("ETag")); again.Code != http.StatusNotModified {
				t.Fatalf("%s revalidated: status=%d, want 304", p, again.Code)
			}
		}
		if rec := ta.do(req{method: "HEAD", path: "/login", header: map[string]string{"Accept-Encoding": "gzip"}}); rec.Code != http.StatusOK || rec.Body.Len() != 0 {
			t.Fatalf("HEAD: status=%d body=%d", rec.Code, rec.Body.Len())
		}
	})
	t.Run("OKNotCompressed", func(t *testing.T) {
		rec := get("/assets/icon-5e6f.woff2", "gzip, br")
		if rec.Header().Get("Content-Encoding") != "" || !bytes.Equal(rec.Body.Bytes(), font) {
			t.Fatalf("font: encoding=%q", rec.Header().Get("Content-Encoding"))
		}
		wantVary(t, rec, false)
		rec = get("/favicon.svg", "gzip")
		if rec.Header().Get("Content-Encoding") != "" || rec.Header().Get("Cache-Control") != "public, max-age=3600" {
			t.Fatalf("small svg: headers=%v", rec.Header())
		}
		if rec := get("/assets/missing.js", "gzip"); rec.Code != http.StatusNotFound {
			t.Fatalf("missing asset: status=%d", rec.Code)
		}
	})
}

// TestCompress_APIJSON: a JSON answer of at least compressMin bytes is gzipped for a client that
// asks (and stays no-store), a small one, an error and a photo are not, nor anything for a client
// that does not ask.
func TestCompress_APIJSON(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	ctx := context.Background()
	for i := range 30 {
		if _, err := ta.store.CreateCompound(ctx, ta.fx.Super.Actor(), ta.fx.A.ID,
			models.CompoundInput{Name: fmt.Sprintf("压缩测试小区%02d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	path := fmt.Sprintf("/api/v1/communities/%d/compounds", ta.fx.A.ID)
	get := func(path, acceptEncoding string) *httptest.ResponseRecorder {
		t.Helper()
		return ta.do(req{method: "GET", path: path, as: ta.fx.AdminA, header: map[string]string{"Accept-Encoding": acceptEncoding}})
	}
	plain := get(path, "")
	wantStatus(t, plain, http.StatusOK)
	if plain.Body.Len() < 2*compressMin {
		t.Fatalf("the list is %d bytes; the test needs a large answer", plain.Body.Len())
	}

	t.Run("OKLargeGzipped", func(t *testing.T) {
		rec := get(path, "gzip, deflate, br")
		wantStatus(t, rec, http.StatusOK)
		if rec.Header().Get("Content-Encoding") != "gzip" || rec.Header().Get("Content-Length") != "" {
			t.Fatalf("headers=%v", rec.Header())
		}
		body := gunzip(t, rec.Body.Bytes())
		if !bytes.Equal(body, plain.Body.Bytes()) || !json.Valid(body) {
			t.Fatalf("gunzipped %d bytes differ from the plain answer's %d", len(body), plain.Body.Len())
		}
		if rec.Body.Len() >= plain.Body.Len()/2 {
			t.Fatalf("gzipped %d of %d bytes", rec.Body.Len(), plain.Body.Len())
		}
		if rec.Header().Get("Cache-Control") != "no-store" || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			t.Fatalf("headers=%v", rec.Header())
		}
		wantVary(t, rec, true)
	})
	t.Run("OKNotAsked", func(t *testing.T) {
		if plain.Header().Get("Content-Encoding") != "" || !json.Valid(plain.Body.Bytes()) {
			t.Fatalf("no Accept-Encoding: encoding=%q", plain.Header().Get("Content-Encoding"))
		}
		wantVary(t, plain, true)
		for _, ae := range []string{"identity", "gzip;q=0", "br"} {
			if rec := get(path, ae); rec.Header().Get("Content-Encoding") != "" || !bytes.Equal(rec.Body.Bytes(), plain.Body.Bytes()) {
				t.Fatalf("Accept-Encoding %q: encoding=%q", ae, rec.Header().Get("Content-Encoding"))
			}
		}
	})
	t.Run("OKSmallAndErrorsPlain", func(t *testing.T) {
		rec := get("/api/v1/me", "gzip")
		wantStatus(t, rec, http.StatusOK)
		if rec.Body.Len() >= compressMin || rec.Header().Get("Content-Encoding") != "" || !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("/me: %d bytes, encoding=%q", rec.Body.Len(), rec.Header().Get("Content-Encoding"))
		}
		rec = get("/api/v1/communities/999999/compounds", "gzip")
		if p := wantProblem(t, rec, http.StatusNotFound, "not_found"); p.Code == "" || rec.Header().Get("Content-Encoding") != "" {
			t.Fatalf("problem: encoding=%q", rec.Header().Get("Content-Encoding"))
		}
		rec = ta.do(req{method: "POST", path: path, as: ta.fx.AdminA, body: map[string]any{"name": ""},
			header: map[string]string{"Accept-Encoding": "gzip"}})
		wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
		if rec.Header().Get("Content-Encoding") != "" {
			t.Fatalf("422: encoding=%q", rec.Header().Get("Content-Encoding"))
		}
	})
	t.Run("OKPhotoNotRecompressed", func(t *testing.T) {
		rec := ta.uploadPhoto(t, ta.fx.Resident, ta.fx.A.ID, noisePhoto(t))
		wantStatus(t, rec, http.StatusCreated)
		up := decode[uploadResponse](t, rec)
		photo := ta.do(req{method: "GET", path: up.URL, as: ta.fx.Resident, header: map[string]string{"Accept-Encoding": "gzip"}})
		wantStatus(t, photo, http.StatusOK)
		if photo.Body.Len() < compressMin || photo.Header().Get("Content-Encoding") != "" ||
			!strings.HasPrefix(photo.Header().Get("Content-Type"), "image/") {
			t.Fatalf("photo: %d bytes, headers=%v", photo.Body.Len(), photo.Header())
		}
	})
	t.Run("OKOpenAPISpec", func(t *testing.T) {
		rec := ta.do(req{method: "GET", path: "/api/openapi.yaml", header: map[string]string{"Accept-Encoding": "gzip"}})
		if rec.Header().Get("Content-Encoding") != "gzip" || !bytes.Equal(gunzip(t, rec.Body.Bytes()), OpenAPISpec) {
			t.Fatalf("openapi.yaml: encoding=%q", rec.Header().Get("Content-Encoding"))
		}
	})
	t.Run("OKMetricsAsBefore", func(t *testing.T) {
		// /metrics is the Prometheus handler's own: it gzips by itself for a scraper that asks,
		// once, and nothing here wraps it.
		for _, ae := range []string{"", "gzip"} {
			rec := ta.do(req{method: "GET", path: "/metrics", remote: "127.0.0.1:9999", header: map[string]string{"Accept-Encoding": ae}})
			wantStatus(t, rec, http.StatusOK)
			body := rec.Body.Bytes()
			if rec.Header().Get("Content-Encoding") == "gzip" {
				body = gunzip(t, body)
			}
			if !bytes.Contains(body, []byte("# HELP")) {
				t.Fatalf("Accept-Encoding %q: /metrics body %.60q", ae, body)
			}
		}
	})
}

// noisePhoto is a JPEG of random pixels, tens of kilobytes however it is re-encoded.
func noisePhoto(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 160, 120))
	_, _ = rand.Read(img.Pix)
	for i := 3; i < len(img.Pix); i += 4 {
		img.Pix[i] = 0xff
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestCompress_StreamsUntouched: an event stream asked for with Accept-Encoding: gzip is neither
// compressed nor held back, on the hijacked connection (a real server) and on the net/http
// fallback (a recorder cannot be hijacked).
func TestCompress_StreamsUntouched(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	cy := ta.cardCycle(t)
	m := ta.schedule(t, cy.ID, nil)
	path := fmt.Sprintf("/api/v1/meetings/%d/stream", m.ID)

	t.Run("OKHijacked", func(t *testing.T) {
		srv := httptest.NewServer(ta.e)
		t.Cleanup(srv.Close)
		// Setting Accept-Encoding by hand keeps Go's client from decoding gzip itself: a gzipped
		// stream would reach the parser as bytes it cannot read, and no event would arrive.
		s := openStream(t, srv.URL+path, map[string]string{"Authorization": "Bearer " + ta.token(ta.fx.Resident),
			"Accept-Encoding": "gzip, deflate, br", "Accept": "text/event-stream"})
		if ce := s.resp.Header.Get("Content-Encoding"); ce != "" || !strings.HasPrefix(s.resp.Header.Get("Content-Type"), "text/event-stream") {
			t.Fatalf("stream headers=%v", s.resp.Header)
		}
		s.next(t, "connected", 5*time.Second)
		ta.submit(t, cy.ID, ta.fx.Resident, map[string]any{"body": "压缩不能挡住实时事件"})
		s.next(t, models.EvCardCreated, 5*time.Second)
	})
	t.Run("OKFallbackWriter", func(t *testing.T) {
		// No Accept header: the route alone marks it a stream.
		rec := ta.do(req{method: "GET", path: path, as: ta.fx.Resident, header: map[string]string{"Accept-Encoding": "gzip"}})
		wantStatus(t, rec, http.StatusOK)
		if rec.Header().Get("Content-Encoding") != "" || !strings.HasPrefix(rec.Body.String(), stream.Connected) || !rec.Flushed {
			t.Fatalf("fallback stream: encoding=%q flushed=%v body=%.80q", rec.Header().Get("Content-Encoding"), rec.Flushed, rec.Body.String())
		}
		wantVary(t, rec, false)
	})
}
