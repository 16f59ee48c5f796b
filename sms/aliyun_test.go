package sms_test

import (
	"context"
	"errors"
	"testing"

	"github.com/yueyuetan/yueyuetan/internal/smsfake"
	"github.com/yueyuetan/yueyuetan/sms"
)

func TestAliyun_SendCode(t *testing.T) {
	t.Parallel()
	fake := smsfake.New("LTAI5tTestKeyId", "test/Secret+with=odd&chars", "西桥 月月谈", "SMS_465890123")
	defer fake.Close()
	client := func(secret string) *sms.Aliyun {
		return &sms.Aliyun{AccessKeyID: "LTAI5tTestKeyId", AccessKeySecret: secret, SignName: "西桥 月月谈",
			TemplateCode: "SMS_465890123", Endpoint: fake.URL}
	}
	t.Run("OK", func(t *testing.T) {
		if err := client(fake.Secret).SendCode(context.Background(), "13800000006", "204819"); err != nil {
			t.Fatal(err)
		}
		sent := fake.Sent()
		if len(sent) != 1 || sent[0].Phone != "13800000006" || sent[0].Params["code"] != "204819" || sent[0].SignName != "西桥 月月谈" {
			t.Fatalf("sent=%+v", sent)
		}
	})
	t.Run("ErrSignature", func(t *testing.T) {
		err := client("another-secret").SendCode(context.Background(), "13800000006", "204819")
		var pe *sms.ProviderError
		if !errors.As(err, &pe) || pe.Status != 400 || pe.Code != "SignatureDoesNotMatch" {
			t.Fatalf("err=%v, want SignatureDoesNotMatch", err)
		}
	})
	t.Run("ErrBusiness", func(t *testing.T) {
		fake.FailWith("isv.BUSINESS_LIMIT_CONTROL")
		defer fake.FailWith("")
		err := client(fake.Secret).SendCode(context.Background(), "13800000006", "204819")
		var pe *sms.ProviderError
		if !errors.As(err, &pe) || pe.Status != 200 || pe.Code != "isv.BUSINESS_LIMIT_CONTROL" || pe.RequestID == "" {
			t.Fatalf("err=%v, want the business error", err)
		}
	})
	t.Run("ErrUnreachable", func(t *testing.T) {
		c := client(fake.Secret)
		c.Endpoint = "http://127.0.0.1:1/"
		if err := c.SendCode(context.Background(), "13800000006", "204819"); err == nil {
			t.Fatal("a send to a closed port succeeded")
		}
	})
}

func TestAliyun_Check(t *testing.T) {
	t.Parallel()
	a := &sms.Aliyun{AccessKeyID: "id", AccessKeySecret: "s", SignName: "西桥 月月谈"}
	if err := a.Check(); !errors.Is(err, sms.ErrNotConfigured) {
		t.Fatalf("err=%v, want ErrNotConfigured for the missing template", err)
	}
	a.TemplateCode = "SMS_1"
	if err := a.Check(); err != nil {
		t.Fatal(err)
	}
}
