package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
)

// Problem is an RFC 9457 problem document with the product's stable code and field errors.
type Problem struct {
	Type   string            `json:"type"`
	Title  string            `json:"title"`
	Status int               `json:"status"`
	Detail string            `json:"detail"`
	Code   string            `json:"code"`
	Errors map[string]string `json:"errors,omitempty"`
}

// statusOf maps domain error codes to HTTP statuses: the one table of it.
var statusOf = map[string]int{
	models.EINVALID:      http.StatusUnprocessableEntity,
	models.ENOTFOUND:     http.StatusNotFound,
	models.ECONFLICT:     http.StatusConflict,
	models.EUNAUTHORIZED: http.StatusUnauthorized,
	models.EFORBIDDEN:    http.StatusForbidden,
	models.ETOOMANY:      http.StatusTooManyRequests,
	models.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	models.EUNAVAILABLE:  http.StatusServiceUnavailable,
	models.EINTERNAL:     http.StatusInternalServerError,
}

// httpError is an error of the HTTP layer itself (bad JSON, too large, unknown route), rendered
// like a domain error.
type httpError struct {
	status int
	title  string // catalog key suffix of the title
	reason string
	params map[string]any
}

func (e *httpError) Error() string { return e.reason }

func badRequest(reason string, params map[string]any) error {
	return &httpError{status: http.StatusBadRequest, title: "bad_request", reason: reason, params: params}
}

// errorHandler renders every error as problem+json. Unknown errors are logged with the request
// id and answered as a plain 500.
func errorHandler(log *slog.Logger, store *models.Store) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		err = outageOf(store, err)
		loc := localeOf(c)
		p := problemOf(err, loc, labelScopes[c.Path()])
		switch {
		case p.Code == "unavailable":
			// The store logs an outage once at its start and once at its end (models/outage.go).
		case p.Status == http.StatusInternalServerError:
			log.Error("request failed", "request_id", c.Response().Header().Get(echo.HeaderXRequestID),
				"method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
		case p.Status == http.StatusServiceUnavailable:
			log.Warn("request refused while busy", "request_id", c.Response().Header().Get(echo.HeaderXRequestID),
				"method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
		}
		var de *models.Error
		if errors.As(err, &de) && de.RetryAfterSeconds > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(de.RetryAfterSeconds))
		}
		c.Response().Header().Set(echo.HeaderContentType, "application/problem+json; charset=utf-8")
		c.Response().Header().Set("Content-Language", loc)
		c.Response().WriteHeader(p.Status)
		if c.Request().Method == http.MethodHead {
			return
		}
		_ = c.JSON(p.Status, p)
	}
}

func problemOf(err error, loc, scope string) Problem {
	var de *models.Error
	var he *httpError
	var ee *echo.HTTPError
	switch {
	case errors.As(err, &de):
		st, ok := statusOf[de.Code]
		if !ok || de.Code == models.EINTERNAL {
			break
		}
		p := Problem{Type: "about:blank", Status: st, Title: T(loc, "title."+de.Code, nil),
			Detail: T(loc, de.Reason, localizeParams(loc, de.Params)), Code: de.Reason}
		if len(de.Fields) > 0 {
			p.Errors = map[string]string{}
			for f, rule := range de.Fields {
				name, param, _ := strings.Cut(rule, ":")
				p.Errors[f] = T(loc, "rule."+name, map[string]any{"field": scopedFieldLabel(loc, scope, f), "param": param})
			}
			if de.Reason == "invalid_input" && len(de.Fields) == 1 {
				for _, m := range p.Errors {
					p.Detail = m
				}
			}
		}
		return p
	case errors.As(err, &he):
		return Problem{Type: "about:blank", Status: he.status, Title: T(loc, "title."+he.title, nil),
			Detail: T(loc, he.reason, he.params), Code: he.reason}
	case errors.As(err, &ee):
		switch ee.Code {
		case http.StatusNotFound:
			return Problem{Type: "about:blank", Status: 404, Title: T(loc, "title.not_found", nil),
				Detail: T(loc, "route_not_found", nil), Code: "route_not_found"}
		case http.StatusMethodNotAllowed:
			return Problem{Type: "about:blank", Status: 405, Title: T(loc, "title.method", nil),
				Detail: T(loc, "method_not_allowed", nil), Code: "method_not_allowed"}
		case http.StatusRequestEntityTooLarge:
			return Problem{Type: "about:blank", Status: 413, Title: T(loc, "title.too_large", nil),
				Detail: T(loc, "body_too_large", nil), Code: "body_too_large"}
		case http.StatusUnauthorized:
			return Problem{Type: "about:blank", Status: 401, Title: T(loc, "title.unauthorized", nil),
				Detail: T(loc, "login_required", nil), Code: "login_required"}
		case http.StatusTooManyRequests:
			return Problem{Type: "about:blank", Status: 429, Title: T(loc, "title.too_many", nil),
				Detail: T(loc, "login_locked", map[string]any{"minutes": 1}), Code: "too_many"}
		}
	}
	return Problem{Type: "about:blank", Status: http.StatusInternalServerError, Title: T(loc, "title.internal", nil),
		Detail: T(loc, "internal", nil), Code: "internal"}
}

// localizeParams names phases and resolution statuses in the reader's language.
func localizeParams(loc string, params map[string]any) map[string]any {
	out := make(map[string]any, len(params))
	for k, v := range params {
		if str, ok := v.(string); ok && (k == "phase" || k == "to") {
			v = T(loc, "phase."+str, nil)
		}
		if str, ok := v.(string); ok && k == "status" {
			out["status_name"] = T(loc, "notify.status."+str, nil) // a resolution's status (i18n_notify.go)
		}
		out[k] = v
	}
	return out
}
