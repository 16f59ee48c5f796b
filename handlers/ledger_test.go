package handlers

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"github.com/yueyuetan/yueyuetan/models"
	"github.com/yueyuetan/yueyuetan/models/tally"
)

// ledgerFixture is a cycle whose resolution is being carried out: an anonymous card (by
// authorName, whose phone is on file) behind it, a secret poll the resident voted "no" in, no
// publicity, a budget, two items — the party member's with a contact phone and an update with a
// receipt, the resident's done —, and one survey answer from the author's household.
type ledgerFixture struct {
	evalFixture
	secret       *models.Poll
	item1, item2 itemJSON
	receipt      *models.Upload
}

const ledgerContactPhone = "13912345678"

func (ta *testApp) buildLedgerFixture(t *testing.T, month string) ledgerFixture {
	t.Helper()
	ctx := context.Background()
	f := ta.fx
	fa := f.Facilitator.Actor()
	lf := ledgerFixture{evalFixture: ta.buildEvalFixture(t, month)}
	p := must(ta.store.CreateMeetingPoll(ctx, fa, lf.meeting.ID, models.PollInput{Title: "是否保留绿化带", Method: tally.Approval,
		Eligibility: models.EligibleMembers, Weight: models.WeightPerson, Secrecy: models.SecrecySecret,
		ResultsVisibility: models.ResultsAfterClose}))
	must(ta.store.OpenPoll(ctx, fa, p.ID))
	must(ta.store.CastBallot(ctx, f.Resident.Actor(), p.ID, tally.Ballot{Choice: tally.No}))
	must(ta.store.CastBallot(ctx, f.Party.Actor(), p.ID, tally.Ballot{Choice: tally.Yes}))
	must(ta.store.ClosePoll(ctx, fa, p.ID))
	lf.secret = p

	do := func(method, path string, as *models.User, body any, want int) *httpRec {
		t.Helper()
		rec := ta.do(req{method: method, path: path, as: as, body: body})
		wantStatus(t, rec, want)
		return rec
	}
	rp := resolutionPath(lf.res.ID)
	do("POST", rp+"/publicity", f.Facilitator, map[string]any{"days": 0}, http.StatusOK)
	do("PATCH", rp, f.Facilitator, map[string]any{"budget_fen": 48000000, "funding_source": "maintenance_fund"}, http.StatusOK)
	due := func(days int) string {
		return time.Now().In(shanghaiZone).AddDate(0, 0, days).Format(time.DateOnly)
	}
	lf.item1 = decode[itemJSON](t, do("POST", rp+"/items", f.Facilitator, map[string]any{"title": "更换电梯井道",
		"due_date": due(10), "assignee_user_id": f.Party.ID, "contact_name": "李工", "contact_phone": ledgerContactPhone},
		http.StatusCreated))
	lf.item2 = decode[itemJSON](t, do("POST", rp+"/items", f.Facilitator, map[string]any{"title": "公示施工方案",
		"due_date": due(5), "assignee_user_id": f.Resident.ID}, http.StatusCreated))
	lf.receipt = must(ta.store.SaveUpload(ctx, f.Party.Actor(), f.A.ID, bytes.NewReader(tinyJPEG())))
	do("POST", fmt.Sprintf("/api/v1/items/%d/updates", lf.item1.ID), f.Party, map[string]any{"note": "购买导轨",
		"cost_fen": 12050, "hours": 1.5, "progress": 60, "photo_ids": []uint64{lf.receipt.ID}}, http.StatusCreated)
	do("PATCH", fmt.Sprintf("/api/v1/items/%d", lf.item2.ID), f.Resident, map[string]any{"status": "done"}, http.StatusOK)
	return lf
}

// sheetRows opens an XLSX answer and returns its one sheet's name and rows as shown.
func sheetRows(t *testing.T, rec *httpRec) (string, [][]string) {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatalf("open xlsx: %v", err)
	}
	defer x.Close()
	sheets := x.GetSheetList()
	if len(sheets) != 1 {
		t.Fatalf("sheets %v, want one", sheets)
	}
	rows, err := x.GetRows(sheets[0])
	if err != nil {
		t.Fatal(err)
	}
	return sheets[0], rows
}

// wantRow compares a row cell by cell ("*" matches anything: ids and times).
func wantRow(t *testing.T, what string, got, want []string) {
	t.Helper()
	for len(got) < len(want) {
		got = append(got, "")
	}
	if len(got) != len(want) {
		t.Fatalf("%s: %d cells %q, want %d", what, len(got), got, len(want))
	}
	for i := range want {
		if want[i] != "*" && got[i] != want[i] {
			t.Errorf("%s column %d: %q, want %q (row %q)", what, i+1, got[i], want[i], got)
		}
	}
}

// TestLedger_Golden opens each ledger as XLSX and checks it cell by cell, the CSV twin of the
// resolutions ledger, the English names, who may export and the filter's errors.
func TestLedger_Golden(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	lf := ta.buildLedgerFixture(t, "2031-03")
	ta.setResolutionStatus(t, lf.res.ID, models.ResolutionEvaluating)
	home := lf.home.ID
	must(ta.store.AnswerSurvey(context.Background(), lf.author.Actor(), lf.res.ID, models.SurveyInput{Level: models.SurveySatisfied,
		HouseholdID: &home}))
	must(ta.store.AnswerSurvey(context.Background(), f.AdminA.Actor(), lf.res.ID, models.SurveyInput{Level: models.SurveyDissatisfied,
		HouseholdID: &lf.next.ID, Via: models.SurveyViaVisit}))
	get := func(file string, as *models.User, header map[string]string) *httpRec {
		t.Helper()
		return ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/communities/%d/ledgers/%s", f.A.ID, file), as: as, header: header})
	}
	id := func(v uint64) string { return fmt.Sprint(v) }

	rec := get("resolutions.xlsx", f.Committee, nil)
	wantStatus(t, rec, http.StatusOK)
	if ct := rec.Header().Get("Content-Type"); ct != mimeXLSX {
		t.Fatalf("content-type %q", ct)
	}
	if cd := rec.Header().Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "resolutions.xlsx") {
		t.Fatalf("content-disposition %q", cd)
	}
	if rec.Header().Get("X-Ledger-Rows") != "1" || rec.Header().Get("Content-Length") != fmt.Sprint(rec.Body.Len()) {
		t.Fatalf("rows %q length %q body %d", rec.Header().Get("X-Ledger-Rows"), rec.Header().Get("Content-Length"), rec.Body.Len())
	}
	sheet, rows := sheetRows(t, rec)
	if sheet != "决议台账" || len(rows) != 2 {
		t.Fatalf("sheet %q rows %q", sheet, rows)
	}
	wantRow(t, "resolutions header", rows[0], []string{"决议编号", "月份", "小区", "名称", "类别", "状态", "表决事项", "通过时间",
		"公示截止", "异议数", "事项数", "逾期事项", "进度（%）", "预算（元）", "资金来源", "已支出（元）", "满意率", "测评户数"})
	// Progress: (60 + 100) / 2; satisfaction: 1 of 2 answers this round.
	wantRow(t, "resolution", rows[1], []string{id(lf.res.ID), "2031-03", "安友花园", "加装电梯决议", "协商议事", "测评中", "同意加装电梯",
		"*", "*", "0", "2", "0", "80", "480000.00", "专项维修资金", "120.50", "50.0%", "2"})

	rec = get("resolutions.csv", f.AdminA, nil)
	wantStatus(t, rec, http.StatusOK)
	body := rec.Body.String()
	if !strings.HasPrefix(body, utf8BOM) || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("csv without BOM or type: %q %q", body[:min(len(body), 20)], rec.Header().Get("Content-Type"))
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, utf8BOM))).ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("csv %v: %q", err, body)
	}
	wantRow(t, "csv header", recs[0], rows[0])
	wantRow(t, "csv resolution", recs[1], []string{id(lf.res.ID), "2031-03", "安友花园", "加装电梯决议", "协商议事", "测评中", "同意加装电梯",
		"*", "", "0", "2", "0", "80", "480000.00", "专项维修资金", "120.50", "50.0%", "2"})

	_, rows = sheetRows(t, get("items.xlsx", f.Committee, nil))
	if len(rows) != 3 {
		t.Fatalf("items: %q", rows)
	}
	wantRow(t, "items header", rows[0], []string{"事项编号", "决议编号", "决议", "上级事项", "名称", "负责人", "负责单位", "联系人", "状态",
		"进度（%）", "权重", "截止日期", "按期情况", "完成时间", "服务时长（小时）", "已支出（元）", "进展记录"})
	wantRow(t, "item 1", rows[1], []string{id(lf.item1.ID), id(lf.res.ID), "加装电梯决议", "", "更换电梯井道", "党员", "", "李工", "进行中",
		"60", "1", lf.item1.DueDate, "进行中", "", "1.50", "120.50", "1"})
	wantRow(t, "item 2", rows[2], []string{id(lf.item2.ID), id(lf.res.ID), "加装电梯决议", "", "公示施工方案", "居民", "", "", "已完成",
		"100", "1", lf.item2.DueDate, "按期完成", "*", "0.00", "0.00", "0"})

	_, rows = sheetRows(t, get("attendance.xlsx", f.Committee, nil))
	// Everyone of community A but the superadmin signed in, then 王奶奶 at the door.
	if len(rows) != 9 {
		t.Fatalf("attendance: %q", rows)
	}
	wantRow(t, "attendance header", rows[0], []string{"会议编号", "月份", "小区", "会议", "会议时间", "姓名", "方式", "签到时间"})
	wantRow(t, "walk-in", rows[8], []string{id(lf.meeting.ID), "2031-03", "安友花园", "*", "*", "王奶奶", "主持人代签", "*"})

	_, rows = sheetRows(t, get("polls.xlsx", f.Committee, nil))
	var secretRows [][]string
	for _, r := range rows[1:] {
		if r[3] == "是否保留绿化带" {
			secretRows = append(secretRows, r)
		}
	}
	wantRow(t, "polls header", rows[0], []string{"表决编号", "月份", "小区", "表决事项", "方式", "记名方式", "截止时间", "投票人数",
		"应投人数", "参与率", "达到法定人数", "结果", "选项", "票数", "支持人数"})
	if len(secretRows) != 3 {
		t.Fatalf("secret poll rows: %q", secretRows)
	}
	for i, want := range [][2]string{{"1", "1"}, {"1", "1"}, {"0", "0"}} {
		wantRow(t, "secret poll option", secretRows[i], []string{id(lf.secret.ID), "2031-03", "安友花园", "是否保留绿化带", "赞成/反对/弃权",
			"不记名", "*", "2", "7", "28.6%", "是", "未通过", "*", want[0], want[1]})
	}

	_, rows = sheetRows(t, get("satisfaction.xlsx", f.Committee, nil))
	if len(rows) != 2 {
		t.Fatalf("satisfaction: %q", rows)
	}
	wantRow(t, "survey", rows[1], []string{id(lf.res.ID), "2031-03", "安友花园", "加装电梯决议", "1", "*", "2", "1", "0", "1", "0", "1",
		"50.0%", "未验收"})

	_, rows = sheetRows(t, get("spending.xlsx", f.Committee, nil))
	if len(rows) != 2 {
		t.Fatalf("spending: %q", rows)
	}
	wantRow(t, "spending", rows[1], []string{"*", id(lf.res.ID), "加装电梯决议", id(lf.item1.ID), "更换电梯井道", "*", "120.50", "购买导轨",
		"党员", "1"})

	_, rows = sheetRows(t, get("service.xlsx", f.Committee, nil))
	if len(rows) != 2 {
		t.Fatalf("service: %q", rows)
	}
	wantRow(t, "service", rows[1], []string{"党员", "", "0", "0", "1", "0", "1.50", "1"})
	// A period before any work counts nothing.
	_, rows = sheetRows(t, get("service.xlsx?from=2020-01&to=2020-06", f.Committee, nil))
	wantRow(t, "service in 2020", rows[1], []string{"党员", "", "0", "0", "1", "0", "0.00", "0"})

	// English.
	sheet, rows = sheetRows(t, get("items.xlsx", f.Committee, map[string]string{"Accept-Language": "en"}))
	if sheet != "Action items" || rows[0][0] != "Item no." || rows[2][8] != "Done" || rows[2][12] != "Done on time" {
		t.Fatalf("english: %q %q", sheet, rows)
	}

	// The filter: another month has nothing; bad input is 422 on its field.
	_, rows = sheetRows(t, get("resolutions.xlsx?from=2031-04", f.Committee, nil))
	if len(rows) != 1 {
		t.Fatalf("filtered: %q", rows)
	}
	_, rows = sheetRows(t, get(fmt.Sprintf("resolutions.xlsx?compound_id=%d&to=2031-03", f.CompoundA.ID), f.Committee, nil))
	if len(rows) != 2 {
		t.Fatalf("by compound: %q", rows)
	}
	wantFieldSet(t, wantProblem(t, get("resolutions.xlsx?from=2031-13", f.Committee, nil), 422, "invalid_input"), "from")
	wantFieldSet(t, wantProblem(t, get("resolutions.xlsx?from=2031-05&to=2031-04", f.Committee, nil), 422, "invalid_input"), "to")
	wantFieldSet(t, wantProblem(t, get(fmt.Sprintf("items.csv?compound_id=%d", f.CompoundB.ID), f.Committee, nil), 422, "invalid_input"),
		"compound_id")
	wantFieldSet(t, wantProblem(t, get("items.csv?compound_id=x", f.Committee, nil), 422, "invalid_input"), "compound_id")
	wantStatus(t, get("ballots.xlsx", f.Committee, nil), http.StatusNotFound)
	wantStatus(t, get("items.pdf", f.Committee, nil), http.StatusNotFound)

	// Who: admins, the committee and the superadmin; not facilitators or residents; 404 outside.
	for _, u := range []*models.User{f.AdminA, f.Super} {
		wantStatus(t, get("items.csv", u, nil), http.StatusOK)
	}
	for _, u := range []*models.User{f.Facilitator, f.Resident, f.Party, f.GridWorker} {
		wantProblem(t, get("items.xlsx", u, nil), http.StatusForbidden, "forbidden")
	}
	wantStatus(t, get("items.xlsx", f.ResidentB, nil), http.StatusNotFound)
	wantStatus(t, get("items.xlsx", nil, nil), http.StatusUnauthorized)
}

// ledgerPhonePattern finds a phone number, whole or masked (138****1234).
var ledgerPhonePattern = regexp.MustCompile(`1[3-9][0-9]{9}|[0-9]{3}\*{4}[0-9]{4}`)

// noPersonal fails when a text shows a phone, the anonymous author or a secret voter's name next to
// the secret poll.
func noPersonal(t *testing.T, what, text string) {
	t.Helper()
	if m := ledgerPhonePattern.FindString(text); m != "" {
		t.Errorf("%s shows a phone number %q", what, m)
	}
	if strings.Contains(text, authorName) {
		t.Errorf("%s names the anonymous card's author", what)
	}
}

// TestLedger_NothingPersonal reads every export, the archive and the public board and fails if
// any shows a phone number, the anonymous card's author or how a secret ballot was cast.
func TestLedger_NothingPersonal(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	lf := ta.buildLedgerFixture(t, "2031-04")
	for _, kind := range models.Ledgers {
		for _, format := range []string{"xlsx", "csv"} {
			rec := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/communities/%d/ledgers/%s.%s", f.A.ID, kind, format), as: f.AdminA})
			wantStatus(t, rec, http.StatusOK)
			text := rec.Body.String()
			if format == "xlsx" {
				_, rows := sheetRows(t, rec)
				var b strings.Builder
				for _, r := range rows {
					b.WriteString(strings.Join(r, "\t") + "\n")
				}
				text = b.String()
				if kind == models.LedgerPolls {
					// Totals only: no row of the polls ledger names anyone.
					for _, u := range []*models.User{f.Resident, f.Party, f.Committee, f.AdminA, f.Facilitator, f.GridWorker} {
						if strings.Contains(text, u.Name) {
							t.Errorf("polls ledger names voter %s: %s", u.Name, text)
						}
					}
				}
			}
			noPersonal(t, kind+"."+format, text)
		}
	}

	// An item escalated to the hotline is part of the record too.
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/items/%d/escalations", lf.item1.ID), as: f.Facilitator,
		body: map[string]any{"channel": "hotline", "department": "区城管局", "reason": "井道外的市政管线归区里管",
			"response_due": lf.item1.DueDate}}), http.StatusCreated)

	// The archive: the record in JSON and HTML, and the photos.
	rec := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/cycles/%d/archive.zip", lf.cycle.ID), as: f.Committee})
	wantStatus(t, rec, http.StatusOK)
	zr, err := zip.NewReader(bytes.NewReader(rec.Body.Bytes()), int64(rec.Body.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		files[zf.Name] = string(b)
	}
	receipt := fmt.Sprintf("photos/%d.jpg", lf.receipt.ID)
	if _, ok := files[receipt]; !ok || files["record.json"] == "" || files["record.html"] == "" {
		t.Fatalf("archive files: %v", keys(files))
	}
	for _, name := range []string{"record.json", "record.html"} {
		noPersonal(t, name, files[name])
		for _, want := range []string{"电梯井道避开一楼住户窗户", "加装电梯决议", "更换电梯井道", "购买导轨", receipt, "是否保留绿化带", "区城管局"} {
			if !strings.Contains(files[name], want) {
				t.Errorf("%s lacks %q", name, want)
			}
		}
	}
	if strings.Contains(files["record.json"], `"author`) && strings.Contains(files["record.json"], `"anonymous"`) {
		t.Error("record.json carries card authorship")
	}
	for _, u := range []*models.User{f.Resident, f.Facilitator, f.Party} {
		wantStatus(t, ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/cycles/%d/archive.zip", lf.cycle.ID), as: u}),
			http.StatusForbidden)
	}
	wantStatus(t, ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/cycles/%d/archive.zip", lf.cycle.ID), as: f.AdminB}),
		http.StatusNotFound)

	// The public board, with no login.
	rec = ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/public/communities/%d/board", f.A.ID)})
	wantStatus(t, rec, http.StatusOK)
	noPersonal(t, "board", rec.Body.String())
	for _, name := range []string{f.Party.Name, f.Resident.Name, "李工"} {
		if strings.Contains(rec.Body.String(), `"`+name+`"`) {
			t.Errorf("board names %s in full: %s", name, rec.Body)
		}
	}
	b := decode[models.Board](t, rec)
	if len(b.Resolutions) != 1 || b.Community.Name != "西桥社区" || b.Compound != nil {
		t.Fatalf("board: %+v", b)
	}
	r := b.Resolutions[0]
	if r.Status != models.ResolutionImplementing || r.Progress != 80 || r.SpentFen != 12050 || r.BudgetFen == nil ||
		*r.BudgetFen != 48000000 || len(r.Items) != 2 || r.Items[0].Carrier != "党*" || r.Items[1].Carrier != "居*" ||
		r.Items[1].Timeliness != models.TimelyOnTime || b.Totals.ItemsDone != 1 || b.Totals.SpentFen != 12050 {
		t.Fatalf("board resolution: %+v totals %+v", r, b.Totals)
	}
	rec = ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/public/communities/%d/board?compound_id=%d", f.A.ID, f.CompoundA.ID)})
	if b = decode[models.Board](t, rec); b.Compound == nil || b.Compound.Name != "安友花园" || len(b.Resolutions) != 1 {
		t.Fatalf("compound board: %s", rec.Body)
	}
	wantFieldSet(t, wantProblem(t, ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/public/communities/%d/board?compound_id=%d",
		f.A.ID, f.CompoundB.ID)}), 422, "invalid_input"), "compound_id")
	wantStatus(t, ta.do(req{method: "GET", path: "/api/v1/public/communities/999999/board"}), http.StatusNotFound)
	// Community B has published nothing.
	rec = ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/public/communities/%d/board", f.B.ID)})
	if b = decode[models.Board](t, rec); len(b.Resolutions) != 0 {
		t.Fatalf("board of B: %s", rec.Body)
	}
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// wantFieldSet requires a field error on the field, whatever its words.
func wantFieldSet(t *testing.T, p Problem, field string) {
	t.Helper()
	if p.Errors[field] == "" {
		t.Fatalf("no error on %q: %+v", field, p)
	}
}

// TestLedger_CSVFormulas: a text a spreadsheet would run as a formula is written with a leading
// apostrophe; numbers and codes are left alone.
func TestLedger_CSVFormulas(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	cols := []models.LedgerColumn{{Key: "title", Kind: models.ColText}, {Key: "spent", Kind: models.ColMoney},
		{Key: "note", Kind: models.ColText}}
	w := newCSVLedger(&b, LocaleZH, cols)
	if err := w.row([]any{`=HYPERLINK("http://x")`, int64(-1250), "@SUM(A1)"}); err != nil {
		t.Fatal(err)
	}
	if err := w.row([]any{"楼道照明", int64(12050), "-"}); err != nil {
		t.Fatal(err)
	}
	if err := w.close(); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), utf8BOM))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	wantRow(t, "header", recs[0], []string{"名称", "已支出（元）", "说明"})
	wantRow(t, "formulas", recs[1], []string{`'=HYPERLINK("http://x")`, "-12.50", "'@SUM(A1)"})
	wantRow(t, "plain", recs[2], []string{"楼道照明", "120.50", "'-"})
}
