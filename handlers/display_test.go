package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/yueyuetan/yueyuetan/models"
)

// wallState is the wall as a client reads it.
type wallState struct {
	Title         string                 `json:"title"`
	Location      string                 `json:"location"`
	Status        string                 `json:"status"`
	JoinCode      string                 `json:"join_code"`
	JoinURL       string                 `json:"join_url"`
	AttendeeCount int                    `json:"attendee_count"`
	Quorum        int                    `json:"quorum"`
	QuorumMet     bool                   `json:"quorum_met"`
	Mode          string                 `json:"mode"`
	Now           time.Time              `json:"now"`
	Topic         *models.WallTopic      `json:"topic"`
	Cards         []models.WallCard      `json:"cards"`
	Groups        []models.WallGroup     `json:"groups"`
	Cluster       *models.WallGroup      `json:"cluster"`
	Speaker       *models.WallSpeaker    `json:"speaker"`
	Poll          *models.WallPoll       `json:"poll"`
	Message       *string                `json:"message"`
	Resolution    *models.WallResolution `json:"resolution"`
}

// wallNow matches the server clock of a wall answer, which differs between two reads.
var wallNow = regexp.MustCompile(`"now":"[^"]*",`)

// sameWall compares two wall answers but for their clocks.
func sameWall(a, b string) bool {
	return wallNow.ReplaceAllString(a, "") == wallNow.ReplaceAllString(b, "")
}

func (ta *testApp) setProjector(as *models.User, meetingID uint64, body map[string]any) *httpRec {
	return ta.do(req{method: "PUT", path: fmt.Sprintf("/api/v1/meetings/%d/projector", meetingID), as: as, body: body})
}

// wall asks for the wall as the projector does: no login, no cookie, no header.
func (ta *testApp) wall(token string) *httpRec {
	return ta.do(req{method: "GET", path: "/api/v1/display/" + token})
}

func TestDisplay_SetProjector(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	cy := ta.cardCycle(t)
	m := ta.schedule(t, cy.ID, nil)
	console := fmt.Sprintf("/api/v1/meetings/%d/projector", m.ID)

	t.Run("OKJoinScreenByDefault", func(t *testing.T) {
		rec := ta.do(req{method: "GET", path: console, as: f.Facilitator})
		wantStatus(t, rec, http.StatusOK)
		if w := decode[wallState](t, rec); w.Mode != models.ProjectorJoin || w.JoinCode != m.JoinCode {
			t.Fatalf("wall=%+v, want the join screen with code %s", w, m.JoinCode)
		}
	})
	t.Run("OKByRole", func(t *testing.T) {
		for _, c := range []struct {
			as   *models.User
			mode string
		}{{f.Facilitator, models.ProjectorCards}, {f.AdminA, models.ProjectorBlank}, {f.Super, models.ProjectorTopic}} {
			before := lastSeq(ta.events(f.A.ID))
			rec := ta.setProjector(c.as, m.ID, map[string]any{"mode": c.mode})
			wantStatus(t, rec, http.StatusOK)
			if w := decode[wallState](t, rec); w.Mode != c.mode {
				t.Fatalf("as %s: mode=%q, want %q", c.as.Name, w.Mode, c.mode)
			}
			evs := ta.events(f.A.ID)
			e := evs[len(evs)-1]
			if e.Seq != before+1 || e.Type != models.EvProjectorChanged || e.Visibility != models.VisMembers || e.SubjectID != m.ID ||
				e.Payload != fmt.Sprintf(`{"meeting_id":%d,"mode":%q}`, m.ID, c.mode) {
				t.Fatalf("as %s: event=%+v", c.as.Name, e)
			}
			rec = ta.do(req{method: "GET", path: console, as: f.Committee})
			wantStatus(t, rec, http.StatusOK)
			if w := decode[wallState](t, rec); w.Mode != c.mode {
				t.Fatalf("console preview mode=%q, want %q", w.Mode, c.mode)
			}
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		before := lastSeq(ta.events(f.A.ID))
		for _, u := range []*models.User{f.Committee, f.GridWorker, f.Party, f.Resident, f.Unverified} {
			wantProblem(t, ta.setProjector(u, m.ID, map[string]any{"mode": "join"}), http.StatusForbidden, "forbidden")
		}
		for _, u := range []*models.User{f.GridWorker, f.Resident} {
			wantProblem(t, ta.do(req{method: "GET", path: console, as: u}), http.StatusForbidden, "forbidden")
		}
		for _, u := range []*models.User{f.AdminB, f.ResidentB} {
			wantProblem(t, ta.setProjector(u, m.ID, map[string]any{"mode": "join"}), http.StatusNotFound, "not_found")
			wantProblem(t, ta.do(req{method: "GET", path: console, as: u}), http.StatusNotFound, "not_found")
		}
		wantProblem(t, ta.setProjector(nil, m.ID, map[string]any{"mode": "join"}), http.StatusUnauthorized, "login_required")
		if got := ta.eventTypes(f.A.ID, before); len(got) != 0 {
			t.Fatalf("refused changes appended %v", got)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		cases := []struct {
			body       map[string]any
			field, msg string
		}{
			{map[string]any{"mode": "chart"}, "mode", ""},
			{map[string]any{"mode": "poll"}, "poll_id", "请选择要投到大屏的投票"},
			{map[string]any{}, "mode", ""},
			{map[string]any{"mode": "message"}, "message", "请填写大屏文字"},
			{map[string]any{"mode": "message", "message": "   "}, "message", "请填写大屏文字"},
			{map[string]any{"mode": "join", "message": "欢迎"}, "message", "只有「显示文字」时才需要填写文字"},
			{map[string]any{"mode": "message", "message": strings.Repeat("字", 201)}, "message", ""},
		}
		for _, c := range cases {
			p := wantProblem(t, ta.setProjector(f.Facilitator, m.ID, c.body), http.StatusUnprocessableEntity, "invalid_input")
			if _, ok := p.Errors[c.field]; !ok {
				t.Fatalf("body %v: errors=%v, want %s", c.body, p.Errors, c.field)
			}
			if c.msg != "" {
				wantField(t, p, c.field, c.msg)
			}
		}
		rec := ta.setProjector(f.Facilitator, m.ID, map[string]any{"mode": "message", "message": strings.Repeat("字", 200)})
		wantStatus(t, rec, http.StatusOK)
		if w := decode[wallState](t, rec); w.Message == nil || utf8.RuneCountInString(*w.Message) != 200 {
			t.Fatalf("a 200-character message: %+v", w)
		}
		wantStatus(t, ta.do(req{method: "PUT", path: console, as: f.Facilitator, body: map[string]any{"mode": "join", "cluster": 1}}),
			http.StatusBadRequest)
	})
	t.Run("ErrMeetingEnded", func(t *testing.T) {
		mp := fmt.Sprintf("/api/v1/meetings/%d", m.ID)
		wantStatus(t, ta.do(req{method: "POST", path: mp + "/start", as: f.Facilitator}), http.StatusOK)
		wantStatus(t, ta.setProjector(f.Facilitator, m.ID, map[string]any{"mode": "topic"}), http.StatusOK)
		wantStatus(t, ta.do(req{method: "POST", path: mp + "/end", as: f.Facilitator,
			body: map[string]any{"minutes": map[string]any{"summary": "同意试行"}}}), http.StatusOK)
		wantProblem(t, ta.setProjector(f.Facilitator, m.ID, map[string]any{"mode": "join"}), http.StatusConflict, "meeting_ended")
		// The wall of an ended meeting still shows what it showed, without a join code.
		rec := ta.wall(m.DisplayToken)
		wantStatus(t, rec, http.StatusOK)
		if w := decode[wallState](t, rec); w.Mode != models.ProjectorTopic || w.Status != models.MeetingEnded ||
			w.JoinCode != "" || w.JoinURL != "" {
			t.Fatalf("ended meeting's wall=%+v", w)
		}
	})
	t.Run("ErrUnknownMeeting", func(t *testing.T) {
		wantProblem(t, ta.setProjector(f.Facilitator, 987654, map[string]any{"mode": "join"}), http.StatusNotFound, "not_found")
	})
}

// phonePattern finds a phone number, whole or masked.
var phonePattern = regexp.MustCompile(`1[3-9][0-9*]{9}`)

// wantNoPersonalData fails when a wall answer names a person, a phone number, a user id or a
// hidden card.
func wantNoPersonalData(t *testing.T, what, body string, secrets ...string) {
	t.Helper()
	if phonePattern.MatchString(body) {
		t.Fatalf("%s carries a phone number: %s", what, body)
	}
	for _, s := range secrets {
		if strings.Contains(body, s) {
			t.Fatalf("%s carries %q: %s", what, s, body)
		}
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if strings.Contains(k, "user") || strings.HasSuffix(k, "_by") || strings.Contains(k, "author") ||
					strings.Contains(k, "phone") || strings.Contains(k, "actor") || (strings.HasSuffix(k, "_id") && k != "meeting_id" && k != "subject_id") {
					t.Fatalf("%s has the field %q: %s", what, k, body)
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("%s is not JSON: %v", what, err)
	}
	walk(v)
}

// TestDisplay_Wall puts every mode on the wall and reads it as the projector does: each mode
// shows its own content and nothing else, and nothing shows who wrote what.
func TestDisplay_Wall(t *testing.T) {
	t.Parallel()
	ta := openTestApp(t, Config{BaseURL: "https://yyt.example.cn/"})
	f := ta.fx
	cy := ta.cardCycle(t)
	m := ta.schedule(t, cy.ID, map[string]any{"title": "加装电梯圆桌会", "starts_at": "2026-12-20T19:30:00+08:00",
		"location": "安友花园活动室", "quorum": 2})
	named := ta.submit(t, cy.ID, f.Resident, map[string]any{"body": "分单元表决，先易后难"})
	anon := ta.submit(t, cy.ID, f.Party, map[string]any{"body": "低层住户适当补偿", "anonymous": true})
	paper := ta.submit(t, cy.ID, f.GridWorker, map[string]any{"body": "请街道协调资金", "origin": "paper", "author_name": "张大爷"})
	hidden := ta.submit(t, cy.ID, f.Resident, map[string]any{"body": "不装就去投诉某某某"})
	wantStatus(t, ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/cards/%d", hidden.ID), as: f.Facilitator,
		body: map[string]any{"status": "hidden", "reason": "人身攻击"}}), http.StatusOK)
	wantStatus(t, ta.checkInMember(m.ID, f.Party), http.StatusCreated)
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/attendance", m.ID), as: f.Facilitator,
		body: map[string]any{"name": "王奶奶"}}), http.StatusCreated)
	secrets := []string{hidden.Body, "人身攻击", f.Party.Name, f.Resident.Name, f.GridWorker.Name, f.Facilitator.Name,
		"张大爷", "王奶奶", m.DisplayToken}

	message := "请大家入座，会议马上开始"
	for _, c := range []struct {
		mode string
		body map[string]any
		want func(w wallState) bool
	}{
		{models.ProjectorJoin, nil, func(w wallState) bool {
			return w.Topic == nil && w.Cards == nil && w.Message == nil && w.Groups == nil && w.Cluster == nil && w.Speaker == nil
		}},
		{models.ProjectorTopic, nil, func(w wallState) bool {
			return w.Topic != nil && w.Topic.Title == "加装电梯" && w.Topic.Reason == "附议最多" && w.Cards == nil && w.Message == nil
		}},
		{models.ProjectorCards, nil, func(w wallState) bool {
			return w.Topic == nil && w.Message == nil && w.Groups != nil && len(w.Groups) == 0 && fmt.Sprint(w.Cards) == fmt.Sprint([]models.WallCard{
				{ID: named.ID, Body: named.Body}, {ID: anon.ID, Body: anon.Body}, {ID: paper.ID, Body: paper.Body}})
		}},
		{models.ProjectorMessage, map[string]any{"message": "  " + message + " "}, func(w wallState) bool {
			return w.Message != nil && *w.Message == message && w.Topic == nil && w.Cards == nil
		}},
		{models.ProjectorBlank, nil, func(w wallState) bool { return w.Topic == nil && w.Cards == nil && w.Message == nil }},
	} {
		t.Run(c.mode, func(t *testing.T) {
			body := map[string]any{"mode": c.mode}
			for k, v := range c.body {
				body[k] = v
			}
			put := ta.setProjector(f.Facilitator, m.ID, body)
			wantStatus(t, put, http.StatusOK)
			rec := ta.wall(m.DisplayToken)
			wantStatus(t, rec, http.StatusOK)
			if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
				t.Fatalf("Cache-Control=%q, want no-store", cc)
			}
			w := decode[wallState](t, rec)
			if w.Mode != c.mode || !c.want(w) {
				t.Fatalf("wall=%s", rec.Body)
			}
			if w.Title != "加装电梯圆桌会" || w.Location != "安友花园活动室" || w.JoinCode != m.JoinCode ||
				w.JoinURL != "https://yyt.example.cn/join?code="+m.JoinCode || w.AttendeeCount != 2 || w.Quorum != 2 || !w.QuorumMet {
				t.Fatalf("wall header=%+v", w)
			}
			wantNoPersonalData(t, "the wall", rec.Body.String(), secrets...)
			// The console's preview is exactly the wall, and so is the PUT's answer.
			preview := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/meetings/%d/projector", m.ID), as: f.Facilitator})
			wantStatus(t, preview, http.StatusOK)
			if !sameWall(preview.Body.String(), rec.Body.String()) || !sameWall(put.Body.String(), rec.Body.String()) {
				t.Fatalf("preview=%s\nput=%s\nwall=%s", preview.Body, put.Body, rec.Body)
			}
		})
	}
}

// TestDisplay_TokenRenewed: renewing the display token ends the walls open with the old one;
// the old token then finds nothing, on both routes, exactly like a token that never existed.
func TestDisplay_TokenRenewed(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	cy := ta.cardCycle(t)
	m := ta.schedule(t, cy.ID, nil)
	srv := httptest.NewServer(ta.e)
	t.Cleanup(srv.Close)
	old := openStream(t, srv.URL+"/api/v1/display/"+m.DisplayToken+"/stream", nil)
	old.next(t, "connected", 5*time.Second)

	rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/display-token", m.ID), as: f.Facilitator})
	wantStatus(t, rec, http.StatusOK)
	renewed := decode[displayTokenResponse](t, rec).DisplayToken

	ev := old.next(t, models.EvMeetingDisplayTokenRenewed, 5*time.Second)
	wantNoPersonalData(t, "the renewal event", ev.data, renewed, m.DisplayToken)
	select {
	case extra, ok := <-old.events:
		if ok {
			t.Fatalf("the old wall's stream went on: %+v", extra)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the old wall's stream did not end")
	}

	missing := ta.wall("no-such-display-token").Body.String()
	for _, path := range []string{"/api/v1/display/" + m.DisplayToken, "/api/v1/display/" + m.DisplayToken + "/stream"} {
		rec := ta.do(req{method: "GET", path: path})
		wantProblem(t, rec, http.StatusNotFound, "not_found")
		if rec.Body.String() != missing {
			t.Fatalf("GET %s: body=%s, want the plain not-found %s", path, rec.Body, missing)
		}
	}
	wantStatus(t, ta.wall(renewed), http.StatusOK)
	c := openStream(t, srv.URL+"/api/v1/display/"+renewed+"/stream", nil)
	c.next(t, "connected", 5*time.Second)
}

// TestDisplay_Stream opens the wall's stream as a projector's EventSource does (no login, no
// header) and checks what reaches it: each change of the wall within a second, sign-ins as a
// content-free signal, the cycle's cards only while the wall shows cards, never a person.
func TestDisplay_Stream(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	cy := ta.cardCycle(t)
	m := ta.schedule(t, cy.ID, nil)
	srv := httptest.NewServer(ta.e)
	t.Cleanup(srv.Close)
	c := openStream(t, srv.URL+"/api/v1/display/"+m.DisplayToken+"/stream", nil)
	if ct := c.resp.Header.Get("Content-Type"); c.resp.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("status=%d content-type=%q", c.resp.StatusCode, ct)
	}
	c.next(t, "connected", 5*time.Second)
	var seen []string
	// expect reads the next event, which must be of the type, within a second.
	expect := func(typ models.EventType) sseEvent {
		t.Helper()
		select {
		case ev, ok := <-c.events:
			if !ok {
				t.Fatalf("stream ended while waiting for %s", typ)
			}
			if ev.typ != typ {
				t.Fatalf("got %s (%s), want %s", ev.typ, ev.data, typ)
			}
			wantNoPersonalData(t, "wall event "+string(ev.typ), ev.data, f.Resident.Name, f.Party.Name, "王奶奶")
			seen = append(seen, ev.data)
			return ev
		case <-time.After(time.Second):
			t.Fatalf("no %s within a second", typ)
		}
		return sseEvent{}
	}

	// The card wall follows new, hidden and withdrawn cards.
	wantStatus(t, ta.setProjector(f.Facilitator, m.ID, map[string]any{"mode": "cards"}), http.StatusOK)
	ev := expect(models.EvProjectorChanged)
	if !strings.Contains(ev.data, fmt.Sprintf(`"payload":{"meeting_id":%d,"mode":"cards"}`, m.ID)) {
		t.Fatalf("projector.changed=%s", ev.data)
	}
	card := ta.submit(t, cy.ID, f.Resident, map[string]any{"body": "会上提的建议"})
	if ev := expect(models.EvCardCreated); !strings.Contains(ev.data, fmt.Sprintf(`"subject_id":%d`, card.ID)) {
		t.Fatalf("card.created=%s", ev.data)
	}
	wantStatus(t, ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/cards/%d", card.ID), as: f.Facilitator,
		body: map[string]any{"status": "hidden", "reason": "重复"}}), http.StatusOK)
	if ev := expect(models.EvCardHidden); strings.Contains(ev.data, "重复") {
		t.Fatalf("card.hidden carries the moderation reason: %s", ev.data)
	}
	anon := ta.submit(t, cy.ID, f.Party, map[string]any{"body": "匿名的建议", "anonymous": true})
	expect(models.EvCardCreated)
	wantStatus(t, ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/cards/%d", anon.ID), as: f.Party,
		body: map[string]any{"status": "withdrawn"}}), http.StatusOK)
	expect(models.EvCardWithdrawn)

	// A sign-in is a signal without the person; the other meeting's and other cycle's are not sent.
	wantStatus(t, ta.checkInMember(m.ID, f.Party), http.StatusCreated)
	if ev := expect(models.EvAttendanceChanged); !strings.Contains(ev.data, fmt.Sprintf(`"subject_type":"meeting","subject_id":%d`, m.ID)) {
		t.Fatalf("attendance.changed=%s", ev.data)
	}
	other := ta.schedule(t, cy.ID, nil)
	wantStatus(t, ta.checkInMember(other.ID, f.Resident), http.StatusCreated)
	wantStatus(t, ta.setProjector(f.Facilitator, other.ID, map[string]any{"mode": "blank"}), http.StatusOK)

	// Away from the card wall, cards are not sent.
	wantStatus(t, ta.setProjector(f.AdminA, m.ID, map[string]any{"mode": "message", "message": "休息十分钟"}), http.StatusOK)
	if ev := expect(models.EvProjectorChanged); strings.Contains(ev.data, "休息十分钟") {
		t.Fatalf("projector.changed carries the message: %s", ev.data)
	}
	ta.submit(t, cy.ID, f.Resident, map[string]any{"body": "另一条建议"})
	wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/meetings/%d/start", m.ID), as: f.Facilitator}), http.StatusOK)
	expect(models.EvMeetingStarted)
	if len(seen) != 8 {
		t.Fatalf("%d events, want 8", len(seen))
	}
}
