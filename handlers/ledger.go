package handlers

import (
	"archive/zip"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"
	"github.com/yueyuetan/yueyuetan/models"
)

// ledgerRoutes are the ledgers, the cycle's archive and the public board (docs/ledgers.md).
func (a *App) ledgerRoutes(g *echo.Group, auth echo.MiddlewareFunc) {
	g.GET("/communities/:cid/ledgers/:file", a.ledgerFile, auth)
	g.GET("/cycles/:id/archive.zip", a.cycleArchive, auth)
	g.GET("/public/communities/:cid/board", a.publicBoard)
}

// Media types of the exports.
const (
	mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	mimeCSV  = "text/csv; charset=utf-8"
	mimeZIP  = "application/zip"
)

// utf8BOM starts a CSV file so that Excel reads it as UTF-8 (Chinese text otherwise opens garbled).
const utf8BOM = "\xEF\xBB\xBF"

// shanghaiZone is the community's calendar for the exports' times.
var shanghaiZone = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.FixedZone("CST", 8*3600)
}()

// parseLedgerQuery reads the filter, refusing what is not a month or an id (422 on the field).
func parseLedgerQuery(c echo.Context) (models.LedgerFilter, error) {
	f := models.LedgerFilter{From: c.QueryParam("from"), To: c.QueryParam("to")}
	if v := c.QueryParam("compound_id"); v != "" {
		id, err := strconv.ParseUint(v, 10, 64)
		if err != nil || id == 0 {
			return f, models.FieldError("compound_id", "invalid")
		}
		f.CompoundID = id
	}
	return f, nil
}

// ledgerFile answers GET /communities/:cid/ledgers/<ledger>.<xlsx|csv>. The whole file is
// written to a temporary file first, a batch of rows at a time (excelize's StreamWriter keeps
// what exceeds its buffer on disk too), so memory stays flat however long the history, an error
// half-way is still a clean problem answer, and the answer carries its Content-Length for the
// UI's progress bar.
func (a *App) ledgerFile(c echo.Context) error {
	cid, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	name := c.Param("file")
	kind, format, _ := strings.Cut(name, ".")
	if _, ok := models.LedgerColumns[kind]; !ok || (format != "xlsx" && format != "csv") {
		return echo.ErrNotFound
	}
	f, err := parseLedgerQuery(c)
	if err != nil {
		return err
	}
	loc := localeOf(c)
	tmp, err := os.CreateTemp("", "yyt-ledger-*")
	if err != nil {
		return fmt.Errorf("ledger temp file: %w", err)
	}
	defer func() { _ = tmp.Close(); _ = os.Remove(tmp.Name()) }()
	ctx := c.Request().Context()
	cols := models.LedgerColumns[kind]
	var rows int
	if format == "csv" {
		w := newCSVLedger(tmp, loc, cols)
		err = a.store.Ledger(ctx, actor(c), cid, kind, f, func(row []any) error { rows++; return w.row(row) })
		if err == nil {
			err = w.close()
		}
	} else {
		var x *xlsxLedger
		x, err = newXLSXLedger(loc, kind, cols)
		if err != nil {
			return err
		}
		defer x.discard()
		err = a.store.Ledger(ctx, actor(c), cid, kind, f, func(row []any) error { rows++; return x.row(row) })
		if err == nil {
			err = x.close(tmp)
		}
	}
	if err != nil {
		return err
	}
	size, err := tmp.Seek(0, io.SeekCurrent)
	if err != nil {
		return fmt.Errorf("ledger size: %w", err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("ledger rewind: %w", err)
	}
	fileName := fmt.Sprintf("%s-%s.%s", T(loc, "ledger.sheet."+kind, nil), time.Now().In(shanghaiZone).Format("20060102"), format)
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, contentDisposition(fileName, kind+"."+format))
	h.Set("X-Ledger-Rows", strconv.Itoa(rows))
	h.Set(echo.HeaderContentLength, strconv.FormatInt(size, 10))
	ct := mimeXLSX
	if format == "csv" {
		ct = mimeCSV
	}
	return c.Stream(http.StatusOK, ct, tmp)
}

// contentDisposition names a download: the ASCII fallback, and the localized name (RFC 6266).
func contentDisposition(name, ascii string) string {
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, url.PathEscape(name))
}

// cell is a value as a person reads it, in the reader's language.
func cellText(loc string, col models.LedgerColumn, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if col.Kind == models.ColEnum {
			if x == "" {
				return ""
			}
			return T(loc, "ledger.enum."+col.Enum+"."+x, nil)
		}
		return x
	case *time.Time:
		if x == nil {
			return ""
		}
		return x.In(shanghaiZone).Format("2006-01-02 15:04")
	case time.Time:
		return x.In(shanghaiZone).Format("2006-01-02 15:04")
	case *float64:
		if x == nil {
			return ""
		}
		return strconv.FormatFloat(*x*100, 'f', 1, 64) + "%"
	case bool:
		if x {
			return T(loc, "ledger.yes", nil)
		}
		return T(loc, "ledger.no", nil)
	case int64:
		switch col.Kind {
		case models.ColMoney:
			sign := ""
			if x < 0 {
				sign, x = "-", -x
			}
			return fmt.Sprintf("%s%d.%02d", sign, x/100, x%100)
		case models.ColHours:
			return strconv.FormatFloat(float64(x)/100, 'f', 2, 64)
		}
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case int:
		return strconv.Itoa(x)
	}
	return fmt.Sprint(v)
}

// csvLedger writes a ledger as CSV with a BOM. A text that a spreadsheet would take for a
// formula (= + - @ at its start) is written with a leading apostrophe.
type csvLedger struct {
	w    *csv.Writer
	loc  string
	cols []models.LedgerColumn
	err  error
}

func newCSVLedger(w io.Writer, loc string, cols []models.LedgerColumn) *csvLedger {
	l := &csvLedger{loc: loc, cols: cols}
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		l.err = err
	}
	l.w = csv.NewWriter(w)
	l.w.UseCRLF = true
	head := make([]string, len(cols))
	for i, col := range cols {
		head[i] = T(loc, "ledger.col."+col.Key, nil)
	}
	if l.err == nil {
		l.err = l.w.Write(head)
	}
	return l
}

func (l *csvLedger) row(vals []any) error {
	if l.err != nil {
		return l.err
	}
	rec := make([]string, len(vals))
	for i, v := range vals {
		s := cellText(l.loc, l.cols[i], v)
		if l.cols[i].Kind == models.ColText && s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
			s = "'" + s
		}
		rec[i] = s
	}
	return l.w.Write(rec)
}

func (l *csvLedger) close() error {
	if l.err != nil {
		return l.err
	}
	l.w.Flush()
	return l.w.Error()
}

// xlsxLedger writes a ledger as one sheet through excelize's StreamWriter: numbers as numbers
// (money in yuan with two decimals, rates as percentages), times as text in Beijing time.
type xlsxLedger struct {
	f     *excelize.File
	sw    *excelize.StreamWriter
	loc   string
	cols  []models.LedgerColumn
	next  int
	money int
	pct   int
	hours int
}

func newXLSXLedger(loc, kind string, cols []models.LedgerColumn) (*xlsxLedger, error) {
	f := excelize.NewFile()
	sheet := T(loc, "ledger.sheet."+kind, nil)
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("ledger sheet name: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("ledger stream writer: %w", err)
	}
	x := &xlsxLedger{f: f, sw: sw, loc: loc, cols: cols, next: 2}
	fmt2 := "0.00"
	pct := "0.0%"
	if x.money, err = f.NewStyle(&excelize.Style{CustomNumFmt: &fmt2}); err == nil {
		x.hours = x.money
		x.pct, err = f.NewStyle(&excelize.Style{CustomNumFmt: &pct})
	}
	bold, err2 := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err == nil {
		err = err2
	}
	if err != nil {
		x.discard()
		return nil, fmt.Errorf("ledger styles: %w", err)
	}
	for i, col := range cols {
		w := 12.0
		if col.Kind == models.ColText {
			w = 24
		}
		if col.Kind == models.ColTime {
			w = 17
		}
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			x.discard()
			return nil, fmt.Errorf("ledger widths: %w", err)
		}
	}
	head := make([]any, len(cols))
	for i, col := range cols {
		head[i] = excelize.Cell{StyleID: bold, Value: T(loc, "ledger.col."+col.Key, nil)}
	}
	if err := sw.SetRow("A1", head); err != nil {
		x.discard()
		return nil, fmt.Errorf("ledger header: %w", err)
	}
	return x, nil
}

func (x *xlsxLedger) row(vals []any) error {
	cells := make([]any, len(vals))
	for i, v := range vals {
		col := x.cols[i]
		switch val := v.(type) {
		case nil:
			cells[i] = nil
		case int64:
			switch col.Kind {
			case models.ColMoney:
				cells[i] = excelize.Cell{StyleID: x.money, Value: float64(val) / 100}
			case models.ColHours:
				cells[i] = excelize.Cell{StyleID: x.hours, Value: float64(val) / 100}
			default:
				cells[i] = val
			}
		case uint64:
			cells[i] = val
		case *float64:
			if val == nil {
				cells[i] = nil
			} else {
				cells[i] = excelize.Cell{StyleID: x.pct, Value: *val}
			}
		default:
			cells[i] = cellText(x.loc, col, v)
		}
	}
	cell, err := excelize.CoordinatesToCellName(1, x.next)
	if err != nil {
		return fmt.Errorf("ledger cell: %w", err)
	}
	x.next++
	if err := x.sw.SetRow(cell, cells); err != nil {
		return fmt.Errorf("ledger row: %w", err)
	}
	return nil
}

// close finishes the workbook into w.
func (x *xlsxLedger) close(w io.Writer) error {
	if err := x.sw.Flush(); err != nil {
		return fmt.Errorf("ledger flush: %w", err)
	}
	if _, err := x.f.WriteTo(w); err != nil {
		return fmt.Errorf("ledger write: %w", err)
	}
	return nil
}

// discard removes the workbook's temporary files.
func (x *xlsxLedger) discard() { _ = x.f.Close() }

// cycleArchive answers the cycle's archive: record.json, record.html (printable) and the photos.
// The ZIP is written to a temporary file first, so that a failure is a clean problem answer.
func (a *App) cycleArchive(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	rec, err := a.store.CycleArchive(ctx, actor(c), id)
	if err != nil {
		return err
	}
	loc := localeOf(c)
	tmp, err := os.CreateTemp("", "yyt-archive-*")
	if err != nil {
		return fmt.Errorf("archive temp file: %w", err)
	}
	defer func() { _ = tmp.Close(); _ = os.Remove(tmp.Name()) }()
	zw := zip.NewWriter(tmp)
	put := func(name string, write func(io.Writer) error) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: rec.GeneratedAt})
		if err != nil {
			return fmt.Errorf("archive %s: %w", name, err)
		}
		return write(w)
	}
	if err := put("record.json", func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rec)
	}); err != nil {
		return err
	}
	if err := put("record.html", func(w io.Writer) error { return renderRecord(w, loc, rec) }); err != nil {
		return err
	}
	for _, p := range rec.Photos {
		if err := put(p.File, func(w io.Writer) error {
			rc, err := a.store.OpenArchivePhoto(ctx, p)
			if err != nil {
				return err
			}
			defer rc.Close()
			_, err = io.Copy(w, rc)
			return err
		}); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("archive close: %w", err)
	}
	size, err := tmp.Seek(0, io.SeekCurrent)
	if err != nil {
		return fmt.Errorf("archive size: %w", err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("archive rewind: %w", err)
	}
	name := fmt.Sprintf("%s-%s-%s.zip", rec.Community, rec.Compound, rec.Month)
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, contentDisposition(name, fmt.Sprintf("cycle-%d-archive.zip", rec.CycleID)))
	h.Set(echo.HeaderContentLength, strconv.FormatInt(size, 10))
	return c.Stream(http.StatusOK, mimeZIP, tmp)
}

// renderRecord writes the record as one printable HTML page (A4, the print stylesheet inside).
func renderRecord(w io.Writer, loc string, rec *models.CycleRecord) error {
	t := func(key string) string { return T(loc, "ledger.archive."+key, nil) }
	enum := func(e, v string) string {
		if v == "" {
			return ""
		}
		return T(loc, "ledger.enum."+e+"."+v, nil)
	}
	funcs := template.FuncMap{
		"t":    t,
		"enum": enum,
		"time": func(v any) string { return cellText(loc, models.LedgerColumn{Kind: models.ColTime}, v) },
		"yuan": func(v any) string {
			switch x := v.(type) {
			case int64:
				return cellText(loc, models.LedgerColumn{Kind: models.ColMoney}, x)
			case *int64:
				if x == nil {
					return ""
				}
				return cellText(loc, models.LedgerColumn{Kind: models.ColMoney}, *x)
			}
			return ""
		},
		"pct": func(v *float64) string { return cellText(loc, models.LedgerColumn{Kind: models.ColPercent}, v) },
		"passed": func(v *bool) string {
			if v == nil {
				return enum("passed", "none")
			}
			if *v {
				return enum("passed", "yes")
			}
			return enum("passed", "no")
		},
	}
	tpl, err := template.New("record").Funcs(funcs).Parse(recordHTML)
	if err != nil {
		return fmt.Errorf("record template: %w", err)
	}
	return tpl.Execute(w, map[string]any{"R": rec, "Lang": loc})
}

const recordHTML = `<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8">
<title>{{.R.Community}} {{.R.Compound}} {{.R.Month}} {{t "title"}}</title>
<style>
@page { size: A4; margin: 18mm 16mm; }
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; font-size: 11pt; line-height: 1.5; color: #000; }
h1 { font-size: 18pt; margin: 0 0 4pt; } h2 { font-size: 14pt; border-bottom: 1px solid #000; margin: 16pt 0 6pt; }
h3 { font-size: 12pt; margin: 10pt 0 4pt; break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0; } th, td { border: 1px solid #555; padding: 2pt 4pt; text-align: left; vertical-align: top; }
tr { break-inside: avoid; } .meta { color: #333; } img { max-width: 45%; max-height: 60mm; margin: 2pt; }
</style></head><body>
<h1>{{.R.Community}} · {{.R.Compound}} · {{.R.Month}} {{t "title"}}</h1>
<p class="meta">{{t "phase"}}：{{enum "phase" .R.Phase}} · {{t "generated_at"}}：{{time .R.GeneratedAt}}</p>
<p>{{t "reason"}}：{{.R.Reason}}</p>
<p>{{t "selected_topic"}}：{{.R.SelectedTopic}} {{if .R.SelectionReason}}（{{.R.SelectionReason}}）{{end}}</p>
<h2>{{t "topics"}}</h2>
<table><tr><th>{{t "topic"}}</th><th>{{t "status"}}</th><th>{{t "endorsements"}}</th></tr>
{{range .R.Topics}}<tr><td>{{.Title}}</td><td>{{enum "topic_status" .Status}}</td><td>{{.Endorsements}}</td></tr>{{end}}</table>
<h2>{{t "cards"}}</h2>
<table><tr><th>#</th><th>{{t "card"}}</th><th>{{t "origin"}}</th></tr>
{{range .R.Cards}}<tr><td>{{.ID}}</td><td>{{.Body}}{{if .Photo}}<br><img src="{{.Photo}}" alt="">{{end}}</td><td>{{enum "origin" .Origin}}</td></tr>{{end}}</table>
<h2>{{t "meetings"}}</h2>
{{range .R.Meetings}}<h3>{{.Title}}</h3><p>{{time .StartsAt}} · {{.Location}} · {{t "attendance"}} {{.Attendance}}</p>{{if .Summary}}<p>{{.Summary}}</p>{{end}}{{end}}
<h2>{{t "polls"}}</h2>
{{range .R.Polls}}<h3>{{.Title}}</h3><p>{{enum "secrecy" .Secrecy}} · {{t "voters"}} {{.Voters}} / {{.Eligible}} · {{passed .Passed}}</p>
<table>{{range .Options}}<tr><td>{{.Label}}</td><td>{{.Total}}</td></tr>{{end}}</table>{{end}}
<h2>{{t "resolutions"}}</h2>
{{range .R.Resolutions}}<h3>{{.Title}}（{{enum "resolution_status" .Status}}）</h3>
<p>{{.Text}}</p>
<p>{{t "decided_at"}}：{{time .DecidedAt}} · {{t "budget"}}：{{yuan .BudgetFen}} · {{t "spent"}}：{{yuan .SpentFen}} · {{t "progress"}}：{{.Progress}}%</p>
{{if .Objections}}<table><tr><th>{{t "objection"}}</th><th>{{t "answer"}}</th></tr>{{range .Objections}}<tr><td>{{.Text}}</td><td>{{.Answer}}</td></tr>{{end}}</table>{{end}}
<table><tr><th>{{t "item"}}</th><th>{{t "carrier"}}</th><th>{{t "due"}}</th><th>{{t "status"}}</th><th>{{t "progress"}}</th></tr>
{{range .Items}}<tr><td>{{.Title}}{{range .Updates}}<br><small>{{time .At}} {{.Author}}：{{.Note}}{{if .CostFen}} · {{yuan .CostFen}}{{end}}</small>{{range .Photos}}<br><img src="{{.}}" alt="">{{end}}{{end}}{{range .Escalations}}<br><small>{{t "escalation"}}：{{.Department}} {{.TicketNo}} · {{.Reason}} · {{t "response_due"}} {{.ResponseDue}}{{if .Response}} · {{t "response"}}：{{.Response}}{{end}}</small>{{end}}</td><td>{{.Carrier}}</td><td>{{.DueDate}}</td><td>{{enum "timeliness" .Timeliness}}</td><td>{{.Progress}}%</td></tr>{{end}}</table>
{{range .Survey}}<p>{{t "survey_round"}} {{.Round}}：{{t "answers"}} {{.Answers}} · {{t "satisfaction"}} {{pct .Rate}}</p>{{end}}
{{range .SignOffs}}<p>{{t "sign_off"}}：{{.Name}} {{enum "sign_off" .Decision}} {{time .At}} {{.Remarks}}</p>{{end}}
{{end}}
</body></html>
`

// publicBoard answers the public board of a community, or of one of its compounds
// (?compound_id=), with no login.
func (a *App) publicBoard(c echo.Context) error {
	cid, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	f, err := parseLedgerQuery(c)
	if err != nil {
		return err
	}
	b, err := a.store.PublicBoard(c.Request().Context(), cid, f.CompoundID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, b)
}
