package server

import (
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"copyhold/equity"
	"copyhold/equity/roll"
	"copyhold/labeling/fault"

	"github.com/gin-gonic/gin"
)

// The court roll's public endpoints (docs/LEDGER.md, "The court roll"): the
// verifier key, the latest signed checkpoint, hash tiles, entries and
// proofs. Each reads O(log n) stored hashes (a tile: at most 256).

func (s *Server) roll(c *gin.Context) (Roll, bool) {
	if s.rollLog == nil {
		fail(c, equity.ErrNoCheckpoint)
		return nil, false
	}
	return s.rollLog, true
}

func (s *Server) handleRollKey(c *gin.Context) {
	r, ok := s.roll(c)
	if !ok {
		return
	}
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte(r.VerifierKey()+"\n"))
}

func (s *Server) handleRollCheckpoint(c *gin.Context) {
	r, ok := s.roll(c)
	if !ok {
		return
	}
	cp, err := r.Checkpoint(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	sigs, err := r.Cosignatures(c.Request.Context(), cp.Size)
	if err != nil {
		fail(c, err)
		return
	}
	out := cp.Note
	for _, s := range sigs {
		out += s.Line
	}
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte(out))
}

// maxCosignedNote bounds a cosigned checkpoint's body.
const maxCosignedNote = 64 << 10

// handleRollCosign accepts a witness's cosignature: the body is the
// checkpoint note with the witness's tlog-cosignature line(s). Only
// cosignatures from trusted witnesses (Config.Witnesses), on a checkpoint the
// register signed, all verifying, are stored.
func (s *Server) handleRollCosign(c *gin.Context) {
	r, ok := s.roll(c)
	if !ok {
		return
	}
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, maxCosignedNote+1))
	if err != nil || len(body) > maxCosignedNote {
		fail(c, equity.ErrNotCheckpoint)
		return
	}
	cp, sigs, err := roll.OpenCosigned(body, r.VerifierKey(), s.cfg.Witnesses)
	switch {
	case errors.Is(err, roll.ErrUntrustedWitness):
		fail(c, equity.ErrUntrustedWitness)
		return
	case errors.Is(err, roll.ErrBadCosignature):
		fail(c, equity.ErrBadCosignature)
		return
	case err != nil:
		fail(c, equity.ErrNotCheckpoint)
		return
	}
	if err := r.AddCosignatures(c.Request.Context(), cp, sigs); err != nil {
		fail(c, err)
		return
	}
	ws := make([]string, len(sigs))
	for i, x := range sigs {
		ws[i] = x.Witness
	}
	c.JSON(http.StatusOK, gin.H{"size": cp.Size, "root": b64(cp.Root), "witnesses": ws})
}

// handleRollWitnesses lists the witnesses the co-op trusts (Config.Witnesses):
// their names and cosignature/v1 verifier keys, so that a browser can check
// the cosignature lines on the checkpoint. Public and cacheable; empty when
// the co-op trusts no witness.
func (s *Server) handleRollWitnesses(c *gin.Context) {
	type witness struct {
		Name string `json:"name"`
		Key  string `json:"key"`
	}
	out := make([]witness, 0, len(s.cfg.Witnesses))
	for _, k := range s.cfg.Witnesses {
		name, _, _ := strings.Cut(strings.TrimSpace(k), "+")
		out = append(out, witness{Name: name, Key: strings.TrimSpace(k)})
	}
	c.Header("Cache-Control", "public, max-age=300")
	c.JSON(http.StatusOK, gin.H{"witnesses": out})
}

func (s *Server) handleRollTile(c *gin.Context) {
	r, ok := s.roll(c)
	if !ok {
		return
	}
	p := strings.TrimPrefix(c.Param("path"), "/")
	if len(p) > 64 {
		fail(c, equity.ErrBadTilePath)
		return
	}
	data, full, err := r.Tile(c.Request.Context(), p)
	if err != nil {
		fail(c, err)
		return
	}
	if full {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Header("Cache-Control", "public, max-age=60")
	}
	c.Data(http.StatusOK, "application/octet-stream", data)
}

func b64(h roll.Hash) string { return base64.StdEncoding.EncodeToString(h[:]) }

func b64s(hs []roll.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = b64(h)
	}
	return out
}

// nonNeg parses a non-negative decimal integer (no sign, no leading zeros).
func nonNeg(c *gin.Context, v, name string) (int64, bool) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != v {
		fail(c, fault.ErrInvalid.With("%s must be a non-negative integer", name))
		return 0, false
	}
	return n, true
}

func (s *Server) handleRollEntry(c *gin.Context) {
	r, ok := s.roll(c)
	if !ok {
		return
	}
	i, ok := nonNeg(c, c.Param("index"), "index")
	if !ok {
		return
	}
	e, err := r.Entry(c.Request.Context(), i)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "public, max-age=31536000, immutable")
	c.JSON(http.StatusOK, gin.H{"index": e.Index, "kind": e.Kind, "ref_id": e.RefID,
		"leaf": base64.StdEncoding.EncodeToString(e.Leaf), "leaf_hash": b64(e.LeafHash)})
}

func (s *Server) handleRollInclusion(c *gin.Context) {
	r, ok := s.roll(c)
	if !ok {
		return
	}
	i, ok := nonNeg(c, c.Query("index"), "index")
	if !ok {
		return
	}
	n, ok := nonNeg(c, c.Query("size"), "size")
	if !ok {
		return
	}
	lh, proof, err := r.InclusionProof(c.Request.Context(), i, n)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "public, max-age=31536000, immutable")
	c.JSON(http.StatusOK, gin.H{"index": i, "size": n, "leaf_hash": b64(lh), "proof": b64s(proof)})
}

func (s *Server) handleRollConsistency(c *gin.Context) {
	r, ok := s.roll(c)
	if !ok {
		return
	}
	from, ok := nonNeg(c, c.Query("from"), "from")
	if !ok {
		return
	}
	to, ok := nonNeg(c, c.Query("to"), "to")
	if !ok {
		return
	}
	proof, err := r.ConsistencyProof(c.Request.Context(), from, to)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "public, max-age=31536000, immutable")
	c.JSON(http.StatusOK, gin.H{"from": from, "to": to, "proof": b64s(proof)})
}
