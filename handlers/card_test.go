package handlers

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/yueyuetan/yueyuetan/models"
)

// cardCycle opens a cycle with a selected topic and moves it to card collection.
func (ta *testApp) cardCycle(t *testing.T) models.Cycle {
	t.Helper()
	cy := ta.openCycle(t, "2026-12")
	ta.advance(t, cy.ID, models.PhaseTopicCollection)
	tp := ta.propose(t, cy.ID, ta.fx.Resident, "加装电梯")
	ta.advance(t, cy.ID, models.PhaseTopicSelection)
	rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/select-topic", cy.ID), as: ta.fx.Facilitator,
		body: map[string]any{"topic_id": tp.ID, "reason": "附议最多"}})
	wantStatus(t, rec, http.StatusOK)
	return ta.advance(t, cy.ID, models.PhaseCardCollection)
}

func (ta *testApp) submit(t *testing.T, cycleID uint64, as *models.User, body map[string]any) models.Card {
	t.Helper()
	rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/cards", cycleID), as: as, body: body})
	wantStatus(t, rec, http.StatusCreated)
	return decode[models.Card](t, rec)
}

// photoWithGPS is a small JPEG whose EXIF block carries a location string.
func photoWithGPS(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 64, 48)), nil); err != nil {
		t.Fatal(err)
	}
	tiff := []byte("II*\x00\x08\x00\x00\x00\x00\x00GPS 30.58N 114.27E HOME-LOCATION")
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := binary.BigEndian.AppendUint16([]byte{0xFF, 0xE1}, uint16(len(seg)+2))
	raw := buf.Bytes()
	return append(append(append([]byte{}, raw[:2]...), append(app1, seg...)...), raw[2:]...)
}

func (ta *testApp) uploadPhoto(t *testing.T, as *models.User, communityID uint64, data []byte) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if err := mw.WriteField("community_id", fmt.Sprint(communityID)); err != nil {
		t.Fatal(err)
	}
	fw, err := mw.CreateFormFile("file", "IMG_0001.jpg")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	hr := httptest.NewRequest("POST", "/api/v1/uploads", &body)
	hr.Header.Set("Content-Type", mw.FormDataContentType())
	hr.Header.Set("Authorization", "Bearer "+ta.token(as))
	rec := httptest.NewRecorder()
	ta.e.ServeHTTP(rec, hr)
	return rec
}

func TestCard_SubmitWithPhoto(t *testing.T) {
	ta := newTestApp(t)
	cy := ta.cardCycle(t)
	rec := ta.uploadPhoto(t, ta.fx.Resident, ta.fx.A.ID, photoWithGPS(t))
	wantStatus(t, rec, http.StatusCreated)
	up := decode[struct {
		ID  uint64 `json:"id"`
		URL string `json:"url"`
	}](t, rec)
	card := ta.submit(t, cy.ID, ta.fx.Resident, map[string]any{"body": "分单元表决，先装愿意装的单元", "photo_id": up.ID})
	if card.PhotoURL != up.URL || card.Origin != models.OriginOnline || card.AuthorName != "居民" || !card.Mine {
		t.Fatalf("card=%+v", card)
	}
	t.Run("PhotoHasNoExif", func(t *testing.T) {
		rec := ta.do(req{method: "GET", path: up.URL, as: ta.fx.Party})
		wantStatus(t, rec, http.StatusOK)
		if ct := rec.Header().Get("Content-Type"); ct != "image/jpeg" {
			t.Fatalf("content-type=%q", ct)
		}
		if bytes.Contains(rec.Body.Bytes(), []byte("HOME-LOCATION")) || bytes.Contains(rec.Body.Bytes(), []byte("Exif")) {
			t.Fatal("the served photo still carries EXIF")
		}
	})
	t.Run("ErrPhotoOtherTenant", func(t *testing.T) {
		wantProblem(t, ta.do(req{method: "GET", path: up.URL, as: ta.fx.ResidentB}), http.StatusNotFound, "not_found")
	})
	t.Run("ErrNotAPhoto", func(t *testing.T) {
		rec := ta.uploadPhoto(t, ta.fx.Resident, ta.fx.A.ID, []byte("<html><script>alert(1)</script></html>"))
		p := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
		if p.Errors["file"] != "只能上传 JPG、PNG 或 WebP 格式的照片" {
			t.Fatalf("errors=%v", p.Errors)
		}
	})
	t.Run("ErrSomeoneElsesPhoto", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/cards", cy.ID), as: ta.fx.Party,
			body: map[string]any{"body": "借用别人的照片", "photo_id": up.ID}})
		wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
	})
	t.Run("ErrTooLong", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/cards", cy.ID), as: ta.fx.Resident,
			body: map[string]any{"body": strings.Repeat("电", 301)}})
		p := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
		if p.Errors["body"] == "" {
			t.Fatalf("errors=%v", p.Errors)
		}
		ta.submit(t, cy.ID, ta.fx.Resident, map[string]any{"body": strings.Repeat("电", 300)})
	})
}

func TestCard_Idempotency(t *testing.T) {
	ta := newTestApp(t)
	cy := ta.cardCycle(t)
	path := fmt.Sprintf("/api/v1/cycles/%d/cards", cy.ID)
	var wg sync.WaitGroup
	ids := make([]uint64, 20)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := ta.do(req{method: "POST", path: path, as: ta.fx.Resident, header: map[string]string{"Idempotency-Key": "k-1"},
				body: map[string]any{"body": "错峰停车"}})
			if rec.Code != http.StatusCreated {
				t.Errorf("status=%d body=%s", rec.Code, rec.Body.String())
				return
			}
			ids[i] = decode[models.Card](t, rec).ID
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("ids=%v, want one card", ids)
		}
	}
	rec := ta.do(req{method: "GET", path: path + "?mine=true", as: ta.fx.Resident})
	if n := len(decode[itemsPage[models.Card]](t, rec).Items); n != 1 {
		t.Fatalf("cards=%d, want 1", n)
	}
	rec = ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/cycles/%d", cy.ID), as: ta.fx.Resident})
	if got := decode[models.Cycle](t, rec); got.CardCount != 1 {
		t.Fatalf("card_count=%d, want 1", got.CardCount)
	}
	t.Run("ErrKeyReusedForOtherBody", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: path, as: ta.fx.Resident, header: map[string]string{"Idempotency-Key": "k-1"},
			body: map[string]any{"body": "别的内容"}})
		wantProblem(t, rec, http.StatusConflict, "idempotency_key_reused")
	})
	t.Run("Replay", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: path, as: ta.fx.Resident, header: map[string]string{"Idempotency-Key": "k-1"},
			body: map[string]any{"body": "错峰停车"}})
		wantStatus(t, rec, http.StatusCreated)
		if rec.Header().Get("Idempotent-Replayed") != "true" || decode[models.Card](t, rec).ID != ids[0] {
			t.Fatalf("replay did not return the first card: %s", rec.Body.String())
		}
	})
}

func TestCard_PhaseAndRoles(t *testing.T) {
	ta := newTestApp(t)
	cy := ta.openCycle(t, "2026-12")
	path := fmt.Sprintf("/api/v1/cycles/%d/cards", cy.ID)
	t.Run("ErrBeforeCardCollection", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: path, as: ta.fx.Resident, body: map[string]any{"body": "太早了"}})
		p := wantProblem(t, rec, http.StatusConflict, "phase_closed")
		if !strings.Contains(p.Detail, "确定小区") {
			t.Fatalf("detail=%q does not name the phase", p.Detail)
		}
	})
	cy = func() models.Cycle {
		ta.advance(t, cy.ID, models.PhaseTopicCollection)
		tp := ta.propose(t, cy.ID, ta.fx.Resident, "停车")
		ta.advance(t, cy.ID, models.PhaseTopicSelection)
		wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cycles/%d/select-topic", cy.ID), as: ta.fx.Facilitator,
			body: map[string]any{"topic_id": tp.ID, "reason": "r"}}), http.StatusOK)
		return ta.advance(t, cy.ID, models.PhaseCardCollection)
	}()
	t.Run("ErrUnverified", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: path, as: ta.fx.Unverified, body: map[string]any{"body": "x"}})
		wantProblem(t, rec, http.StatusForbidden, "not_verified")
	})
	t.Run("PaperByFacilitator", func(t *testing.T) {
		c := ta.submit(t, cy.ID, ta.fx.Facilitator, map[string]any{"body": "纸质卡片", "origin": "paper", "author_name": "王奶奶"})
		if c.AuthorName != "王奶奶" || c.Origin != "paper" || c.Mine {
			t.Fatalf("card=%+v", c)
		}
	})
	t.Run("ErrPaperByResident", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: path, as: ta.fx.Resident, body: map[string]any{"body": "x", "origin": "paper"}})
		wantProblem(t, rec, http.StatusForbidden, "forbidden")
	})
	t.Run("ErrTableBeforeRoundTable", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: path, as: ta.fx.Facilitator, body: map[string]any{"body": "x", "origin": "table"}})
		wantProblem(t, rec, http.StatusConflict, "phase_closed")
	})
	t.Run("ErrOtherTenant", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: path, as: ta.fx.ResidentB, body: map[string]any{"body": "x"}})
		wantProblem(t, rec, http.StatusNotFound, "not_found")
	})
	ta.advance(t, cy.ID, models.PhaseRoundTable)
	t.Run("TableAtRoundTable", func(t *testing.T) {
		ta.submit(t, cy.ID, ta.fx.Facilitator, map[string]any{"body": "会上写的卡片", "origin": "table"})
	})
	ta.advance(t, cy.ID, models.PhaseResolved)
	t.Run("ErrAfterRoundTable", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: path, as: ta.fx.Resident, body: map[string]any{"body": "太晚了"}})
		wantProblem(t, rec, http.StatusConflict, "phase_closed")
	})
}

func TestCard_AnonymityAndModeration(t *testing.T) {
	ta := newTestApp(t)
	cy := ta.cardCycle(t)
	author := ta.fx.Party // named 党员
	anon := ta.submit(t, cy.ID, author, map[string]any{"body": "一楼住户的采光补偿可以协商", "anonymous": true})
	if anon.AuthorName != "" || !anon.Mine {
		t.Fatalf("author's own view=%+v", anon)
	}
	leaks := func(t *testing.T, what string, body string) {
		t.Helper()
		if strings.Contains(body, "党员") || strings.Contains(body, fmt.Sprintf(`"actor_id":%d`, author.ID)) ||
			strings.Contains(body, "author_id") || strings.Contains(body, "13800000005") {
			t.Fatalf("%s names the anonymous author: %s", what, body)
		}
	}
	viewers := []*models.User{ta.fx.Resident, ta.fx.Facilitator, ta.fx.Committee, ta.fx.AdminA, author}
	for _, v := range viewers {
		leaks(t, "list", ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/cycles/%d/cards", cy.ID), as: v}).Body.String())
		leaks(t, "get", ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/cards/%d", anon.ID), as: v}).Body.String())
		leaks(t, "timeline", ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/cards/%d/timeline", anon.ID), as: v}).Body.String())
	}
	for _, v := range []*models.User{ta.fx.Committee, ta.fx.AdminA} {
		leaks(t, "events", ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/communities/%d/events?limit=200", ta.fx.A.ID), as: v}).Body.String())
	}

	// Three reports hide it into the moderation queue.
	for i, r := range []*models.User{ta.fx.Resident, ta.fx.GridWorker, ta.fx.Committee} {
		rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cards/%d/reports", anon.ID), as: r, body: map[string]any{"reason": "广告"}})
		wantStatus(t, rec, http.StatusCreated)
		leaks(t, "report", rec.Body.String())
		if i == 0 {
			// A second report by the same person counts once.
			wantStatus(t, ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/cards/%d/reports", anon.ID), as: r, body: map[string]any{}}), http.StatusCreated)
		}
	}
	wantProblem(t, ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/cards/%d", anon.ID), as: ta.fx.Resident}), http.StatusNotFound, "not_found")
	rec := ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/cycles/%d/cards", cy.ID), as: ta.fx.Resident})
	if n := len(decode[itemsPage[models.Card]](t, rec).Items); n != 0 {
		t.Fatalf("a resident sees %d cards, want 0 (the only card is hidden)", n)
	}
	rec = ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/cycles/%d/cards?status=hidden", cy.ID), as: ta.fx.Facilitator})
	queue := decode[itemsPage[models.Card]](t, rec).Items
	if len(queue) != 1 || queue[0].ReportCount != 3 || queue[0].ModerationReason != "reports" {
		t.Fatalf("moderation queue=%+v", queue)
	}
	if got := decode[models.Card](t, ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/cards/%d", anon.ID), as: author})); got.Status != models.CardHidden {
		t.Fatalf("author sees status %q, want hidden", got.Status)
	}
	t.Run("ErrRestoreWithoutReason", func(t *testing.T) {
		rec := ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/cards/%d", anon.ID), as: ta.fx.Facilitator, body: map[string]any{"status": "visible"}})
		wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
	})
	t.Run("Restore", func(t *testing.T) {
		rec := ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/cards/%d", anon.ID), as: ta.fx.Facilitator,
			body: map[string]any{"status": "visible", "reason": "内容正常，误报"}})
		wantStatus(t, rec, http.StatusOK)
		leaks(t, "restore", rec.Body.String())
		wantStatus(t, ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/cards/%d", anon.ID), as: ta.fx.Resident}), http.StatusOK)
	})
	t.Run("ErrHideByResident", func(t *testing.T) {
		rec := ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/cards/%d", anon.ID), as: ta.fx.Resident,
			body: map[string]any{"status": "hidden", "reason": "x"}})
		wantProblem(t, rec, http.StatusForbidden, "forbidden")
	})
	t.Run("ErrWithdrawOthers", func(t *testing.T) {
		rec := ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/cards/%d", anon.ID), as: ta.fx.Facilitator,
			body: map[string]any{"status": "withdrawn"}})
		wantProblem(t, rec, http.StatusForbidden, "forbidden")
	})
	t.Run("Timeline", func(t *testing.T) {
		rec := ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/cards/%d", anon.ID), as: author, body: map[string]any{"status": "withdrawn"}})
		wantStatus(t, rec, http.StatusOK)
		rec = ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/cards/%d/timeline", anon.ID), as: author})
		var types []string
		for _, it := range decode[itemsPage[models.TimelineItem]](t, rec).Items {
			types = append(types, string(it.Type))
		}
		want := "card.created card.hidden card.restored card.withdrawn"
		if strings.Join(types, " ") != want {
			t.Fatalf("author's timeline=%v, want %s (reports are for the committee)", types, want)
		}
		rec = ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/cards/%d/timeline", anon.ID), as: ta.fx.Committee})
		if n := len(decode[itemsPage[models.TimelineItem]](t, rec).Items); n != 7 {
			t.Fatalf("committee timeline has %d items, want 7 (3 reports added)", n)
		}
		for _, v := range viewers {
			leaks(t, "events after withdraw", ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/communities/%d/events?limit=200", ta.fx.A.ID), as: v}).Body.String())
		}
	})
}

// A card typed in from paper can be corrected or withdrawn by the person who typed it, and by no
// one else; the log keeps the text before and after.
func TestCard_CorrectTypedIn(t *testing.T) {
	ta := newTestApp(t)
	cy := ta.cardCycle(t)
	f := ta.fx
	typed := ta.submit(t, cy.ID, f.GridWorker, map[string]any{"body": "楼道灯坏了要修里", "origin": "paper", "author_name": "王大爷"})
	if !typed.EnteredByMe {
		t.Fatalf("the typist's card does not say so: %+v", typed)
	}
	online := ta.submit(t, cy.ID, f.Resident, map[string]any{"body": "我自己写的"})
	patch := func(as *models.User, id uint64, body map[string]any) *httptest.ResponseRecorder {
		return ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/cards/%d", id), as: as, body: body})
	}
	unchanged := func(t *testing.T, before int) {
		t.Helper()
		if n := len(ta.events(f.A.ID)); n != before {
			t.Fatalf("events %d → %d after a refusal", before, n)
		}
		var c models.Card
		ta.store.Gorm().Take(&c, typed.ID)
		if c.Body != "楼道灯坏了要修里" || c.AuthorName != "王大爷" {
			t.Fatalf("card changed after a refusal: %q %q", c.Body, c.AuthorName)
		}
	}
	for _, c := range []struct {
		name   string
		as     *models.User
		id     uint64
		body   map[string]any
		status int
		code   string
	}{
		{"ErrOtherFacilitator", f.Facilitator, typed.ID, map[string]any{"body": "别人改"}, http.StatusForbidden, "forbidden"},
		{"ErrResident", f.Resident, typed.ID, map[string]any{"body": "居民改"}, http.StatusForbidden, "forbidden"},
		{"ErrOnlineCardByAuthor", f.Resident, online.ID, map[string]any{"body": "网上的卡片不能这样改"}, http.StatusForbidden, "forbidden"},
		{"ErrBlank", f.GridWorker, typed.ID, map[string]any{"body": " \u200b "}, http.StatusUnprocessableEntity, "invalid_input"},
		{"ErrTooLong", f.GridWorker, typed.ID, map[string]any{"body": strings.Repeat("长", 301)}, http.StatusUnprocessableEntity, "invalid_input"},
		{"ErrWithStatus", f.GridWorker, typed.ID, map[string]any{"body": "x", "status": "withdrawn"}, http.StatusUnprocessableEntity, "invalid_input"},
		{"ErrNothing", f.GridWorker, typed.ID, map[string]any{}, http.StatusUnprocessableEntity, "invalid_input"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := len(ta.events(f.A.ID))
			wantProblem(t, patch(c.as, c.id, c.body), c.status, c.code)
			unchanged(t, before)
		})
	}
	t.Run("OKCorrected", func(t *testing.T) {
		rec := patch(f.GridWorker, typed.ID, map[string]any{"body": "楼道灯坏了要修理", "author_name": ""})
		wantStatus(t, rec, http.StatusOK)
		got := decode[models.Card](t, rec)
		if got.Body != "楼道灯坏了要修理" || got.AuthorName != "" {
			t.Fatalf("card=%+v", got)
		}
		evs := ta.events(f.A.ID)
		last := evs[len(evs)-1]
		if last.Type != models.EvCardCorrected || last.SubjectID != typed.ID ||
			!strings.Contains(last.Payload, "楼道灯坏了要修里") || !strings.Contains(last.Payload, "王大爷") {
			t.Fatalf("last event %s %s", last.Type, last.Payload)
		}
	})
	t.Run("OKWithdrawnByTypist", func(t *testing.T) {
		rec := patch(f.GridWorker, typed.ID, map[string]any{"status": "withdrawn"})
		wantStatus(t, rec, http.StatusOK)
		if got := decode[models.Card](t, rec); got.Status != models.CardWithdrawn {
			t.Fatalf("status %q", got.Status)
		}
		wantProblem(t, patch(f.GridWorker, typed.ID, map[string]any{"body": "再改"}), http.StatusConflict, "card_not_correctable")
	})
	t.Run("ErrPhaseClosed", func(t *testing.T) {
		other := ta.submit(t, cy.ID, f.GridWorker, map[string]any{"body": "另一张纸质卡片", "origin": "paper"})
		ta.advance(t, cy.ID, models.PhaseRoundTable)
		ta.advance(t, cy.ID, models.PhaseResolved)
		wantProblem(t, patch(f.GridWorker, other.ID, map[string]any{"body": "太晚了"}), http.StatusConflict, "phase_closed")
	})
}
