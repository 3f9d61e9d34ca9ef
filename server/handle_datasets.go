package server

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"copyhold/labeling/dataset"
	"copyhold/labeling/fault"
	"copyhold/labeling/page"

	"github.com/gin-gonic/gin"
)

// Datasets out over HTTP: snapshots, their exports as downloads, releases,
// evaluations and the leaderboard, and the personal data export.
//
// An export is written once per (snapshot, format) to a cache file and
// served from it with http.ServeContent: a retried or ranged download reads
// the same bytes without re-running the export or holding it in memory,
// and the export is re-hashed against the snapshot before the file is
// published, so a corrupt snapshot never reaches a client. The price is the
// first download's latency (the whole export is written before the first
// byte goes out) and disk space under the cache folder (ExportCache).

var errExportsOff = fault.New(fault.KindUnavailable, "exports_unavailable", "snapshot downloads are not configured on this server")

// exportFile names one cache entry: a snapshot in one format.
type exportFile struct {
	key, ext, etag, name, contentType string
}

func exportFileFor(snap dataset.Snapshot, f dataset.ExportFormat, set dataset.ExportSettings) exportFile {
	etag := fmt.Sprintf(`"sha256:%s:%s:%s"`, snap.Hash, snap.Mode, f)
	if f == dataset.ExportHF { // the archive holds the card with the snapshot's time
		etag = fmt.Sprintf(`"sha256:%s:%s:%s:%d"`, snap.Hash, snap.Mode, f, snap.ID)
	}
	if key := set.Key(); key != "" { // options give other bytes: another entry
		opt := sha256.Sum256([]byte(key))
		etag = strings.TrimSuffix(etag, `"`) + ":" + hex.EncodeToString(opt[:8]) + `"`
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d\x00%d", etag, snap.ID, snap.CreatedAt.UnixNano()))
	ext, ct := ".jsonl", "application/x-ndjson"
	switch f {
	case dataset.ExportLabelStudio:
		ext, ct = ".json", "application/json"
	case dataset.ExportCSV, dataset.ExportLong:
		ext, ct = ".csv", "text/csv; charset=utf-8"
	case dataset.ExportHF:
		ext, ct = ".tar", "application/x-tar"
	}
	return exportFile{key: hex.EncodeToString(sum[:16]), ext: ext, etag: etag,
		name: fmt.Sprintf("snapshot-%d-%s%s", snap.ID, f, ext), contentType: ct}
}

// openExport returns the export and its manifest from the cache, writing
// them first unless they are there. The caller closes both.
func (s *Server) openExport(c *gin.Context, id int64, f dataset.ExportFormat) (ef exportFile, data, manifest *os.File, ok bool) {
	if s.cfg.Exports == nil {
		fail(c, errExportsOff)
		return ef, nil, nil, false
	}
	set, err := dataset.ParseExportSettings(c.Query)
	if err != nil {
		fail(c, err)
		return ef, nil, nil, false
	}
	ctx := c.Request.Context()
	snap, err := s.datasets.CheckSnapshotExportWith(ctx, id, f, set)
	if err != nil {
		fail(c, err)
		return ef, nil, nil, false
	}
	ef = exportFileFor(snap, f, set)
	data, manifest, err = s.cfg.Exports.open(ef.key, ef.ext, func(data, manifest *os.File, scratch string) error {
		m, err := s.datasets.ExportSnapshot(ctx, id, dataset.ExportRequest{Format: f, Publisher: "copyhold co-operative", TempDir: scratch, Settings: set}, data)
		if err != nil {
			return err
		}
		return dataset.WriteManifest(manifest, m)
	})
	if err != nil {
		fail(c, err)
		return ef, nil, nil, false
	}
	return ef, data, manifest, true
}

func exportFormatParam(c *gin.Context) (dataset.ExportFormat, bool) {
	f, err := dataset.ParseExportFormat(c.Query("format"))
	if err != nil {
		fail(c, err)
		return "", false
	}
	return f, true
}

// handleExportSnapshot: GET /api/snapshots/:id/export?format=F — a download
// with an ETag, resumable with Range.
func (s *Server) handleExportSnapshot(c *gin.Context) {
	id, ok := idParam(c, "id")
	if !ok {
		return
	}
	f, ok := exportFormatParam(c)
	if !ok {
		return
	}
	ef, file, manifest, ok := s.openExport(c, id, f)
	if !ok {
		return
	}
	defer file.Close()
	manifest.Close()
	st, err := file.Stat()
	if err != nil {
		fail(c, err)
		return
	}
	h := c.Writer.Header()
	h.Set("ETag", ef.etag)
	h.Set("Content-Type", ef.contentType)
	h.Set("Content-Disposition", `attachment; filename="`+ef.name+`"`)
	h.Set("Cache-Control", "private, max-age=31536000, immutable")
	link := fmt.Sprintf("/api/snapshots/%d/manifest?format=%s", id, f)
	if q := c.Request.URL.Query(); len(q) > 1 {
		q.Del("format")
		link += "&" + q.Encode()
	}
	h.Set("Link", "<"+link+`>; rel="describedby"`)
	http.ServeContent(c.Writer, c.Request, "", st.ModTime(), file)
}

// handleSnapshotManifest: GET /api/snapshots/:id/manifest?format=F — the
// provenance and labour manifest of that export.
func (s *Server) handleSnapshotManifest(c *gin.Context) {
	id, ok := idParam(c, "id")
	if !ok {
		return
	}
	f, ok := exportFormatParam(c)
	if !ok {
		return
	}
	ef, data, manifest, ok := s.openExport(c, id, f)
	if !ok {
		return
	}
	data.Close()
	defer manifest.Close()
	b, err := io.ReadAll(manifest)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("ETag", ef.etag)
	c.Data(http.StatusOK, "application/json", b)
}

func (s *Server) handleCreateSnapshot(c *gin.Context) {
	actor, _ := currentMember(c)
	var req dataset.SnapshotRequest
	if !bindJSON(c, &req) {
		return
	}
	snap, err := s.datasets.CreateSnapshot(c.Request.Context(), &actor.ID, req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, snap)
}

func queryModel(c *gin.Context) (int64, bool) {
	v := c.Query("model_id")
	if v == "" {
		return 0, true
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		fail(c, fault.ErrInvalid.With("model_id must be a positive integer"))
		return 0, false
	}
	return id, true
}

// handleListSnapshots: GET /api/snapshots?model_id=&cursor=&limit= — a
// page of snapshots, newest first, and the export formats.
func (s *Server) handleListSnapshots(c *gin.Context) {
	modelID, ok := queryModel(c)
	if !ok {
		return
	}
	list := "snapshots:" + strconv.FormatInt(modelID, 10)
	p, ok := readPage(c, list)
	if !ok {
		return
	}
	snaps, err := s.datasets.Snapshots(c.Request.Context(), modelID, p)
	if err != nil {
		fail(c, err)
		return
	}
	out := pageOf(list, p, snaps, func(x dataset.Snapshot) page.Key { return byID(x.ID) })
	out["formats"] = dataset.ExportFormats()
	c.JSON(http.StatusOK, out)
}

func (s *Server) handleGetSnapshot(c *gin.Context) {
	id, ok := idParam(c, "id")
	if !ok {
		return
	}
	snap, err := s.datasets.Snapshot(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	formats := []dataset.ExportFormat{}
	for _, f := range dataset.ExportFormats() {
		rows := f
		if f == dataset.ExportHF {
			rows = dataset.ExportHFRowFormatFor(snap.TaskType, snap.SnapshotSchemas())
		}
		if dataset.CheckExportFormat(f, snap.TaskType, "") == nil &&
			dataset.CheckExportSchemas(rows, snap.TaskType, snap.SnapshotSchemas(), dataset.ExportSettings{}, "") == nil {
			formats = append(formats, f)
		}
	}
	c.JSON(http.StatusOK, gin.H{"snapshot": snap, "formats": formats})
}

// handleCreateRelease: POST /api/releases — from the app or, with a
// coordinator's API token, from a training job. A retry with the same body
// answers 200 with "replayed": true.
func (s *Server) handleCreateRelease(c *gin.Context) {
	actor, _ := currentMember(c)
	var req dataset.ReleaseRequest
	if !bindJSON(c, &req) {
		return
	}
	r, err := s.datasets.CreateRelease(c.Request.Context(), &actor.ID, req)
	if err != nil {
		fail(c, err)
		return
	}
	status := http.StatusCreated
	if r.Replayed {
		status = http.StatusOK
	}
	c.JSON(status, r)
}

// handleListReleases: GET /api/releases?model_id=&cursor=&limit= — a page
// of releases, oldest first.
func (s *Server) handleListReleases(c *gin.Context) {
	modelID, ok := queryModel(c)
	if !ok {
		return
	}
	list := "releases:" + strconv.FormatInt(modelID, 10)
	p, ok := readPage(c, list)
	if !ok {
		return
	}
	rels, err := s.datasets.Releases(c.Request.Context(), modelID, p)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageOf(list, p, rels, func(r dataset.Release) page.Key { return byID(r.ID) }))
}

func (s *Server) handleGetRelease(c *gin.Context) {
	id, ok := idParam(c, "id")
	if !ok {
		return
	}
	r, err := s.datasets.ModelRelease(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

// handleMyReleases: GET /api/me/releases?cursor=&limit= — a page of the
// releases trained on the caller's work, newest first.
func (s *Server) handleMyReleases(c *gin.Context) {
	me, _ := currentMember(c)
	p, ok := readPage(c, "my-releases")
	if !ok {
		return
	}
	rels, err := s.datasets.MyReleases(c.Request.Context(), me.ID, p)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, pageOf("my-releases", p, rels, func(r dataset.Release) page.Key { return byID(r.ID) }))
}

func (s *Server) handleCreateEvaluation(c *gin.Context) {
	actor, _ := currentMember(c)
	var req dataset.EvaluationRequest
	if !bindJSON(c, &req) {
		return
	}
	ev, p, err := s.datasets.CreateEvaluation(c.Request.Context(), &actor.ID, req)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"evaluation": ev, "project": p})
}

func (s *Server) handleLeaderboard(c *gin.Context) {
	id, ok := idParam(c, "id")
	if !ok {
		return
	}
	lb, err := s.datasets.Leaderboard(c.Request.Context(), id, dataset.BTOptions{Seed: 1})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, lb)
}

// handleMyExport: GET /api/me/export?format=json|csv — everything the
// member contributed and their ledger history, streamed.
func (s *Server) handleMyExport(c *gin.Context) {
	me, _ := currentMember(c)
	format := c.DefaultQuery("format", "json")
	if format != "json" && format != "csv" {
		fail(c, dataset.ErrDataExportFormat.With("format is json or csv, not %q", format))
		return
	}
	ct := "application/json"
	if format == "csv" {
		ct = "text/csv; charset=utf-8"
	}
	c.Header("Content-Type", ct)
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="copyhold-my-data-%d.%s"`, me.ID, format))
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	if err := s.datasets.ExportMyData(c.Request.Context(), me.ID, format, c.Writer); err != nil {
		// The status is sent; a broken stream is all the client can get now.
		if clientGone(c, err) {
			s.log.Info("client disconnected during personal export", "member", me.ID, "err", err, "request_id", c.GetString("request_id"))
			c.Abort()
			return
		}
		s.log.Error("personal export failed", "member", me.ID, "err", err, "request_id", c.GetString("request_id"))
		c.Abort()
	}
}
