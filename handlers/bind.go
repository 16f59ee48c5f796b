package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/go-playground/validator/v10"
	"github.com/labstack/echo/v4"
	"github.com/yueyuetan/yueyuetan/models"
	"github.com/yueyuetan/yueyuetan/textnorm"
)

// maxJSONBody caps JSON request bodies; photos go through uploads, never JSON.
const maxJSONBody = 64 << 10

// idBits is the size of an id: keys are signed 64-bit integers in both databases, and SQLite's
// driver refuses a larger unsigned value outright, so a larger number is no id at all.
const idBits = 63

var cnPhone = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

// validate is the one validator, built once: struct tags name the rules, json tags the fields.
var validate = func() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name := strings.SplitN(f.Tag.Get("json"), ",", 2)[0]
		if name == "-" {
			return ""
		}
		return name
	})
	_ = v.RegisterValidation("cnphone", func(fl validator.FieldLevel) bool {
		return cnPhone.MatchString(fl.Field().String())
	})
	_ = v.RegisterValidation("notblank", func(fl validator.FieldLevel) bool {
		return !textnorm.IsBlank(fl.Field().String())
	})
	_ = v.RegisterValidation("id", func(fl validator.FieldLevel) bool {
		return fl.Field().Uint() < 1<<idBits
	})
	return v
}()

// decodeJSON reads a JSON body strictly: size-limited, one value, no unknown fields.
func decodeJSON(r *http.Request, dst any) error {
	if ct := r.Header.Get(echo.HeaderContentType); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return &httpError{status: http.StatusUnsupportedMediaType, title: "unsupported", reason: "json_required"}
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxJSONBody+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &httpError{status: http.StatusRequestEntityTooLarge, title: "too_large", reason: "body_too_large"}
		}
		return badRequest("malformed_json", nil)
	}
	if len(body) > maxJSONBody {
		return &httpError{status: http.StatusRequestEntityTooLarge, title: "too_large", reason: "body_too_large"}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	return decodeJSONBytes(body, dst)
}

// decodeJSONBytes is decodeJSON's core, shared with the fuzz target.
func decodeJSONBytes(body []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te) && te.Field != "":
			return models.FieldError(te.Field, "type")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return badRequest("unknown_field", map[string]any{"field": f})
		}
		return badRequest("malformed_json", nil)
	}
	if dec.More() {
		return badRequest("malformed_json", nil)
	}
	return nil
}

// check puts every text of the request in canonical form (textnorm: NFC, no control or invisible
// characters, blank when nothing visible is left), then runs the validator, so limits and
// "required" judge the cleaned text. Both kinds of complaint come back as one EINVALID error with
// every field; a field holding bidirectional controls is named for them.
func check(v any) error {
	out := &models.Error{Code: models.EINVALID, Reason: "invalid_input", Fields: map[string]string{}}
	for _, field := range textnorm.Struct(v) {
		out.Fields[field] = "text_bidi"
	}
	err := validate.Struct(v)
	var ves validator.ValidationErrors
	switch {
	case err == nil && len(out.Fields) == 0:
		return nil
	case err != nil && !errors.As(err, &ves):
		return err
	}
	for _, fe := range ves {
		field := fieldPath(fe.Namespace())
		if _, seen := out.Fields[field]; !seen {
			out.Fields[field] = ruleOf(fe)
		}
	}
	return out
}

// fieldPath drops the struct name from a validator namespace: "req.options[0].label" → "options[0].label".
func fieldPath(ns string) string {
	if i := strings.Index(ns, "."); i >= 0 {
		return ns[i+1:]
	}
	return ns
}

// ruleOf names a failed validation as a catalog rule; parameters travel in the rule key's slot.
func ruleOf(fe validator.FieldError) string {
	numeric, list := false, false
	switch fe.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8,
		reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		numeric = true
	case reflect.Slice, reflect.Array, reflect.Map:
		list = true
	}
	switch fe.Tag() {
	case "required", "notblank":
		return "required"
	case "min", "gte":
		if numeric {
			return "min_number:" + fe.Param()
		}
		if list {
			return "min_items:" + fe.Param()
		}
		return "min:" + fe.Param()
	case "max", "lte":
		if numeric {
			return "max_number:" + fe.Param()
		}
		if list {
			return "max_items:" + fe.Param()
		}
		return "max:" + fe.Param()
	case "gt":
		return "gt:" + fe.Param()
	case "oneof":
		return "oneof:" + strings.ReplaceAll(fe.Param(), " ", ", ")
	case "cnphone":
		return "cnphone"
	}
	return "invalid"
}

// bindJSON decodes and validates a request body.
func bindJSON(c echo.Context, dst any) error {
	if err := decodeJSON(c.Request(), dst); err != nil {
		return err
	}
	return check(dst)
}

// pathID reads a numeric path parameter.
func pathID(c echo.Context, name string) (uint64, error) {
	id, err := strconv.ParseUint(c.Param(name), 10, idBits)
	if err != nil || id == 0 {
		return 0, &httpError{status: http.StatusNotFound, title: "not_found", reason: "bad_id"}
	}
	return id, nil
}
