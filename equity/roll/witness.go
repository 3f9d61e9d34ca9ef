package roll

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"
)

// Witnesses cosign checkpoints with C2SP tlog-cosignature/v1 (algorithm 0x04,
// Ed25519 over "cosignature/v1\ntime T\n" ‖ checkpoint; the signature is the
// 8-byte timestamp ‖ the Ed25519 signature). A witness key file holds
// PRIVATE+KEY+<name>+<hash>+base64(0x04 ‖ seed); its verifier key is
// <name>+<hash>+base64(0x04 ‖ public key), the form torchwood prints.

const algCosignatureV1 = 4

// ErrWitnessKey is a malformed witness key.
var ErrWitnessKey = errors.New("roll: not a cosignature/v1 witness key")

func validName(name string) bool {
	return name != "" && utf8.ValidString(name) && strings.IndexFunc(name, unicode.IsSpace) < 0 && !strings.Contains(name, "+")
}

func keyHash(name string, key []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte("\n"))
	h.Write(key)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// GenerateWitnessKey returns a new witness private key text named name.
func GenerateWitnessKey(name string) (string, error) {
	if !validName(name) {
		return "", fmt.Errorf("roll: invalid witness name %q", name)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", err
	}
	h := keyHash(name, append([]byte{algCosignatureV1}, pub...))
	return fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", name, h,
		base64.StdEncoding.EncodeToString(append([]byte{algCosignatureV1}, priv.Seed()...))), nil
}

// WitnessKey is a loaded witness key.
type WitnessKey struct {
	Signer   note.Signer // a torchwood CosignatureSigner
	Verifier string      // name+hash+base64(0x04 ‖ public key)
}

// ParseWitnessKey loads a witness private key text.
func ParseWitnessKey(skey string) (WitnessKey, error) {
	parts := strings.SplitN(strings.TrimSpace(skey), "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" || !validName(parts[2]) || len(parts[3]) != 8 {
		return WitnessKey{}, ErrWitnessKey
	}
	h, err1 := strconv.ParseUint(parts[3], 16, 32)
	raw, err2 := base64.StdEncoding.DecodeString(parts[4])
	if err1 != nil || err2 != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != algCosignatureV1 {
		return WitnessKey{}, ErrWitnessKey
	}
	priv := ed25519.NewKeyFromSeed(raw[1:])
	s, err := torchwood.NewCosignatureSigner(parts[2], priv)
	if err != nil {
		return WitnessKey{}, fmt.Errorf("roll: witness key: %w", err)
	}
	if s.KeyHash() != uint32(h) {
		return WitnessKey{}, errors.New("roll: witness key hash does not match its key")
	}
	return WitnessKey{Signer: s, Verifier: s.Verifier().String()}, nil
}

type cosigVerifier struct {
	name string
	hash uint32
	key  ed25519.PublicKey
}

func (v *cosigVerifier) Name() string    { return v.name }
func (v *cosigVerifier) KeyHash() uint32 { return v.hash }
func (v *cosigVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	// The signed message must be a plain checkpoint (as the signer requires).
	if _, err := ParseCheckpoint(string(msg)); err != nil || strings.Count(string(msg), "\n") != 3 {
		return false
	}
	t := binary.BigEndian.Uint64(sig)
	m := fmt.Sprintf("cosignature/v1\ntime %d\n%s", t, msg)
	return ed25519.Verify(v.key, []byte(m), sig[8:])
}

// NewWitnessVerifier parses a witness verifier key (name+hash+base64(0x04 ‖ key)).
func NewWitnessVerifier(vkey string) (note.Verifier, error) {
	parts := strings.SplitN(strings.TrimSpace(vkey), "+", 3)
	if len(parts) != 3 || !validName(parts[0]) || len(parts[1]) != 8 {
		return nil, ErrWitnessKey
	}
	h, err1 := strconv.ParseUint(parts[1], 16, 32)
	raw, err2 := base64.StdEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || len(raw) != 1+ed25519.PublicKeySize || raw[0] != algCosignatureV1 {
		return nil, ErrWitnessKey
	}
	if keyHash(parts[0], raw) != uint32(h) {
		return nil, errors.New("roll: witness verifier key hash does not match its key")
	}
	return &cosigVerifier{name: parts[0], hash: uint32(h), key: ed25519.PublicKey(raw[1:])}, nil
}

// Cosign verifies msg with the log's verifier key and returns the note with
// the witness's cosignature appended (the log's signature first).
func Cosign(msg []byte, logVKey string, w note.Signer) ([]byte, error) {
	v, err := note.NewVerifier(logVKey)
	if err != nil {
		return nil, fmt.Errorf("roll: verifier key: %w", err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return nil, fmt.Errorf("roll: checkpoint signature: %w", err)
	}
	n.UnverifiedSigs = nil
	return note.Sign(n, w)
}

// Cosignature is one verified witness signature on a checkpoint.
type Cosignature struct {
	Witness string // the witness's verifier key
	Line    string // the note signature line, "— name base64\n"
}

// ErrUntrustedWitness: the note carries no cosignature from a trusted witness.
var ErrUntrustedWitness = errors.New("roll: no cosignature from a trusted witness")

// ErrBadCosignature: a signature from a known key does not verify.
var ErrBadCosignature = errors.New("roll: a signature does not verify")

// OpenCosigned verifies a cosigned checkpoint: every signature by the log or
// a trusted witness must verify; at least one trusted witness must have
// signed. It returns the checkpoint body and the witnesses' cosignatures.
// The log's own signature is not required (the caller checks the body
// against its stored checkpoints).
func OpenCosigned(msg []byte, logVKey string, witnesses []string) (Checkpoint, []Cosignature, error) {
	var vs []note.Verifier
	byName := map[string]string{}
	if logVKey != "" {
		lv, err := note.NewVerifier(logVKey)
		if err != nil {
			return Checkpoint{}, nil, fmt.Errorf("roll: verifier key: %w", err)
		}
		vs = append(vs, lv)
	}
	for _, w := range witnesses {
		v, err := NewWitnessVerifier(w)
		if err != nil {
			return Checkpoint{}, nil, fmt.Errorf("roll: trusted witness %q: %w", w, err)
		}
		vs = append(vs, v)
		byName[fmt.Sprintf("%s+%08x", v.Name(), v.KeyHash())] = strings.TrimSpace(w)
	}
	n, err := note.Open(msg, note.VerifierList(vs...))
	var unv *note.UnverifiedNoteError
	switch {
	case errors.As(err, &unv):
		return Checkpoint{}, nil, ErrUntrustedWitness
	case err != nil:
		return Checkpoint{}, nil, fmt.Errorf("%w: %v", ErrBadCosignature, err)
	}
	cp, err := ParseCheckpoint(n.Text)
	if err != nil {
		return Checkpoint{}, nil, err
	}
	var out []Cosignature
	for _, s := range n.Sigs {
		if w, ok := byName[fmt.Sprintf("%s+%08x", s.Name, s.Hash)]; ok {
			out = append(out, Cosignature{Witness: w, Line: "— " + s.Name + " " + s.Base64 + "\n"})
		}
	}
	if len(out) == 0 {
		return Checkpoint{}, nil, ErrUntrustedWitness
	}
	return cp, out, nil
}
