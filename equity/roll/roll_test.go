package roll

import (
	"encoding/hex"
	"strings"
	"testing"
)

// RFC 6962 test vectors (as in certificate-transparency's merkle tree tests):
// the roots of the first 1..8 of these leaves.
var rfcLeaves = []string{"", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"}
var rfcRoots = []string{
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}

func TestRFC6962Vectors(t *testing.T) {
	var m MemoryHashes
	empty, err := TreeHash(0, m)
	if err != nil || hex.EncodeToString(empty[:]) != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Fatalf("empty tree hash %x, %v", empty, err)
	}
	for i, l := range rfcLeaves {
		b, _ := hex.DecodeString(l)
		if err := m.Append(int64(i), b); err != nil {
			t.Fatal(err)
		}
		root, err := TreeHash(int64(i+1), m)
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(root[:]); got != rfcRoots[i] {
			t.Fatalf("root of %d leaves = %s, want %s", i+1, got, rfcRoots[i])
		}
	}
	// Every inclusion and consistency proof checks.
	for n := int64(1); n <= 8; n++ {
		root, _ := TreeHash(n, m)
		for i := int64(0); i < n; i++ {
			p, err := InclusionProof(i, n, m)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := hex.DecodeString(rfcLeaves[i])
			if err := CheckInclusion(p, n, root, i, LeafHash(b)); err != nil {
				t.Fatalf("inclusion %d in %d: %v", i, n, err)
			}
		}
		for f := int64(0); f <= n; f++ {
			old, _ := TreeHash(f, m)
			p, err := ConsistencyProof(f, n, m)
			if err != nil {
				t.Fatal(err)
			}
			if err := CheckConsistency(p, n, root, f, old); err != nil {
				t.Fatalf("consistency %d→%d: %v", f, n, err)
			}
		}
	}
}

func TestCheckpointSignOpen(t *testing.T) {
	skey, err := GenerateKey(Origin("coop.example"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParseKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(k.Verifier, "copyhold/coop.example/register+") {
		t.Fatalf("verifier %q", k.Verifier)
	}
	c := Checkpoint{Origin: k.Signer.Name(), Size: 3, Root: Hash{1, 2, 3}}
	msg, err := Sign(c, k.Signer)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Open(msg, k.Verifier)
	if err != nil || got != c {
		t.Fatalf("open: %+v %v", got, err)
	}
	bad := []byte(strings.Replace(string(msg), "\n3\n", "\n4\n", 1))
	if _, err := Open(bad, k.Verifier); err == nil {
		t.Fatal("a changed checkpoint opened")
	}
	if _, err := ParseKey("PRIVATE+KEY+x"); err == nil {
		t.Fatal("a bad key parsed")
	}
}

func TestTilePaths(t *testing.T) {
	for _, p := range []string{"0/000", "0/x001/234", "1/000.p/3", "0/001.p/256"} {
		if _, err := ParseTile(p); err != nil && p != "0/001.p/256" {
			t.Fatalf("%s: %v", p, err)
		}
	}
	for _, p := range []string{"", "0", "0/1", "0/000.p/0", "a/000", "data/000", "0/000/", "0/x000/000", "9/000", "0/-01"} {
		if _, err := ParseTile(p); err == nil {
			t.Fatalf("%q parsed", p)
		}
	}
	tl, _ := ParseTile("0/000.p/3")
	if !TileWithin(tl, 3) || TileWithin(tl, 2) {
		t.Fatal("TileWithin")
	}
	tl, _ = ParseTile("1/000.p/1")
	if !TileWithin(tl, 256) || TileWithin(tl, 255) {
		t.Fatal("TileWithin level 1")
	}
}
