package store

import (
	"bufio"
	"context"
	"copyhold/labeling/csvout"
	"database/sql"
	"encoding/json"
	"io"
	"strconv"
	"time"

	"copyhold/labeling/dataset"
)

// Data rights: a member can take away everything they contributed (their
// submissions with the item they answered and what review made of them) and
// their full ledger history, at any time, as JSON or CSV. Both are streamed
// from database cursors, one record at a time.

// MyDataSubmission is one submission in the personal export.
type MyDataSubmission struct {
	ID              int64           `json:"id"`
	ProjectID       int64           `json:"project_id"`
	ProjectName     string          `json:"project_name"`
	TaskType        string          `json:"task_type"`
	ItemID          int64           `json:"item_id"`
	ExternalID      string          `json:"external_id"`
	Data            json.RawMessage `json:"data"`
	Answer          json.RawMessage `json:"answer"`
	LeadTimeMs      int64           `json:"lead_time_ms"`
	Status          string          `json:"status"`
	CreatedAt       time.Time       `json:"created_at"`
	Decision        string          `json:"review_decision,omitempty"`
	Reason          string          `json:"review_reason,omitempty"`
	Comment         string          `json:"review_comment,omitempty"`
	CorrectedAnswer json.RawMessage `json:"corrected_answer,omitempty"`
	DecidedAt       *time.Time      `json:"decided_at,omitempty"`
}

// MyDataPosting is one leg of a ledger transaction on one of the member's
// accounts, as the register hands it over (Register.Postings).
type MyDataPosting struct {
	TxID           int64     `json:"tx_id"`
	Kind           string    `json:"kind"`
	IdempotencyKey string    `json:"key"`
	Unit           string    `json:"unit"`
	Account        string    `json:"account"`
	Amount         string    `json:"amount"`
	Category       string    `json:"category"`
	ProjectID      int64     `json:"project_id,omitempty"`
	ItemID         int64     `json:"item_id,omitempty"`
	SubmissionID   int64     `json:"submission_id,omitempty"`
	Reason         string    `json:"reason,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

const myDataSubmissions = `SELECT s.id, s.project_id, p.name AS project_name, p.task_type, s.item_id, i.external_id, i.data,
    s.answer, s.lead_time_ms, s.status, s.created_at,
    d.decision, d.reason, d.comment, d.corrected_answer, d.created_at AS decided_at
FROM submissions s
JOIN projects p ON p.id = s.project_id
JOIN items i ON i.id = s.item_id
LEFT JOIN review_decisions d ON d.id = (SELECT MAX(x.id) FROM review_decisions x WHERE x.submission_id = s.id)
WHERE s.member_id = ? ORDER BY s.id`

// ExportMyData writes the member's data as "json" (one object with
// member, submissions and ledger arrays) or "csv" (one table; record_type
// says which columns a row uses).
func (s *Datasets) ExportMyData(ctx context.Context, memberID int64, format string, out io.Writer) error {
	if format != "json" && format != "csv" {
		return dataset.ErrDataExportFormat.With("format is json or csv, not %q", format)
	}
	me, err := s.members.Member(ctx, memberID)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(out, 64<<10)
	var (
		enc   *json.Encoder
		cw    *csvout.Writer
		first bool
	)
	if format == "json" {
		enc = json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		head, _ := json.Marshal(map[string]any{"id": me.ID, "login": me.Login, "display_name": me.DisplayName,
			"roles": me.Roles, "created_at": me.CreatedAt})
		bw.WriteString(`{"generated_at":"` + time.Now().UTC().Format(time.RFC3339) + `","member":`)
		bw.Write(head)
		bw.WriteString(`,"submissions":[`)
	} else {
		cw = csvout.NewWriter(bw)
		cw.Write([]string{"record_type", "id", "created_at", "project_id", "project_name", "task_type", "item_id", "external_id",
			"data", "answer", "lead_time_ms", "status", "review_decision", "review_reason", "review_comment", "corrected_answer",
			"tx_id", "tx_kind", "unit", "account", "amount", "category", "submission_id", "reason"})
	}
	first = true
	emit := func(v any, rec []string) error {
		if enc != nil {
			if !first {
				bw.WriteByte(',')
			}
			first = false
			return enc.Encode(v)
		}
		return cw.Write(rec)
	}

	db := s.db.WithContext(ctx)
	rows, err := db.Raw(myDataSubmissions, memberID).Rows()
	if err != nil {
		return err
	}
	for rows.Next() {
		var r MyDataSubmission
		var data, answer string
		var decision, reason, comment, corrected sql.NullString
		var decidedAt sql.NullTime
		if err := rows.Scan(&r.ID, &r.ProjectID, &r.ProjectName, &r.TaskType, &r.ItemID, &r.ExternalID, &data, &answer,
			&r.LeadTimeMs, &r.Status, &r.CreatedAt, &decision, &reason, &comment, &corrected, &decidedAt); err != nil {
			rows.Close()
			return err
		}
		r.Data, r.Answer = json.RawMessage(data), json.RawMessage(answer)
		r.Decision, r.Reason, r.Comment = decision.String, reason.String, comment.String
		if corrected.Valid {
			r.CorrectedAnswer = json.RawMessage(corrected.String)
		}
		if decidedAt.Valid {
			t := decidedAt.Time.UTC()
			r.DecidedAt = &t
		}
		r.CreatedAt = r.CreatedAt.UTC()
		if err := emit(r, []string{"submission", i64(r.ID), r.CreatedAt.Format(time.RFC3339Nano), i64(r.ProjectID), r.ProjectName,
			r.TaskType, i64(r.ItemID), r.ExternalID, data, answer, i64(r.LeadTimeMs), r.Status, r.Decision, r.Reason, r.Comment,
			corrected.String, "", "", "", "", "", "", "", ""}); err != nil {
			rows.Close()
			return err
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	if enc != nil {
		bw.WriteString(`],"ledger":[`)
		first = true
	}
	// The ledger part is the register's: it hands over the member's postings.
	if err := s.register.Postings(db, memberID, func(p MyDataPosting) error {
		return emit(p, []string{"ledger", "", p.CreatedAt.Format(time.RFC3339Nano), i64(p.ProjectID), "", "", i64(p.ItemID), "",
			"", "", "", "", "", "", "", "", i64(p.TxID), p.Kind, p.Unit, p.Account, p.Amount, p.Category, i64(p.SubmissionID), p.Reason})
	}); err != nil {
		return err
	}
	if enc != nil {
		bw.WriteString("]}\n")
	} else {
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func i64(v int64) string { return strconv.FormatInt(v, 10) }
