package handlers

import (
	"bufio"
	"fmt"
	"github.com/yueyuetan/yueyuetan/internal/benchkit"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
)

// BenchmarkLedgerExport exports the items ledger (the longest: one row per action item) of a
// seeded history as XLSX through the real app, at two sizes, and reports the rows next to the
// peak Go heap and the peak RSS of the process during the export. Flat memory means the peaks do
// not grow with the rows (docs/ledgers.md "Flat memory"). The history: resolutions of the one
// cycle's meeting (each on a poll of its own), 20 items each, two updates an item with hours and
// costs. YYT_LEDGER_BENCH_RESOLUTIONS sets the largest size (default 8,000 resolutions, 160,000
// rows); the export runs at a sixteenth, a quarter and all of it.
//
//	go test -run '^$' -bench BenchmarkLedgerExport -benchtime 1x ./handlers/
//	YYT_TEST_MYSQL_DSN='root@tcp(127.0.0.1:3306)/test' go test -run '^$' -bench BenchmarkLedgerExport -benchtime 1x ./handlers/
func BenchmarkLedgerExport(b *testing.B) {
	total := 8000
	if v, err := strconv.Atoi(os.Getenv("YYT_LEDGER_BENCH_RESOLUTIONS")); err == nil && v >= 16 {
		total = v
	}
	ta := openTestApp(b, Config{})
	f := ta.fx
	base := ta.adoptedResolution("2032-01")
	seeded := 0
	seed := func(n int) {
		b.Helper()
		if err := seedLedgerHistory(ta.store, base, f, seeded, n); err != nil {
			b.Fatal(err)
		}
		seeded += n
	}
	export := func() (rows int, heap, rss uint64, took time.Duration) {
		runtime.GC()
		resetPeakRSS()
		var peak atomic.Uint64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			var ms runtime.MemStats
			for {
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
				select {
				case <-stop:
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
		}()
		// The answer is counted and dropped, as a client's socket would take it: a recorder
		// holding the whole file would be the benchmark's memory, not the server's.
		hr := httptest.NewRequest("GET", fmt.Sprintf("/api/v1/communities/%d/ledgers/items.xlsx", f.A.ID), nil)
		hr.Header.Set("Authorization", "Bearer "+ta.token(f.Committee))
		w := &countingWriter{header: http.Header{}}
		start := time.Now()
		ta.e.ServeHTTP(w, hr)
		took = time.Since(start)
		close(stop)
		wg.Wait()
		if w.code != http.StatusOK || w.n == 0 || fmt.Sprint(w.n) != w.header.Get("Content-Length") {
			b.Fatalf("export: %d, %d bytes, length %q", w.code, w.n, w.header.Get("Content-Length"))
		}
		rows, _ = strconv.Atoi(w.header.Get("X-Ledger-Rows"))
		return rows, peak.Load(), peakRSS(), took
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var rows int
		var heap, rss uint64
		for _, size := range []int{total / 16, total / 4, total} {
			b.StopTimer()
			if seeded < size {
				seed(size - seeded)
			}
			b.StartTimer()
			var took time.Duration
			rows, heap, rss, took = export()
			fmt.Printf("ledger export (%s, load %s): %7d rows %6.1f s peak heap %6.1f MB peak RSS %6.1f MB\n",
				dbName(), benchkit.LoadAvg(), rows, took.Seconds(), mb(heap), mb(rss))
		}
		b.ReportMetric(float64(rows), "rows")
		b.ReportMetric(mb(heap), "peak-heap-MB")
		b.ReportMetric(mb(rss), "peak-RSS-MB")
	}
}

// countingWriter is a ResponseWriter that keeps the header and counts the body's bytes.
type countingWriter struct {
	header http.Header
	code   int
	n      int64
}

func (w *countingWriter) Header() http.Header { return w.header }
func (w *countingWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}
func (w *countingWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	w.n += int64(len(p))
	return len(p), nil
}

func mb(v uint64) float64 { return float64(v) / (1 << 20) }

func dbName() string {
	if os.Getenv("YYT_TEST_MYSQL_DSN") != "" {
		return "mariadb"
	}
	return "sqlite"
}

// resetPeakRSS clears the process's VmHWM (Linux: 5 to clear_refs), so that the next reading is
// the peak since now.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is the process's VmHWM in bytes, 0 where /proc has none.
func peakRSS() uint64 {
	fh, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// seedLedgerHistory adds n resolutions to the base resolution's cycle, each on a closed poll of
// its own, with 20 items (the first open for claims, every fifth done late, every seventh
// overdue) and two updates an item, in batches through the store's database.
func seedLedgerHistory(s *models.Store, base *models.Resolution, f fixture, from, n int) error {
	db := s.Gorm()
	var poll models.Poll
	if err := db.Take(&poll, base.PollID).Error; err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Second)
	for start := 0; start < n; start += 100 {
		k := min(100, n-start)
		polls := make([]models.Poll, k)
		for i := range polls {
			p := poll
			p.ID = 0
			p.Title = fmt.Sprintf("表决%d", from+start+i)
			polls[i] = p
		}
		if err := db.CreateInBatches(&polls, 100).Error; err != nil {
			return fmt.Errorf("seed polls: %w", err)
		}
		rs := make([]models.Resolution, k)
		for i := range rs {
			budget := int64(100000 * (i + 1))
			rs[i] = models.Resolution{CommunityID: base.CommunityID, CycleID: base.CycleID, MeetingID: base.MeetingID,
				PollID: polls[i].ID, Title: fmt.Sprintf("决议%d", from+start+i), Text: "楼道照明改造，按楼栋分步实施。",
				Category: models.CategoryOrdinary, Status: models.ResolutionImplementing, PollPassed: true,
				DraftedBy: f.Facilitator.ID, DecidedAt: &now, CreatedAt: now, UpdatedAt: now, BudgetFen: &budget,
				FundingSource: models.FundingGovernmentSubsidy}
		}
		if err := db.CreateInBatches(&rs, 100).Error; err != nil {
			return fmt.Errorf("seed resolutions: %w", err)
		}
		var items []models.ActionItem
		for _, r := range rs {
			for j := 0; j < 20; j++ {
				it := models.ActionItem{CommunityID: r.CommunityID, ResolutionID: r.ID, Title: fmt.Sprintf("事项%d-%d", r.ID, j),
					Weight: 1 + j%3, DueDate: now.AddDate(0, 0, 30-j*2).Format(time.DateOnly), Status: models.ItemInProgress,
					Progress: j * 5, CreatedBy: f.Facilitator.ID, CreatedAt: now, UpdatedAt: now, Skills: "[]",
					ContactName: "王师傅", ContactPhone: "13900001111"}
				switch {
				case j%5 == 0:
					done := now
					it.Status, it.Progress, it.DoneAt = models.ItemDone, 100, &done
				case j%2 == 0:
					it.AssigneeUserID = &f.Party.ID
				}
				items = append(items, it)
			}
		}
		if err := db.CreateInBatches(&items, 500).Error; err != nil {
			return fmt.Errorf("seed items: %w", err)
		}
		var ups []models.ItemUpdate
		for _, it := range items {
			for u := 0; u < 2; u++ {
				ups = append(ups, models.ItemUpdate{CommunityID: it.CommunityID, ItemID: it.ID, AuthorID: f.Party.ID,
					Note: "更换灯具，已拍照留存。", HoursCenti: 150, CostFen: int64(u * 2500), CreatedAt: now})
			}
		}
		if err := db.CreateInBatches(&ups, 500).Error; err != nil {
			return fmt.Errorf("seed updates: %w", err)
		}
	}
	return nil
}
