package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/event"
	"copyhold/labeling/fault"
	"copyhold/labeling/importer"
	"copyhold/labeling/tasktype"
	"copyhold/labeling/textrule"

	"gorm.io/gorm"
)

// importBatch is the number of rows per multi-row INSERT: 500 × 13 columns
// stays far below both databases' parameter limits.
const importBatch = 500

// analyzeAfter is the import size from which the items table's statistics
// are refreshed once the import commits (refreshItemStats).
const analyzeAfter = 1000

type importRow struct {
	ID         int64 `gorm:"primaryKey"`
	ProjectID  int64
	Filename   string
	Format     string
	Records    int
	Imported   int
	Duplicates int
	Rejected   int
	ActorID    *int64
	CreatedAt  time.Time
}

func (importRow) TableName() string { return "imports" }

// ImportItems reads an import file into the project: all or nothing, in one
// transaction. Items whose data is already in the project (or earlier in the
// file) are skipped and counted as duplicates. On error nothing is stored and
// the error names the line.
func (s *Projects) ImportItems(ctx context.Context, actor *int64, projectID int64, r io.Reader, format, filename string) (labeling.ImportReport, error) {
	return s.ImportItemsWith(ctx, actor, projectID, r, importer.Request{Format: format, Filename: filename})
}

// ImportItemsWith is ImportItems with options and a progress callback.
func (s *Projects) ImportItemsWith(ctx context.Context, actor *int64, projectID int64, r io.Reader, req importer.Request) (labeling.ImportReport, error) {
	if err := textrule.CheckString("filename", req.Filename); err != nil {
		return labeling.ImportReport{}, err
	}
	maxBytes, maxRecords := int64(labeling.MaxImportBytes), labeling.MaxImportRecords
	if req.MaxBytes > 0 {
		maxBytes = min(req.MaxBytes, maxBytes)
	}
	if req.MaxRecords > 0 {
		maxRecords = min(req.MaxRecords, maxRecords)
	}
	lim := &limitedReader{r: r, left: maxBytes}
	br := bufio.NewReaderSize(lim, 64<<10)
	format := req.Format
	if format == "" {
		head, _ := br.Peek(64 << 10)
		if format = importer.DetectFormat(req.Filename, head); format == "" {
			return labeling.ImportReport{}, importer.ErrImportFormat.With("cannot tell the format of %q: use jsonl, csv or labelstudio", req.Filename)
		}
	}

	var rep labeling.ImportReport
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		rep = labeling.ImportReport{}
		p, err := loadProject(tx, projectID, true) // the lock serialises imports into one project
		if err != nil {
			return err
		}
		if p.Status == string(labeling.ProjectClosed) {
			return labeling.ErrProjectClosed
		}
		now := s.clock()
		imp := importRow{ProjectID: projectID, Filename: req.Filename, Format: format, ActorID: actor, CreatedAt: now}
		if err := tx.Create(&imp).Error; err != nil {
			return err
		}
		rep.ImportID = imp.ID
		seq := p.NextSeq
		batch := make([]itemRow, 0, importBatch)
		extras := make([]importExtra, 0, importBatch) // aligned with batch
		var firstLine, lastLine int                   // of the batch, for errors the database reports per statement
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			ids, err := insertItems(tx, batch)
			if err != nil {
				return fmt.Errorf("lines %d-%d: %w", firstLine, lastLine, err)
			}
			rep.Imported += len(ids)
			rep.Duplicates += len(batch) - len(ids)
			if err := s.storeExtras(tx, &rep, projectID, imp.ID, batch, extras, ids); err != nil {
				return err
			}
			batch, extras = batch[:0], extras[:0]
			if req.Progress != nil {
				req.Progress(rep.Records)
			}
			return ctx.Err()
		}
		err = importer.ReadWithOptions(br, format, tasktype.TaskType(p.TaskType), []byte(p.Schema), req.Options,
			func(rec importer.Record) error {
				rep.Records++
				if rep.Records > maxRecords {
					return importer.ErrImportTooLarge.With("line %d: the file has more than %d records", rec.Line, maxRecords)
				}
				hash, err := labeling.ContentHash(rec.Data)
				if err != nil {
					return withLine(rec.Line, err)
				}
				status := string(labeling.ItemOpen)
				if rec.Gold != nil {
					status = string(labeling.ItemGold)
				}
				batch = append(batch, itemRow{ProjectID: projectID, ImportID: &imp.ID, Seq: seq, ExternalID: rec.ExternalID,
					Data: string(rec.Data), ContentHash: hash, Priority: rec.Priority,
					OrderKey:   labeling.OrderKey(labeling.Ordering(p.Ordering), p.RandomSeed, seq, hash),
					Prediction: strOrNil(rec.Prediction), PredictionModel: rec.PredictionModel, PredictionScore: rec.PredictionScore,
					SuggestionSource: importSource(rec.Prediction), SuggestionConfidence: scoreBP(rec.PredictionScore),
					Gold: strOrNil(rec.Gold), Sensitive: rec.Sensitive, Categories: int64(rec.Categories), Status: status, CreatedAt: now})
				extras = append(extras, importExtra{prior: rec.Prior, tally: rec.Tally})
				seq++
				if len(batch) == 1 {
					firstLine = rec.Line
				}
				lastLine = rec.Line
				if len(batch) == importBatch {
					return flush()
				}
				return nil
			})
		if lim.exceeded {
			return importer.ErrImportTooLarge.With("the file is larger than %d bytes", maxBytes)
		}
		if err != nil {
			return err
		}
		if err := flush(); err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE projects SET next_seq = ? WHERE id = ?`, seq, projectID).Error; err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE imports SET records = ?, imported = ?, duplicates = ? WHERE id = ?`,
			rep.Records, rep.Imported, rep.Duplicates, imp.ID).Error; err != nil {
			return err
		}
		return event.Append(tx, "import.finished", event.ProjectScope(projectID), actor, map[string]any{
			"import_id": imp.ID, "imported": rep.Imported, "duplicates": rep.Duplicates, "prior_annotations": rep.PriorAnnotations})
	})
	if err != nil {
		// Rolled back: nothing was imported.
		return labeling.ImportReport{Records: rep.Records, Rejected: 1, FirstError: err.Error()}, err
	}
	if rep.Imported >= analyzeAfter {
		refreshItemStats(s.db.WithContext(ctx))
	}
	return rep, nil
}

// insertItems writes one batch and returns the ids of the new rows by
// content hash; a row whose content hash the project already has is skipped
// by the database (ON CONFLICT DO NOTHING also covers duplicates within the
// batch).
func insertItems(tx *gorm.DB, rows []itemRow) (map[string]int64, error) {
	const cols = 18
	var sb strings.Builder
	sb.WriteString(`INSERT INTO items (project_id, import_id, seq, external_id, data, content_hash, priority,
    order_key, prediction, prediction_model, prediction_score, suggestion_source, suggestion_confidence,
    gold, sensitive, categories, status, created_at) VALUES `)
	args := make([]any, 0, len(rows)*cols)
	for i, r := range rows {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		args = append(args, r.ProjectID, r.ImportID, r.Seq, r.ExternalID, r.Data, r.ContentHash, r.Priority,
			r.OrderKey, r.Prediction, r.PredictionModel, r.PredictionScore, r.SuggestionSource, r.SuggestionConfidence, r.Gold, r.Sensitive, r.Categories, r.Status, r.CreatedAt)
	}
	sb.WriteString(" ON CONFLICT (project_id, content_hash) DO NOTHING RETURNING id, content_hash")
	var out []struct {
		ID          int64
		ContentHash string
	}
	if err := tx.Raw(sb.String(), args...).Scan(&out).Error; err != nil {
		return nil, err
	}
	ids := make(map[string]int64, len(out))
	for _, r := range out {
		ids[r.ContentHash] = r.ID
	}
	return ids, nil
}

// importExtra is what a record carries beyond its item row.
type importExtra struct {
	prior []importer.PriorAnnotation
	tally importer.AnnotationTally
}

// storeExtras stores the prior annotations of the batch's new items and
// adds the records' tallies to the report. A record whose item was already
// in the project (or earlier in the file) brings nothing: what it kept or
// converted counts as dropped.
func (s *Projects) storeExtras(tx *gorm.DB, rep *labeling.ImportReport, projectID, importID int64, batch []itemRow, extras []importExtra, ids map[string]int64) error {
	used := map[string]bool{}
	var priors []priorRow
	for i, r := range batch {
		x := extras[i]
		id, isNew := ids[r.ContentHash]
		if !isNew || used[r.ContentHash] {
			for _, k := range []*importer.KindTally{&x.tally.Predictions, &x.tally.Annotations} {
				if n := k.Kept + k.Converted; n > 0 {
					k.Kept, k.Converted, k.Dropped = 0, 0, k.Dropped+n
					if k.Reasons == nil {
						k.Reasons = map[string]int{}
					}
					k.Reasons["the item is already in the project"] += n
				}
			}
			rep.Annotations.Add(x.tally)
			continue
		}
		used[r.ContentHash] = true
		rep.Annotations.Add(x.tally)
		for _, pa := range x.prior {
			priors = append(priors, priorRow{ProjectID: projectID, ItemID: id, ImportID: importID, Annotator: pa.Annotator,
				CompletedBy: strOrNil(pa.CompletedBy), Answer: string(pa.Answer), LeadTimeMs: pa.LeadTimeMs,
				CreatedAt: pa.CreatedAt, SourceID: pa.SourceID})
		}
	}
	if len(priors) == 0 {
		return nil
	}
	rep.PriorAnnotations += len(priors)
	return tx.CreateInBatches(priors, 500).Error
}

// Items lists a project's items in import order, after the given seq (for
// paging); coordinators only: it includes gold answers.
func (s *Projects) Items(ctx context.Context, projectID, afterSeq int64, limit int) ([]labeling.Item, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var rows []itemRow
	if err := s.db.WithContext(ctx).Where("project_id = ? AND seq > ?", projectID, afterSeq).
		Order("seq").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]labeling.Item, len(rows))
	for i, r := range rows {
		out[i] = r.item()
	}
	return out, nil
}

func withLine(line int, err error) error {
	var e *fault.Error
	if errors.As(err, &e) {
		return e.With("line %d: %s", line, e.Message)
	}
	return fmt.Errorf("line %d: %w", line, err)
}

func strOrNil(b []byte) *string {
	if b == nil {
		return nil
	}
	s := string(b)
	return &s
}

// limitedReader stops after MaxImportBytes and remembers that it did, so the
// import can report import_too_large whatever the parser made of the cut.
type limitedReader struct {
	r        io.Reader
	left     int64
	exceeded bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// Probe one byte: a file of exactly the limit is fine.
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			l.exceeded = true
			return 0, errors.New("import file too large")
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// LoadProject reads a project in tx.
func (s *Projects) LoadProject(tx Tx, id int64) (labeling.Project, error) {
	p, err := loadProject(tx.db, id, false)
	if err != nil {
		return labeling.Project{}, err
	}
	return p.project(), nil
}

// LoadProjectFor loads a project and says whether the member is in it, in
// one statement (a submit needs both).
func (s *Projects) LoadProjectFor(tx Tx, id, memberID int64) (labeling.Project, bool, error) {
	var rows []struct {
		Project  projectRow `gorm:"embedded"`
		IsMember bool
	}
	if err := tx.db.Raw(`SELECT p.*, EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = p.id AND m.member_id = ?) AS is_member
FROM projects p WHERE p.id = ?`, memberID, id).Scan(&rows).Error; err != nil {
		return labeling.Project{}, false, err
	}
	if len(rows) == 0 {
		return labeling.Project{}, false, fault.ErrNotFound.With("project %d not found", id)
	}
	return rows[0].Project.project(), rows[0].IsMember, nil
}

// LockItem reads an item and locks its row (see lockItem for the order in
// which writers lock).
func (s *Projects) LockItem(tx Tx, id int64) (labeling.Item, error) {
	it, err := lockItem(tx.db, id)
	if err != nil {
		return labeling.Item{}, err
	}
	return it.item(), nil
}

// LoadItem reads an item in tx without locking it.
func (s *Projects) LoadItem(tx Tx, id int64) (labeling.Item, error) {
	it, err := lockItemNoLock(tx.db, id)
	if err != nil {
		return labeling.Item{}, err
	}
	return it.item(), nil
}
