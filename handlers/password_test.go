package handlers

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/yueyuetan/yueyuetan/internal/smsfake"
	"github.com/yueyuetan/yueyuetan/models"
	"github.com/yueyuetan/yueyuetan/sms"
)

const newPassword = "xiqiao-garden-2026"

// TestPassword_Rules sends refused passwords through every route that sets one.
func TestPassword_Rules(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	refused := map[string]string{
		"12345678":                         "这个密码太常见，别人很容易猜到。请换一个，比如一句您记得住的话的拼音再加几个数字",
		"password":                         "这个密码太常见，别人很容易猜到。请换一个，比如一句您记得住的话的拼音再加几个数字",
		"PassWord":                         "这个密码太常见，别人很容易猜到。请换一个，比如一句您记得住的话的拼音再加几个数字",
		"88888888":                         "密码不能全是同一个字，请换一个",
		"        ":                         "密码不能全是同一个字，请换一个",
		"\x00\x00\x00\x00\x00\x00\x00\x00": "密码里有看不见的特殊字符，请只用字母、数字、空格和标点",
		"a123456789":                       "这个密码太常见，别人很容易猜到。请换一个，比如一句您记得住的话的拼音再加几个数字",
		"woaini1314":                       "这个密码太常见，别人很容易猜到。请换一个，比如一句您记得住的话的拼音再加几个数字",
		"QQ123456":                         "这个密码太常见，别人很容易猜到。请换一个，比如一句您记得住的话的拼音再加几个数字",
		"1qaz2wsx":                         "这个密码太常见，别人很容易猜到。请换一个，比如一句您记得住的话的拼音再加几个数字",
		"abcdefgh":                         "这个密码太常见，别人很容易猜到。请换一个，比如一句您记得住的话的拼音再加几个数字",
		"zhang1980":                        "这个密码太常见，别人很容易猜到。请换一个，比如一句您记得住的话的拼音再加几个数字",
		"13712345680":                      "密码不能用手机号，请换一个",
		"short12":                          "密码至少要8位。可以用一句您记得住的话的拼音，再加几个数字",
	}
	for pw, msg := range refused {
		t.Run(fmt.Sprintf("Register%q", pw), func(t *testing.T) {
			rec := ta.do(req{method: "POST", path: "/api/v1/auth/register", body: map[string]any{"phone": "13712345680",
				"name": "王阿姨", "password": pw, "community_id": f.A.ID, "privacy_consent": true}})
			p := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
			wantField(t, p, "password", msg)
		})
	}
	t.Run("RegisterEnglish", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: "/api/v1/auth/register", header: map[string]string{"Accept-Language": "en"},
			body: map[string]any{"phone": "13712345680", "name": "王阿姨", "password": "12345678", "community_id": f.A.ID, "privacy_consent": true}})
		p := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "password", "This password is too common and easy to guess. Please choose another, such as a sentence you remember with a few digits")
		wantLogin401(t, ta, "13712345680", "12345678")
	})
	t.Run("AddMember", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/communities/%d/members", f.A.ID), as: f.AdminA,
			body: map[string]any{"phone": "13712345681", "name": "李大爷", "password": "11111111", "roles": []string{"resident"}}})
		p := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "password", "密码不能全是同一个字，请换一个")
	})
	for _, pw := range []string{"12345678", "password", "        ", "\x00\x00\x00\x00\x00\x00\x00\x00", f.Resident.Phone} {
		t.Run(fmt.Sprintf("Change%q", pw), func(t *testing.T) {
			rec := ta.do(req{method: "POST", path: "/api/v1/me/password", as: f.Resident,
				body: map[string]any{"current_password": fixturePassword, "new_password": pw}})
			p := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
			if p.Errors["new_password"] == "" {
				t.Fatalf("errors=%v, want new_password", p.Errors)
			}
		})
	}
	ta.login(t, f.Resident.Phone, fixturePassword)
	t.Run("OK", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: "/api/v1/auth/register", body: map[string]any{"phone": "13712345682",
			"name": "王阿姨", "password": "wo jia zhu zai 3 dong", "community_id": f.A.ID, "privacy_consent": true}})
		wantStatus(t, rec, http.StatusCreated)
	})
}

func TestPassword_Change(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	change := func(as *models.User, current, next string) *httpRec {
		return ta.do(req{method: "POST", path: "/api/v1/me/password", as: as,
			body: map[string]any{"current_password": current, "new_password": next}})
	}
	t.Run("OK", func(t *testing.T) {
		_, phone := ta.login(t, f.Resident.Phone, fixturePassword)
		laptop, laptopCookie := ta.login(t, f.Resident.Phone, fixturePassword)
		before := len(ta.events(f.A.ID))
		rec := ta.do(req{method: "POST", path: "/api/v1/me/password", header: bearer(laptop.AccessToken),
			body: map[string]any{"current_password": fixturePassword, "new_password": newPassword}})
		wantStatus(t, rec, http.StatusOK)
		s := decode[session](t, rec)
		fresh := cookieOf(rec, refreshCookie)
		if s.AccessToken == "" || fresh == nil || fresh.Value == "" || s.User.ID != f.Resident.ID {
			t.Fatalf("session=%+v cookie=%v, want a new session for this device", s, fresh)
		}
		// The other device and the old session of this one are logged out; the new one works.
		for _, ck := range []*http.Cookie{phone, laptopCookie} {
			wantProblem(t, ta.do(req{method: "POST", path: "/api/v1/auth/refresh", cookies: []*http.Cookie{ck}}),
				http.StatusUnauthorized, "session_ended")
		}
		wantStatus(t, ta.do(req{method: "POST", path: "/api/v1/auth/refresh", cookies: []*http.Cookie{fresh}}), http.StatusOK)
		wantLogin401(t, ta, f.Resident.Phone, fixturePassword)
		ta.login(t, f.Resident.Phone, newPassword)
		evs := ta.events(f.A.ID)
		last := evs[len(evs)-1]
		if len(evs) != before+1 || last.Type != models.EvMemberPasswordChanged || last.SubjectID != f.Resident.ID ||
			strings.Contains(last.Payload, newPassword) {
			t.Fatalf("%d new events, last=%+v", len(evs)-before, last)
		}
	})
	t.Run("ErrWrongCurrent", func(t *testing.T) {
		_, ck := ta.login(t, f.Party.Phone, fixturePassword)
		p := wantProblem(t, change(f.Party, "not-my-password", newPassword), http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "current_password", "密码不对")
		wantStatus(t, ta.do(req{method: "POST", path: "/api/v1/auth/refresh", cookies: []*http.Cookie{ck}}), http.StatusOK)
		wantLogin401(t, ta, f.Party.Phone, newPassword)
	})
	t.Run("ErrSame", func(t *testing.T) {
		p := wantProblem(t, change(f.Committee, fixturePassword, fixturePassword), http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "new_password", "新密码和现在的密码一样，请换一个")
	})
	t.Run("ErrThrottled", func(t *testing.T) {
		for i := 0; i < 5; i++ {
			wantProblem(t, change(f.Facilitator, fmt.Sprintf("wrong-%d-pass", i), newPassword), http.StatusUnprocessableEntity, "invalid_input")
		}
		rec := change(f.Facilitator, fixturePassword, newPassword)
		p := wantProblem(t, rec, http.StatusTooManyRequests, "password_change_locked")
		if rec.Header().Get("Retry-After") == "" || !strings.Contains(p.Detail, "15分钟") {
			t.Fatalf("retry-after=%q detail=%q", rec.Header().Get("Retry-After"), p.Detail)
		}
		wantLogin401(t, ta, f.Facilitator.Phone, newPassword)
		real := ta.store.Now
		defer func() { ta.store.Now = real }()
		ta.store.Now = func() time.Time { return real().Add(16 * time.Minute) }
		wantStatus(t, change(f.Facilitator, fixturePassword, newPassword), http.StatusOK)
	})
	t.Run("ErrLoggedOut", func(t *testing.T) {
		wantProblem(t, change(nil, fixturePassword, newPassword), http.StatusUnauthorized, "login_required")
	})
}

var eightDigits = regexp.MustCompile(`^[0-9]{8}$`)

func (ta *testApp) issueReset(as *models.User, cid, uid uint64) *httpRec {
	return ta.do(req{method: "POST", path: fmt.Sprintf("/api/v1/communities/%d/members/%d/password-reset", cid, uid), as: as})
}

func (ta *testApp) reset(phone, code, pw string, remote string) *httpRec {
	return ta.do(req{method: "POST", path: "/api/v1/auth/password-reset", remote: remote,
		body: map[string]any{"phone": phone, "code": code, "new_password": pw}})
}

func TestPasswordReset_Staff(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	issue := func(as *models.User, cid, uid uint64) models.ResetCode {
		t.Helper()
		rec := ta.issueReset(as, cid, uid)
		wantStatus(t, rec, http.StatusCreated)
		if rec.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("cache-control=%q", rec.Header().Get("Cache-Control"))
		}
		return decode[models.ResetCode](t, rec)
	}
	const wrongCodeMsg = "手机号或重置码不对，也可能重置码已用过或过期了。请核对后再试，或请社区工作人员重新给您一个"
	t.Run("OK", func(t *testing.T) {
		_, old := ta.login(t, f.Resident.Phone, fixturePassword)
		before := len(ta.events(f.A.ID))
		now := time.Now()
		rc := issue(f.GridWorker, f.A.ID, f.Resident.ID)
		if !eightDigits.MatchString(rc.Code) || rc.ExpiresAt.Sub(now) < 23*time.Hour || rc.ExpiresAt.Sub(now) > 25*time.Hour {
			t.Fatalf("code=%+v, want 8 digits valid 24 h", rc)
		}
		evs := ta.events(f.A.ID)
		last := evs[len(evs)-1]
		if len(evs) != before+1 || last.Type != models.EvMemberPasswordResetIssue || last.ActorID == nil ||
			*last.ActorID != f.GridWorker.ID || strings.Contains(last.Payload, rc.Code) {
			t.Fatalf("event=%+v, want one naming the grid worker and not the code", last)
		}
		var stored string
		ta.store.Gorm().Table("password_reset_codes").Where("user_id = ?", f.Resident.ID).Pluck("code_hash", &stored)
		if stored == "" || strings.Contains(stored, rc.Code) {
			t.Fatalf("stored=%q, want a hash", stored)
		}
		wantStatus(t, ta.reset(f.Resident.Phone, rc.Code, newPassword, ""), http.StatusNoContent)
		wantProblem(t, ta.do(req{method: "POST", path: "/api/v1/auth/refresh", cookies: []*http.Cookie{old}}),
			http.StatusUnauthorized, "session_ended")
		wantLogin401(t, ta, f.Resident.Phone, fixturePassword)
		ta.login(t, f.Resident.Phone, newPassword)
		evs = ta.events(f.A.ID)
		if last := evs[len(evs)-1]; last.Type != models.EvMemberPasswordReset || *last.ActorID != f.Resident.ID {
			t.Fatalf("last event=%+v, want member.password_reset by the resident", last)
		}
		t.Run("ErrReused", func(t *testing.T) {
			p := wantProblem(t, ta.reset(f.Resident.Phone, rc.Code, "another-good-pass", ""), http.StatusUnprocessableEntity, "invalid_input")
			wantField(t, p, "code", wrongCodeMsg)
			ta.login(t, f.Resident.Phone, newPassword)
		})
	})
	t.Run("ErrExpired", func(t *testing.T) {
		rc := issue(f.AdminA, f.A.ID, f.Party.ID)
		real := ta.store.Now
		defer func() { ta.store.Now = real }()
		ta.store.Now = func() time.Time { return real().Add(models.ResetCodeTTL + time.Second) }
		wantProblem(t, ta.reset(f.Party.Phone, rc.Code, newPassword, ""), http.StatusUnprocessableEntity, "invalid_input")
		ta.store.Now = real
		wantLogin401(t, ta, f.Party.Phone, newPassword)
	})
	t.Run("NewCodeReplacesOld", func(t *testing.T) {
		first := issue(f.GridWorker, f.A.ID, f.Unverified.ID)
		second := issue(f.AdminA, f.A.ID, f.Unverified.ID)
		if first.Code != second.Code {
			wantProblem(t, ta.reset(f.Unverified.Phone, first.Code, newPassword, ""), http.StatusUnprocessableEntity, "invalid_input")
		}
		wantStatus(t, ta.reset(f.Unverified.Phone, second.Code, newPassword, ""), http.StatusNoContent)
	})
	t.Run("ErrNoLeak", func(t *testing.T) {
		// An unknown phone, a phone without a code and a wrong code answer word for word alike.
		var bodies []string
		for _, phone := range []string{"13999999999", f.Committee.Phone} {
			rec := ta.reset(phone, "12345678", newPassword, "198.51.100.20:1")
			wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
			bodies = append(bodies, rec.Body.String())
		}
		if bodies[0] != bodies[1] {
			t.Fatalf("answers differ:\n%s\n%s", bodies[0], bodies[1])
		}
	})
	t.Run("ErrThrottled", func(t *testing.T) {
		rc := issue(f.AdminA, f.A.ID, f.Facilitator.ID)
		for i := 0; i < 5; i++ {
			wantProblem(t, ta.reset(f.Facilitator.Phone, fmt.Sprintf("0000000%d", i), newPassword, ""),
				http.StatusUnprocessableEntity, "invalid_input")
		}
		wantProblem(t, ta.reset(f.Facilitator.Phone, rc.Code, newPassword, ""), http.StatusTooManyRequests, "reset_locked")
		wantLogin401(t, ta, f.Facilitator.Phone, newPassword)
	})
	t.Run("ErrRules", func(t *testing.T) {
		rc := issue(f.AdminA, f.A.ID, f.Committee.ID)
		for _, pw := range []string{"12345678", "password", "        ", "\x00\x00\x00\x00\x00\x00\x00\x00", f.Committee.Phone} {
			p := wantProblem(t, ta.reset(f.Committee.Phone, rc.Code, pw, ""), http.StatusUnprocessableEntity, "invalid_input")
			if p.Errors["new_password"] == "" {
				t.Fatalf("%q: errors=%v, want new_password", pw, p.Errors)
			}
		}
		// The rules refuse before the code is tried: the code still works.
		wantStatus(t, ta.reset(f.Committee.Phone, rc.Code, newPassword, ""), http.StatusNoContent)
	})
	t.Run("ErrOtherCommunity", func(t *testing.T) {
		wantProblem(t, ta.issueReset(f.AdminA, f.A.ID, f.ResidentB.ID), http.StatusNotFound, "not_found")
		wantProblem(t, ta.issueReset(f.AdminA, f.B.ID, f.ResidentB.ID), http.StatusNotFound, "not_found")
		wantProblem(t, ta.issueReset(f.GridWorker, f.B.ID, f.ResidentB.ID), http.StatusNotFound, "not_found")
	})
	t.Run("ErrRoles", func(t *testing.T) {
		for _, u := range []*models.User{f.Resident, f.Committee, f.Facilitator, f.Party} {
			wantProblem(t, ta.issueReset(u, f.A.ID, f.Unverified.ID), http.StatusForbidden, "forbidden")
		}
		// A grid worker resets residents, not staff; an admin resets staff of the community.
		p := wantProblem(t, ta.issueReset(f.GridWorker, f.A.ID, f.AdminA.ID), http.StatusForbidden, "reset_needs_admin")
		if p.Detail != "这位成员担任社区职务，请由本社区的管理员或街道管理员为他重置密码。" {
			t.Fatalf("detail=%q", p.Detail)
		}
		wantProblem(t, ta.issueReset(f.GridWorker, f.A.ID, f.Facilitator.ID), http.StatusForbidden, "reset_needs_admin")
		wantStatus(t, ta.issueReset(f.AdminA, f.A.ID, f.GridWorker.ID), http.StatusCreated)
		wantStatus(t, ta.issueReset(f.Super, f.A.ID, f.AdminA.ID), http.StatusCreated)
		wantStatus(t, ta.issueReset(nil, f.A.ID, f.Resident.ID), http.StatusUnauthorized)
	})
	t.Run("ErrAdminOfAnotherCommunity", func(t *testing.T) {
		// AdminB joins A as a resident: A's admin may not take over B's admin account.
		must(ta.store.AddMember(context.Background(), f.Super.Actor(), f.A.ID, models.AddMemberInput{Phone: f.AdminB.Phone,
			Roles: []string{models.RoleResident}}))
		wantProblem(t, ta.issueReset(f.AdminA, f.A.ID, f.AdminB.ID), http.StatusForbidden, "reset_needs_admin")
	})
}

// smsApp is the app with the Aliyun client pointed at a local fake of the provider.
func smsApp(t *testing.T) (*testApp, *smsfake.Server) {
	fake := smsfake.New("LTAI5tYyt", "yyt-test-secret", "月月谈", "SMS_465890123")
	t.Cleanup(fake.Close)
	ta := openTestApp(t, Config{SMS: &sms.Aliyun{AccessKeyID: "LTAI5tYyt", AccessKeySecret: "yyt-test-secret",
		SignName: "月月谈", TemplateCode: "SMS_465890123", Endpoint: fake.URL}})
	return ta, fake
}

func TestPasswordReset_SMS(t *testing.T) {
	t.Parallel()
	ta, fake := smsApp(t)
	f := ta.fx
	text := func(phone, remote string) *httpRec {
		return ta.do(req{method: "POST", path: "/api/v1/auth/password-reset/sms", remote: remote, body: map[string]any{"phone": phone}})
	}
	t.Run("Options", func(t *testing.T) {
		rec := ta.do(req{method: "GET", path: "/api/v1/auth/options"})
		wantStatus(t, rec, http.StatusOK)
		if o := decode[map[string]any](t, rec); o["sms_reset"] != true {
			t.Fatalf("options=%v, want sms_reset", o)
		}
	})
	t.Run("OK", func(t *testing.T) {
		_, old := ta.login(t, f.Resident.Phone, fixturePassword)
		rec := text(f.Resident.Phone, "")
		wantStatus(t, rec, http.StatusAccepted)
		sent := fake.Sent()
		if len(sent) != 1 || sent[0].Phone != f.Resident.Phone || len(sent[0].Params["code"]) != 6 {
			t.Fatalf("sent=%+v", sent)
		}
		wantStatus(t, ta.reset(f.Resident.Phone, sent[0].Params["code"], newPassword, ""), http.StatusNoContent)
		wantProblem(t, ta.do(req{method: "POST", path: "/api/v1/auth/refresh", cookies: []*http.Cookie{old}}),
			http.StatusUnauthorized, "session_ended")
		ta.login(t, f.Resident.Phone, newPassword)
		wantProblem(t, ta.reset(f.Resident.Phone, sent[0].Params["code"], "another-good-pass", ""), http.StatusUnprocessableEntity, "invalid_input")
	})
	t.Run("UnknownPhoneAlike", func(t *testing.T) {
		n := len(fake.Sent())
		rec := text("13999999990", "198.51.100.30:1")
		wantStatus(t, rec, http.StatusAccepted)
		known := text(f.Party.Phone, "198.51.100.30:1")
		if rec.Body.String() != known.Body.String() || len(fake.Sent()) != n+1 {
			t.Fatalf("unknown=%s known=%s sent=%d, want the same answer and one text", rec.Body, known.Body, len(fake.Sent())-n)
		}
	})
	t.Run("ErrProvider", func(t *testing.T) {
		fake.FailWith("isv.BUSINESS_LIMIT_CONTROL")
		defer fake.FailWith("")
		rec := ta.do(req{method: "POST", path: "/api/v1/auth/password-reset/sms", header: map[string]string{"Accept-Language": "en"},
			body: map[string]any{"phone": f.Committee.Phone}})
		p := wantProblem(t, rec, http.StatusServiceUnavailable, "sms_unavailable")
		if !strings.HasPrefix(p.Detail, "Text messages cannot be sent right now") {
			t.Fatalf("detail=%q", p.Detail)
		}
		var n int64
		ta.store.Gorm().Table("password_reset_codes").Where("user_id = ?", f.Committee.ID).Count(&n)
		if n != 0 {
			t.Fatalf("%d codes stored after a failed send", n)
		}
	})
	t.Run("ErrTooMany", func(t *testing.T) {
		for i := 0; i < 3; i++ {
			wantStatus(t, text(f.Facilitator.Phone, fmt.Sprintf("198.51.100.%d:1", 40+i)), http.StatusAccepted)
		}
		wantProblem(t, text(f.Facilitator.Phone, "198.51.100.50:1"), http.StatusTooManyRequests, "sms_too_many")
		for i := 0; i < 10; i++ {
			wantStatus(t, text(fmt.Sprintf("1390000%04d", i), "198.51.100.60:1"), http.StatusAccepted)
		}
		wantProblem(t, text("13900009999", "198.51.100.60:1"), http.StatusTooManyRequests, "sms_too_many")
	})
	t.Run("OfficeCodeSurvivesSMS", func(t *testing.T) {
		rc := decode[models.ResetCode](t, ta.issueReset(f.AdminA, f.A.ID, f.GridWorker.ID))
		wantStatus(t, text(f.GridWorker.Phone, "198.51.100.70:1"), http.StatusAccepted)
		wantStatus(t, ta.reset(f.GridWorker.Phone, rc.Code, newPassword, ""), http.StatusNoContent)
	})
}

func TestPasswordReset_SMSDisabled(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	rec := ta.do(req{method: "GET", path: "/api/v1/auth/options"})
	wantStatus(t, rec, http.StatusOK)
	if o := decode[map[string]any](t, rec); o["sms_reset"] != false {
		t.Fatalf("options=%v, want no sms_reset", o)
	}
	p := wantProblem(t, ta.do(req{method: "POST", path: "/api/v1/auth/password-reset/sms", body: map[string]any{"phone": ta.fx.Resident.Phone}}),
		http.StatusUnprocessableEntity, "sms_disabled")
	if p.Detail != "本站没有开通短信验证码，请到社区办公室当面领取重置码。" {
		t.Fatalf("detail=%q", p.Detail)
	}
}

// TestPasswordReset_ParallelGuesses: attempts are counted before a code is checked, so guesses sent
// all at once are never evaluated more often than the limit allows.
func TestPasswordReset_ParallelGuesses(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	const n = 24
	codes := make(chan int, n)
	for i := 0; i < n; i++ {
		go func(i int) {
			rec := ta.reset(ta.fx.Resident.Phone, fmt.Sprintf("%08d", 10000000+i), newPassword, fmt.Sprintf("198.51.100.%d:1", i))
			codes <- rec.Code
		}(i)
	}
	counts := map[int]int{}
	for i := 0; i < n; i++ {
		counts[<-codes]++
	}
	if counts[http.StatusUnprocessableEntity] != 5 || counts[http.StatusTooManyRequests] != n-5 {
		t.Fatalf("answers=%v, want exactly 5 evaluated and the rest refused with 429", counts)
	}
}
