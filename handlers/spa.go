package handlers

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// spaRoutes serves the single-page app: hashed assets with a year's cache, everything else that
// is not a file falls back to index.html, which is never cached without asking (no-cache, with
// an ETag). /api is never swallowed. Text files go out compressed to a client that accepts it
// (see uiFiles).
func (a *App) spaRoutes(e *echo.Echo) {
	if a.cfg.UI == nil {
		return
	}
	files := &uiFiles{fsys: a.cfg.UI}
	serve := func(c echo.Context) error {
		p := strings.TrimPrefix(path.Clean("/"+c.Param("*")), "/")
		if strings.HasPrefix(p, "api/") || p == "api" {
			return echo.ErrNotFound
		}
		if p != "" && p != "index.html" {
			if st, err := fs.Stat(files.fsys, p); err == nil && !st.IsDir() {
				f, err := files.get(p)
				if err != nil {
					return err
				}
				cache := "public, max-age=3600"
				if strings.HasPrefix(p, "assets/") {
					cache = "public, max-age=31536000, immutable"
				}
				f.serve(c, cache)
				return nil
			}
			if path.Ext(p) != "" {
				return echo.ErrNotFound
			}
		}
		f, err := files.get("index.html")
		if errors.Is(err, fs.ErrNotExist) {
			return echo.ErrNotFound
		}
		if err != nil {
			return err
		}
		// A public meeting notice's page carries its own link preview (notice.go).
		if a.serveNoticePage(c, f, p) {
			return nil
		}
		f.serve(c, "no-cache")
		return nil
	}
	e.GET("/*", serve)
	e.HEAD("/*", serve)
}

// uiFiles holds each UI file the first time it is asked for, with its compressed forms: the
// build's own precompressed siblings (name.br, name.gz, written by the Vite build) when they
// exist, else a gzip made once here. The UI is embedded and never changes while the process
// runs, so nothing is ever evicted; the whole build is about a megabyte.
type uiFiles struct {
	fsys  fs.FS
	mu    sync.Mutex
	files map[string]*uiFile
}

// uiFile is one file of the UI in each form it is served in. Each form has its own strong ETag.
type uiFile struct {
	name        string
	contentType string
	plain       encoded
	br, gz      *encoded // nil when the file is not text or compression does not pay
}

type encoded struct {
	body []byte
	etag string
}

func (u *uiFiles) get(name string) (*uiFile, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if f, ok := u.files[name]; ok {
		return f, nil
	}
	f, err := loadUIFile(u.fsys, name)
	if err != nil {
		return nil, err
	}
	if u.files == nil {
		u.files = map[string]*uiFile{}
	}
	u.files[name] = f
	return f, nil
}

func loadUIFile(fsys fs.FS, name string) (*uiFile, error) {
	body, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = http.DetectContentType(body)
	}
	sum := sha256.Sum256(body)
	tag := hex.EncodeToString(sum[:12])
	f := &uiFile{name: name, contentType: ctype, plain: encoded{body: body, etag: `"` + tag + `"`}}
	if len(body) < compressMin || !compressibleType(ctype) {
		return f, nil
	}
	// A precompressed sibling counts only when it is smaller than the file itself.
	sibling := func(ext string) *encoded {
		b, err := fs.ReadFile(fsys, name+ext)
		if err != nil || len(b) >= len(body) {
			return nil
		}
		return &encoded{body: b, etag: `"` + tag + "-" + strings.TrimPrefix(ext, ".") + `"`}
	}
	f.br = sibling(".br")
	f.gz = sibling(".gz")
	if f.gz == nil {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(body)
		_ = zw.Close()
		if buf.Len() < len(body) {
			f.gz = &encoded{body: buf.Bytes(), etag: `"` + tag + `-gz"`}
		}
	}
	return f, nil
}

// serve answers with the best form the client accepts (brotli, then gzip, then plain), with
// conditional requests and ranges handled by net/http against that form's ETag.
func (f *uiFile) serve(c echo.Context, cacheControl string) {
	w, r := c.Response(), c.Request()
	h := w.Header()
	form := &f.plain
	if f.br != nil || f.gz != nil {
		h.Add("Vary", "Accept-Encoding")
		switch {
		case f.br != nil && acceptsEncoding(r, "br"):
			form = f.br
			h.Set("Content-Encoding", "br")
		case f.gz != nil && acceptsEncoding(r, "gzip"):
			form = f.gz
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", cacheControl)
	h.Set("ETag", form.etag)
	http.ServeContent(w, r, f.name, time.Time{}, bytes.NewReader(form.body))
}
