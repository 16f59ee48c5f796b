// Command uploadbench measures the server's memory under photo uploads sent at once, against the
// floor the server promises: however many arrive, cleaning them keeps it under 400 MB of RSS.
// Run it from the repository:
//
//	go run ./cmd/uploadbench
//	go run ./cmd/uploadbench -mysql 'root@tcp(127.0.0.1:3306)/test'
//
// It builds ./server into a temporary folder, loads the demo data into a temporary --data-dir
// (or a new MySQL database, dropped afterwards), and for each scenario starts a fresh `serve`
// child process on a free 127.0.0.1 port, logs in as a verified demo resident and sends N
// uploads of one picture at once (POST /api/v1/uploads). It prints the answers' statuses, the
// wall time and the server's peak RSS (VmHWM from /proc/PID/status, the process's high-water mark)
// next to the floor, with PASS or MISS. The pictures are made here, in memory:
//
//   - bomb: a PNG of 7071×7071 pixels at 16 bits a channel (RGBA64), all zero, about 389 KB: under
//     50 megapixels, but 400 MB once decoded. Every copy must be refused (422) from its header.
//   - largest: a 16-bit PNG of 3600×3600, just under the 100 MB the server lets one picture take
//     when decoded: accepted ones are decoded for real, the rest wait their turn or get 503.
//   - phone: a 12-megapixel JPEG of noise just under 10 MB, the worst a phone sends.
//   - phone-one: that JPEG alone, which must be stored (201).
//
// The client runs on the same machine as the server; the figures are the server's own.
package main

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"image"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/yueyuetan/yueyuetan/internal/benchkit"
	"github.com/yueyuetan/yueyuetan/media"
	"github.com/yueyuetan/yueyuetan/models"
)

// floorMiB is the server's promise: its RSS stays under this however many uploads arrive.
const floorMiB = 400

type options struct {
	n         int
	mysqlDSN  string
	resident  string
	password  string
	scenarios string
	timeout   time.Duration
	keep      bool
}

func main() {
	var o options
	flag.IntVar(&o.n, "n", 16, "uploads sent at once in each scenario")
	flag.StringVar(&o.mysqlDSN, "mysql", "", "run on MySQL/MariaDB instead of SQLite: user:pass@tcp(127.0.0.1:3306)/db; a new database is made and dropped")
	flag.StringVar(&o.resident, "resident", "13900000101", "demo resident (verified) who uploads")
	flag.StringVar(&o.password, "password", "yueyuetan-demo", "the demo password")
	flag.StringVar(&o.scenarios, "scenarios", "bomb,largest,phone,phone-one", "what to send, comma-separated: bomb, largest, phone, phone-one")
	flag.DurationVar(&o.timeout, "timeout", 5*time.Minute, "bound on the whole run after the build")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary folder (binary, data, server logs)")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "uploadbench:", err)
		os.Exit(1)
	}
}

// scenario is one picture sent count times at once; want is the status every answer must have
// (0: 201 or 503, as the server's turns allow).
type scenario struct {
	name  string
	count int
	want  int
	make  func() ([]byte, error)
}

func run(o options) error {
	if o.n < 1 {
		return errors.New("-n must be at least 1")
	}
	all := map[string]scenario{
		"bomb":      {"bomb", o.n, http.StatusUnprocessableEntity, func() ([]byte, error) { return zeroPNG16(7071, 7071) }},
		"largest":   {"largest", o.n, 0, func() ([]byte, error) { return zeroPNG16(3600, 3600) }},
		"phone":     {"phone", o.n, 0, noiseJPEG},
		"phone-one": {"phone-one", 1, http.StatusCreated, noiseJPEG},
	}
	var list []scenario
	for _, name := range strings.Split(o.scenarios, ",") {
		sc, ok := all[strings.TrimSpace(name)]
		if !ok {
			return fmt.Errorf("unknown scenario %q: want bomb, largest, phone or phone-one", name)
		}
		list = append(list, sc)
	}
	root, tmp, cleanup, err := benchkit.Workspace("uploadbench", o.keep)
	if err != nil {
		return err
	}
	defer cleanup()
	fmt.Println("== machine")
	fmt.Printf("nproc %d, %s %s/%s\n", runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Printf("cpu   %s\nmem   %s\n", benchkit.CPUModel(), benchkit.MemTotal())
	fmt.Printf("load average at the start: %s\n", benchkit.LoadAvg())
	bin := filepath.Join(tmp, "yueyuetan")
	if _, err := benchkit.BuildServer(root, bin, ""); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	dialect := models.DialectSQLite
	if o.mysqlDSN != "" {
		dialect = models.DialectMySQL
	}
	t, err := benchkit.NewTarget(filepath.Join(tmp, "data"), dialect, o.mysqlDSN, "yyt_uploadbench_")
	if err != nil {
		return err
	}
	defer t.Drop()
	if err := benchkit.RunCLI(ctx, bin, t, "seed", "demo"); err != nil {
		return err
	}

	fmt.Printf("\n== %d uploads at once per scenario, %s, a fresh server each; floor: peak RSS under %d MiB\n", o.n, dialect, floorMiB)
	fmt.Printf("limits: %d MB a file, %.0f megapixels, %d MiB decoded a picture, %d MiB for all pictures being cleaned\n",
		media.MaxBytes>>20, media.MaxPixels/1e6, media.MaxDecodeBytes>>20, media.SharedMemory>>20)
	fmt.Printf("%-10s %8s %6s  %-22s %9s %12s %6s\n", "scenario", "file", "sent", "statuses", "wall", "peak RSS", "floor")
	failed := false
	for i, sc := range list {
		pic, err := sc.make()
		if err != nil {
			return fmt.Errorf("%s: make the picture: %w", sc.name, err)
		}
		res, err := measure(ctx, bin, filepath.Join(tmp, fmt.Sprintf("server-%02d.log", i+1)), t, o, sc, pic)
		if err != nil {
			return fmt.Errorf("%s: %w", sc.name, err)
		}
		verdict := "PASS"
		if benchkit.MiB(res.hwm) >= floorMiB || !res.ok {
			verdict, failed = "MISS", true
		}
		fmt.Printf("%-10s %6.2fMB %6d  %-22s %8.1fs %8.1f MiB %6s\n", sc.name, float64(len(pic))/1e6, sc.count,
			res.statuses, res.wall.Seconds(), benchkit.MiB(res.hwm), verdict)
		if !res.ok {
			fmt.Printf("           %s\n", res.why)
		}
	}
	fmt.Printf("\nload average at the end: %s\n", benchkit.LoadAvg())
	if failed {
		return errors.New("a scenario missed its floor or answered other than it must")
	}
	return nil
}

type result struct {
	statuses string
	wall     time.Duration
	hwm      int64
	ok       bool
	why      string
}

// measure starts a fresh server, sends the scenario's uploads at once and reads the server's
// high-water mark of RSS after the last answer.
func measure(ctx context.Context, bin, logPath string, t *benchkit.Target, o options, sc scenario, pic []byte) (*result, error) {
	s, _, err := benchkit.Start(ctx, bin, logPath, t, 20*time.Millisecond)
	if err != nil {
		return nil, err
	}
	defer s.Stop()
	api := benchkit.NewAPI(s.Base, 2*time.Minute)
	token, err := api.Login(ctx, o.resident, o.password)
	if err != nil {
		return nil, err
	}
	var mine struct {
		Items []struct {
			ID uint64 `json:"id"`
		} `json:"items"`
	}
	if err := api.Do(ctx, http.MethodGet, "/api/v1/communities", token, nil, http.StatusOK, &mine); err != nil {
		return nil, err
	}
	if len(mine.Items) == 0 {
		return nil, fmt.Errorf("%s belongs to no community", o.resident)
	}
	form, contentType, err := uploadForm(mine.Items[0].ID, pic)
	if err != nil {
		return nil, err
	}
	var (
		mu     sync.Mutex
		counts = map[int]int{}
		errs   []string
		wg     sync.WaitGroup
		start  = make(chan struct{})
	)
	for range sc.count {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			code, err := post(ctx, api, token, form, contentType)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err.Error())
				return
			}
			counts[code]++
		}()
	}
	began := time.Now()
	close(start)
	wg.Wait()
	res := &result{wall: time.Since(began), ok: true}
	_, res.hwm = benchkit.ProcStatus(s.Cmd.Process.Pid)
	var codes []int
	for c := range counts {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	var parts []string
	for _, c := range codes {
		parts = append(parts, fmt.Sprintf("%d×%d", c, counts[c]))
		switch {
		case sc.want != 0 && c != sc.want:
			res.ok, res.why = false, fmt.Sprintf("answered %d, want every answer %d", c, sc.want)
		case sc.want == 0 && c != http.StatusCreated && c != http.StatusServiceUnavailable:
			res.ok, res.why = false, fmt.Sprintf("answered %d, want 201 or 503", c)
		}
	}
	if len(errs) > 0 {
		parts = append(parts, fmt.Sprintf("error×%d", len(errs)))
		res.ok, res.why = false, errs[0]
	}
	res.statuses = strings.Join(parts, " ")
	return res, nil
}

// post sends one upload form and returns the answer's status.
func post(ctx context.Context, api *benchkit.API, token string, form []byte, contentType string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, api.Base+"/api/v1/uploads", bytes.NewReader(form))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := api.HC.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// uploadForm is the multipart body of an upload for a community.
func uploadForm(communityID uint64, pic []byte) ([]byte, string, error) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if err := mw.WriteField("community_id", fmt.Sprint(communityID)); err != nil {
		return nil, "", err
	}
	fw, err := mw.CreateFormFile("file", "photo")
	if err != nil {
		return nil, "", err
	}
	if _, err := fw.Write(pic); err != nil {
		return nil, "", err
	}
	if err := mw.Close(); err != nil {
		return nil, "", err
	}
	return b.Bytes(), mw.FormDataContentType(), nil
}

// zeroPNG16 writes a w×h PNG of 16-bit RGBA pixels, all zero, a row at a time: the picture is
// never held in memory, and zeros compress about a thousand to one.
func zeroPNG16(w, h int) ([]byte, error) {
	var out bytes.Buffer
	out.Write([]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'})
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, 16, 6, 0, 0, 0) // depth 16, colour type RGBA, deflate, no filter, no interlace
	chunk(&out, "IHDR", ihdr)
	var idat bytes.Buffer
	zw, err := zlib.NewWriterLevel(&idat, zlib.BestCompression)
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(zw, 1<<16)
	row := make([]byte, 1+8*w) // filter byte (none) and the pixels
	for range h {
		if _, err := bw.Write(row); err != nil {
			return nil, err
		}
	}
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	chunk(&out, "IDAT", idat.Bytes())
	chunk(&out, "IEND", nil)
	return out.Bytes(), nil
}

func chunk(w *bytes.Buffer, kind string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	w.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(kind))
	crc.Write(data)
	w.WriteString(kind)
	w.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	w.Write(n[:])
}

// noiseJPEG is a 12-megapixel (4000×3000) photo of noise, which does not compress, at the best
// quality that stays under 10 MB.
func noiseJPEG() ([]byte, error) {
	r := rand.New(rand.NewPCG(1, 2))
	img := image.NewRGBA(image.Rect(0, 0, 4000, 3000))
	for i := range img.Pix {
		img.Pix[i] = uint8(r.Uint32())
	}
	for q := 92; q >= 40; q -= 4 {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
			return nil, err
		}
		if buf.Len() <= media.MaxBytes {
			return buf.Bytes(), nil
		}
	}
	return nil, errors.New("could not make a photo under 10 MB")
}
