package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"copyhold/equity/roll"
)

func TestRegisterKeyRules(t *testing.T) {
	dir := t.TempDir()
	// A configured key that is missing: serve refuses, naming the setting, and makes none.
	missing := filepath.Join(dir, "nope.key")
	_, err := runCmd(t, map[string]string{"COPYHOLD_DATA": dir, "COPYHOLD_REGISTER_KEY": missing, "COPYHOLD_ADDR": "127.0.0.1:0"}, "", "serve")
	if err == nil || !strings.Contains(err.Error(), "COPYHOLD_REGISTER_KEY") {
		t.Fatalf("serve with a missing configured key: %v", err)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Fatal("a configured key was generated")
	}
	if _, err := os.Stat(filepath.Join(dir, "register.key")); err == nil {
		t.Fatal("a default key was generated although one was configured")
	}
	// PostgreSQL without a key: refused, naming the setting.
	c := config{DataDir: dir, DatabaseURL: "postgres://x"}
	if _, err := registerKey(c, true); err == nil || !strings.Contains(err.Error(), "--register-key") {
		t.Fatalf("postgres without a key: %v", err)
	}
	// The embedded default creates register.key, 0600, once.
	c.DatabaseURL = ""
	k1, err := registerKey(c, true)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, "register.key"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("register.key: %v %v", st, err)
	}
	k2, err := registerKey(c, true)
	if err != nil || k2.Verifier != k1.Verifier {
		t.Fatalf("second load: %v", err)
	}
	// ledger key prints the verifier key; the key text works as the setting too.
	out, err := runCmd(t, map[string]string{"COPYHOLD_DATA": dir}, "", "ledger", "key")
	if err != nil || strings.TrimSpace(out) != k1.Verifier {
		t.Fatalf("ledger key: %q %v", out, err)
	}
	skey, _ := roll.GenerateKey("other")
	want, _ := roll.ParseKey(skey)
	out, err = runCmd(t, map[string]string{"COPYHOLD_DATA": dir, "COPYHOLD_REGISTER_KEY": skey}, "", "ledger", "key")
	if err != nil || strings.TrimSpace(out) != want.Verifier {
		t.Fatalf("ledger key from text: %q %v", out, err)
	}
	// --help: stdout, no error, only that command's flags.
	var so, se syncBuffer
	if err := run(t.Context(), []string{"copyhold", "ledger", "key", "--help"}, getenvFrom(nil), strings.NewReader(""), &so, &se); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(so.String(), "-register-key") || strings.Contains(so.String(), "-addr") || se.String() != "" {
		t.Fatalf("ledger key --help: stdout %q stderr %q", so.String(), se.String())
	}
}

// ledger keygen creates a key file (0600) that serve and ledger key accept,
// and keeps an existing one instead of overwriting it.
func TestLedgerKeygen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keys", "register.key")
	if _, err := runCmd(t, nil, "", "ledger", "keygen"); err == nil {
		t.Fatal("keygen without --out succeeded")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	out, err := runCmd(t, map[string]string{"COPYHOLD_BASE_URL": "https://coop.example.org"}, "", "ledger", "keygen", "--out", path)
	if err != nil || !strings.Contains(out, "created "+path) {
		t.Fatalf("keygen: %q %v", out, err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	b, _ := os.ReadFile(path)
	k, err := roll.ParseKey(string(b))
	if err != nil || !strings.HasPrefix(k.Verifier, "copyhold/coop.example.org/register+") {
		t.Fatalf("key: %q %v", k.Verifier, err)
	}
	printed, err := runCmd(t, map[string]string{"COPYHOLD_REGISTER_KEY": path}, "", "ledger", "key")
	if err != nil || strings.TrimSpace(printed) != k.Verifier {
		t.Fatalf("ledger key: %q %v", printed, err)
	}
	again, err := runCmd(t, nil, "", "ledger", "keygen", "--out", path)
	if err != nil || !strings.Contains(again, "kept the existing key") {
		t.Fatalf("second keygen: %q %v", again, err)
	}
	if b2, _ := os.ReadFile(path); string(b2) != string(b) {
		t.Fatal("keygen overwrote an existing key")
	}
	if err := os.WriteFile(filepath.Join(dir, "junk"), []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := runCmd(t, nil, "", "ledger", "keygen", "--out", filepath.Join(dir, "junk")); err == nil {
		t.Fatal("keygen accepted a file that is not a key")
	}
}
