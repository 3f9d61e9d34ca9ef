package server_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"testing"

	"copyhold/equity"
	"copyhold/equity/roll"
	equitystore "copyhold/equity/store"
	"copyhold/migrations/dbtest"

	"golang.org/x/mod/sumdb/tlog"
	"gorm.io/gorm"
)

func unb64(t *testing.T, s string) tlog.Hash {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != 32 {
		t.Fatalf("hash %q: %v", s, err)
	}
	var h tlog.Hash
	copy(h[:], b)
	return h
}

func TestRegisterProofEndpoints(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		anon := e.as("")
		if r := anon.do("GET", "/api/register/checkpoint", nil); r.status != 404 || r.code() != "no_checkpoint" {
			t.Fatalf("checkpoint before any: %d %s", r.status, r.body)
		}
		reg := equitystore.New(db)
		coord := e.Members["coord"].ID
		var olds []roll.Checkpoint
		for i := 0; i < 3; i++ {
			for j := 0; j <= i; j++ {
				_, err := reg.SetGovernance(ctx, coord, equity.Governance{TransferFeeBP: 10 * (i + j), HoldingCapBP: 4000, CapFloor: 1_000_000,
					ReserveShareBP: 1000, ExitRule: equity.ExitSuccessorElseReserve, Reason: fmt.Sprint("v", i, j)})
				if err != nil {
					t.Fatal(err)
				}
			}
			cp, ok, err := e.Roll.Integrate(ctx)
			if err != nil || !ok {
				t.Fatalf("integrate: %v %v", ok, err)
			}
			olds = append(olds, cp)
		}
		vkey := anon.do("GET", "/api/register/key", nil)
		r := anon.do("GET", "/api/register/checkpoint", nil)
		if r.status != 200 || r.header.Get("Cache-Control") != "no-cache" {
			t.Fatalf("checkpoint: %d %s", r.status, r.body)
		}
		cp, err := roll.Open(r.body, string(vkey.body[:len(vkey.body)-1]))
		if err != nil {
			t.Fatalf("open checkpoint: %v\n%s", err, r.body)
		}
		for i := int64(0); i < cp.Size; i++ {
			var ent struct {
				Index    int64
				Kind     string
				RefID    int64 `json:"ref_id"`
				Leaf     string
				LeafHash string `json:"leaf_hash"`
			}
			r := anon.do("GET", fmt.Sprintf("/api/register/entries/%d", i), nil)
			if r.status != 200 || json.Unmarshal(r.body, &ent) != nil {
				t.Fatalf("entry %d: %d %s", i, r.status, r.body)
			}
			leaf, _ := base64.StdEncoding.DecodeString(ent.Leaf)
			var p struct {
				LeafHash string `json:"leaf_hash"`
				Proof    []string
			}
			r = anon.do("GET", fmt.Sprintf("/api/register/proof/inclusion?index=%d&size=%d", i, cp.Size), nil)
			if r.status != 200 || json.Unmarshal(r.body, &p) != nil {
				t.Fatalf("inclusion %d: %d %s", i, r.status, r.body)
			}
			var proof tlog.RecordProof
			for _, s := range p.Proof {
				proof = append(proof, unb64(t, s))
			}
			if lh := unb64(t, p.LeafHash); lh != tlog.RecordHash(leaf) || lh != unb64(t, ent.LeafHash) {
				t.Fatalf("leaf hash of %d", i)
			}
			if err := tlog.CheckRecord(proof, cp.Size, cp.Root, i, tlog.RecordHash(leaf)); err != nil {
				t.Fatalf("inclusion %d: %v", i, err)
			}
		}
		for _, old := range olds[:len(olds)-1] {
			var p struct{ Proof []string }
			r := anon.do("GET", fmt.Sprintf("/api/register/proof/consistency?from=%d&to=%d", old.Size, cp.Size), nil)
			if r.status != 200 || json.Unmarshal(r.body, &p) != nil {
				t.Fatalf("consistency: %d %s", r.status, r.body)
			}
			var proof tlog.TreeProof
			for _, s := range p.Proof {
				proof = append(proof, unb64(t, s))
			}
			if err := tlog.CheckTree(proof, cp.Size, cp.Root, old.Size, old.Root); err != nil {
				t.Fatalf("consistency %d→%d: %v", old.Size, cp.Size, err)
			}
		}
		// A tile, checked against the stored hashes it holds.
		r = anon.do("GET", "/api/register/tile/0/000.p/"+fmt.Sprint(cp.Size), nil)
		if r.status != 200 || len(r.body) != int(cp.Size)*32 || r.header.Get("Content-Type") != "application/octet-stream" {
			t.Fatalf("tile: %d %d bytes", r.status, len(r.body))
		}
		// Bad input: 400 with a code; beyond the tree: 400 or 404.
		n := cp.Size
		for path, want := range map[string]int{
			"/api/register/tile/0/x/1":                                                 400,
			"/api/register/tile/0/001":                                                 404,
			"/api/register/tile/data/000":                                              400,
			"/api/register/tile/":                                                      400,
			"/api/register/entries/-1":                                                 400,
			"/api/register/entries/abc":                                                400,
			fmt.Sprintf("/api/register/entries/%d", n):                                 404,
			fmt.Sprintf("/api/register/proof/inclusion?index=0&size=%d", n+1):          400,
			fmt.Sprintf("/api/register/proof/inclusion?index=%d&size=%d", n, n):        400,
			"/api/register/proof/inclusion?index=0":                                    400,
			"/api/register/proof/inclusion?index=01&size=2":                            400,
			fmt.Sprintf("/api/register/proof/consistency?from=2&to=%d", n+1):           400,
			"/api/register/proof/consistency?from=3&to=2":                              400,
			"/api/register/proof/consistency?from=x&to=2":                              400,
			"/api/register/proof/inclusion?index=0&size=99999999999999999999999999999": 400,
		} {
			r := anon.do("GET", path, nil)
			if r.status != want || r.code() == "" {
				t.Errorf("%s: %d %s, want %d with a code", path, r.status, r.body, want)
			}
		}
	})
}
