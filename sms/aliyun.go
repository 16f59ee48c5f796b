package sms

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// AliyunEndpoint is the Short Message Service API of Alibaba Cloud's mainland region.
const AliyunEndpoint = "https://dysmsapi.aliyuncs.com/"

// Aliyun sends codes with the SendSms action of Alibaba Cloud SMS (API version 2017-05-25), an
// RPC-style API: every parameter travels in the form body, signed with HMAC-SHA1 over the
// canonicalized parameters keyed by the AccessKey secret (signature version 1.0).
type Aliyun struct {
	AccessKeyID     string
	AccessKeySecret string
	// SignName is the approved signature (签名) shown in the text, e.g. 月月谈.
	SignName string
	// TemplateCode is the approved template (SMS_…) with a ${code} variable.
	TemplateCode string
	// Endpoint overrides AliyunEndpoint (tests point it at a local fake).
	Endpoint string
	Client   *http.Client
	Now      func() time.Time
}

// SendCode texts the code; a provider refusal is a *ProviderError.
func (a *Aliyun) SendCode(ctx context.Context, phone, code string) error {
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return fmt.Errorf("sms nonce: %w", err)
	}
	param, err := json.Marshal(map[string]string{"code": code})
	if err != nil {
		return err
	}
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	params := url.Values{
		"AccessKeyId":      {a.AccessKeyID},
		"Action":           {"SendSms"},
		"Format":           {"JSON"},
		"PhoneNumbers":     {phone},
		"RegionId":         {"cn-hangzhou"},
		"SignName":         {a.SignName},
		"SignatureMethod":  {"HMAC-SHA1"},
		"SignatureNonce":   {hex.EncodeToString(nonce)},
		"SignatureVersion": {"1.0"},
		"TemplateCode":     {a.TemplateCode},
		"TemplateParam":    {string(param)},
		"Timestamp":        {now().UTC().Format("2006-01-02T15:04:05Z")},
		"Version":          {"2017-05-25"},
	}
	params.Set("Signature", AliyunSignature(http.MethodPost, params, a.AccessKeySecret))
	endpoint := a.Endpoint
	if endpoint == "" {
		endpoint = AliyunEndpoint
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(canonicalQuery(params)))
	if err != nil {
		return fmt.Errorf("sms request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	client := a.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("sms send: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return fmt.Errorf("sms read answer: %w", err)
	}
	var out struct {
		Code      string
		Message   string
		RequestID string `json:"RequestId"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return &ProviderError{Status: resp.StatusCode, Code: "unreadable", Message: truncate(string(body), 200)}
	}
	if resp.StatusCode != http.StatusOK || out.Code != "OK" {
		return &ProviderError{Status: resp.StatusCode, Code: out.Code, Message: out.Message, RequestID: out.RequestID}
	}
	return nil
}

// AliyunSignature is the RPC signature of the parameters (all but Signature itself):
// Base64(HMAC-SHA1(secret + "&", method + "&" + enc("/") + "&" + enc(canonicalized query))).
func AliyunSignature(method string, params url.Values, secret string) string {
	rest := url.Values{}
	for k, v := range params {
		if k != "Signature" {
			rest[k] = v
		}
	}
	toSign := method + "&" + percentEncode("/") + "&" + percentEncode(canonicalQuery(rest))
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(toSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// canonicalQuery sorts the parameters by name and joins them as enc(name)=enc(value) with "&".
func canonicalQuery(params url.Values) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		for _, v := range params[k] {
			parts = append(parts, percentEncode(k)+"="+percentEncode(v))
		}
	}
	return strings.Join(parts, "&")
}

// percentEncode is RFC 3986 encoding as the provider documents it: letters, digits and -_.~ stay,
// everything else (a space too) becomes %XY of its UTF-8 bytes.
func percentEncode(s string) string {
	e := url.QueryEscape(s)
	return strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(e)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// ErrNotConfigured says which setting an SMS provider lacks.
var ErrNotConfigured = errors.New("sms provider not fully configured")

// Check reports a missing setting.
func (a *Aliyun) Check() error {
	for name, v := range map[string]string{"access key id": a.AccessKeyID, "access key secret": a.AccessKeySecret,
		"sign name": a.SignName, "template": a.TemplateCode} {
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("%w: %s is empty", ErrNotConfigured, name)
		}
	}
	return nil
}
