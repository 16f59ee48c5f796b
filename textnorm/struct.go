package textnorm

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// Tag is the struct tag that says how Struct treats a string field:
//
//	`text:"multiline"`  a long text that keeps its line breaks (bodies, descriptions, reasons)
//	`text:"raw"`        left exactly as sent
//
// Every other string is a single line. The tag on a slice or map of strings applies to its items.
// A field whose JSON name is "password" or ends in "_password" is raw without the tag: a
// password reaches the hasher exactly as typed, or a password set through one route and typed
// into another would stop matching.
const Tag = "text"

// Struct cleans, in place, every string that v (a pointer to a struct) reaches through its
// exported fields: strings, pointers to them, slices and maps of them, and nested structs. It
// returns the paths of the fields that hold bidirectional controls (left unchanged), named as
// the request's JSON names them: "title", "options[2].label", "invitee.name", "labels[key]".
func Struct(v any) []string {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return nil
	}
	var bad []string
	walk(rv.Elem(), "", Line, false, &bad)
	return bad
}

// walk cleans v, found at path. raw leaves strings alone (and everything under them).
func walk(v reflect.Value, path string, k Kind, raw bool, bad *[]string) {
	switch v.Kind() {
	case reflect.String:
		if raw || !v.CanSet() {
			return
		}
		out, err := Clean(v.String(), k)
		if err != nil {
			*bad = append(*bad, path)
			return
		}
		if out != v.String() {
			v.SetString(out)
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walk(v.Elem(), path, k, raw, bad)
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return // bytes, not text
		}
		for i := range v.Len() {
			walk(v.Index(i), path+"["+strconv.Itoa(i)+"]", k, raw, bad)
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		iter := v.MapRange()
		for iter.Next() {
			// Map values cannot be set in place: clean a copy and put it back.
			item := reflect.New(v.Type().Elem()).Elem()
			item.Set(iter.Value())
			walk(item, path+"["+keyString(iter.Key())+"]", k, raw, bad)
			v.SetMapIndex(iter.Key(), item)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, skip := fieldName(f)
			if skip {
				continue
			}
			fk, fraw := Line, false
			switch f.Tag.Get(Tag) {
			case "multiline":
				fk = Multiline
			case "raw":
				fraw = true
			}
			if name == "password" || strings.HasSuffix(name, "_password") {
				fraw = true
			}
			fp := path
			if !f.Anonymous || name != f.Name {
				fp = join(path, name)
			}
			walk(v.Field(i), fp, fk, fraw, bad)
		}
	}
}

// fieldName is the field's JSON name (the Go name without one); skip for `json:"-"`.
func fieldName(f reflect.StructField) (string, bool) {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	switch name {
	case "-":
		return "", true
	case "":
		return f.Name, false
	}
	return name, false
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func keyString(k reflect.Value) string {
	if k.Kind() == reflect.String {
		return k.String()
	}
	return fmt.Sprint(k.Interface())
}
