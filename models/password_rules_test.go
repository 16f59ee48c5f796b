package models

import (
	"errors"
	"strings"
	"testing"
)

func TestValidatePassword(t *testing.T) {
	t.Parallel()
	const phone = "13907654321"
	for pw, want := range map[string]string{
		"short12":                          "password_too_short:8",
		strings.Repeat("长", 129):           "max:128",
		"\x00\x00\x00\x00\x00\x00\x00\x00": "password_control",
		"pass\tword-long":                  "password_control",
		"        ":                         "password_one_char",
		"88888888":                         "password_one_char",
		"一一一一一一一一":                         "password_one_char",
		phone:                              "password_is_phone",
		"a" + phone:                        "password_is_phone",
		"12345678":                         "password_common",
		"password":                         "password_common",
		"PASSWORD1":                        "password_common",
		"Woaini1314":                       "password_common",
		"a123456789":                       "password_common",
		"qq123456":                         "password_common",
		"1qaz2wsx":                         "password_common",
		"zhangwei1980":                     "password_common",
		"11223344":                         "password_common",
		"qweqweqwe":                        "password_common",
		"abcdefgh":                         "password_common",
		"98765432":                         "password_common",
		"34567890":                         "password_common",
		"52013145201314":                   "password_common",
		"147258369":                        "password_common",
		"wo jia zhu 3 dong":                "",
		"xiqiao-garden-2026":               "",
		"长江大桥江水长流":                         "",
		"fixture-pass-1":                   "",
	} {
		err := ValidatePassword("password", pw, phone)
		var de *Error
		got := ""
		if errors.As(err, &de) {
			got = de.Fields["password"]
		} else if err != nil {
			t.Fatalf("%q: %v", pw, err)
		}
		if got != want {
			t.Errorf("%q: rule=%q, want %q", pw, got, want)
		}
	}
}

func TestCommonPasswords_List(t *testing.T) {
	t.Parallel()
	n := len(commonPasswords())
	if n < 5000 {
		t.Fatalf("%d common passwords, want thousands", n)
	}
	for p := range commonPasswords() {
		if p != strings.ToLower(p) || len([]rune(p)) < PasswordMinLen {
			t.Fatalf("entry %q: every entry is lower case and long enough to be allowed otherwise", p)
		}
	}
}
