package handlers

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
)

// phoneLimitForTest and addrLimitForTest are the throttle limits of models/login.go.
const (
	phoneLimitForTest = 5
	addrLimitForTest  = 50
)

func loginBody(phone, password string) map[string]string {
	return map[string]string{"phone": phone, "password": password}
}

func TestAuth_Login(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	t.Run("OK", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: "/api/v1/auth/login", body: loginBody("13800000006", fixturePassword)})
		wantStatus(t, rec, http.StatusOK)
		s := decode[session](t, rec)
		if s.AccessToken == "" || s.TokenType != "Bearer" || s.ExpiresIn != 900 || s.User.ID != ta.fx.Resident.ID {
			t.Fatalf("session=%+v", s)
		}
		if strings.Contains(rec.Body.String(), "password") || strings.Contains(rec.Body.String(), "argon2") {
			t.Fatalf("login answer shows the password hash: %s", rec.Body.String())
		}
		if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
			t.Fatalf("cache-control=%q, want no-store", cc)
		}
		ck := cookieOf(rec, refreshCookie)
		if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/api/v1/auth" {
			t.Fatalf("refresh cookie=%+v", ck)
		}
		me := ta.do(req{method: "GET", path: "/api/v1/me", header: bearer(s.AccessToken)})
		wantStatus(t, me, http.StatusOK)
		if got := decode[models.Me](t, me).User.ID; got != ta.fx.Resident.ID {
			t.Fatalf("me=%d, want %d", got, ta.fx.Resident.ID)
		}
	})
	t.Run("ErrBadCredentials", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: "/api/v1/auth/login", body: loginBody("13800000006", "wrong-password")})
		p := wantProblem(t, rec, http.StatusUnauthorized, "bad_credentials")
		if p.Detail != "手机号或密码不对，请再试一次。" {
			t.Fatalf("detail=%q, want the Chinese message by default", p.Detail)
		}
		if cookieOf(rec, refreshCookie) != nil {
			t.Fatal("a failed login set a refresh cookie")
		}
		// An unknown phone fails exactly like a wrong password.
		rec = ta.do(req{method: "POST", path: "/api/v1/auth/login", header: map[string]string{"Accept-Language": "en-US,en;q=0.9"},
			body: loginBody("13999999999", "whatever-pass")})
		p = wantProblem(t, rec, http.StatusUnauthorized, "bad_credentials")
		if p.Detail != "The phone number or password is wrong. Please try again." {
			t.Fatalf("detail=%q, want English", p.Detail)
		}
	})
	t.Run("ErrThrottledPerPhone", func(t *testing.T) {
		for i := 0; i < phoneLimitForTest; i++ {
			rec := ta.do(req{method: "POST", path: "/api/v1/auth/login", body: loginBody("13800000005", fmt.Sprintf("bad-%d-pass", i))})
			wantProblem(t, rec, http.StatusUnauthorized, "bad_credentials")
		}
		// Locked: even the right password is refused, from any address.
		for _, addr := range []string{"", "198.51.100.7:999"} {
			rec := ta.do(req{method: "POST", path: "/api/v1/auth/login", remote: addr, body: loginBody("13800000005", fixturePassword)})
			wantProblem(t, rec, http.StatusTooManyRequests, "login_locked")
			ra, err := strconv.Atoi(rec.Header().Get("Retry-After"))
			if err != nil || ra < 890 || ra > 900 {
				t.Fatalf("Retry-After=%q, want about 900 seconds", rec.Header().Get("Retry-After"))
			}
		}
		// Other phones from the same address are not affected.
		ta.login(t, "13800000006", fixturePassword)
	})
	t.Run("LockExpires", func(t *testing.T) {
		real := ta.store.Now
		defer func() { ta.store.Now = real }()
		ta.store.Now = func() time.Time { return real().Add(16 * time.Minute) }
		ta.login(t, "13800000005", fixturePassword)
	})
}

// TestAuth_LoginThrottlePerAddress: a meeting room shares one address, so it allows 50 failures
// before it locks every phone from that address.
func TestAuth_LoginThrottlePerAddress(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	const room = "192.0.2.50:4000"
	for i := 0; i < addrLimitForTest; i++ {
		rec := ta.do(req{method: "POST", path: "/api/v1/auth/login", remote: room,
			body: loginBody(fmt.Sprintf("1590000%04d", i), "wrong-password")})
		wantProblem(t, rec, http.StatusUnauthorized, "bad_credentials")
	}
	t.Run("ErrLockedAddress", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: "/api/v1/auth/login", remote: room, body: loginBody("13800000006", fixturePassword)})
		wantProblem(t, rec, http.StatusTooManyRequests, "login_locked")
		if rec.Header().Get("Retry-After") == "" {
			t.Fatal("no Retry-After header")
		}
	})
	t.Run("ErrForwardedForIgnored", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: "/api/v1/auth/login", remote: room,
			header: map[string]string{"X-Forwarded-For": "203.0.113.99"}, body: loginBody("13800000006", fixturePassword)})
		wantProblem(t, rec, http.StatusTooManyRequests, "login_locked")
	})
	t.Run("RegisterStillLogsIn", func(t *testing.T) {
		// A meeting room shares one address: a locked address must not leave a new resident
		// with an account but no session.
		rec := ta.do(req{method: "POST", path: "/api/v1/auth/register", remote: room, body: map[string]any{
			"phone": "13700009999", "name": "会场新人", "password": "register-pass-1", "community_id": ta.fx.A.ID,
			"privacy_consent": true}})
		wantStatus(t, rec, http.StatusCreated)
		if s := decode[session](t, rec); s.AccessToken == "" || s.User.Phone != "13700009999" {
			t.Fatalf("session=%+v", s)
		}
	})
	t.Run("OtherAddress", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: "/api/v1/auth/login", remote: "192.0.2.51:4000", body: loginBody("13800000006", fixturePassword)})
		wantStatus(t, rec, http.StatusOK)
	})
	t.Run("TrustProxy", func(t *testing.T) {
		// Behind a trusted proxy on a private address the client is the X-Forwarded-For address.
		proxied := New(Config{Store: ta.store, JWTSecret: []byte(testSecret), TrustProxy: true, Logger: discardLogger()})
		via := func(e *echo.Echo, client string) *httpRec {
			return ta.doWith(e, req{method: "POST", path: "/api/v1/auth/login", remote: "10.0.0.2:5000",
				header: map[string]string{"X-Forwarded-For": client}, body: loginBody("13800000006", fixturePassword)})
		}
		wantProblem(t, via(proxied, "192.0.2.50"), http.StatusTooManyRequests, "login_locked")
		wantStatus(t, via(proxied, "192.0.2.52"), http.StatusOK)
		// Without TrustProxy the same header is ignored: the client is the proxy, which is not locked.
		wantStatus(t, via(ta.e, "192.0.2.50"), http.StatusOK)
	})
}

func TestAuth_Register(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	reg := func(phone string, mod func(m map[string]any)) map[string]any {
		m := map[string]any{"phone": phone, "name": " 王阿姨 ", "password": "register-pass-1", "community_id": f.A.ID,
			"compound_id": f.CompoundA.ID, "household_id": f.HouseholdA.ID, "privacy_consent": true}
		if mod != nil {
			mod(m)
		}
		return m
	}
	t.Run("OK", func(t *testing.T) {
		before := len(ta.events(f.A.ID))
		rec := ta.do(req{method: "POST", path: "/api/v1/auth/register", body: reg("13712345678", nil)})
		wantStatus(t, rec, http.StatusCreated)
		s := decode[session](t, rec)
		if s.AccessToken == "" || s.User.Phone != "13712345678" || s.User.Name != "王阿姨" || s.User.PrivacyConsentAt == nil ||
			s.User.PrivacyVersion != models.PrivacyVersion || s.User.Locale != "zh-CN" {
			t.Fatalf("session=%+v", s)
		}
		if cookieOf(rec, refreshCookie) == nil {
			t.Fatal("register did not start a session")
		}
		me := decode[models.Me](t, ta.do(req{method: "GET", path: "/api/v1/me", header: bearer(s.AccessToken)}))
		if len(me.Memberships) != 1 {
			t.Fatalf("memberships=%+v, want one", me.Memberships)
		}
		m := me.Memberships[0]
		if m.CommunityID != f.A.ID || m.Verified || joined(m.Roles) != "resident" || m.HouseholdRoom != "101" ||
			m.CompoundID == nil || *m.CompoundID != f.CompoundA.ID {
			t.Fatalf("membership=%+v, want an unverified resident of A in 101", m)
		}
		evs := ta.events(f.A.ID)
		if len(evs) != before+1 || evs[len(evs)-1].Type != models.EvMemberRegistered || evs[len(evs)-1].Visibility != models.VisCommittee {
			t.Fatalf("events after register: %d new, last=%+v", len(evs)-before, evs[len(evs)-1])
		}
	})
	t.Run("OKEnglish", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: "/api/v1/auth/register", header: map[string]string{"Accept-Language": "en"},
			body: reg("13712345679", func(m map[string]any) { delete(m, "compound_id"); delete(m, "household_id") })})
		wantStatus(t, rec, http.StatusCreated)
		if s := decode[session](t, rec); s.User.Locale != "en" {
			t.Fatalf("locale=%q, want en from Accept-Language", s.User.Locale)
		}
	})
	t.Run("ErrNoConsent", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: "/api/v1/auth/register",
			body: reg("13712340000", func(m map[string]any) { m["privacy_consent"] = false })})
		p := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "privacy_consent", "请阅读并同意隐私说明后再注册")
		rec = ta.do(req{method: "POST", path: "/api/v1/auth/register",
			body: reg("13712340000", func(m map[string]any) { delete(m, "privacy_consent") })})
		wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
		wantLogin401(t, ta, "13712340000", "register-pass-1")
	})
	t.Run("ErrPhoneTaken", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: "/api/v1/auth/register", body: reg("13800000006", nil)})
		p := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "phone", "这个手机号已经注册过了，请直接登录")
		// The existing account keeps its password.
		ta.login(t, "13800000006", fixturePassword)
	})
	t.Run("ErrOtherCommunitysPlaces", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: "/api/v1/auth/register", body: reg("13712340001", func(m map[string]any) {
			m["compound_id"] = f.CompoundB.ID
			delete(m, "household_id")
		})})
		wantField(t, wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input"), "compound_id", "找不到这个小区")
		rec = ta.do(req{method: "POST", path: "/api/v1/auth/register", body: reg("13712340001", func(m map[string]any) {
			m["household_id"] = f.HouseholdB.ID
			delete(m, "compound_id")
		})})
		wantField(t, wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input"), "household_id", "找不到这个房号")
		rec = ta.do(req{method: "POST", path: "/api/v1/auth/register", body: reg("13712340001", func(m map[string]any) {
			m["household_id"] = f.HouseholdB.ID
		})})
		wantField(t, wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input"), "household_id", "这个房号不属于所选小区")
		rec = ta.do(req{method: "POST", path: "/api/v1/auth/register", body: reg("13712340001", func(m map[string]any) {
			m["community_id"] = 987654
		})})
		wantField(t, wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input"), "community_id", "找不到这个社区")
		wantLogin401(t, ta, "13712340001", "register-pass-1")
	})
	t.Run("ErrValidation", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: "/api/v1/auth/register", body: map[string]any{"phone": "12345", "name": "  ",
			"password": "short", "privacy_consent": true}})
		p := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "phone", "请填写正确的11位手机号")
		wantField(t, p, "name", "请填写姓名")
		wantField(t, p, "password", "密码至少要8位。可以用一句您记得住的话的拼音，再加几个数字")
		wantField(t, p, "community_id", "请填写社区")
	})
}

// wantLogin401 checks that no account with the phone and password exists.
func wantLogin401(t *testing.T, ta *testApp, phone, password string) {
	t.Helper()
	rec := ta.do(req{method: "POST", path: "/api/v1/auth/login", remote: "198.51.100.200:1", body: loginBody(phone, password)})
	wantProblem(t, rec, http.StatusUnauthorized, "bad_credentials")
}

func TestAuth_Refresh(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	refresh := func(ck *http.Cookie) *httpRec {
		return ta.do(req{method: "POST", path: "/api/v1/auth/refresh", cookies: []*http.Cookie{ck}})
	}
	t.Run("OK", func(t *testing.T) {
		_, c1 := ta.login(t, "13800000006", fixturePassword)
		rec := refresh(c1)
		wantStatus(t, rec, http.StatusOK)
		s2 := decode[session](t, rec)
		c2 := cookieOf(rec, refreshCookie)
		if c2 == nil || c2.Value == c1.Value || s2.User.ID != ta.fx.Resident.ID || s2.AccessToken == "" {
			t.Fatalf("refresh gave cookie=%+v session=%+v, want a new cookie and token", c2, s2)
		}
		wantStatus(t, ta.do(req{method: "GET", path: "/api/v1/me", header: bearer(s2.AccessToken)}), http.StatusOK)
		rec = refresh(c2)
		wantStatus(t, rec, http.StatusOK)
		if c3 := cookieOf(rec, refreshCookie); c3 == nil || c3.Value == c2.Value {
			t.Fatalf("second rotation cookie=%+v", c3)
		}
	})
	t.Run("ErrReused", func(t *testing.T) {
		_, c1 := ta.login(t, "13800000006", fixturePassword)
		rec := refresh(c1)
		wantStatus(t, rec, http.StatusOK)
		c2 := cookieOf(rec, refreshCookie)
		// A thief replays the first token: the whole family ends, including the newest token.
		rec = refresh(c1)
		wantProblem(t, rec, http.StatusUnauthorized, "token_reused")
		if ck := cookieOf(rec, refreshCookie); ck == nil || ck.MaxAge >= 0 {
			t.Fatalf("reuse answer cookie=%+v, want the cookie cleared", ck)
		}
		wantProblem(t, refresh(c2), http.StatusUnauthorized, "session_ended")
		// Another login of the same user (another family) is untouched.
		_, other := ta.login(t, "13800000006", fixturePassword)
		wantStatus(t, refresh(other), http.StatusOK)
	})
	t.Run("ErrNoCookie", func(t *testing.T) {
		wantProblem(t, ta.do(req{method: "POST", path: "/api/v1/auth/refresh"}), http.StatusUnauthorized, "session_ended")
		wantProblem(t, refresh(&http.Cookie{Name: refreshCookie, Value: "made-up"}), http.StatusUnauthorized, "session_ended")
	})
	t.Run("ErrExpired", func(t *testing.T) {
		_, ck := ta.login(t, "13800000006", fixturePassword)
		real := ta.store.Now
		defer func() { ta.store.Now = real }()
		ta.store.Now = func() time.Time { return real().Add(models.RefreshTTL + time.Minute) }
		wantProblem(t, refresh(ck), http.StatusUnauthorized, "session_ended")
	})
	t.Run("ErrClosedAccount", func(t *testing.T) {
		s, ck := ta.login(t, "13800000007", fixturePassword)
		rec := ta.do(req{method: "POST", path: "/api/v1/me/close", header: bearer(s.AccessToken), body: map[string]string{"password": fixturePassword}})
		wantStatus(t, rec, http.StatusNoContent)
		wantProblem(t, refresh(ck), http.StatusUnauthorized, "session_ended")
	})
}

func TestAuth_Logout(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	t.Run("OK", func(t *testing.T) {
		_, ck := ta.login(t, "13800000006", fixturePassword)
		rec := ta.do(req{method: "POST", path: "/api/v1/auth/logout", cookies: []*http.Cookie{ck}})
		wantStatus(t, rec, http.StatusNoContent)
		if c := cookieOf(rec, refreshCookie); c == nil || c.MaxAge >= 0 || c.Value != "" {
			t.Fatalf("logout cookie=%+v, want it cleared", c)
		}
		rec = ta.do(req{method: "POST", path: "/api/v1/auth/refresh", cookies: []*http.Cookie{ck}})
		wantProblem(t, rec, http.StatusUnauthorized, "session_ended")
	})
	t.Run("OKWithoutSession", func(t *testing.T) {
		wantStatus(t, ta.do(req{method: "POST", path: "/api/v1/auth/logout"}), http.StatusNoContent)
		wantStatus(t, ta.do(req{method: "POST", path: "/api/v1/auth/logout",
			cookies: []*http.Cookie{{Name: refreshCookie, Value: "unknown"}}}), http.StatusNoContent)
	})
}

// TestAuth_AccessToken feeds the bearer check expired, forged and malformed tokens.
func TestAuth_AccessToken(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	now := time.Now()
	clock := now
	app := New(Config{Store: ta.store, JWTSecret: []byte(testSecret), Logger: discardLogger(), Now: func() time.Time { return clock }})
	get := func(h map[string]string) *httpRec {
		return ta.doWith(app, req{method: "GET", path: "/api/v1/me", header: h})
	}
	sid := ta.session(ta.fx.Resident.ID)
	claims := func(mod func(c *jwt.RegisteredClaims)) *accessClaims {
		c := &accessClaims{RegisteredClaims: jwt.RegisteredClaims{Subject: strconv.FormatUint(ta.fx.Resident.ID, 10), Issuer: jwtIssuer,
			Audience: jwt.ClaimStrings{jwtAudience}, IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(AccessTTL))},
			SessionID: sid}
		if mod != nil {
			mod(&c.RegisteredClaims)
		}
		return c
	}
	sign := func(m jwt.SigningMethod, key any, c jwt.Claims) string {
		s, err := jwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	withSession := func(id any) jwt.MapClaims {
		return jwt.MapClaims{"iss": jwtIssuer, "aud": []string{jwtAudience}, "exp": now.Add(AccessTTL).Unix(),
			"sub": strconv.FormatUint(ta.fx.Resident.ID, 10), "sid": id}
	}
	wrongType := jwt.NewWithClaims(jwt.SigningMethodHS256, claims(nil))
	wrongType.Header["typ"] = "at+jwt+refresh"
	fake := &tokens{secret: []byte(testSecret), ttl: AccessTTL, now: func() time.Time { return now }}
	good, err := fake.issue(ta.fx.Resident.ID, sid)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OK", func(t *testing.T) {
		clock = now.Add(AccessTTL - time.Second)
		defer func() { clock = now }()
		wantStatus(t, get(bearer(good)), http.StatusOK)
		wantStatus(t, get(map[string]string{"Authorization": "bearer " + good}), http.StatusOK)
	})
	t.Run("ErrExpired", func(t *testing.T) {
		clock = now.Add(AccessTTL + time.Second)
		defer func() { clock = now }()
		wantProblem(t, get(bearer(good)), http.StatusUnauthorized, "session_ended")
	})
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	none := sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(nil))
	b64 := base64.RawURLEncoding.EncodeToString
	payload := strings.Split(good, ".")[1]
	forged := map[string]string{
		"OtherSecret":     sign(jwt.SigningMethodHS256, []byte("another-secret-another-secret-!!"), claims(nil)),
		"HS512":           sign(jwt.SigningMethodHS512, []byte(testSecret), claims(nil)),
		"ES256":           sign(jwt.SigningMethodES256, key, claims(nil)),
		"AlgNone":         none,
		"AlgNoneHandmade": b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + payload + ".",
		"AlgNoneSigned":   b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + payload + "." + strings.Split(good, ".")[2],
		"WrongIssuer":     sign(jwt.SigningMethodHS256, []byte(testSecret), claims(func(c *jwt.RegisteredClaims) { c.Issuer = "someone" })),
		"WrongAudience":   sign(jwt.SigningMethodHS256, []byte(testSecret), claims(func(c *jwt.RegisteredClaims) { c.Audience = jwt.ClaimStrings{"x"} })),
		"NoExpiry":        sign(jwt.SigningMethodHS256, []byte(testSecret), claims(func(c *jwt.RegisteredClaims) { c.ExpiresAt = nil })),
		"NotYetValid":     sign(jwt.SigningMethodHS256, []byte(testSecret), claims(func(c *jwt.RegisteredClaims) { c.NotBefore = jwt.NewNumericDate(now.Add(time.Hour)) })),
		"SubjectZero":     sign(jwt.SigningMethodHS256, []byte(testSecret), claims(func(c *jwt.RegisteredClaims) { c.Subject = "0" })),
		"SubjectText":     sign(jwt.SigningMethodHS256, []byte(testSecret), claims(func(c *jwt.RegisteredClaims) { c.Subject = "admin" })),
		// A correctly signed token with a subject past the database's ids answered 500.
		"SubjectMaxUint64": sign(jwt.SigningMethodHS256, []byte(testSecret), claims(func(c *jwt.RegisteredClaims) { c.Subject = "18446744073709551615" })),
		"SubjectPastInt64": sign(jwt.SigningMethodHS256, []byte(testSecret), claims(func(c *jwt.RegisteredClaims) { c.Subject = "9223372036854775808" })),
		"SubjectNegative":  sign(jwt.SigningMethodHS256, []byte(testSecret), claims(func(c *jwt.RegisteredClaims) { c.Subject = "-1" })),
		"SubjectMissing":   sign(jwt.SigningMethodHS256, []byte(testSecret), claims(func(c *jwt.RegisteredClaims) { c.Subject = "" })),
		"SessionMissing":   sign(jwt.SigningMethodHS256, []byte(testSecret), withSession(nil)),
		"SessionEmpty":     sign(jwt.SigningMethodHS256, []byte(testSecret), withSession("")),
		"SessionNumber":    sign(jwt.SigningMethodHS256, []byte(testSecret), withSession(12345678901234567)),
		"SessionUnknown":   sign(jwt.SigningMethodHS256, []byte(testSecret), withSession("no-such-session-0000")),
		"SessionOfOther":   sign(jwt.SigningMethodHS256, []byte(testSecret), withSession(ta.session(ta.fx.AdminA.ID))),
		"WrongType":        func() string { s, err := wrongType.SignedString([]byte(testSecret)); must(s, err); return s }(),
		"TamperedPayload": strings.Split(good, ".")[0] + "." + b64([]byte(fmt.Sprintf(`{"iss":"yueyuetan","sub":"%d","aud":["yueyuetan-api"],"exp":%d}`,
			ta.fx.AdminA.ID, now.Add(time.Hour).Unix()))) + "." + strings.Split(good, ".")[2],
		"Garbage":  "not-a-token",
		"Empty":    "",
		"Dots":     "..",
		"Unicode":  "令牌.令牌.令牌",
		"Spaces":   "a b c",
		"TwoParts": "eyJhbGciOiJIUzI1NiJ9.e30",
	}
	for name, tok := range forged {
		t.Run("Err"+name, func(t *testing.T) {
			rec := get(bearer(tok))
			wantStatus(t, rec, http.StatusUnauthorized)
			if code := decode[Problem](t, rec).Code; code != "session_ended" && code != "login_required" {
				t.Fatalf("code=%q", code)
			}
		})
	}
	t.Run("ErrScheme", func(t *testing.T) {
		for _, h := range []string{"Basic " + good, good, "Bearer", "Bearer ", "Token " + good} {
			wantProblem(t, get(map[string]string{"Authorization": h}), http.StatusUnauthorized, "login_required")
		}
		wantProblem(t, get(nil), http.StatusUnauthorized, "login_required")
	})
	t.Run("ErrUnknownUser", func(t *testing.T) {
		tok, err := fake.issue(987654, sid)
		if err != nil {
			t.Fatal(err)
		}
		wantProblem(t, get(bearer(tok)), http.StatusUnauthorized, "session_ended")
	})
}

func TestMe_Get(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	t.Run("OK", func(t *testing.T) {
		rec := ta.do(req{method: "GET", path: "/api/v1/me", as: ta.fx.Party})
		wantStatus(t, rec, http.StatusOK)
		me := decode[models.Me](t, rec)
		if me.User.Phone != "13800000005" || len(me.Memberships) != 1 {
			t.Fatalf("me=%+v", me)
		}
		// People see their own full phone number and their own sensitive roles.
		if m := me.Memberships[0]; m.Phone != "13800000005" || joined(m.Roles) != "party_member,resident" || !m.Verified {
			t.Fatalf("own membership=%+v", m)
		}
		if strings.Contains(rec.Body.String(), "password_hash") || strings.Contains(rec.Body.String(), "$argon2") {
			t.Fatalf("me shows the password hash: %s", rec.Body.String())
		}
	})
	t.Run("OKSuperadminWithoutMemberships", func(t *testing.T) {
		me := decode[models.Me](t, ta.do(req{method: "GET", path: "/api/v1/me", as: ta.fx.Super}))
		if !me.User.IsSuperadmin || me.Memberships == nil || len(me.Memberships) != 0 {
			t.Fatalf("me=%+v, want a superadmin with an empty membership list", me)
		}
	})
	t.Run("ErrAnonymous", func(t *testing.T) {
		wantProblem(t, ta.do(req{method: "GET", path: "/api/v1/me"}), http.StatusUnauthorized, "login_required")
	})
}

func TestMe_Update(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	t.Run("OK", func(t *testing.T) {
		before := len(ta.events(f.A.ID))
		rec := ta.do(req{method: "PATCH", path: "/api/v1/me", as: f.Resident, body: map[string]any{"large_text": true, "locale": "en"}})
		wantStatus(t, rec, http.StatusOK)
		if u := decode[models.User](t, rec); !u.LargeText || u.Locale != "en" {
			t.Fatalf("user=%+v", u)
		}
		me := decode[models.Me](t, ta.do(req{method: "GET", path: "/api/v1/me", as: f.Resident}))
		if !me.User.LargeText || me.User.Locale != "en" || me.User.Name != "居民" {
			t.Fatalf("after reload user=%+v, want large text and English kept", me.User)
		}
		if n := len(ta.events(f.A.ID)) - before; n != 0 {
			t.Fatalf("preferences appended %d events, want 0", n)
		}
		// Turning it off persists too; a field left out is left alone.
		wantStatus(t, ta.do(req{method: "PATCH", path: "/api/v1/me", as: f.Resident, body: map[string]any{"large_text": false}}), http.StatusOK)
		me = decode[models.Me](t, ta.do(req{method: "GET", path: "/api/v1/me", as: f.Resident}))
		if me.User.LargeText || me.User.Locale != "en" {
			t.Fatalf("user=%+v, want large text off and English kept", me.User)
		}
	})
	t.Run("OKRename", func(t *testing.T) {
		before := len(ta.events(f.A.ID))
		rec := ta.do(req{method: "PATCH", path: "/api/v1/me", as: f.Resident, body: map[string]any{"name": " 居民老王 "}})
		wantStatus(t, rec, http.StatusOK)
		if u := decode[models.User](t, rec); u.Name != "居民老王" {
			t.Fatalf("name=%q", u.Name)
		}
		evs := ta.events(f.A.ID)
		if len(evs) != before+1 || evs[len(evs)-1].Type != models.EvMemberRenamed || evs[len(evs)-1].SubjectID != f.Resident.ID {
			t.Fatalf("rename appended %d events, last=%+v", len(evs)-before, evs[len(evs)-1])
		}
	})
	t.Run("ErrValidation", func(t *testing.T) {
		rec := ta.do(req{method: "PATCH", path: "/api/v1/me", as: f.Resident, body: map[string]any{"locale": "fr", "name": " "}})
		p := wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input")
		wantField(t, p, "locale", "语言只能是：zh-CN, en")
		wantField(t, p, "name", "请填写姓名")
		rec = ta.do(req{method: "PATCH", path: "/api/v1/me", as: f.Resident, body: map[string]any{"large_text": "yes"}})
		wantField(t, wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input"), "large_text", "large_text的类型不对")
		rec = ta.do(req{method: "PATCH", path: "/api/v1/me", as: f.Resident, body: map[string]any{"is_superadmin": true}})
		wantProblem(t, rec, http.StatusBadRequest, "unknown_field")
		if me := decode[models.Me](t, ta.do(req{method: "GET", path: "/api/v1/me", as: f.Resident})); me.User.IsSuperadmin {
			t.Fatal("a resident made themselves superadmin")
		}
	})
}

func TestMe_Export(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	s, _ := ta.login(t, "13800000006", fixturePassword)
	wantStatus(t, ta.do(req{method: "PATCH", path: "/api/v1/me", header: bearer(s.AccessToken), body: map[string]any{"name": "居民老王"}}), http.StatusOK)
	t.Run("OK", func(t *testing.T) {
		rec := ta.do(req{method: "GET", path: "/api/v1/me/export", header: bearer(s.AccessToken)})
		wantStatus(t, rec, http.StatusOK)
		cd := rec.Header().Get("Content-Disposition")
		if !strings.HasPrefix(cd, `attachment; filename="yueyuetan-my-data-`) || !strings.HasSuffix(cd, `.json"`) {
			t.Fatalf("content-disposition=%q", cd)
		}
		if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
			t.Fatalf("cache-control=%q, want no-store", cc)
		}
		d := decode[models.MyData](t, rec)
		if d.User == nil || d.User.ID != ta.fx.Resident.ID || d.User.Phone != "13800000006" || d.User.Name != "居民老王" {
			t.Fatalf("user=%+v", d.User)
		}
		if len(d.Memberships) != 1 || d.Memberships[0].CommunityID != ta.fx.A.ID {
			t.Fatalf("memberships=%+v", d.Memberships)
		}
		if len(d.Sessions) != 1 || d.Sessions[0].RevokedAt != nil {
			t.Fatalf("sessions=%+v, want the one login", d.Sessions)
		}
		if len(d.Events) != 1 || d.Events[0].Type != models.EvMemberRenamed || string(d.Events[0].Data) == "" {
			t.Fatalf("events=%+v, want the rename", d.Events)
		}
		if strings.Contains(rec.Body.String(), "token_hash") || strings.Contains(rec.Body.String(), "$argon2") {
			t.Fatalf("export shows secrets: %s", rec.Body.String())
		}
	})
	t.Run("OKOnlyOwnData", func(t *testing.T) {
		d := decode[models.MyData](t, ta.do(req{method: "GET", path: "/api/v1/me/export", as: ta.fx.ResidentB}))
		if d.User.ID != ta.fx.ResidentB.ID || len(d.Sessions) != 0 || len(d.Events) != 0 || len(d.Memberships) != 1 ||
			d.Memberships[0].CommunityID != ta.fx.B.ID {
			t.Fatalf("resident B's export=%+v", d)
		}
	})
}

func TestMe_Close(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t)
	f := ta.fx
	t.Run("ErrWrongPassword", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: "/api/v1/me/close", as: f.Resident, body: map[string]string{"password": "wrong-password"}})
		wantField(t, wantProblem(t, rec, http.StatusUnprocessableEntity, "invalid_input"), "password", "密码不对")
		wantStatus(t, ta.do(req{method: "GET", path: "/api/v1/me", as: f.Resident}), http.StatusOK)
	})
	t.Run("ErrLastAdmin", func(t *testing.T) {
		rec := ta.do(req{method: "POST", path: "/api/v1/me/close", as: f.AdminB, body: map[string]string{"password": fixturePassword}})
		wantProblem(t, rec, http.StatusConflict, "last_admin")
		ta.login(t, f.AdminB.Phone, fixturePassword)
	})
	t.Run("OK", func(t *testing.T) {
		s, ck := ta.login(t, f.Resident.Phone, fixturePassword)
		before := len(ta.events(f.A.ID))
		rec := ta.do(req{method: "POST", path: "/api/v1/me/close", header: bearer(s.AccessToken), body: map[string]string{"password": fixturePassword}})
		wantStatus(t, rec, http.StatusNoContent)
		if c := cookieOf(rec, refreshCookie); c == nil || c.MaxAge >= 0 {
			t.Fatalf("close cookie=%+v, want it cleared", c)
		}
		wantProblem(t, ta.do(req{method: "GET", path: "/api/v1/me", header: bearer(s.AccessToken)}), http.StatusUnauthorized, "session_ended")
		wantProblem(t, ta.do(req{method: "POST", path: "/api/v1/auth/refresh", cookies: []*http.Cookie{ck}}), http.StatusUnauthorized, "session_ended")
		wantLogin401(t, ta, f.Resident.Phone, fixturePassword)
		evs := ta.events(f.A.ID)
		if len(evs) != before+1 || evs[len(evs)-1].Type != models.EvMemberLeft {
			t.Fatalf("close appended %d events, last=%+v", len(evs)-before, evs[len(evs)-1])
		}
		// Name and phone are erased; the member is gone from the community.
		var u models.User
		if err := ta.store.Gorm().Take(&u, f.Resident.ID).Error; err != nil {
			t.Fatal(err)
		}
		if u.Name != "" || u.Phone == f.Resident.Phone || u.PasswordHash != "" || u.ClosedAt == nil {
			t.Fatalf("closed user row=%+v", u)
		}
		ms := decode[itemsPage[models.MemberView]](t, ta.do(req{method: "GET", path: fmt.Sprintf("/api/v1/communities/%d/members", f.A.ID), as: f.AdminA}))
		for _, m := range ms.Items {
			if m.UserID == f.Resident.ID {
				t.Fatal("the closed account is still listed as a member")
			}
		}
		// The phone number is free again.
		rec = ta.do(req{method: "POST", path: "/api/v1/auth/register", body: map[string]any{"phone": f.Resident.Phone, "name": "新住户",
			"password": "register-pass-1", "community_id": f.A.ID, "privacy_consent": true}})
		wantStatus(t, rec, http.StatusCreated)
	})
	t.Run("OKAdminWhenAnotherAdminRemains", func(t *testing.T) {
		rec := ta.do(req{method: "PATCH", path: fmt.Sprintf("/api/v1/communities/%d/members/%d", f.A.ID, f.Facilitator.ID), as: f.AdminA,
			body: map[string]any{"roles": []string{"admin", "facilitator"}}})
		wantStatus(t, rec, http.StatusOK)
		rec = ta.do(req{method: "POST", path: "/api/v1/me/close", as: f.AdminA, body: map[string]string{"password": fixturePassword}})
		wantStatus(t, rec, http.StatusNoContent)
	})
}
