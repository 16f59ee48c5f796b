package handlers

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/yueyuetan/yueyuetan/models"
	"github.com/yueyuetan/yueyuetan/notify"
)

type escalationJSON struct {
	ID           uint64 `json:"id"`
	ItemID       uint64 `json:"item_id"`
	Channel      string `json:"channel"`
	Department   string `json:"department"`
	TicketNo     string `json:"ticket_no"`
	ResponseDue  string `json:"response_due"`
	Status       string `json:"status"`
	Response     string `json:"response"`
	RespondedOn  string `json:"responded_on"`
	Overdue      bool   `json:"overdue"`
	ResponseDays *int   `json:"response_days"`
	ItemTitle    string `json:"item_title"`
}

// TestEscalation_Lifecycle: a facilitator escalates an item beyond the community's remit to the
// 12345 hotline (吹哨 / 12345); others may not; the assignee hears of it; the ticket number comes
// later, with its before and after in the log; the response deadline passes and the escalation is
// overdue on the item, in the lists and in one notice to each of the assignee and facilitator
// however many instances run the reminder job; the response is recorded once, with the days it
// took and its lateness.
func TestEscalation_Lifecycle(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	jf := ta.buildJobsFixture(t, "2027-09") // today 2027-08-10 in Wuhan; the item is the party member's
	ctx := context.Background()
	p := fmt.Sprintf
	ipath := p("/api/v1/items/%d", jf.item.ID)
	body := map[string]any{"channel": "hotline", "department": "区城管局", "reason": "小区外市政路灯损坏，不归社区管",
		"response_due": "2027-08-15"}

	// Who may escalate, and what is refused.
	for _, u := range []*models.User{f.Resident, f.Party, f.Committee} {
		wantStatus(t, ta.do(req{method: "POST", path: ipath + "/escalations", as: u, body: body}), http.StatusForbidden)
	}
	wantStatus(t, ta.do(req{method: "POST", path: ipath + "/escalations", as: f.ResidentB, body: body}), http.StatusNotFound)
	bad := []struct {
		field string
		body  map[string]any
	}{
		{"channel", map[string]any{"channel": "fax", "department": "区城管局", "reason": "x"}},
		{"department", map[string]any{"channel": "hotline", "department": "  ", "reason": "x"}},
		{"response_due", map[string]any{"channel": "hotline", "department": "区城管局", "reason": "x", "response_due": "2027-08-09"}},
		{"response_due", map[string]any{"channel": "hotline", "department": "区城管局", "reason": "x", "response_due": "2027-13-01"}},
		{"response_due", map[string]any{"channel": "hotline", "department": "区城管局", "reason": "x", "response_due": "2028-08-09"}},
	}
	for _, b := range bad {
		pr := wantProblem(t, ta.do(req{method: "POST", path: ipath + "/escalations", as: f.Facilitator, body: b.body}),
			http.StatusUnprocessableEntity, "invalid_input")
		if pr.Errors[b.field] == "" {
			t.Errorf("%v: no error on %s: %+v", b.body, b.field, pr.Errors)
		}
	}
	ta.setResolutionStatus(t, jf.res.ID, models.ResolutionPublicity)
	wantProblem(t, ta.do(req{method: "POST", path: ipath + "/escalations", as: f.Facilitator, body: body}),
		http.StatusConflict, "resolution_not_implementing")
	ta.setResolutionStatus(t, jf.res.ID, models.ResolutionImplementing)
	if n := ta.countEvents(f.A.ID, models.EvEscalationRaised); n != 0 {
		t.Fatalf("refused escalations wrote %d events", n)
	}

	rec := ta.do(req{method: "POST", path: ipath + "/escalations", as: f.Facilitator, body: body})
	wantStatus(t, rec, http.StatusCreated)
	e := decode[escalationJSON](t, rec)
	if e.Status != models.EscalationAwaiting || e.Overdue || e.ItemID != jf.item.ID || e.ResponseDue != "2027-08-15" ||
		e.ItemTitle != "电梯井道施工" || e.ResponseDays != nil {
		t.Fatalf("escalation: %+v", e)
	}
	wantProblem(t, ta.do(req{method: "POST", path: ipath + "/escalations", as: f.AdminA, body: body}),
		http.StatusConflict, "escalation_open")
	in := ta.inbox(t, f.Party, "")
	if n := find(in, models.NoteItemEscalated); n == nil || n.Body != "事项「电梯井道施工」（决议「加装电梯决议」）已上报区城管局，请在2027-08-15前跟进回复。" {
		t.Fatalf("assignee's notice: %+v", n)
	}
	if n := countNotes(t, ta.store, f.Facilitator.ID, models.NoteItemEscalated); n != 0 {
		t.Fatalf("the facilitator who escalated was told: %d", n)
	}

	// The ticket number comes later: the log keeps the before and after.
	epath := p("/api/v1/escalations/%d", e.ID)
	wantStatus(t, ta.do(req{method: "PATCH", path: epath, as: f.Party, body: map[string]any{"ticket_no": "x"}}), http.StatusForbidden)
	rec = ta.do(req{method: "PATCH", path: epath, as: f.Facilitator, body: map[string]any{"ticket_no": "WH12345-0815-001"}})
	wantStatus(t, rec, http.StatusOK)
	if got := decode[escalationJSON](t, rec); got.TicketNo != "WH12345-0815-001" {
		t.Fatalf("ticket: %+v", got)
	}
	var changed *models.Event
	for _, ev := range ta.events(f.A.ID) {
		if ev.Type == models.EvEscalationChanged {
			changed = &ev
		}
	}
	if changed == nil || changed.Payload != `{"changes":[{"field":"ticket_no","from":"","to":"WH12345-0815-001"}],"escalation_id":`+
		p("%d", e.ID)+`,"item_id":`+p("%d", jf.item.ID)+`,"resolution_id":`+p("%d", jf.res.ID)+`}` {
		t.Fatalf("escalation.changed: %+v", changed)
	}

	// Everyone in the community sees it on the item; not overdue yet.
	item := decode[struct {
		itemJSON
		Escalated         bool             `json:"escalated"`
		EscalationOverdue bool             `json:"escalation_overdue"`
		Escalations       []escalationJSON `json:"escalations"`
	}](t, ta.do(req{method: "GET", path: ipath, as: f.Resident}))
	if !item.Escalated || item.EscalationOverdue || len(item.Escalations) != 1 || item.Escalations[0].Department != "区城管局" {
		t.Fatalf("item: %+v", item)
	}

	// The deadline passes: two instances run the job many times; one notice each, one event.
	jf.at("2027-08-16", 2)
	a := &notify.Reminders{Store: ta.store, Holder: "instance-a"}
	var wg sync.WaitGroup
	for range 3 {
		for _, s := range []*models.Store{ta.store, jf.other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.RunEscalationChecks(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	if _, _, err := a.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	for _, u := range []*models.User{f.Party, f.Facilitator} {
		if n := countNotes(t, ta.store, u.ID, models.NoteEscalationOverdue); n != 1 {
			t.Errorf("overdue notices to %s: %d, want 1", u.Name, n)
		}
	}
	if n := ta.countEvents(f.A.ID, models.EvEscalationResponseOverdue); n != 1 {
		t.Fatalf("escalation.response_overdue events: %d, want 1", n)
	}
	list := decode[struct {
		Items []escalationJSON `json:"items"`
	}](t, ta.do(req{method: "GET", path: p("/api/v1/communities/%d/escalations?overdue=true", f.A.ID), as: f.Committee}))
	if len(list.Items) != 1 || !list.Items[0].Overdue {
		t.Fatalf("overdue list: %+v", list)
	}
	items := decode[struct {
		Items []struct {
			ID                uint64 `json:"id"`
			EscalationOverdue bool   `json:"escalation_overdue"`
		} `json:"items"`
	}](t, ta.do(req{method: "GET", path: p("/api/v1/resolutions/%d/items", jf.res.ID), as: f.Resident}))
	if len(items.Items) != 1 || !items.Items[0].EscalationOverdue {
		t.Fatalf("items board: %+v", items)
	}
	wantStatus(t, ta.do(req{method: "GET", path: p("/api/v1/communities/%d/escalations?status=lost", f.A.ID), as: f.Committee}),
		http.StatusUnprocessableEntity)
	wantStatus(t, ta.do(req{method: "GET", path: p("/api/v1/communities/%d/escalations", f.A.ID), as: f.ResidentB}),
		http.StatusNotFound)

	// The response, recorded once: a day late, six days after it was raised.
	rpath := epath + "/response"
	wantStatus(t, ta.do(req{method: "POST", path: rpath, as: f.Party, body: map[string]any{"response": "已修"}}), http.StatusForbidden)
	pr := wantProblem(t, ta.do(req{method: "POST", path: rpath, as: f.Facilitator,
		body: map[string]any{"response": "已修", "responded_on": "2027-08-20"}}), http.StatusUnprocessableEntity, "invalid_input")
	if pr.Errors["responded_on"] == "" {
		t.Fatalf("a response from the future: %+v", pr)
	}
	rec = ta.do(req{method: "POST", path: rpath, as: f.Facilitator,
		body: map[string]any{"response": "城管局已派人更换路灯", "responded_on": "2027-08-16"}})
	wantStatus(t, rec, http.StatusOK)
	got := decode[escalationJSON](t, rec)
	if got.Status != models.EscalationResponded || got.Overdue || got.ResponseDays == nil || *got.ResponseDays != 6 ||
		got.Response != "城管局已派人更换路灯" {
		t.Fatalf("responded: %+v", got)
	}
	wantProblem(t, ta.do(req{method: "POST", path: rpath, as: f.Facilitator, body: map[string]any{"response": "再答"}}),
		http.StatusConflict, "escalation_responded")
	wantProblem(t, ta.do(req{method: "PATCH", path: epath, as: f.Facilitator, body: map[string]any{"ticket_no": "y"}}),
		http.StatusConflict, "escalation_responded")
	if n := countNotes(t, ta.store, f.Party.ID, models.NoteEscalationResponded); n != 1 {
		t.Fatalf("response notices to the assignee: %d", n)
	}
	for _, ev := range ta.events(f.A.ID) {
		if ev.Type == models.EvEscalationResponded &&
			ev.Payload != p(`{"department":"区城管局","escalation_id":%d,"item_id":%d,"late":true,"resolution_id":%d,"responded_on":"2027-08-16","response":"城管局已派人更换路灯","response_days":6,"response_due":"2027-08-15","ticket_no":"WH12345-0815-001"}`,
				e.ID, jf.item.ID, jf.res.ID) {
			t.Fatalf("escalation.responded: %s", ev.Payload)
		}
	}
	// Answered, the item may be escalated again; the job has nothing more to say.
	if n, err := ta.store.RunEscalationChecks(ctx); err != nil || n != 0 {
		t.Fatalf("checks after the response: %d %v", n, err)
	}
	wantStatus(t, ta.do(req{method: "POST", path: ipath + "/escalations", as: f.Facilitator,
		body: map[string]any{"channel": "whistle", "department": "街道城建办", "reason": "复查"}}), http.StatusCreated)
}

// TestOpenAPIMatchesEscalationRequests: the escalation routes' request schemas are the structs
// they bind (as TestOpenAPIMatchesRequestStructs checks for the others).
func TestOpenAPIMatchesEscalationRequests(t *testing.T) {
	s := loadOpenAPI(t)
	schemas := oaMap(oaMap(s.root["components"])["schemas"])
	for name, v := range map[string]any{"RaiseEscalationRequest": raiseEscalationRequest{},
		"UpdateEscalationRequest": updateEscalationRequest{}, "RespondEscalationRequest": respondEscalationRequest{}} {
		sch := s.deref(schemas[name])
		if sch == nil {
			t.Fatalf("components/schemas/%s is missing", name)
		}
		props := oaMap(sch["properties"])
		req, _ := sch["required"].([]any)
		lookup := func(field string) (map[string]any, bool, bool) {
			p, ok := props[field]
			return s.deref(p), slices.ContainsFunc(req, func(r any) bool { return r == field }), ok
		}
		for _, e := range s.compareStruct(reflect.TypeOf(v), "json", lookup) {
			t.Errorf("%s: %s", name, e)
		}
		for field := range props {
			if !oaHasField(reflect.TypeOf(v), "json", field) {
				t.Errorf("%s: property %s has no field in the Go struct", name, field)
			}
		}
	}
}
