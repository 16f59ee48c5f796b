// Package smsfake is a local stand-in for Alibaba Cloud's SMS API (SendSms, version 2017-05-25)
// for tests: it checks each request the way the provider documents it — the common and SendSms
// parameters, and the HMAC-SHA1 signature over the canonicalized parameters, recomputed here
// independently of the client — and answers with the provider's success or error shapes.
package smsfake

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// Message is one accepted text.
type Message struct {
	Phone, SignName, TemplateCode string
	Params                        map[string]string
}

// Server is the fake API.
type Server struct {
	*httptest.Server
	KeyID, Secret, SignName, Template string

	mu   sync.Mutex
	sent []Message
	// failWith, when set, is the provider error code every send answers with.
	failWith string
}

// New starts a fake that accepts requests signed with keyID and secret for the sign name and
// template.
func New(keyID, secret, signName, template string) *Server {
	s := &Server{KeyID: keyID, Secret: secret, SignName: signName, Template: template}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Sent returns the texts accepted so far.
func (s *Server) Sent() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.sent...)
}

// FailWith makes every later send fail with the provider's business error code ("" to stop).
func (s *Server) FailWith(code string) {
	s.mu.Lock()
	s.failWith = code
	s.mu.Unlock()
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	params, err := s.params(r)
	if err != nil {
		answer(w, http.StatusBadRequest, "MissingParameter", err.Error())
		return
	}
	if err := s.checkCommon(params); err != nil {
		answer(w, http.StatusBadRequest, "InvalidParameter", err.Error())
		return
	}
	if params.Get("AccessKeyId") != s.KeyID {
		answer(w, http.StatusNotFound, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
		return
	}
	if want := sign(r.Method, params, s.Secret); params.Get("Signature") != want {
		answer(w, http.StatusBadRequest, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.")
		return
	}
	if params.Get("SignName") != s.SignName {
		answer(w, http.StatusOK, "isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名")
		return
	}
	if params.Get("TemplateCode") != s.Template {
		answer(w, http.StatusOK, "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
		return
	}
	var tp map[string]string
	if err := json.Unmarshal([]byte(params.Get("TemplateParam")), &tp); err != nil {
		answer(w, http.StatusOK, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failWith != "" {
		answer(w, http.StatusOK, s.failWith, "触发业务流控")
		return
	}
	s.sent = append(s.sent, Message{Phone: params.Get("PhoneNumbers"), SignName: params.Get("SignName"),
		TemplateCode: params.Get("TemplateCode"), Params: tp})
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	_ = json.NewEncoder(w).Encode(map[string]string{"Code": "OK", "Message": "OK",
		"RequestId": fmt.Sprintf("F655A8D5-B967-440B-8683-%012d", len(s.sent)), "BizId": fmt.Sprintf("9006197469364984%d", len(s.sent))})
}

// params reads the parameters from the query (GET) or the form body (POST), keeping each raw
// value as sent.
func (s *Server) params(r *http.Request) (url.Values, error) {
	raw := r.URL.RawQuery
	if r.Method == http.MethodPost {
		b, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		if err != nil {
			return nil, err
		}
		raw = string(b)
	}
	return url.ParseQuery(raw)
}

func (s *Server) checkCommon(p url.Values) error {
	want := map[string]string{"Action": "SendSms", "Version": "2017-05-25", "Format": "JSON",
		"SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0"}
	for k, v := range want {
		if p.Get(k) != v {
			return fmt.Errorf("%s must be %s, got %q", k, v, p.Get(k))
		}
	}
	for _, k := range []string{"AccessKeyId", "Signature", "SignatureNonce", "Timestamp", "PhoneNumbers", "SignName", "TemplateCode"} {
		if p.Get(k) == "" {
			return fmt.Errorf("%s is mandatory for this action", k)
		}
	}
	if _, err := time.Parse("2006-01-02T15:04:05Z", p.Get("Timestamp")); err != nil {
		return fmt.Errorf("Timestamp must be ISO 8601 UTC (yyyy-MM-ddTHH:mm:ssZ): %q", p.Get("Timestamp"))
	}
	return nil
}

// sign recomputes the documented signature: parameters but Signature sorted by name, each name
// and value percent-encoded per RFC 3986 (unreserved A-Z a-z 0-9 - _ . ~ kept, a space as %20),
// joined as name=value with "&"; the string to sign is METHOD&%2F&enc(that); the key is the
// secret followed by "&"; the signature is the Base64 of the HMAC-SHA1.
func sign(method string, p url.Values, secret string) string {
	names := make([]string, 0, len(p))
	for k := range p {
		if k != "Signature" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	pairs := make([]string, 0, len(names))
	for _, k := range names {
		pairs = append(pairs, rfc3986(k)+"="+rfc3986(p.Get(k)))
	}
	toSign := method + "&" + rfc3986("/") + "&" + rfc3986(strings.Join(pairs, "&"))
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(toSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func rfc3986(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// answer writes the provider's error shape.
func answer(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	body := map[string]string{"Code": code, "Message": msg, "RequestId": "8E1A2F71-0C5E-4B0B-9A2F-5D1E3C4B6A7F"}
	if status != http.StatusOK {
		body["HostId"] = "dysmsapi.aliyuncs.com"
		body["Recommend"] = "https://api.aliyun.com/troubleshoot?q=" + code
	}
	_ = json.NewEncoder(w).Encode(body)
}
