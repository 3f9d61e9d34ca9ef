package roll

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
)

// The browser's cosignature check (frontend/src/equity/roll/cosign.test.ts)
// is tested against vectors made here, by the code the server and the
// witness use. COPYHOLD_UPDATE_FIXTURES=1 go test ./equity/roll -run
// TestBrowserFixture writes them anew (cosignatures carry the current time);
// without it the test checks that the committed file still verifies in Go.
const browserFixture = "../../frontend/src/equity/roll/testdata/cosigned.json"

type fixtureWitness struct {
	Name string `json:"name"`
	Key  string `json:"key"`
}

type browserFixtureFile struct {
	Comment   string           `json:"comment"`
	LogKey    string           `json:"log_key"`
	Witnesses []fixtureWitness `json:"witnesses"` // trusted: a cosigned, b did not
	Untrusted fixtureWitness   `json:"untrusted"` // also cosigned
	Note      string           `json:"note"`      // log signature, then a's and the untrusted cosignature
}

func seeded(b byte) *bytes.Reader {
	s := make([]byte, 32)
	for i := range s {
		s[i] = b + byte(i)
	}
	return bytes.NewReader(s)
}

func witnessFromSeed(t *testing.T, name string, b byte) (note.Signer, string) {
	s := make([]byte, 32)
	seeded(b).Read(s)
	w, err := torchwood.NewCosignatureSigner(name, ed25519.NewKeyFromSeed(s))
	if err != nil {
		t.Fatal(err)
	}
	return w, w.Verifier().String()
}

func TestBrowserFixture(t *testing.T) {
	if os.Getenv("COPYHOLD_UPDATE_FIXTURES") != "" {
		skey, _, err := note.GenerateKey(seeded(0x10), "copyhold.test/register")
		if err != nil {
			t.Fatal(err)
		}
		lk, err := ParseKey(skey)
		if err != nil {
			t.Fatal(err)
		}
		msg, err := Sign(Checkpoint{Origin: "copyhold.test/register", Size: 8, Root: Hash{1, 2, 3}}, lk.Signer)
		if err != nil {
			t.Fatal(err)
		}
		wa, ka := witnessFromSeed(t, "witness.a.test", 0x40)
		_, kb := witnessFromSeed(t, "witness.b.test", 0x60)
		wc, kc := witnessFromSeed(t, "witness.c.test", 0x80)
		cosigned, err := note.Sign(&note.Note{Text: string(msg[:bytes.Index(msg, []byte("\n\n"))+1])}, lk.Signer, wa, wc)
		if err != nil {
			t.Fatal(err)
		}
		f := browserFixtureFile{
			Comment:   "made by equity/roll/fixture_test.go (golang.org/x/mod/sumdb/note and filippo.io/torchwood); do not edit",
			LogKey:    lk.Verifier,
			Witnesses: []fixtureWitness{{"witness.a.test", ka}, {"witness.b.test", kb}},
			Untrusted: fixtureWitness{"witness.c.test", kc},
			Note:      string(cosigned),
		}
		b, _ := json.MarshalIndent(f, "", "  ")
		if err := os.WriteFile(browserFixture, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(filepath.FromSlash(browserFixture))
	if err != nil {
		t.Fatal(err)
	}
	var f browserFixtureFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	cp, sigs, err := OpenCosigned([]byte(f.Note), f.LogKey, []string{f.Witnesses[0].Key, f.Witnesses[1].Key})
	if err != nil || cp.Size != 8 || len(sigs) != 1 || sigs[0].Witness != f.Witnesses[0].Key {
		t.Fatalf("the fixture does not verify in Go: %v %+v", err, sigs)
	}
	if _, err := Open([]byte(f.Note), f.LogKey); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(f.Note, "— witness.c.test ") {
		t.Fatal("the fixture lacks the untrusted witness's cosignature")
	}
}
