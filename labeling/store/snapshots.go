package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/agreement"
	"copyhold/labeling/dataset"
	"copyhold/labeling/event"
	"copyhold/labeling/fault"
	"copyhold/labeling/tasktype"

	"gorm.io/gorm"
)

// Snapshots: the accepted annotations of one or more projects, frozen as
// canonical rows (labeling.ExportCanonicalRow) in snapshot_rows, hashed with
// labeling.SnapshotHasher in item-id order, with the rate cards, the
// register head, the labour behind the data and the units issued for it
// (the register's figures come through Register). Exports
// (snapshots_export.go) read only the frozen rows. Tables are append-only
// (migration 00006); a snapshot is sealed (hash set) in the transaction that
// writes it. Reading them back is in snapshots_read.go.

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
	// Suggestion and SuggestionAccepted: the suggestion the labeller was shown (docs/MODELS.md).
	Suggestion         string
	SuggestionAccepted *bool
}

type snapMember struct {
	name        string
	named       bool
	annotations int64
	units       int64
}

// CreateSnapshot freezes the accepted annotations of the request's projects.
func (s *Datasets) CreateSnapshot(ctx context.Context, actor *int64, req dataset.SnapshotRequest) (dataset.Snapshot, error) {
	req, err := req.Check()
	if err != nil {
		return dataset.Snapshot{}, err
	}
	var id int64
	// Every chunk reads the same moment (snapshotTxOptions). The transaction
	// writes only rows nobody else writes, so it does not conflict.
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		id, err = s.createSnapshot(tx, actor, req)
		return err
	}, snapshotTxOptions(s.db))
	if err != nil {
		return dataset.Snapshot{}, err
	}
	return s.Snapshot(ctx, id)
}

func (s *Datasets) createSnapshot(tx *gorm.DB, actor *int64, req dataset.SnapshotRequest) (int64, error) {
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
	var tt tasktype.TaskType
	for _, pid := range req.ProjectIDs {
		p, ok := byID[pid]
		if !ok {
			return 0, fault.ErrNotFound.With("project %d not found", pid)
		}
		if p.ModelID != req.ModelID {
			return 0, dataset.ErrSnapshotProject.With("project %d (%s) belongs to model %d, not %d", p.ID, p.Name, p.ModelID, req.ModelID)
		}
		if tt == "" {
			tt = tasktype.TaskType(p.TaskType)
		} else if string(tt) != p.TaskType {
			return 0, dataset.ErrSnapshotMixed.With("project %d is %s but the others are %s: snapshot them separately", p.ID, p.TaskType, tt)
		}
	}
	head, err := s.register.Head(tx)
	if err != nil {
		return 0, err
	}
	cards, err := s.register.RateCards(tx, req.ProjectIDs)
	if err != nil {
		return 0, err
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	snap := snapshotRow{ModelID: req.ModelID, Mode: string(req.Mode), TaskType: string(tt), LedgerSeq: head.Seq,
		LedgerHead: head.Hash, RateCards: string(cards), Provenance: "{}", Salt: hex.EncodeToString(salt),
		CreatedBy: actor, CreatedAt: s.clock()}
	if err := tx.Create(&snap).Error; err != nil {
		return 0, err
	}
	schemas := map[int64]json.RawMessage{}
	for _, p := range projects {
		schemas[p.ID] = json.RawMessage(p.Schema)
		if err := tx.Exec("INSERT INTO snapshot_projects (snapshot_id, project_id, name, task_type, schema, ls_config) VALUES (?, ?, ?, ?, ?, ?)",
			snap.ID, p.ID, p.Name, p.TaskType, p.Schema, p.LSConfig).Error; err != nil {
			return 0, err
		}
	}

	b := &snapshotBuilder{tx: tx, register: s.register, snap: &snap, tt: tt, schemas: schemas, projects: req.ProjectIDs,
		hasher: dataset.NewSnapshotHasher(), members: map[int64]*snapMember{}}
	// The labour figures come from a writer that sees every annotation,
	// rejected and pending ones too (they are never frozen or written).
	b.labour, err = dataset.NewExportWriter(io.Discard, dataset.ExportOptions{Format: dataset.ExportJSONL, TaskType: tt, AllAnnotations: true})
	if err != nil {
		return 0, err
	}
	if err := b.run(); err != nil {
		return 0, err
	}
	if b.rows == 0 {
		return 0, dataset.ErrSnapshotEmpty.With("projects %s have no accepted annotations yet: nothing to snapshot", joinIDs(req.ProjectIDs))
	}
	if err := b.labour.Close(); err != nil {
		return 0, err
	}
	prov := dataset.SnapshotProvenance{Labour: b.labour.Stats().Labour, UnitsIssued: s.register.Units(b.units)}
	if b.agreeN > 0 {
		prov.Agreement = &dataset.ExportAgreement{Metric: b.metric, Units: int(b.agreeN),
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
	if err := s.ledger.Recorded(tx, "snapshot", snap.ID); err != nil {
		return 0, err
	}
	return snap.ID, event.Append(tx, "snapshot.created", event.CoopScope, actor, map[string]any{
		"snapshot_id": snap.ID, "model_id": req.ModelID, "project_ids": req.ProjectIDs, "mode": req.Mode,
		"hash": hash, "items": b.rows, "annotations": b.anns, "ledger_head": head.Hash})
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
	register Register
	snap     *snapshotRow
	tt       tasktype.TaskType
	schemas  map[int64]json.RawMessage
	projects []int64
	hasher   *dataset.SnapshotHasher
	labour   dataset.ExportWriter
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
			Generation *string
		}
		if err := b.tx.Raw(`SELECT id, project_id, external_id, data, generation FROM items
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
    s.suggestion_shown AS suggestion, s.suggestion_accepted,
    (SELECT d.corrected_answer FROM review_decisions d WHERE d.submission_id = s.id AND d.decision = 'correct' ORDER BY d.id DESC LIMIT 1) AS corrected
FROM submissions s WHERE s.item_id BETWEEN ? AND ? AND s.project_id IN ? AND NOT s.is_gold ORDER BY s.item_id, s.id`,
			lo, hi, b.projects).Scan(&anns).Error; err != nil {
			return err
		}
		priors, err := snapshotPriors(b.tx, lo, hi, b.projects)
		if err != nil {
			return err
		}
		if err := b.loadMembers(anns); err != nil {
			return err
		}
		if err := b.tallyUnits(anns); err != nil {
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
			row, err := b.row(it.ID, b.schemas[it.ProjectID], it.ExternalID, it.Data, anns[j:k], priors[it.ID])
			j = k
			if err != nil {
				return err
			}
			if row == nil {
				continue
			}
			row.Schema = b.schemas[it.ProjectID]
			if it.Generation != nil {
				row.Generation = json.RawMessage(*it.Generation)
			}
			canon, err := dataset.ExportCanonicalRow(*row)
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

// row builds an item's frozen row from its submissions and its external
// annotations (prior annotations, after the members'), or nil when it has
// neither an accepted submission nor an external annotation. It also feeds
// the labour tally with every submission (external work is no labour of
// the co-op's). External annotations count for the consensus answer.
func (b *snapshotBuilder) row(itemID int64, schema json.RawMessage, externalID, data string, subs []snapAnn, priors []dataset.ExportAnnotation) (*dataset.ExportRow, error) {
	all := make([]dataset.ExportAnnotation, 0, len(subs))
	var accepted []dataset.ExportAnnotation
	var correctedAt = -1
	for _, a := range subs {
		m := b.members[a.MemberID]
		ann := dataset.ExportAnnotation{Annotator: m.name, Answer: json.RawMessage(a.Answer), LeadTimeMs: a.LeadTimeMs, Status: a.Status,
			Suggestion: a.Suggestion, SuggestionAccepted: a.SuggestionAccepted != nil && *a.SuggestionAccepted}
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
	if err := b.labour.Write(dataset.ExportRow{ItemID: itemID, TaskType: b.tt, Schema: schema, Data: json.RawMessage(data), Annotations: all}); err != nil {
		return nil, err
	}
	if len(accepted) == 0 && len(priors) == 0 {
		return nil, nil
	}
	accepted = append(accepted[:len(accepted):len(accepted)], priors...)
	row := &dataset.ExportRow{ItemID: itemID, ExternalID: externalID, TaskType: b.tt, Data: json.RawMessage(data), Annotations: accepted}
	if dataset.SnapshotMode(b.snap.Mode) == dataset.SnapshotConsensus {
		row.Answer, row.Annotator, row.Confidence = consensusOf(b.tt, accepted, correctedAt)
	}
	return row, nil
}

// consensusOf is an item's one answer: the (last) correction, the single
// accepted answer, or the strict majority of accepted answers by answer
// key (an anonymous consensus with its share as confidence); nil on a tie.
func consensusOf(tt tasktype.TaskType, accepted []dataset.ExportAnnotation, correctedAt int) (json.RawMessage, string, string) {
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
		key, err := tasktype.AnswerKey(tt, a.Answer)
		if err != nil {
			return accepted[0].Answer, accepted[0].Annotator, "" // no key (rewrite): the first demonstration
		}
		l := agreement.ConsensusLabel(tt, key)
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
// chose to be named on the register, otherwise a pseudonym keyed by the
// snapshot's salt.
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
	names, err := DisplayNames(b.tx, ids)
	if err != nil {
		return err
	}
	named, err := b.register.Named(b.tx, ids)
	if err != nil {
		return err
	}
	for id, name := range names {
		m := &snapMember{name: dataset.ContributorPseudonym(b.snap.Salt, id)}
		if named[id] {
			m.name, m.named = name, true
		}
		b.members[id] = m
	}
	for _, id := range ids {
		if b.members[id] == nil {
			return fmt.Errorf("snapshot: member %d of a submission not found", id)
		}
	}
	return nil
}

// tallyUnits adds what vested for the chunk's accepted submissions (the
// register's Vested): the labeller's share and the reviewer credits count
// towards the units issued for the data, the labeller's share also towards
// the labeller's own units.
func (b *snapshotBuilder) tallyUnits(anns []snapAnn) error {
	var accepted []int64
	for _, a := range anns {
		switch labeling.SubmissionStatus(a.Status) {
		case labeling.SubmissionAccepted, labeling.SubmissionCorrected:
			accepted = append(accepted, a.SubmissionID)
		}
	}
	if len(accepted) == 0 {
		return nil
	}
	v, err := b.register.Vested(b.tx, accepted)
	if err != nil {
		return err
	}
	b.units += v.Total
	for id, n := range v.Labellers {
		if m := b.members[id]; m != nil {
			m.units += n
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
