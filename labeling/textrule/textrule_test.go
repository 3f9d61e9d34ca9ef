package textrule

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckJSON(t *testing.T) {
	cases := []struct {
		name, raw, want string // want "" = accepted; else a part of the message
	}{
		{"plain", `{"a":"x","b":[1,2,{"c":"é😀"}]}`, ""},
		{"escaped pair", `{"a":"\ud83d\ude00"}`, ""},
		{"escaped text", `{"a":"\n\t\"\\\u00e9"}`, ""},
		{"lone high", `{"a":{"b":"x\ud800y"}}`, `a.b: lone surrogate \ud800`},
		{"lone high at end", `{"a":"\uD800"}`, `a: lone surrogate \ud800`},
		{"high then non-low", `{"a":"\ud800\u0041"}`, `a: lone surrogate \ud800`},
		{"lone low", `{"list":["ok","\udc00"]}`, `list[1]: lone surrogate \udc00`},
		{"nul escape", `{"name":"a\u0000b"}`, `name: NUL character`},
		{"raw nul", "{\"name\":\"a\x00b\"}", `name: NUL character`},
		{"invalid utf8", "{\"t\":\"a\xffb\"}", `t: invalid UTF-8`},
		{"overlong utf8", "{\"t\":\"\xc0\xaf\"}", `t: invalid UTF-8`},
		{"encoded surrogate", "{\"t\":\"\xed\xa0\x80\"}", `t: invalid UTF-8`},
		{"bad key", "{\"k\xff\":1}", `body (a key): invalid UTF-8`},
		{"top-level string", `"\ud800"`, `body: lone surrogate`},
		{"malformed left to decoder", `{"a":`, ""},
		{"malformed with bad byte", "{\"a\" \xff}", "invalid UTF-8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckJSON([]byte(c.raw))
			if c.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidText) {
				t.Fatalf("err = %v, want invalid_text", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %q, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestCheckString(t *testing.T) {
	if err := CheckString("name", "Zoë"); err != nil {
		t.Fatal(err)
	}
	for s, want := range map[string]string{"a\x00": "name: NUL character at byte 1", "a\xfe": "name: invalid UTF-8 at byte 1"} {
		err := CheckString("name", s)
		if !errors.Is(err, ErrInvalidText) || err.Error() != want {
			t.Errorf("CheckString(%q) = %v, want %q", s, err, want)
		}
	}
}
