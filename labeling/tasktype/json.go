package tasktype

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Strict JSON decoding with readable paths, and the helpers that render
// JSON values and errors in messages.

// decodeStrict decodes one JSON object into v, rejecting unknown fields, wrong
// JSON types and trailing data. Errors name the JSON path, e.g.
// `choices[2].hotkey: expected a string, got number 3`.
func decodeStrict(raw json.RawMessage, v any) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		return fmt.Errorf("empty; expected a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return fmt.Errorf("invalid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("invalid JSON: extra data after the top-level value")
	}
	if generic == nil {
		return fmt.Errorf("top level: expected an object, got null")
	}
	if err := checkShape(generic, reflect.TypeOf(v).Elem(), ""); err != nil {
		return err
	}
	dec = json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		// checkShape should have caught everything; keep a readable fallback.
		return fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

var rawMessageType = reflect.TypeOf(json.RawMessage{})

// checkShape walks a generically decoded value against the Go type that will
// receive it, so that errors carry full paths with indices.
func checkShape(v any, t reflect.Type, path string) error {
	at := func() string {
		if path == "" {
			return "top level"
		}
		return path
	}
	if t == rawMessageType {
		return nil
	}
	if v == nil { // JSON null leaves the Go zero value: same as absent
		return nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		return checkShape(v, t.Elem(), path)
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: expected an object, got %s", at(), DescribeJSON(v))
		}
		fields := jsonFields(t)
		for _, k := range sortedMapKeys(obj) {
			f, ok := fields[k]
			if !ok {
				return fmt.Errorf("%s: unknown field %q (allowed: %s)", at(), k, strings.Join(jsonFieldNames(t), ", "))
			}
			if err := checkShape(obj[k], f.Type, joinPath(path, k)); err != nil {
				return err
			}
		}
	case reflect.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: expected an object, got %s", at(), DescribeJSON(v))
		}
		for _, k := range sortedMapKeys(obj) {
			if err := checkShape(obj[k], t.Elem(), joinPath(path, k)); err != nil {
				return err
			}
		}
	case reflect.Slice:
		arr, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s: expected an array, got %s", at(), DescribeJSON(v))
		}
		for i, e := range arr {
			if err := checkShape(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case reflect.String:
		if _, ok := v.(string); !ok {
			return fmt.Errorf("%s: expected a string, got %s", at(), DescribeJSON(v))
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%s: expected true or false, got %s", at(), DescribeJSON(v))
		}
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, ok := v.(json.Number)
		if !ok {
			return fmt.Errorf("%s: expected an integer, got %s", at(), DescribeJSON(v))
		}
		if _, err := strconv.ParseInt(string(n), 10, 32); err != nil {
			return fmt.Errorf("%s: expected an integer, got %s", at(), DescribeJSON(v))
		}
	}
	return nil
}

func joinPath(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func jsonFields(t reflect.Type) map[string]reflect.StructField {
	m := map[string]reflect.StructField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = f
	}
	return m
}

func jsonFieldNames(t reflect.Type) []string {
	var names []string
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			names = append(names, name)
		}
	}
	return names
}

func sortedMapKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// DescribeJSON renders a generic JSON value briefly for error messages.
func DescribeJSON(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return "string " + QuoteShort(x)
	case json.Number:
		return "number " + string(x)
	case float64:
		return "number " + strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return "boolean " + strconv.FormatBool(x)
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// QuoteShort quotes s, shortened to 60 code points for messages.
func QuoteShort(s string) string {
	if utf8.RuneCountInString(s) > 60 {
		r := []rune(s)
		return strconv.Quote(string(r[:60])) + "…"
	}
	return strconv.Quote(s)
}

// CanonicalJSON encodes v without HTML escaping and without a trailing newline.
func CanonicalJSON(v any) (json.RawMessage, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return json.RawMessage(bytes.TrimRight(b.Bytes(), "\n")), nil
}

// JSONErrText renders a JSON decoding error for messages, with the byte
// offset of a syntax error.
func JSONErrText(err error) string {
	msg := strings.TrimPrefix(err.Error(), "json: ")
	var se *json.SyntaxError
	if errors.As(err, &se) {
		msg += fmt.Sprintf(" (at byte %d)", se.Offset)
	}
	return msg
}

// ShortRaw describes a raw JSON value briefly for error messages.
func ShortRaw(raw json.RawMessage) string {
	if raw == nil {
		return "nothing"
	}
	var g any
	if json.Unmarshal(raw, &g) != nil {
		return "invalid JSON"
	}
	return DescribeJSON(g)
}

// QuoteList quotes each value and joins them with commas, for messages.
func QuoteList(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}
