package server_test

import (
	"context"
	"strings"
	"testing"

	"copyhold/equity"
	"copyhold/equity/roll"
	equitystore "copyhold/equity/store"
	"copyhold/labeling/store"
	"copyhold/migrations/dbtest"
	"copyhold/server"

	"gorm.io/gorm"
)

func witnessKey(t *testing.T, name string) roll.WitnessKey {
	t.Helper()
	skey, err := roll.GenerateWitnessKey(name)
	if err != nil {
		t.Fatal(err)
	}
	w, err := roll.ParseWitnessKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestRegisterCosignatures(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		trusted := witnessKey(t, "witness.trusted")
		untrusted := witnessKey(t, "witness.other")
		e := newEnv(t, db, func(c *server.Config, _ **store.Stores) { c.Witnesses = []string{trusted.Verifier} })
		ctx := context.Background()
		anon := e.as("")
		if _, err := equitystore.New(db).SetGovernance(ctx, e.Members["coord"].ID, equity.Governance{TransferFeeBP: 10, HoldingCapBP: 4000,
			CapFloor: 1_000_000, ReserveShareBP: 1000, ExitRule: equity.ExitSuccessorElseReserve, Reason: "v"}); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := e.Roll.Integrate(ctx); err != nil || !ok {
			t.Fatalf("integrate: %v %v", ok, err)
		}
		vkey := strings.TrimSpace(string(anon.do("GET", "/api/register/key", nil).body))
		note := anon.do("GET", "/api/register/checkpoint", nil).body

		// An untrusted witness: 403, nothing stored.
		other, err := roll.Cosign(note, vkey, untrusted.Signer)
		if err != nil {
			t.Fatal(err)
		}
		if r := anon.do("POST", "/api/register/cosignatures", string(other)); r.status != 403 || r.code() != "untrusted_witness" {
			t.Fatalf("untrusted: %d %s", r.status, r.body)
		}
		// A bad signature from the trusted key: 400.
		good, err := roll.Cosign(note, vkey, trusted.Signer)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(string(good), "\n"), "\n")
		last := lines[len(lines)-1]
		sig := last[len(last)-10:]
		bad := strings.Replace(string(good), last, last[:len(last)-10]+strings.Map(func(r rune) rune {
			if r == 'A' {
				return 'B'
			}
			return 'A'
		}, sig[:2])+sig[2:], 1)
		if r := anon.do("POST", "/api/register/cosignatures", bad); r.status != 400 || r.code() != "bad_signature" {
			t.Fatalf("bad signature: %d %s", r.status, r.body)
		}
		// A checkpoint the register never signed: the trusted witness's
		// cosignature on a forged body is refused.
		cp, _ := roll.Open(note, vkey)
		forged := roll.Checkpoint{Origin: cp.Origin, Size: cp.Size + 5, Root: cp.Root}
		fsig, err := roll.Sign(forged, trusted.Signer)
		if err != nil {
			t.Fatal(err)
		}
		if r := anon.do("POST", "/api/register/cosignatures", string(fsig)); r.status != 400 || r.code() != "unknown_checkpoint" {
			t.Fatalf("unknown checkpoint: %d %s", r.status, r.body)
		}
		if r := anon.do("POST", "/api/register/cosignatures", "not a note"); r.status != 400 {
			t.Fatalf("garbage: %d %s", r.status, r.body)
		}
		if r := anon.do("GET", "/api/register/checkpoint", nil); string(r.body) != string(note) {
			t.Fatalf("checkpoint gained lines before a good cosignature:\n%s", r.body)
		}
		// The trusted witness: stored and shown.
		if r := anon.do("POST", "/api/register/cosignatures", string(good)); r.status != 200 {
			t.Fatalf("trusted: %d %s", r.status, r.body)
		}
		r := anon.do("GET", "/api/register/checkpoint", nil)
		if string(r.body) != string(good) {
			t.Fatalf("checkpoint with cosignature:\n%s\nwant\n%s", r.body, good)
		}
		if _, _, err := roll.OpenCosigned(r.body, vkey, []string{trusted.Verifier}); err != nil {
			t.Fatalf("shown cosignature does not verify: %v", err)
		}
		if _, err := roll.Open(r.body, vkey); err != nil {
			t.Fatalf("the log's signature no longer opens: %v", err)
		}
	})
}

func TestRegisterWitnessesList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a, b := witnessKey(t, "witness.a"), witnessKey(t, "witness.b")
		e := newEnv(t, db, func(c *server.Config, _ **store.Stores) { c.Witnesses = []string{a.Verifier, b.Verifier} })
		r := e.as("").do("GET", "/api/register/witnesses", nil)
		var got struct{ Witnesses []struct{ Name, Key string } }
		mustJSON(t, r.body, &got)
		if r.status != 200 || r.header.Get("Cache-Control") != "public, max-age=300" || len(got.Witnesses) != 2 ||
			got.Witnesses[0].Name != "witness.a" || got.Witnesses[0].Key != a.Verifier || got.Witnesses[1].Key != b.Verifier {
			t.Fatalf("witnesses: %d %s", r.status, r.body)
		}
	})
}

// No trusted witness: an empty list, not null.
func TestRegisterWitnessesNone(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		if r := newEnv(t, db).as("").do("GET", "/api/register/witnesses", nil); r.status != 200 || string(r.body) != `{"witnesses":[]}` {
			t.Fatalf("no witnesses: %d %s", r.status, r.body)
		}
	})
}
