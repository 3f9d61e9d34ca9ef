package endpoints

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the data key's size: AES-256.
const KeySize = 32

// sealPrefix versions the sealed form: "v1:" + base64(nonce ‖ ciphertext).
const sealPrefix = "v1:"

// Sealer encrypts API keys with the server's data key (AES-256-GCM). The
// data key lives in a file outside the database (cmd/copyhold, --model-key),
// so a copy of the database alone does not reveal the keys.
type Sealer struct{ aead cipher.AEAD }

// NewSealer uses a 32-byte data key.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("the model data key must be %d bytes, not %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// ParseDataKey reads a data key file's text: base64 of 32 bytes.
func ParseDataKey(text string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
	if err != nil || len(b) != KeySize {
		return nil, fmt.Errorf("a model data key is base64 of %d random bytes (make one with: head -c %d /dev/urandom | base64)", KeySize, KeySize)
	}
	return b, nil
}

// NewDataKey makes a fresh data key's text.
func NewDataKey() (string, error) {
	b := make([]byte, KeySize)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// aad binds a sealed key to its purpose.
var aad = []byte("copyhold model endpoint api key")

// Seal encrypts an API key.
func (s *Sealer) Seal(plain string) (string, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := s.aead.Seal(nonce, nonce, []byte(plain), aad)
	return sealPrefix + base64.StdEncoding.EncodeToString(out), nil
}

// errOpen: a sealed key that does not open with this data key.
var errOpen = errors.New("the stored API key does not open with this server's model data key (was the key file replaced?)")

// Open decrypts a sealed key.
func (s *Sealer) Open(sealed string) (string, error) {
	raw, ok := strings.CutPrefix(sealed, sealPrefix)
	if !ok {
		return "", errOpen
	}
	b, err := base64.StdEncoding.DecodeString(raw)
	if err != nil || len(b) < s.aead.NonceSize() {
		return "", errOpen
	}
	plain, err := s.aead.Open(nil, b[:s.aead.NonceSize()], b[s.aead.NonceSize():], aad)
	if err != nil {
		return "", errOpen
	}
	return string(plain), nil
}
