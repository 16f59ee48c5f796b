package handlers

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/yueyuetan/yueyuetan/models"
)

// noticeIndex stands for the built index.html: the generic preview tags as frontend/index.html
// writes them, and enough besides that the build would have compressed it.
var noticeIndex = `<!doctype html>
<html lang="zh-CN">
  <head>
    <meta charset="UTF-8" />
    <meta name="description" content="月月谈：社区每月协商。" />
    <link rel="manifest" href="/manifest.json" />
    <meta property="og:type" content="website" />
    <meta property="og:site_name" content="月月谈" />
    <meta property="og:title" content="月月谈 · 社区每月协商" />
    <meta property="og:description" content="本月议题、圆桌会议的时间地点，扫码或点开就能参加。" />
    <meta property="og:image" content="/icons/icon-512.png" />
    <meta property="og:locale" content="zh_CN" />
    <title>月月谈</title>
    <script type="module" crossorigin src="/assets/index-1a2b.js"></script>
` + strings.Repeat("    <link rel=\"modulepreload\" crossorigin href=\"/assets/chunk-3c4d.js\">\n", 20) + `  </head>
  <body><div id="app"></div></body>
</html>
`

// noticeFixture is community A's cycle collecting cards on a selected topic, with meetings whose
// notices are public (scheduled, started) and not (ended; a cancelled cycle's; a closed cycle's).
type noticeFixture struct {
	cycle                                *models.Cycle
	public, started, ended               *models.Meeting
	inCancelled, inClosed                *models.Meeting
	topic, hostileTitle, hostileLocation string
	startsAt                             time.Time
}

// hostile is a title that would break out of an attribute or open a script if not escaped.
const hostile = "<script>alert(1)</script>`&\"'停车难怎么办"

func (ta *testApp) buildNoticeFixture(t *testing.T) noticeFixture {
	t.Helper()
	ctx := context.Background()
	s, f := ta.store, ta.fx
	sa := f.Super.Actor()
	nf := noticeFixture{topic: "停车难怎么办", hostileTitle: "12月月月谈：" + hostile, hostileLocation: "活动室 <b>&</b>",
		startsAt: time.Date(2026, 12, 12, 11, 30, 0, 0, time.UTC)}
	selected := func(month string) *models.Cycle {
		cy := must(s.CreateCycle(ctx, sa, f.A.ID, models.CycleInput{Month: month, CompoundID: f.CompoundA.ID, Reason: "停车"}))
		must(s.AdvanceCycle(ctx, sa, cy.ID, models.PhaseTopicCollection, ""))
		tp := must(s.ProposeTopic(ctx, f.Resident.Actor(), cy.ID, models.TopicInput{Title: nf.topic}))
		must(s.AdvanceCycle(ctx, sa, cy.ID, models.PhaseTopicSelection, ""))
		must(s.SelectTopic(ctx, sa, cy.ID, tp.ID, "附议最多"))
		must(s.AdvanceCycle(ctx, sa, cy.ID, models.PhaseCardCollection, ""))
		return cy
	}
	in := func(title string) models.MeetingInput {
		return models.MeetingInput{Title: title, StartsAt: nf.startsAt, Location: nf.hostileLocation, Quorum: 3}
	}
	nf.cycle = selected("2026-12")
	nf.public = must(s.ScheduleMeeting(ctx, sa, nf.cycle.ID, in(nf.hostileTitle)))
	nf.started = must(s.ScheduleMeeting(ctx, sa, nf.cycle.ID, in("进行中的会")))
	must(s.StartMeeting(ctx, sa, nf.started.ID))
	nf.ended = must(s.ScheduleMeeting(ctx, sa, nf.cycle.ID, in("开完的会")))
	must(s.StartMeeting(ctx, sa, nf.ended.ID))
	must(s.EndMeeting(ctx, sa, nf.ended.ID, models.MinutesInput{Summary: "同意试行"}))

	cancelled := selected("2027-01")
	nf.inCancelled = must(s.ScheduleMeeting(ctx, sa, cancelled.ID, in("取消了的会")))
	must(s.AdvanceCycle(ctx, sa, cancelled.ID, models.PhaseCancelled, "改期"))

	closed := selected("2027-02")
	nf.inClosed = must(s.ScheduleMeeting(ctx, sa, closed.ID, in("归档了的会")))
	must(s.AdvanceCycle(ctx, sa, closed.ID, models.PhaseRoundTable, ""))
	must(s.AdvanceCycle(ctx, sa, closed.ID, models.PhaseResolved, ""))
	must(s.AdvanceCycle(ctx, sa, closed.ID, models.PhaseClosed, ""))
	return nf
}

// TestNotice_PublicJSON: anyone, with no login, reads a scheduled or running meeting's notice —
// places, topic, title, time and zone, place, links — and never the join code or a phone; a
// meeting that ended, or whose cycle was cancelled or closed, answers exactly like an unknown id.
func TestNotice_PublicJSON(t *testing.T) {
	t.Parallel()
	ta := openTestApp(t, Config{BaseURL: "https://yyt.example.cn/"})
	nf := ta.buildNoticeFixture(t)
	path := func(id any) string { return fmt.Sprintf("/api/v1/public/meetings/%v/notice", id) }

	type answer struct {
		MeetingID uint64            `json:"meeting_id"`
		CycleID   uint64            `json:"cycle_id"`
		Community models.BoardPlace `json:"community"`
		Compound  models.BoardPlace `json:"compound"`
		Month     string            `json:"month"`
		Title     string            `json:"title"`
		Topic     string            `json:"topic"`
		StartsAt  time.Time         `json:"starts_at"`
		TimeZone  string            `json:"time_zone"`
		Location  string            `json:"location"`
		Status    string            `json:"status"`
		CardsOpen bool              `json:"cards_open"`
		NoticeURL string            `json:"notice_url"`
		CardURL   string            `json:"card_url"`
	}
	phone := regexp.MustCompile(`1[3-9]\d{9}|\d{3}\*{4}\d{4}`)
	for _, who := range []*models.User{nil, ta.fx.Resident, ta.fx.Facilitator, ta.fx.AdminB} {
		rec := ta.do(req{method: "GET", path: path(nf.public.ID), as: who})
		wantStatus(t, rec, http.StatusOK)
		if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control=%q, want no-store like every API answer", cc)
		}
		body := rec.Body.String()
		if strings.Contains(body, nf.public.JoinCode) || strings.Contains(body, "join_code") || strings.Contains(body, "/join") {
			t.Fatalf("the notice carries the join code %s: %s", nf.public.JoinCode, body)
		}
		if phone.MatchString(body) || strings.Contains(body, ta.fx.Resident.Name) || strings.Contains(body, ta.fx.Super.Name) {
			t.Fatalf("the notice names or reaches a person: %s", body)
		}
		for _, k := range []string{"created_by", "display_token", "quorum", "attendee_count", "facilitator"} {
			if strings.Contains(body, `"`+k) {
				t.Errorf("the notice has %q: %s", k, body)
			}
		}
		got := decode[answer](t, rec)
		want := answer{MeetingID: nf.public.ID, CycleID: nf.cycle.ID,
			Community: models.BoardPlace{ID: ta.fx.A.ID, Name: ta.fx.A.Name},
			Compound:  models.BoardPlace{ID: ta.fx.CompoundA.ID, Name: ta.fx.CompoundA.Name},
			Month:     "2026-12", Title: nf.hostileTitle, Topic: nf.topic, StartsAt: nf.startsAt, TimeZone: "Asia/Shanghai",
			Location: nf.hostileLocation, Status: models.MeetingScheduled, CardsOpen: true,
			NoticeURL: fmt.Sprintf("https://yyt.example.cn/notice/%d", nf.public.ID),
			CardURL:   fmt.Sprintf("https://yyt.example.cn/cycles/%d/cards/new", nf.cycle.ID)}
		if !got.StartsAt.Equal(want.StartsAt) {
			t.Fatalf("starts_at=%v, want %v", got.StartsAt, want.StartsAt)
		}
		got.StartsAt = want.StartsAt
		if got != want {
			t.Fatalf("notice=%+v\nwant    %+v", got, want)
		}
	}

	// A running meeting is public too, and says so.
	rec := ta.do(req{method: "GET", path: path(nf.started.ID)})
	wantStatus(t, rec, http.StatusOK)
	if got := decode[answer](t, rec); got.Status != models.MeetingStarted || got.Title != "进行中的会" {
		t.Fatalf("running meeting's notice=%+v", got)
	}

	// Unknown, malformed, ended, cancelled, closed: one answer, in each language.
	for _, lang := range []string{"zh-CN", "en"} {
		h := map[string]string{"Accept-Language": lang}
		unknown := ta.do(req{method: "GET", path: path(999999), header: h})
		wantProblem(t, unknown, http.StatusNotFound, "not_found")
		plain := ta.do(req{method: "GET", path: "/api/v1/communities/999999", as: ta.fx.AdminA, header: h})
		if unknown.Body.String() != plain.Body.String() {
			t.Fatalf("%s: unknown notice %s, want the plain not-found %s", lang, unknown.Body.String(), plain.Body.String())
		}
		for name, id := range map[string]any{"malformed": "abc", "zero": 0, "ended": nf.ended.ID,
			"cancelled cycle": nf.inCancelled.ID, "closed cycle": nf.inClosed.ID} {
			for _, who := range []*models.User{nil, ta.fx.Facilitator} {
				rec := ta.do(req{method: "GET", path: path(id), header: h, as: who})
				if rec.Code != http.StatusNotFound || rec.Body.String() != unknown.Body.String() {
					t.Errorf("%s %s: status=%d body=%s, want the unknown id's 404 %s", lang, name, rec.Code, rec.Body.String(), unknown.Body.String())
				}
			}
		}
	}
}

// TestNotice_PagePreview: /notice/:id is the SPA's index.html with the notice's title, time and
// place and its address in the <title> and Open Graph tags, escaped, never from the build's
// precompressed generic page; every other page, and a notice that is not public, keeps the
// generic tags.
func TestNotice_PagePreview(t *testing.T) {
	t.Parallel()
	ui := fstest.MapFS{
		"index.html":    {Data: []byte(noticeIndex)},
		"index.html.br": {Data: []byte("pretend-brotli")},
		"index.html.gz": {Data: gzipped([]byte(noticeIndex))},
	}
	ta := openTestApp(t, Config{UI: ui, UIBuilt: true, BaseURL: "https://yyt.example.cn"})
	nf := ta.buildNoticeFixture(t)
	get := func(p string, h map[string]string) *httpRec {
		t.Helper()
		if h == nil {
			h = map[string]string{}
		}
		if _, ok := h["Accept-Encoding"]; !ok {
			h["Accept-Encoding"] = "br, gzip"
		}
		return ta.do(req{method: "GET", path: p, header: h})
	}
	meta := func(body, prop string) []string {
		re := regexp.MustCompile(`<meta (?:name|property)="` + regexp.QuoteMeta(prop) + `" content="([^"]*)" />`)
		var out []string
		for _, m := range re.FindAllStringSubmatch(body, -1) {
			out = append(out, m[1])
		}
		return out
	}
	titles := func(body string) []string {
		var out []string
		for _, m := range regexp.MustCompile(`<title>([^<]*)</title>`).FindAllStringSubmatch(body, -1) {
			out = append(out, m[1])
		}
		return out
	}
	one := func(t *testing.T, what string, got []string, want string) {
		t.Helper()
		if len(got) != 1 || got[0] != want {
			t.Errorf("%s=%q, want exactly [%q]", what, got, want)
		}
	}
	page := fmt.Sprintf("/notice/%d", nf.public.ID)
	escTitle := "安友花园 · 12月月月谈：&lt;script&gt;alert(1)&lt;/script&gt;`&amp;&#34;&#39;停车难怎么办"

	t.Run("NoticeTags", func(t *testing.T) {
		rec := get(page, nil)
		wantStatus(t, rec, http.StatusOK)
		body := rec.Body.String()
		if enc := rec.Header().Get("Content-Encoding"); enc != "" {
			t.Fatalf("Content-Encoding=%q: the notice page must not come from the build's generic .br/.gz", enc)
		}
		if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") || rec.Header().Get("Cache-Control") != "no-cache" ||
			rec.Header().Get("ETag") == "" {
			t.Fatalf("headers=%v", rec.Header())
		}
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<b>&</b>") {
			t.Fatalf("unescaped text in the page:\n%s", body)
		}
		wantTitle := strings.Replace(escTitle, "安友花园", ta.fx.CompoundA.Name, 1)
		one(t, "<title>", titles(body), wantTitle)
		one(t, "og:title", meta(body, "og:title"), wantTitle)
		desc := "时间：2026年12月12日 周六 19:30（北京时间）；地点：活动室 &lt;b&gt;&amp;&lt;/b&gt;。议题：停车难怎么办。欢迎到场参加，也可以在手机上写建议。"
		one(t, "og:description", meta(body, "og:description"), desc)
		one(t, "description", meta(body, "description"), desc)
		one(t, "og:url", meta(body, "og:url"), "https://yyt.example.cn"+page)
		one(t, "og:image", meta(body, "og:image"), "https://yyt.example.cn/icons/icon-512.png")
		one(t, "og:type", meta(body, "og:type"), "article")
		one(t, "og:site_name", meta(body, "og:site_name"), "月月谈")
		if strings.Contains(body, nf.public.JoinCode) {
			t.Fatal("the page carries the join code")
		}
		// The rest of the page is the app as built.
		for _, keep := range []string{`<script type="module" crossorigin src="/assets/index-1a2b.js"></script>`,
			`<link rel="manifest" href="/manifest.json" />`, `<div id="app"></div>`} {
			if !strings.Contains(body, keep) {
				t.Errorf("the page lost %s:\n%s", keep, body)
			}
		}
		if i, j := strings.Index(body, "og:title"), strings.Index(body, "</head>"); i < 0 || i > j {
			t.Errorf("the tags are not in the head:\n%s", body)
		}
		// Revalidation answers 304 while the notice is unchanged; HEAD has the same headers.
		if rec := get(page, map[string]string{"If-None-Match": rec.Header().Get("ETag")}); rec.Code != http.StatusNotModified {
			t.Errorf("If-None-Match: status=%d, want 304", rec.Code)
		}
		head := ta.do(req{method: "HEAD", path: page})
		if head.Code != http.StatusOK || head.Header().Get("ETag") != rec.Header().Get("ETag") || head.Body.Len() != 0 {
			t.Errorf("HEAD: status=%d etag=%q body=%d", head.Code, head.Header().Get("ETag"), head.Body.Len())
		}
	})

	t.Run("English", func(t *testing.T) {
		body := get(page, map[string]string{"Accept-Language": "en-GB,en;q=0.9"}).Body.String()
		one(t, "og:description", meta(body, "og:description"),
			"When: Sat 12 Dec 2026, 19:30 (Beijing time). Where: 活动室 &lt;b&gt;&amp;&lt;/b&gt;. Topic: 停车难怎么办. "+
				"Come and take part, or write a suggestion on your phone.")
		one(t, "og:locale", meta(body, "og:locale"), "en_US")
	})

	generic := get("/", nil)
	wantStatus(t, generic, http.StatusOK)
	if generic.Header().Get("Content-Encoding") != "br" || generic.Body.String() != "pretend-brotli" {
		t.Fatalf("the home page: encoding=%q body=%q, want the build's brotli form", generic.Header().Get("Content-Encoding"), generic.Body.String())
	}
	t.Run("GenericElsewhere", func(t *testing.T) {
		for _, p := range []string{"/", "/login", "/board/1", fmt.Sprintf("/meetings/%d", nf.public.ID),
			fmt.Sprintf("/notice/%d/extra", nf.public.ID), "/notice/abc", "/notice/0", "/notice/999999",
			fmt.Sprintf("/notice/%d", nf.ended.ID), fmt.Sprintf("/notice/%d", nf.inCancelled.ID),
			fmt.Sprintf("/notice/%d", nf.inClosed.ID)} {
			rec := get(p, nil)
			if rec.Code != http.StatusOK || rec.Body.String() != "pretend-brotli" || rec.Header().Get("ETag") != generic.Header().Get("ETag") {
				t.Errorf("%s: status=%d encoding=%q, want the generic page", p, rec.Code, rec.Header().Get("Content-Encoding"))
			}
			plain := get(p, map[string]string{"Accept-Encoding": "identity"}).Body.String()
			one(t, p+" og:title", meta(plain, "og:title"), "月月谈 · 社区每月协商")
			one(t, p+" <title>", titles(plain), "月月谈")
			if len(meta(plain, "og:url")) != 0 {
				t.Errorf("%s: a generic page with an og:url", p)
			}
		}
	})

	t.Run("CancelledLater", func(t *testing.T) {
		before := get(page, nil)
		// The running meeting ends first: a cycle does not change phase while one runs.
		must(ta.store.EndMeeting(context.Background(), ta.fx.Super.Actor(), nf.started.ID, models.MinutesInput{Summary: "改期"}))
		must(ta.store.AdvanceCycle(context.Background(), ta.fx.Super.Actor(), nf.cycle.ID, models.PhaseCancelled, "改期"))
		after := get(page, map[string]string{"If-None-Match": before.Header().Get("ETag")})
		if after.Code != http.StatusOK || after.Body.String() != "pretend-brotli" {
			t.Fatalf("after the cycle was cancelled: status=%d body=%q, want the generic page", after.Code, after.Body.String())
		}
		wantStatus(t, ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/public/meetings/%d/notice", nf.public.ID)}), http.StatusNotFound)
	})
}
