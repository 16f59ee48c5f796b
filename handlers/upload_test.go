package handlers

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"github.com/yueyuetan/yueyuetan/media"
	"github.com/yueyuetan/yueyuetan/models"
)

// claimedPNG is a valid tiny PNG of the image's colour type whose header claims w×h pixels: what
// the server sees of a decompression bomb before it decodes anything.
func claimedPNG(t *testing.T, img image.Image, w, h uint32) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// uploadCount is how many uploads the database holds.
func (ta *testApp) uploadCount(t *testing.T) int64 {
	t.Helper()
	var n int64
	if err := ta.store.Gorm().Model(&models.Upload{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestUpload_Bounds(t *testing.T) {
	ta := newTestApp(t)
	one := image.Rect(0, 0, 1, 1)
	wantNothingStored := func(t *testing.T) {
		t.Helper()
		if n := ta.uploadCount(t); n != 0 {
			t.Fatalf("%d uploads stored, want none", n)
		}
	}
	t.Run("ErrSixteenBitBomb", func(t *testing.T) {
		// 7071×7071 RGBA at 16 bits a channel: 50.0 megapixels, under the pixel limit, but 400 MB
		// decoded.
		bomb := claimedPNG(t, image.NewNRGBA64(one), 7071, 7071)
		p := wantProblem(t, ta.uploadPhoto(t, ta.fx.Resident, ta.fx.A.ID, bomb), http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "file", "这张图片太大，打开它需要超过100 MB内存（常见于16位色的大PNG图）。请缩小图片或另存为JPG后再上传")
		wantNothingStored(t)
	})
	t.Run("ErrTooManyPixels", func(t *testing.T) {
		huge := claimedPNG(t, image.NewGray(one), 10000, 6000)
		p := wantProblem(t, ta.uploadPhoto(t, ta.fx.Resident, ta.fx.A.ID, huge), http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "file", "这张照片的像素太多（超过5000万像素），请缩小后再上传")
		wantNothingStored(t)
	})
	t.Run("ErrFileTooLarge", func(t *testing.T) {
		big := append(tinyJPEG(), make([]byte, media.MaxBytes)...)
		p := wantProblem(t, ta.uploadPhoto(t, ta.fx.Resident, ta.fx.A.ID, big), http.StatusRequestEntityTooLarge, "photo_too_large")
		wantField(t, p, "file", "照片不能超过10MB")
		wantNothingStored(t)
	})
	t.Run("ErrBodyTooLarge", func(t *testing.T) {
		big := append(tinyJPEG(), make([]byte, maxUploadBody)...)
		p := wantProblem(t, ta.uploadPhoto(t, ta.fx.Resident, ta.fx.A.ID, big), http.StatusRequestEntityTooLarge, "photo_too_large")
		wantField(t, p, "file", "照片不能超过10MB")
		wantNothingStored(t)
	})
	t.Run("ErrBusy", func(t *testing.T) {
		// A cleaner with no decode slot free: every photo waits its (zero) wait and is turned away.
		ta.store.Photos = media.NewCleaner(media.SharedMemory, 0, 0)
		defer func() { ta.store.Photos = nil }()
		rec := ta.uploadPhoto(t, ta.fx.Resident, ta.fx.A.ID, photoWithGPS(t))
		p := wantProblem(t, rec, http.StatusServiceUnavailable, "photo_busy")
		wantField(t, p, "file", "现在正在处理的照片比较多，请等几秒钟再上传一次")
		if got := rec.Header().Get("Retry-After"); got != "5" {
			t.Fatalf("Retry-After=%q, want 5", got)
		}
		wantNothingStored(t)
	})
	t.Run("ErrUnverified", func(t *testing.T) {
		wantProblem(t, ta.uploadPhoto(t, ta.fx.Unverified, ta.fx.A.ID, photoWithGPS(t)), http.StatusForbidden, "not_verified")
		wantNothingStored(t)
	})
	t.Run("English", func(t *testing.T) {
		bomb := claimedPNG(t, image.NewNRGBA64(one), 7071, 7071)
		form := oaForm(ta.fx.A.ID, "bomb.png", bomb)
		rec := ta.do(req{method: "POST", path: "/api/v1/uploads", as: ta.fx.Resident, body: form.data,
			header: map[string]string{"Content-Type": form.contentType, "Accept-Language": "en"}})
		p := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
		if !strings.Contains(p.Errors["file"], "over 100 MB of memory") {
			t.Fatalf("errors=%v", p.Errors)
		}
	})
	t.Run("OKStaffBeforeVerification", func(t *testing.T) {
		// Staff type in what residents hand them (paper cards), verified or not.
		wantStatus(t, ta.uploadPhoto(t, ta.fx.GridWorker, ta.fx.A.ID, photoWithGPS(t)), http.StatusCreated)
	})
}

func TestUpload_Readers(t *testing.T) {
	ta := newTestApp(t)
	f := ta.fx
	cy := ta.cardCycle(t)
	upload := func(as *models.User) (uint64, string) {
		t.Helper()
		rec := ta.uploadPhoto(t, as, f.A.ID, photoWithGPS(t))
		wantStatus(t, rec, http.StatusCreated)
		up := decode[uploadResponse](t, rec)
		return up.ID, up.URL
	}
	// readers checks who of community A (and B's resident) may open the photo.
	readers := func(t *testing.T, url string, may ...*models.User) {
		t.Helper()
		all := []*models.User{f.Super, f.AdminA, f.Facilitator, f.GridWorker, f.Committee, f.Party, f.Resident, f.Unverified, f.AdminB, f.ResidentB}
		for _, u := range all {
			rec := ta.do(req{method: "GET", path: url, as: u})
			want := http.StatusNotFound
			for _, m := range may {
				if m == u {
					want = http.StatusOK
				}
			}
			if rec.Code != want {
				t.Fatalf("GET %s as %s: status=%d, want %d; body=%.200s", url, u.Name, rec.Code, want, rec.Body.String())
			}
			if want == http.StatusNotFound {
				if p := decode[Problem](t, rec); p.Code != "not_found" {
					t.Fatalf("GET %s as %s: code=%q, want not_found (as for a photo that does not exist)", url, u.Name, p.Code)
				}
			}
		}
	}
	members := []*models.User{f.Super, f.AdminA, f.Facilitator, f.GridWorker, f.Committee, f.Party, f.Resident, f.Unverified}
	moderators := []*models.User{f.Super, f.AdminA, f.Facilitator, f.Committee}

	photoID, photo := upload(f.Resident)
	t.Run("OKAttachedToNothingOnlyUploader", func(t *testing.T) {
		readers(t, photo, f.Resident)
	})
	var cardID uint64
	t.Run("OKVisibleCardEveryMember", func(t *testing.T) {
		card := ta.submit(t, cy.ID, f.Resident, map[string]any{"body": "楼道里装感应灯", "photo_id": photoID})
		cardID = card.ID
		readers(t, photo, members...)
	})
	t.Run("OKHiddenCardAuthorAndModerators", func(t *testing.T) {
		wantStatus(t, ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/cards/%d", cardID), as: f.Facilitator,
			body: map[string]any{"status": "hidden", "reason": "核实中"}}), http.StatusOK)
		readers(t, photo, append(moderators, f.Resident)...)
	})
	t.Run("OKWithdrawnCardAuthorAndModerators", func(t *testing.T) {
		wantStatus(t, ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/cards/%d", cardID), as: f.Facilitator,
			body: map[string]any{"status": "visible", "reason": "核实无误"}}), http.StatusOK)
		wantStatus(t, ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/cards/%d", cardID), as: f.Resident,
			body: map[string]any{"status": "withdrawn"}}), http.StatusOK)
		readers(t, photo, append(moderators, f.Resident)...)
	})
	t.Run("OKHiddenPaperCardModeratorsAndUploader", func(t *testing.T) {
		// A paper card has no author: once hidden, its photo is for the moderators and the grid
		// worker who photographed it.
		paperID, paper := upload(f.GridWorker)
		card := ta.submit(t, cy.ID, f.GridWorker, map[string]any{"body": "纸质卡片：增加停车位", "origin": "paper",
			"author_name": "王奶奶", "photo_id": paperID})
		readers(t, paper, members...)
		wantStatus(t, ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/cards/%d", card.ID), as: f.AdminA,
			body: map[string]any{"status": "hidden", "reason": "重复"}}), http.StatusOK)
		readers(t, paper, append(moderators, f.GridWorker)...)
	})
}

// TestUpload_OwnersNoticeReaders: the notice of an owners' decision is shown with the resolution,
// to every member.
func TestUpload_OwnersNoticeReaders(t *testing.T) {
	rt := newResTest(t, "2027-09")
	f, rf := rt.fx, rt.rf
	rec := rt.uploadPhoto(t, f.Facilitator, f.A.ID, photoWithGPS(t))
	wantStatus(t, rec, http.StatusCreated)
	notice := decode[models.Upload](t, rec)
	url := fmt.Sprintf("/api/v1/uploads/%d", notice.ID)
	wantProblem(t, rt.do(req{method: "GET", path: url, as: f.Resident}), http.StatusNotFound, "not_found")
	p := rt.formalVote(rf.meeting.ID, "加装电梯协商", 3, 0)
	r := rt.draft(t, map[string]any{"poll_id": p.ID, "title": "加装电梯", "text": "提请业主共同决定。", "matter": models.MatterElevatorRetrofit})
	o := official{12, 8, 6, 2, 1200, 800, 600, 200}
	rt.call(t, req{method: "POST", path: resolutionPath(r.ID) + "/owners-decision", as: f.Facilitator, body: o.body(notice.ID)}, http.StatusOK)
	for _, u := range []*models.User{f.Resident, f.Unverified, f.Committee, f.Party} {
		wantStatus(t, rt.do(req{method: "GET", path: url, as: u}), http.StatusOK)
	}
	wantProblem(t, rt.do(req{method: "GET", path: url, as: f.ResidentB}), http.StatusNotFound, "not_found")
}
