package models

import (
	_ "embed"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Password rules, one place for every way a password is set: registration, `user add`, a change
// in 我的 and a reset. The rules follow NIST SP 800-63B's advice (length and a list of known-bad
// passwords rather than composition rules), which also suits elderly residents: a long phrase they
// remember passes, a birthday-style "88888888" does not.
const (
	PasswordMinLen = 8
	PasswordMaxLen = 128
)

//go:embed common_passwords.txt
var commonPasswordsFile string

// ValidatePassword checks a new password against the rules and names the field it came in when it
// breaks one. phone is the account's phone number, which is no password.
func ValidatePassword(field, pw, phone string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < PasswordMinLen:
		return FieldError(field, "password_too_short:"+strconv.Itoa(PasswordMinLen))
	case n > PasswordMaxLen:
		return FieldError(field, "max:"+strconv.Itoa(PasswordMaxLen))
	case !utf8.ValidString(pw) || strings.IndexFunc(pw, unicode.IsControl) >= 0:
		return FieldError(field, "password_control")
	case oneCharacter(pw):
		return FieldError(field, "password_one_char")
	case phone != "" && (strings.Contains(pw, phone) || len(phone) > PasswordMinLen && pw == phone[len(phone)-PasswordMinLen:]):
		return FieldError(field, "password_is_phone")
	case IsCommonPassword(pw):
		return FieldError(field, "password_common")
	}
	return nil
}

func oneCharacter(s string) bool {
	first, _ := utf8.DecodeRuneInString(s)
	return strings.Trim(s, string(first)) == ""
}

// IsCommonPassword reports whether pw, in any letter case, is on the list of common passwords or
// is a plain run of letters or digits (abcdefgh, 87654321, 34567890).
func IsCommonPassword(pw string) bool {
	p := strings.ToLower(pw)
	if isRun(p) {
		return true
	}
	_, ok := commonPasswords()[p]
	return ok
}

// isRun reports a string whose characters step by +1 or −1 each time; digits wrap (…890, 098…).
func isRun(s string) bool {
	if len(s) < 3 {
		return false
	}
	step := func(a, b byte) int {
		if a >= '0' && a <= '9' && b >= '0' && b <= '9' {
			return (int(b-'0') - int(a-'0') + 10) % 10
		}
		return int(b) - int(a)
	}
	first := step(s[0], s[1])
	if first != 1 && first != -1 && first != 9 {
		return false
	}
	for i := 1; i+1 < len(s); i++ {
		if step(s[i], s[i+1]) != first {
			return false
		}
	}
	return true
}

// commonPasswords is the refused set, built once: the embedded list, each of its stems with the
// usual endings and beginnings, and digit patterns people pick for their ease of typing.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := map[string]struct{}{}
	add := func(s string) {
		if utf8.RuneCountInString(s) >= PasswordMinLen {
			set[s] = struct{}{}
		}
	}
	var stems []string
	for _, line := range strings.Split(commonPasswordsFile, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		stems = append(stems, line)
		add(line)
	}
	endings := []string{"1", "12", "123", "1234", "12345", "123456", "1234567", "12345678", "123456789",
		"1234567890", "000", "111", "222", "666", "888", "999", "007", "168", "520", "521", "1314", "5201314",
		"1314520", "!", "!!", "@", "@123", "123!", "!@#", "!@#$", "123.", "abc", "qwe", "asd"}
	for y := 1940; y <= 2030; y++ {
		endings = append(endings, strconv.Itoa(y))
	}
	for i := 0; i < 100; i++ {
		endings = append(endings, twoDigits(i))
	}
	beginnings := []string{"1", "123", "520", "1314", "5201314", "a", "aa", "qq", "wo"}
	for _, s := range stems {
		for _, e := range endings {
			add(s + e)
		}
		for _, b := range beginnings {
			add(b + s)
		}
		add(s + s)
	}
	// Digits: a short unit said over and over (12121212, 520520520, 13141314), pairs counted up
	// (11223344), and lucky and loving numbers run together.
	units := []string{"123", "321", "234", "345", "456", "567", "678", "789", "147", "258", "369", "159", "357",
		"520", "521", "1314", "168", "518", "666", "888", "999", "000", "1234", "4321", "1122", "5201", "2580",
		"abc", "qwe", "asd", "zxc", "aaa", "qaz", "wsx"}
	for i := 0; i < 100; i++ {
		units = append(units, twoDigits(i))
	}
	for _, u := range units {
		for s := u; len(s) <= 16; s += u {
			add(s)
		}
	}
	for d := 0; d <= 9; d++ {
		var up, pairs strings.Builder
		for i := 0; i < 6; i++ {
			c := byte('0' + (d+i)%10)
			up.WriteByte(c)
			pairs.WriteByte(c)
			pairs.WriteByte(c)
			add(pairs.String())
		}
		add(up.String() + up.String())
	}
	for _, s := range []string{"5201314", "1314520", "520520", "1314", "888", "666", "168"} {
		for _, t := range []string{"5201314", "1314520", "520", "1314", "888", "666", "168", "1"} {
			add(s + t)
		}
	}
	return set
})

func twoDigits(i int) string { return string([]byte{byte('0' + i/10), byte('0' + i%10)}) }
