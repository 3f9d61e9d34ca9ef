package jsonscan

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

var docs = []string{
	`{}`, ` { } `, `{"a":1}`, `{"a" : "x\"y\\z\u00e9\n", "b":[1,2,{"c":null}],"d":true,"e":false,"f":-0.5e+10}`,
	`{"a":{"b":{"c":[[],[{}]]}}}`, `{"dup":1,"dup":2}`, `{"k\u0041":"v"}`, "{\"a\":\"\xff\"}",
	`{"a":01}`, `{"a":1.}`, `{"a":-}`, `{"a":.5}`, `{"a":1e}`, `{"a":tru}`, `{"a":nul}`, `{"a":"x}`, `{"a":"\x"}`,
	`{"a":"\u12"}`, "{\"a\":\"\x01\"}", `{"a":1,}`, `{"a":1 "b":2}`, `{"a" 1}`, `{a:1}`, `{"a":[1,]}`, `{"a":[1 2]}`,
	`{"a":{"b"}}`, `{"a":1}x`, `[1]`, `"s"`, ``, `{`, `{"a":[`, `{"a":1}}`, `{"a":{"b":1,}}`,
}

// Object accepts exactly what encoding/json accepts, and yields the same
// members (the last of duplicate keys wins in the map, as there).
func TestObjectAgreesWithEncodingJSON(t *testing.T) {
	for _, d := range docs {
		var want map[string]json.RawMessage
		wantErr := json.Unmarshal([]byte(d), &want)
		got := map[string]json.RawMessage{}
		err := Object([]byte(d), func(k, v []byte) error {
			got[Key(k)] = v
			return nil
		})
		if (err != nil) != (wantErr != nil) {
			t.Errorf("%q: err = %v, encoding/json says %v", d, err, wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if len(got) != len(want) {
			t.Errorf("%q: %d members, want %d", d, len(got), len(want))
		}
		for k, v := range want {
			if !bytes.Equal(got[k], v) {
				t.Errorf("%q: member %q = %s, want %s", d, k, got[k], v)
			}
		}
	}
}

func TestArray(t *testing.T) {
	var got []string
	if err := Array([]byte(` [1, "a" ,{"b":[2]}] `), func(v []byte) error { got = append(got, string(v)); return nil }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "|") != `1|"a"|{"b":[2]}` {
		t.Fatalf("elements %q", got)
	}
	for _, bad := range []string{`[1,]`, `[1 2]`, `{}`, `[`} {
		if Array([]byte(bad), func([]byte) error { return nil }) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// String decodes as encoding/json does, and AppendString encodes as its
// Encoder with SetEscapeHTML(false) does, for any string.
func TestStringsRoundTripLikeEncodingJSON(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.OneOf(rapid.String(), rapid.StringOf(rapid.RuneFrom([]rune{'"', '\\', '\n', '\t', 0, 0x1f, '<', '&', '\u2028', '\u2029', 'é', 'a'})),
			rapid.Map(rapid.SliceOf(rapid.Byte()), func(b []byte) string { return string(b) })).Draw(t, "s")
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		want := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		if got := AppendString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("AppendString(%q) = %s, want %s", s, got, want)
		}
		var wantDecoded string
		if err := json.Unmarshal(want, &wantDecoded); err != nil {
			t.Fatal(err)
		}
		got, ok, err := String(want)
		if !ok || err != nil || got != wantDecoded {
			t.Fatalf("String(%s) = %q, %v, %v; want %q", want, got, ok, err, wantDecoded)
		}
		// Raw bytes as a string literal, invalid UTF-8 and all.
		raw := append(append([]byte{'"'}, strings.NewReplacer(`"`, ``, `\`, ``).Replace(s)...), '"')
		var wantRaw string
		wantErr := json.Unmarshal(raw, &wantRaw)
		gotRaw, _, err := String(raw)
		if (err != nil) != (wantErr != nil) || (err == nil && gotRaw != wantRaw) {
			t.Fatalf("String(%q) = %q, %v; encoding/json: %q, %v", raw, gotRaw, err, wantRaw, wantErr)
		}
	})
}

func TestStringOfNonStrings(t *testing.T) {
	for _, raw := range []string{`null`, `1`, `{}`, ``} {
		if _, ok, _ := String([]byte(raw)); ok {
			t.Errorf("%q read as a string", raw)
		}
	}
}

// On valid JSON, Skim yields exactly Object's members; on anything else it
// errs or yields slices, never panics.
func TestSkimAgreesWithObjectOnValidJSON(t *testing.T) {
	members := func(scan func([]byte, func(k, v []byte) error) error, d string) ([]string, error) {
		var out []string
		err := scan([]byte(d), func(k, v []byte) error { out = append(out, string(k)+"="+string(v)); return nil })
		return out, err
	}
	extra := []string{`{"a":"x\\","b":"\\\"}"}`, `{"a":["]",{"}":"\\\\"}],"b":{}}`, `{"a":"\"\\\\\""}`}
	for _, d := range append(docs, extra...) {
		want, wantErr := members(Object, d)
		got, err := members(Skim, d)
		if wantErr == nil && (err != nil || strings.Join(got, "|") != strings.Join(want, "|")) {
			t.Errorf("%q: Skim gave %q, %v; Object %q", d, got, err, want)
		}
		for i := range len(d) { // every truncation, to find a panic
			members(Skim, d[:i])
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		b := rapid.SliceOf(rapid.SampledFrom([]byte(`{}[]",:\ a1`))).Draw(t, "b")
		Skim(b, func(k, v []byte) error { return nil })
		SkimArray(b, func(v []byte) error { return nil })
	})
	var got []string
	if err := SkimArray([]byte(` [1, "a]" ,{"b":[2]}] `), func(v []byte) error { got = append(got, string(v)); return nil }); err != nil ||
		strings.Join(got, "|") != `1|"a]"|{"b":[2]}` {
		t.Fatalf("elements %q, %v", got, err)
	}
}
