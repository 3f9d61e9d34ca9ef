package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"copyhold/labeling"
	"copyhold/labeling/fault"
	"copyhold/labeling/importer"
	"copyhold/labeling/tasktype"

	"github.com/gin-gonic/gin"
)

// handleNextTask gives the caller their next task in a project, or their
// current one if they still hold a live lease. The claim's first read
// checks what s.project would (the project, whether the caller may see it)
// with the project's status and the membership, so nothing is read before.
func (s *Server) handleNextTask(c *gin.Context) {
	m, _ := currentMember(c)
	id, ok := idParam(c, "id")
	if !ok {
		return
	}
	t, err := s.leases.ClaimNext(c.Request.Context(), m.ID, id, seesAllProjects(m))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, t)
}

type leaseRequest struct {
	LeaseToken string          `json:"lease_token"`
	ActiveMs   int64           `json:"active_ms"`
	Answer     json.RawMessage `json:"answer"`
	Reason     string          `json:"reason"`
}

func bindLease(c *gin.Context) (leaseRequest, bool) {
	var req leaseRequest
	if !bindJSON(c, &req) {
		return req, false
	}
	if req.LeaseToken == "" {
		fail(c, fault.ErrInvalid.With("lease_token is required"))
		return req, false
	}
	return req, true
}

func (s *Server) handleHeartbeat(c *gin.Context) {
	m, _ := currentMember(c)
	req, ok := bindLease(c)
	if !ok {
		return
	}
	exp, err := s.leases.Heartbeat(c.Request.Context(), m.ID, req.LeaseToken, req.ActiveMs)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"lease_expires_at": exp})
}

func (s *Server) handleDraft(c *gin.Context) {
	m, _ := currentMember(c)
	req, ok := bindLease(c)
	if !ok {
		return
	}
	if _, err := s.leases.SaveDraft(c.Request.Context(), m.ID, req.LeaseToken, req.Answer); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) handleRelease(c *gin.Context) {
	m, _ := currentMember(c)
	req, ok := bindLease(c)
	if !ok {
		return
	}
	if err := s.leases.Release(c.Request.Context(), m.ID, req.LeaseToken); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) handleSkip(c *gin.Context) {
	m, _ := currentMember(c)
	req, ok := bindLease(c)
	if !ok {
		return
	}
	if err := s.leases.Skip(c.Request.Context(), m.ID, req.LeaseToken, req.Reason); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// handleSubmit stores an answer. The client's idempotency key makes retries
// safe: the same key and body return the stored submission, a different
// body under the same key is a 409.
func (s *Server) handleSubmit(c *gin.Context) {
	m, _ := currentMember(c)
	raw, err := io.ReadAll(c.Request.Body)
	if err != nil {
		fail(c, decodeError(err))
		return
	}
	var req labeling.SubmitRequest
	if err := strictUnmarshal(raw, &req); err != nil {
		fail(c, err)
		return
	}
	sum := sha256.Sum256(raw)
	req.BodyHash = hex.EncodeToString(sum[:])
	sub, err := s.work.Submit(c.Request.Context(), m.ID, req)
	if err != nil {
		fail(c, err)
		return
	}
	status := http.StatusCreated
	if sub.Replayed {
		status = http.StatusOK
	}
	c.JSON(status, sub)
}

func (s *Server) handleMySettings(c *gin.Context) {
	m, _ := currentMember(c)
	n, err := s.leases.SensitiveCap(c.Request.Context(), m.ID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"sensitive_daily_cap": n, "coop_sensitive_max": labeling.CoopSensitiveDailyCap})
}

type settingsRequest struct {
	SensitiveDailyCap *int `json:"sensitive_daily_cap"`
}

func (s *Server) handleUpdateMySettings(c *gin.Context) {
	m, _ := currentMember(c)
	var req settingsRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.SensitiveDailyCap != nil {
		if err := s.leases.SetSensitiveCap(c.Request.Context(), m.ID, *req.SensitiveDailyCap); err != nil {
			fail(c, err)
			return
		}
	}
	s.handleMySettings(c)
}

// maxImportBytes bounds one upload; the importer streams, so memory does not grow with it.
const maxImportBytes = 200 << 20

func (s *Server) handleImport(c *gin.Context) {
	actor, _ := currentMember(c)
	id, ok := idParam(c, "id")
	if !ok {
		return
	}
	format := strings.ToLower(c.Query("format"))
	switch format {
	case "", "jsonl", "csv", "labelstudio":
	default:
		fail(c, fault.ErrInvalid.With("format must be jsonl, csv or labelstudio"))
		return
	}
	opts, err := importOptions(c)
	if err != nil {
		fail(c, err)
		return
	}
	rep, err := s.projects.ImportItemsWith(c.Request.Context(), &actor.ID, id, c.Request.Body, importer.Request{Format: format, Filename: c.Query("filename"), Options: opts})
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail(c, errBodyTooLarge.With("imports are at most %d MB; split the file", maxImportBytes>>20))
			return
		}
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, rep)
}

// importOptions reads the import's options from the query: annotations
// (predictions, prior, gold, drop), id_field, gold_field, priority and
// sensitive.
func importOptions(c *gin.Context) (importer.Options, error) {
	o := importer.Options{Annotations: c.Query("annotations"), IDField: c.Query("id_field"), GoldField: c.Query("gold_field")}
	if v := c.Query("priority"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return o, fault.ErrInvalid.With("priority must be a whole number, not %q", v)
		}
		o.Priority = n
	}
	switch v := c.Query("sensitive"); v {
	case "", "false", "0":
	case "true", "1":
		o.Sensitive = true
	default:
		return o, fault.ErrInvalid.With("sensitive must be true or false, not %q", v)
	}
	return o, importer.CheckOptions(o)
}

type schemaRequest struct {
	TaskType string          `json:"task_type"`
	Schema   json.RawMessage `json:"schema"`
}

func (s *Server) handleValidateSchema(c *gin.Context) {
	var req schemaRequest
	if !bindJSON(c, &req) {
		return
	}
	tt, err := tasktype.ParseTaskType(req.TaskType)
	if err != nil {
		fail(c, err)
		return
	}
	norm, err := tasktype.ValidateSchema(tt, req.Schema)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"task_type": tt, "schema": norm})
}

type lsConfigRequest struct {
	XML string `json:"xml"`
}

func (s *Server) handleLSConfig(c *gin.Context) {
	var req lsConfigRequest
	if !bindJSON(c, &req) {
		return
	}
	tt, schema, err := importer.ParseLSConfig([]byte(req.XML))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"task_type": tt, "schema": schema})
}

// handleProjectLSConfig answers a project's Label Studio labelling config:
// the one it was made from (stored: true) or the one generated from its
// schema, with the names its Label Studio exports use.
func (s *Server) handleProjectLSConfig(c *gin.Context) {
	id, ok := idParam(c, "id")
	if !ok {
		return
	}
	x, stored, err := s.projects.LSConfig(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"project_id": id, "config": x, "stored": stored})
}
