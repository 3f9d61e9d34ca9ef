package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"copyhold/equity"
	"copyhold/labeling"
	"copyhold/labeling/event"
	"copyhold/labeling/fault"

	"gorm.io/gorm"
)

// Snapshots: the accepted annotations of one or more projects, frozen as
// canonical rows (labeling.ExportCanonicalRow) in snapshot_rows, hashed with
// labeling.SnapshotHasher in item-id order, with the rate cards, the
// register head, the labour behind the data and the units issued for it.
// Exports read only the frozen rows. Tables are append-only (migration
// 00006); a snapshot is sealed (hash set) in the transaction that writes it.

// snapshotChunk is how many items one round of snapshot reads covers.
const snapshotChunk = 1000

type snapAnn struct {
	SubmissionID int64
	ItemID       int64
	MemberID     int64
	Answer       string
	LeadTimeMs   int64
	Status       string
	Corrected    *string
}

type snapMember struct {
	name        string
	named       bool
	annotations int64
	units       int64
}

// CreateSnapshot freezes the accepted annotations of the request's projects.
func (s *Datasets) CreateSnapshot(ctx context.Context, actor *int64, req labeling.SnapshotRequest) (labeling.Snapshot, error) {
	req, err := req.Check()
	if err != nil {
		return labeling.Snapshot{}, err
	}
	var id int64
	// REPEATABLE READ on PostgreSQL: every chunk reads the same moment. The
	// transaction writes only rows nobody else writes, so it does not conflict.
	opts := &sql.TxOptions{}
	if isPostgres(s.db) {
		opts.Isolation = sql.LevelRepeatableRead
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		id, err = s.createSnapshot(tx, actor, req)
		return err
	}, opts)
	if err != nil {
		return labeling.Snapshot{}, err
	}
	return s.Snapshot(ctx, id)
}

func (s *Datasets) createSnapshot(tx *gorm.DB, actor *int64, req labeling.SnapshotRequest) (int64, error) {
	var model []int64
	if err := tx.Raw("SELECT id FROM models WHERE id = ?", req.ModelID).Scan(&model).Error; err != nil {
		return 0, err
	}
	if len(model) == 0 {
		return 0, fault.ErrNotFound.With("model %d not found", req.ModelID)
	}
	var projects []projectRow
	if err := tx.Where("id IN ?", req.ProjectIDs).Order("id").Find(&projects).Error; err != nil {
		return 0, err
	}
	byID := map[int64]projectRow{}
	for _, p := range projects {
		byID[p.ID] = p
	}
	var tt labeling.TaskType
	for _, pid := range req.ProjectIDs {
		p, ok := byID[pid]
		if !ok {
			return 0, fault.ErrNotFound.With("project %d not found", pid)
		}
		if p.ModelID != req.ModelID {
			return 0, labeling.ErrSnapshotProject.With("project %d (%s) belongs to model %d, not %d", p.ID, p.Name, p.ModelID, req.ModelID)
		}
		if tt == "" {
			tt = labeling.TaskType(p.TaskType)
		} else if string(tt) != p.TaskType {
			return 0, labeling.ErrSnapshotMixed.With("project %d is %s but the others are %s: snapshot them separately", p.ID, p.TaskType, tt)
		}
	}
	var head []struct {
		Seq  int64
		Hash string
	}
	if err := tx.Raw("SELECT seq, hash FROM equity_log_head WHERE id = 1").Scan(&head).Error; err != nil {
		return 0, err
	}
	if len(head) == 0 {
		return 0, fmt.Errorf("equity log head row missing")
	}
	cards, err := snapshotRateCards(tx, req.ProjectIDs)
	if err != nil {
		return 0, err
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	snap := snapshotRow{ModelID: req.ModelID, Mode: string(req.Mode), TaskType: string(tt), LedgerSeq: head[0].Seq,
		LedgerHead: head[0].Hash, RateCards: string(cards), Provenance: "{}", Salt: hex.EncodeToString(salt),
		CreatedBy: actor, CreatedAt: s.clock()}
	if err := tx.Create(&snap).Error; err != nil {
		return 0, err
	}
	schemas := map[int64]json.RawMessage{}
	for _, p := range projects {
		schemas[p.ID] = json.RawMessage(p.Schema)
		if err := tx.Exec("INSERT INTO snapshot_projects (snapshot_id, project_id, name, task_type, schema) VALUES (?, ?, ?, ?, ?)",
			snap.ID, p.ID, p.Name, p.TaskType, p.Schema).Error; err != nil {
			return 0, err
		}
	}

	b := &snapshotBuilder{tx: tx, snap: &snap, tt: tt, schemas: schemas, projects: req.ProjectIDs,
		hasher: labeling.NewSnapshotHasher(), members: map[int64]*snapMember{}}
	// The labour figures come from a writer that sees every annotation,
	// rejected and pending ones too (they are never frozen or written).
	b.labour, err = labeling.NewExportWriter(io.Discard, labeling.ExportOptions{Format: labeling.ExportJSONL, TaskType: tt, AllAnnotations: true})
	if err != nil {
		return 0, err
	}
	if err := b.run(); err != nil {
		return 0, err
	}
	if b.rows == 0 {
		return 0, labeling.ErrSnapshotEmpty.With("projects %s have no accepted annotations yet: nothing to snapshot", joinIDs(req.ProjectIDs))
	}
	if err := b.labour.Close(); err != nil {
		return 0, err
	}
	prov := labeling.SnapshotProvenance{Labour: b.labour.Stats().Labour, UnitsIssued: equity.Format(b.units, equity.UnitScale)}
	if b.agreeN > 0 {
		prov.Agreement = &labeling.ExportAgreement{Metric: b.metric, Units: int(b.agreeN),
			Value: decimalBP(b.agreeSum, b.agreeN)}
	}
	provJSON, _ := json.Marshal(prov)
	ids := make([]int64, 0, len(b.members))
	for id := range b.members {
		ids = append(ids, id)
	}
	for _, mid := range sortedIDs(ids) {
		m := b.members[mid]
		if err := tx.Exec("INSERT INTO snapshot_members (snapshot_id, member_id, name, named, annotations, units) VALUES (?, ?, ?, ?, ?, ?)",
			snap.ID, mid, m.name, m.named, m.annotations, m.units).Error; err != nil {
			return 0, err
		}
	}
	hash := b.hasher.Sum()
	if err := tx.Exec("UPDATE snapshots SET hash = ?, items = ?, annotations = ?, contributors = ?, provenance = ? WHERE id = ?",
		hash, b.rows, b.anns, len(b.members), string(provJSON), snap.ID).Error; err != nil {
		return 0, err
	}
	return snap.ID, event.Append(tx, "snapshot.created", event.CoopScope, actor, map[string]any{
		"snapshot_id": snap.ID, "model_id": req.ModelID, "project_ids": req.ProjectIDs, "mode": req.Mode,
		"hash": hash, "items": b.rows, "annotations": b.anns, "ledger_head": head[0].Hash})
}

type snapshotRow struct {
	ID         int64 `gorm:"primaryKey"`
	ModelID    int64
	Mode       string
	TaskType   string
	Hash       string
	LedgerSeq  int64
	LedgerHead string
	RateCards  string
	Provenance string
	Salt       string
	CreatedBy  *int64
	CreatedAt  time.Time
}

func (snapshotRow) TableName() string { return "snapshots" }

// snapshotBuilder walks the projects' items in id order, a chunk at a time.
type snapshotBuilder struct {
	tx       *gorm.DB
	snap     *snapshotRow
	tt       labeling.TaskType
	schemas  map[int64]json.RawMessage
	projects []int64
	hasher   *labeling.SnapshotHasher
	labour   labeling.ExportWriter
	members  map[int64]*snapMember

	rows, anns, units int64
	agreeSum, agreeN  int64
	metric            string
}

func (b *snapshotBuilder) run() error {
	var after int64
	for {
		var items []struct {
			ID         int64
			ProjectID  int64
			ExternalID string
			Data       string
		}
		if err := b.tx.Raw(`SELECT id, project_id, external_id, data FROM items
            WHERE project_id IN ? AND status <> 'gold' AND id > ? ORDER BY id LIMIT ?`,
			b.projects, after, snapshotChunk).Scan(&items).Error; err != nil {
			return err
		}
		if len(items) == 0 {
			return nil
		}
		lo, hi := items[0].ID, items[len(items)-1].ID
		after = hi
		var anns []snapAnn
		if err := b.tx.Raw(`SELECT s.id AS submission_id, s.item_id, s.member_id, s.answer, s.lead_time_ms, s.status,
    (SELECT d.corrected_answer FROM review_decisions d WHERE d.submission_id = s.id AND d.decision = 'correct' ORDER BY d.id DESC LIMIT 1) AS corrected
FROM submissions s WHERE s.item_id BETWEEN ? AND ? AND s.project_id IN ? AND NOT s.is_gold ORDER BY s.item_id, s.id`,
			lo, hi, b.projects).Scan(&anns).Error; err != nil {
			return err
		}
		if err := b.loadMembers(anns); err != nil {
			return err
		}
		if err := b.tallyUnits(lo, hi); err != nil {
			return err
		}
		if err := b.tallyAgreement(lo, hi); err != nil {
			return err
		}
		var batch []any
		j := 0
		for _, it := range items {
			for j < len(anns) && anns[j].ItemID < it.ID {
				j++
			}
			k := j
			for k < len(anns) && anns[k].ItemID == it.ID {
				k++
			}
			row, err := b.row(it.ID, b.schemas[it.ProjectID], it.ExternalID, it.Data, anns[j:k])
			j = k
			if err != nil {
				return err
			}
			if row == nil {
				continue
			}
			row.Schema = b.schemas[it.ProjectID]
			canon, err := labeling.ExportCanonicalRow(*row)
			if err != nil {
				return err
			}
			if err := b.hasher.Add(*row); err != nil {
				return err
			}
			b.rows++
			batch = append(batch, b.snap.ID, it.ID, it.ProjectID, string(canon))
		}
		if err := insertSnapshotRows(b.tx, batch); err != nil {
			return err
		}
	}
}

func insertSnapshotRows(tx *gorm.DB, args []any) error {
	if len(args) == 0 {
		return nil
	}
	n := len(args) / 4
	q := "INSERT INTO snapshot_rows (snapshot_id, item_id, project_id, body) VALUES " +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?), ", n), ", ")
	return tx.Exec(q, args...).Error
}

// row builds an item's frozen row from its submissions, or nil when none
// is accepted. It also feeds the labour tally with all of them.
func (b *snapshotBuilder) row(itemID int64, schema json.RawMessage, externalID, data string, subs []snapAnn) (*labeling.ExportRow, error) {
	all := make([]labeling.ExportAnnotation, 0, len(subs))
	var accepted []labeling.ExportAnnotation
	var correctedAt = -1
	for _, a := range subs {
		m := b.members[a.MemberID]
		ann := labeling.ExportAnnotation{Annotator: m.name, Answer: json.RawMessage(a.Answer), LeadTimeMs: a.LeadTimeMs, Status: a.Status}
		switch labeling.SubmissionStatus(a.Status) {
		case labeling.SubmissionCorrected:
			// The reviewer's answer is the item's answer; it is what trains.
			if a.Corrected != nil {
				ann.Answer = json.RawMessage(*a.Corrected)
			}
			correctedAt = len(accepted)
			fallthrough
		case labeling.SubmissionAccepted:
			accepted = append(accepted, ann)
			m.annotations++
			b.anns++
		}
		all = append(all, ann)
	}
	if err := b.labour.Write(labeling.ExportRow{ItemID: itemID, TaskType: b.tt, Schema: schema, Data: json.RawMessage(data), Annotations: all}); err != nil {
		return nil, err
	}
	if len(accepted) == 0 {
		return nil, nil
	}
	row := &labeling.ExportRow{ItemID: itemID, ExternalID: externalID, TaskType: b.tt, Data: json.RawMessage(data), Annotations: accepted}
	if labeling.SnapshotMode(b.snap.Mode) == labeling.SnapshotConsensus {
		row.Answer, row.Annotator, row.Confidence = consensusOf(b.tt, accepted, correctedAt)
	}
	return row, nil
}

// consensusOf is an item's one answer: the (last) correction, the single
// accepted answer, or the strict majority of accepted answers by answer
// key (an anonymous consensus with its share as confidence); nil on a tie.
func consensusOf(tt labeling.TaskType, accepted []labeling.ExportAnnotation, correctedAt int) (json.RawMessage, string, string) {
	if correctedAt >= 0 {
		a := accepted[correctedAt]
		return a.Answer, a.Annotator, ""
	}
	if len(accepted) == 1 {
		return accepted[0].Answer, accepted[0].Annotator, ""
	}
	counts := map[string]int{}
	first := map[string]int{}
	for i, a := range accepted {
		key, err := labeling.AnswerKey(tt, a.Answer)
		if err != nil {
			return accepted[0].Answer, accepted[0].Annotator, "" // no key (rewrite): the first demonstration
		}
		l := labeling.ConsensusLabel(tt, key)
		if _, ok := first[l]; !ok {
			first[l] = i
		}
		counts[l]++
	}
	best, bestN, tie := "", 0, false
	for l, n := range counts {
		switch {
		case n > bestN:
			best, bestN, tie = l, n, false
		case n == bestN:
			tie = true
		}
	}
	if tie {
		return nil, "", ""
	}
	return accepted[first[best]].Answer, "", decimalBP(int64(bestN)*10_000, int64(len(accepted)))
}

// loadMembers resolves new members' names: their display name when they
// chose to be named (equity_member_privacy.hidden = false), otherwise a
// pseudonym keyed by the snapshot's salt.
func (b *snapshotBuilder) loadMembers(anns []snapAnn) error {
	var ids []int64
	for _, a := range anns {
		if _, ok := b.members[a.MemberID]; !ok {
			b.members[a.MemberID] = nil
			ids = append(ids, a.MemberID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var rows []struct {
		ID          int64
		DisplayName string
		Hidden      *bool
	}
	if err := b.tx.Raw(`SELECT m.id, m.display_name, p.hidden FROM members m
        LEFT JOIN equity_member_privacy p ON p.member_id = m.id WHERE m.id IN ?`, ids).Scan(&rows).Error; err != nil {
		return err
	}
	for _, r := range rows {
		m := &snapMember{name: labeling.ContributorPseudonym(b.snap.Salt, r.ID)}
		if r.Hidden != nil && !*r.Hidden {
			m.name, m.named = r.DisplayName, true
		}
		b.members[r.ID] = m
	}
	for _, id := range ids {
		if b.members[id] == nil {
			return fmt.Errorf("snapshot: member %d of a submission not found", id)
		}
	}
	return nil
}

// tallyUnits sums what vested for the chunk's accepted submissions: the
// positive legs of their vest, correct and reinstate transactions other than
// pending and issuance, i.e. the labeller's share and the reviewer credits.
// Read-only SQL over the register.
func (b *snapshotBuilder) tallyUnits(lo, hi int64) error {
	var legs []struct {
		MemberID int64
		Account  string
		Amount   int64
	}
	if err := b.tx.Raw(`SELECT t.member_id, p.account, p.amount
FROM submissions s
JOIN equity_transactions t ON t.submission_id = s.id AND t.kind IN ('vest', 'correct', 'reinstate')
JOIN equity_postings p ON p.tx_id = t.id
WHERE s.item_id BETWEEN ? AND ? AND s.project_id IN ? AND NOT s.is_gold AND s.status IN ('accepted', 'corrected')
  AND p.amount > 0 AND p.account <> 'issuance' AND p.account NOT LIKE '%:pending'`, lo, hi, b.projects).Scan(&legs).Error; err != nil {
		return err
	}
	for _, l := range legs {
		b.units += l.Amount
		if m := b.members[l.MemberID]; m != nil && strings.HasPrefix(l.Account, "member:"+strconv.FormatInt(l.MemberID, 10)+":") {
			m.units += l.Amount
		}
	}
	return nil
}

// tallyAgreement averages the latest scored round of each item.
func (b *snapshotBuilder) tallyAgreement(lo, hi int64) error {
	var rs []struct {
		ItemID      int64
		Metric      string
		AgreementBP int64 `gorm:"column:agreement_bp"`
	}
	if err := b.tx.Raw(`SELECT r.item_id, r.metric, r.agreement_bp FROM item_reviews r
WHERE r.item_id BETWEEN ? AND ? AND r.project_id IN ? AND r.kind = 'item' AND r.agreement_bp IS NOT NULL
  AND r.id = (SELECT MAX(x.id) FROM item_reviews x WHERE x.item_id = r.item_id AND x.kind = 'item' AND x.agreement_bp IS NOT NULL)`,
		lo, hi, b.projects).Scan(&rs).Error; err != nil {
		return err
	}
	for _, r := range rs {
		b.agreeSum += r.AgreementBP
		b.agreeN++
		if b.metric == "" {
			b.metric = r.Metric
		}
	}
	return nil
}

// snapshotRateCards are the rate cards in force for the projects (the
// latest version of each), as JSON with decimal-string amounts.
func snapshotRateCards(tx *gorm.DB, projects []int64) ([]byte, error) {
	var rows []struct {
		ID                   int64
		ProjectID            int64
		Version              int
		AnnotationAccepted   int64
		Correction           int64
		ReviewDecision       int64
		CorrectionLabellerBP int `gorm:"column:correction_labeller_bp"`
		Difficulty           string
		CreatedAt            time.Time
	}
	if err := tx.Raw(`SELECT c.id, c.project_id, c.version, c.annotation_accepted, c.correction, c.review_decision,
    c.correction_labeller_bp, c.difficulty, c.created_at
FROM equity_rate_cards c
WHERE c.project_id IN ? AND c.version = (SELECT MAX(x.version) FROM equity_rate_cards x WHERE x.project_id = c.project_id)
ORDER BY c.project_id`, projects).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(rows))
	for _, r := range rows {
		f := func(v int64) string { return equity.Format(v, equity.UnitScale) }
		diff := json.RawMessage(r.Difficulty)
		if !json.Valid(diff) {
			diff = json.RawMessage("{}")
		}
		out = append(out, map[string]any{"id": r.ID, "project_id": r.ProjectID, "version": r.Version,
			"annotation_accepted": f(r.AnnotationAccepted), "correction": f(r.Correction), "review_decision": f(r.ReviewDecision),
			"correction_labeller_bp": r.CorrectionLabellerBP, "difficulty_bp": diff, "created_at": r.CreatedAt.UTC().Format(time.RFC3339)})
	}
	return json.Marshal(out)
}

// decimalBP is num/den as a decimal with four places (num in basis points
// of den when den is a count): e.g. 7500/1 → "0.7500".
func decimalBP(num, den int64) string {
	if den == 0 {
		return "0.0000"
	}
	// round half away from zero, at 4 places of num/den/10000
	q := (num*2 + den) / (den * 2)
	return fmt.Sprintf("%d.%04d", q/10_000, q%10_000)
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ", ")
}

func sortedIDs(ids []int64) []int64 {
	for i := 1; i < len(ids); i++ {
		for j := i; j > 0 && ids[j] < ids[j-1]; j-- {
			ids[j], ids[j-1] = ids[j-1], ids[j]
		}
	}
	return ids
}

// ---- reading ----

// Snapshot loads one snapshot with its projects.
func (s *Datasets) Snapshot(ctx context.Context, id int64) (labeling.Snapshot, error) {
	return loadSnapshot(s.db.WithContext(ctx), id)
}

type snapshotView struct {
	ID           int64
	ModelID      int64
	Mode         string
	TaskType     string
	Hash         string
	Items        int64
	Annotations  int64
	Contributors int
	LedgerSeq    int64
	LedgerHead   string
	RateCards    string
	Provenance   string
	Salt         string
	CreatedBy    *int64
	CreatedAt    time.Time
}

func (v snapshotView) snapshot() labeling.Snapshot {
	out := labeling.Snapshot{ID: v.ID, ModelID: v.ModelID, Mode: labeling.SnapshotMode(v.Mode), TaskType: labeling.TaskType(v.TaskType),
		Hash: v.Hash, Items: v.Items, Annotations: v.Annotations, Contributors: v.Contributors, LedgerSeq: v.LedgerSeq,
		LedgerHead: v.LedgerHead, RateCards: json.RawMessage(v.RateCards), CreatedBy: v.CreatedBy, CreatedAt: v.CreatedAt.UTC(),
		Projects: []labeling.SnapshotProject{}}
	json.Unmarshal([]byte(v.Provenance), &out.Provenance)
	return out
}

const snapshotCols = `id, model_id, mode, task_type, hash, items, annotations, contributors, ledger_seq, ledger_head,
    rate_cards, provenance, salt, created_by, created_at`

func loadSnapshot(db *gorm.DB, id int64) (labeling.Snapshot, error) {
	var vs []snapshotView
	if err := db.Raw("SELECT "+snapshotCols+" FROM snapshots WHERE id = ? AND hash <> ''", id).Scan(&vs).Error; err != nil {
		return labeling.Snapshot{}, err
	}
	if len(vs) == 0 {
		return labeling.Snapshot{}, labeling.ErrSnapshotNotFound.With("snapshot %d not found", id)
	}
	snap := vs[0].snapshot()
	var ps []struct {
		ProjectID int64
		Name      string
		TaskType  string
		Schema    string
	}
	if err := db.Raw("SELECT project_id, name, task_type, schema FROM snapshot_projects WHERE snapshot_id = ? ORDER BY project_id", id).Scan(&ps).Error; err != nil {
		return labeling.Snapshot{}, err
	}
	for _, p := range ps {
		snap.Projects = append(snap.Projects, labeling.SnapshotProject{ProjectID: p.ProjectID, Name: p.Name,
			TaskType: labeling.TaskType(p.TaskType), Schema: json.RawMessage(p.Schema)})
	}
	return snap, nil
}

// Snapshots lists a model's snapshots (0: every model), newest first.
func (s *Datasets) Snapshots(ctx context.Context, modelID int64) ([]labeling.Snapshot, error) {
	db := s.db.WithContext(ctx)
	q := "SELECT " + snapshotCols + " FROM snapshots WHERE hash <> ''"
	var args []any
	if modelID > 0 {
		q += " AND model_id = ?"
		args = append(args, modelID)
	}
	var vs []snapshotView
	if err := db.Raw(q+" ORDER BY id DESC LIMIT 500", args...).Scan(&vs).Error; err != nil {
		return nil, err
	}
	out := make([]labeling.Snapshot, 0, len(vs))
	ids := make([]int64, len(vs))
	for i, v := range vs {
		out = append(out, v.snapshot())
		ids[i] = v.ID
	}
	if len(ids) > 0 {
		var ps []struct {
			SnapshotID int64
			ProjectID  int64
			Name       string
			TaskType   string
		}
		if err := db.Raw("SELECT snapshot_id, project_id, name, task_type FROM snapshot_projects WHERE snapshot_id IN ? ORDER BY project_id", ids).Scan(&ps).Error; err != nil {
			return nil, err
		}
		for _, p := range ps {
			for i := range out {
				if out[i].ID == p.SnapshotID {
					out[i].Projects = append(out[i].Projects, labeling.SnapshotProject{ProjectID: p.ProjectID, Name: p.Name, TaskType: labeling.TaskType(p.TaskType)})
				}
			}
		}
	}
	return out, nil
}

// SnapshotContributors are the snapshot's members under their frozen names.
func (s *Datasets) SnapshotContributors(ctx context.Context, id int64) ([]labeling.ExportContributor, error) {
	var rows []struct {
		Name        string
		Named       bool
		Annotations int64
		Units       int64
	}
	if err := s.db.WithContext(ctx).Raw("SELECT name, named, annotations, units FROM snapshot_members WHERE snapshot_id = ? ORDER BY annotations DESC, name", id).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]labeling.ExportContributor, len(rows))
	for i, r := range rows {
		out[i] = labeling.ExportContributor{Name: r.Name, Named: r.Named, Annotations: r.Annotations, Units: equity.Format(r.Units, equity.UnitScale)}
	}
	return out, nil
}

// ---- exporting ----

// SnapshotExport configures ExportSnapshot.
type SnapshotExport struct {
	Format    labeling.ExportFormat
	Publisher string
	License   string
	Terms     string
	// hf only: the archive kind ("tar" default, or "zip") and the spool folder.
	Archive string
	TempDir string
}

// CheckSnapshotExport says whether the snapshot can be exported in the
// format, before any byte is written.
func (s *Datasets) CheckSnapshotExport(ctx context.Context, id int64, f labeling.ExportFormat) (labeling.Snapshot, error) {
	snap, err := s.Snapshot(ctx, id)
	if err != nil {
		return snap, err
	}
	if snap.Items == 0 {
		return snap, labeling.ErrSnapshotEmpty.With("snapshot %d has no rows", id)
	}
	return snap, labeling.CheckExportFormat(f, snap.TaskType, snap.Name())
}

// ExportSnapshot streams the snapshot's frozen rows to out in the format
// and returns the manifest (the writer's counts added). Memory does not
// grow with the snapshot: one row at a time from a database cursor. The
// stored bytes are re-hashed on the way; a mismatch fails the export
// (snapshot_corrupt) after the bytes were written, so callers that must
// not publish a corrupt export write to a file first (the HTTP cache does).
func (s *Datasets) ExportSnapshot(ctx context.Context, id int64, x SnapshotExport, out io.Writer) (labeling.ExportManifest, error) {
	snap, err := s.CheckSnapshotExport(ctx, id, x.Format)
	if err != nil {
		return labeling.ExportManifest{}, err
	}
	contributors, err := s.SnapshotContributors(ctx, id)
	if err != nil {
		return labeling.ExportManifest{}, err
	}
	m := labeling.ExportManifest{Project: snap.Name(), Publisher: x.Publisher, TaskType: snap.TaskType, Format: x.Format,
		CreatedAt: snap.CreatedAt.Format(time.RFC3339), License: x.License, Terms: x.Terms,
		Description:  fmt.Sprintf("copyhold snapshot %d (%s mode) of model %d", snap.ID, snap.Mode, snap.ModelID),
		SnapshotHash: snap.Hash, LedgerHead: snap.LedgerHead, Contributors: contributors,
		UnitsIssued: snap.Provenance.UnitsIssued, Labour: snap.Provenance.Labour, Agreement: snap.Provenance.Agreement,
		RateCards: snap.RateCards}
	opts := labeling.ExportOptions{Format: x.Format, TaskType: snap.TaskType, Project: snap.Name(),
		AllAnnotations: snap.Mode == labeling.SnapshotAll}
	var w labeling.ExportWriter
	if x.Format == labeling.ExportHF {
		opts.Manifest, opts.TempDir, opts.SplitSalt, opts.TestFraction = &m, x.TempDir, snap.Hash, 0.1
		archive := x.Archive
		if archive == "" {
			archive = "tar"
		}
		w, err = labeling.NewExportHFArchive(out, archive, opts)
	} else {
		w, err = labeling.NewExportWriter(out, opts)
	}
	if err != nil {
		return m, err
	}
	schemas := map[int64]json.RawMessage{}
	lines := map[int64][]byte{}
	for _, p := range snap.Projects {
		schemas[p.ProjectID] = p.Schema
		canon, err := labeling.ExportCanonicalJSON(p.Schema)
		if err != nil {
			return m, err
		}
		lines[p.ProjectID] = fmt.Appendf(nil, `{"schema":%s,"task_type":%s}`+"\n", canon, jsonString(string(p.TaskType)))
	}
	// A reader goroutine scans, re-hashes and decodes rows while this one
	// writes them: on two cores the decode and the writer overlap. The
	// channel is bounded, so memory stays flat. The cursor holds the only
	// connection on SQLite: no other query until it closes.
	rows, err := s.db.WithContext(ctx).Raw("SELECT project_id, body FROM snapshot_rows WHERE snapshot_id = ? ORDER BY item_id", id).Rows()
	if err != nil {
		return m, err
	}
	defer rows.Close()
	h := sha256.New()
	type decoded struct {
		row labeling.ExportRow
		err error
	}
	ch := make(chan []decoded, 8)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(ch)
		var lastLine, body []byte
		var projectID int64
		batch := make([]decoded, 0, 256)
		send := func() bool {
			select {
			case ch <- batch:
				batch = make([]decoded, 0, 256)
				return true
			case <-stop:
				return false
			}
		}
		for rows.Next() {
			if err := rows.Scan(&projectID, &body); err != nil {
				batch = append(batch, decoded{err: err})
				send()
				return
			}
			if line := lines[projectID]; !bytes.Equal(line, lastLine) {
				h.Write(line)
				lastLine = line
			}
			h.Write(body)
			h.Write([]byte{'\n'})
			row, err := decodeSnapshotRow(body)
			row.Schema = schemas[projectID]
			batch = append(batch, decoded{row, err})
			if err != nil || len(batch) == cap(batch) {
				if !send() || err != nil {
					return
				}
			}
		}
		if err := rows.Err(); err != nil {
			batch = append(batch, decoded{err: err})
		}
		if len(batch) > 0 {
			send()
		}
	}()
	for batch := range ch {
		for _, d := range batch {
			if d.err != nil {
				return m, d.err
			}
			if err := w.Write(d.row); err != nil {
				return m, err
			}
		}
	}
	if err := w.Close(); err != nil {
		return m, err
	}
	m.AddStats(w.Stats())
	if sum := hex.EncodeToString(h.Sum(nil)); sum != snap.Hash {
		return m, labeling.ErrSnapshotCorrupt.With("snapshot %d: stored rows hash to %s, not %s", id, sum, snap.Hash)
	}
	return m, nil
}

func jsonString(s string) []byte {
	b, _ := json.Marshal(s)
	return b
}

// snapshotRowJSON is the canonical row's shape.
type snapshotRowJSON struct {
	Annotations []struct {
		Annotator  string          `json:"annotator"`
		Answer     json.RawMessage `json:"answer"`
		LeadTimeMs int64           `json:"lead_time_ms"`
		Status     string          `json:"status"`
	} `json:"annotations"`
	Annotator  string          `json:"annotator"`
	Answer     json.RawMessage `json:"answer"`
	Confidence string          `json:"confidence"`
	Data       json.RawMessage `json:"data"`
	ExternalID string          `json:"external_id"`
	ItemID     int64           `json:"item_id"`
	TaskType   string          `json:"task_type"`
}

func decodeSnapshotRow(body []byte) (labeling.ExportRow, error) {
	var r snapshotRowJSON
	if err := json.Unmarshal(body, &r); err != nil {
		return labeling.ExportRow{}, fmt.Errorf("snapshot row: %w", err)
	}
	row := labeling.ExportRow{ItemID: r.ItemID, ExternalID: r.ExternalID, TaskType: labeling.TaskType(r.TaskType),
		Data: r.Data, Annotator: r.Annotator, Confidence: r.Confidence}
	if len(r.Answer) > 0 && !bytes.Equal(r.Answer, []byte("null")) {
		row.Answer = r.Answer
	}
	row.Annotations = make([]labeling.ExportAnnotation, len(r.Annotations))
	for i, a := range r.Annotations {
		row.Annotations[i] = labeling.ExportAnnotation{Annotator: a.Annotator, Answer: a.Answer, LeadTimeMs: a.LeadTimeMs, Status: a.Status}
	}
	return row, nil
}

// SnapshotRows decodes a snapshot's frozen rows in item order (tests, and
// re-hashing with labeling.SnapshotHasher).
func (s *Datasets) SnapshotRows(ctx context.Context, id int64) ([]labeling.ExportRow, error) {
	var rs []struct {
		ProjectID int64
		Body      string
		Schema    string
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT r.project_id, r.body, p.schema FROM snapshot_rows r
        JOIN snapshot_projects p ON p.snapshot_id = r.snapshot_id AND p.project_id = r.project_id
        WHERE r.snapshot_id = ? ORDER BY r.item_id`, id).Scan(&rs).Error; err != nil {
		return nil, err
	}
	out := make([]labeling.ExportRow, len(rs))
	for i, r := range rs {
		row, err := decodeSnapshotRow([]byte(r.Body))
		if err != nil {
			return nil, err
		}
		row.Schema = json.RawMessage(r.Schema)
		out[i] = row
	}
	return out, nil
}
