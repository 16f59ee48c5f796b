package models

import (
	"errors"
	"fmt"

	mysqldrv "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
)

// Error codes, after WTF Dial: one small set that the HTTP layer maps to statuses.
const (
	EINVALID      = "invalid"      // the input breaks a rule → 422
	ENOTFOUND     = "not_found"    // no such object, or not visible to the caller → 404
	ECONFLICT     = "conflict"     // duplicate or wrong state → 409
	EUNAUTHORIZED = "unauthorized" // not logged in, or bad credentials → 401
	EFORBIDDEN    = "forbidden"    // logged in, but the role does not allow it → 403
	ETOOMANY      = "too_many"     // throttled → 429
	ETOOLARGE     = "too_large"    // the upload is bigger than allowed → 413
	EUNAVAILABLE  = "unavailable"  // the server cannot take it now (busy, or a picture queue full); try again → 503 with Retry-After
	EINTERNAL     = "internal"     // a bug or an outage → 500, logged
)

// Error is a domain error. Reason is a stable machine code (e.g. "phone_taken") that clients may
// rely on and that the HTTP layer looks up in its message catalog; Params fill the message;
// Fields name input fields and the rule each broke ("required", "phone_taken", …).
type Error struct {
	Code   string
	Reason string
	Params map[string]any
	Fields map[string]string
	// RetryAfterSeconds is set on ETOOMANY and EUNAVAILABLE.
	RetryAfterSeconds int
	// Cause is the underlying failure of an EUNAVAILABLE, for the log; never shown, and not
	// unwrapped (a busy answer is final, not another lost race to retry).
	Cause error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Reason, e.Cause)
	}
	if len(e.Fields) > 0 {
		return fmt.Sprintf("%s: %s %v", e.Code, e.Reason, e.Fields)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Reason)
}

// Errorf builds an *Error.
func Errorf(code, reason string) *Error { return &Error{Code: code, Reason: reason} }

// FieldError is an EINVALID error about one input field.
func FieldError(field, rule string) *Error {
	return &Error{Code: EINVALID, Reason: "invalid_input", Fields: map[string]string{field: rule}}
}

// With adds a message parameter.
func (e *Error) With(key string, v any) *Error {
	if e.Params == nil {
		e.Params = map[string]any{}
	}
	e.Params[key] = v
	return e
}

// ErrorCode returns the code of err, EINTERNAL when it is not an *Error.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ENOTFOUND
	}
	return EINTERNAL
}

var (
	errNotFound  = Errorf(ENOTFOUND, "not_found")
	errForbidden = Errorf(EFORBIDDEN, "forbidden")
)

// notFound maps gorm's not-found to the domain error and passes other errors on.
func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return errNotFound
	}
	return err
}

// isDuplicate reports a unique-key violation (TranslateError is on for both dialects; a query sent
// to the MySQL driver directly, execPinned, gets the server's error 1062 as it is).
func isDuplicate(err error) bool {
	var me *mysqldrv.MySQLError
	return errors.Is(err, gorm.ErrDuplicatedKey) || errors.As(err, &me) && me.Number == 1062
}
