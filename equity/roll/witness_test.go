package roll

import (
	"errors"
	"strings"
	"testing"
)

func TestCosignRoundTrip(t *testing.T) {
	lk, err := GenerateKey("copyhold.local/register")
	if err != nil {
		t.Fatal(err)
	}
	log, err := ParseKey(lk)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := Sign(Checkpoint{Origin: "copyhold.local/register", Size: 3, Root: Hash{1}}, log.Signer)
	if err != nil {
		t.Fatal(err)
	}
	wk, err := GenerateWitnessKey("witness.example")
	if err != nil {
		t.Fatal(err)
	}
	w, err := ParseWitnessKey(wk)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(w.Verifier, "witness.example+") {
		t.Fatalf("verifier %q", w.Verifier)
	}
	cosigned, err := Cosign(msg, log.Verifier, w.Signer)
	if err != nil {
		t.Fatal(err)
	}
	cp, sigs, err := OpenCosigned(cosigned, log.Verifier, []string{w.Verifier})
	if err != nil || cp.Size != 3 || len(sigs) != 1 || sigs[0].Witness != w.Verifier {
		t.Fatalf("OpenCosigned = %+v %+v %v", cp, sigs, err)
	}
	// The combined note still opens with the log's key alone.
	if _, err := Open([]byte(string(msg)+sigs[0].Line), log.Verifier); err != nil {
		t.Fatal(err)
	}
	other, _ := GenerateWitnessKey("witness.example")
	ow, _ := ParseWitnessKey(other)
	if _, _, err := OpenCosigned(cosigned, log.Verifier, []string{ow.Verifier}); !errors.Is(err, ErrUntrustedWitness) {
		t.Fatalf("untrusted: %v", err)
	}
	// Tamper with the cosignature's bytes.
	line := sigs[0].Line
	i := strings.Index(string(cosigned), line)
	b64 := strings.Fields(line)[2]
	bad := []byte(string(cosigned[:i]) + "— witness.example " + b64[:20] + flip(b64[20]) + b64[21:] + "\n")
	if _, _, err := OpenCosigned(bad, log.Verifier, []string{w.Verifier}); !errors.Is(err, ErrBadCosignature) {
		t.Fatalf("bad signature: %v", err)
	}
	// A checkpoint that the log did not sign is refused by Cosign.
	if _, err := Cosign([]byte(strings.Replace(string(msg), "\n3\n", "\n4\n", 1)), log.Verifier, w.Signer); err == nil {
		t.Fatal("cosigned a forged checkpoint")
	}
}

func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}
