package store

import (
	"encoding/json"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/event"

	"gorm.io/gorm"
)

// ---- submit: the SQL of work.Service.Submit ----

// ReplaySubmission looks up the member's earlier submission with the same
// idempotency key: ok is true when there is one, and then the same body
// returns it (Replayed) and another body is idempotency_conflict.
func (s *Leases) ReplaySubmission(tx Tx, memberID int64, key, hash string) (sub labeling.Submission, ok bool, err error) {
	return replay(tx.db, memberID, key, hash)
}

// LockLease finds and locks the member's assignment for a lease token, in
// any state. A token that is unknown or another member's is lease_lost.
func (s *Leases) LockLease(tx Tx, memberID int64, token string) (labeling.Assignment, error) {
	a, err := assignmentByToken(tx.db, memberID, token, true)
	if err != nil {
		return labeling.Assignment{}, err
	}
	return a.assignment(), nil
}

// KeepDraft stores an answer that could not be submitted as the
// assignment's draft, so the work is not lost.
func (s *Leases) KeepDraft(tx Tx, assignmentID int64, answer json.RawMessage, now time.Time) error {
	return tx.db.Exec(`UPDATE assignments SET draft = ?, draft_at = ?, updated_at = ? WHERE id = ?`,
		string(compactOrRaw(answer)), now, now, assignmentID).Error
}

// NewSubmission is a validated answer to record on a lease.
type NewSubmission struct {
	ID             int64               // drawn by StartSubmit (SubmitStart.NextID); 0: the database draws it
	Lease          labeling.Assignment // the member's assignment, locked
	Item           labeling.Item       // its item, locked
	Answer         json.RawMessage     // validated and normalised
	IdempotencyKey string
	BodyHash       string
	LeadTimeMs     int64 // clamped
	Gold           bool  // the item is a gold item
	Held           bool  // the lease still counts in the item's held slots
	Completes      bool  // the item has all its answers with this one
}

// RecordSubmission stores a submission and moves the counters with it: the
// item's done (and held, and status when it completes), the assignment's
// state, with the task.submitted and item.completed events. A unique
// violation (a concurrent request with the same key) makes the transaction
// retry, and then replay or conflict.
func (s *Leases) RecordSubmission(tx Tx, n NewSubmission, now time.Time) (labeling.Submission, error) {
	a, it := n.Lease, n.Item
	row := submissionRow{ID: n.ID, AssignmentID: a.ID, ItemID: it.ID, ProjectID: a.ProjectID, MemberID: a.MemberID,
		Answer: string(n.Answer), IdempotencyKey: n.IdempotencyKey, BodyHash: n.BodyHash,
		LeadTimeMs: n.LeadTimeMs, IsGold: n.Gold,
		Status: string(labeling.SubmissionSubmitted), CreatedAt: now}
	dHeld := 0
	if n.Held {
		dHeld = 1
	}
	status := string(it.Status)
	if n.Completes {
		status = string(labeling.ItemComplete)
	}
	// The submission, the item's counters and the assignment's state, with
	// the task.submitted and item.completed events (each also names the
	// submission): one statement on PostgreSQL, four on SQLite (dialect.go).
	evs := []event.Entry{{Type: "task.submitted", Scope: event.ProjectScope(a.ProjectID), Actor: &row.MemberID,
		Payload: map[string]any{"assignment_id": a.ID, "item_id": it.ID}}}
	if n.Completes {
		evs = append(evs, event.Entry{Type: "item.completed", Scope: event.ProjectScope(a.ProjectID),
			Payload: map[string]any{"item_id": it.ID, "done": it.Done + 1}})
	}
	id, err := recordSubmission(tx.db, &row, dHeld, status, max(a.ActiveMs, row.LeadTimeMs), evs)
	if err != nil {
		return labeling.Submission{}, err
	}
	row.ID = id
	return row.submission(false), nil
}

// ReopenSlot gives a rejected submission's slot back to the queue: done − 1,
// and a complete item is open again for a new labeller.
func (s *Leases) ReopenSlot(tx Tx, itemID int64) error {
	return tx.db.Exec(`UPDATE items SET done = done - 1,
    status = CASE WHEN status = 'complete' THEN 'open' ELSE status END WHERE id = ?`, itemID).Error
}

// replay looks up an earlier submission with the same key: the same body
// returns it again, another body is a conflict.
func replay(tx *gorm.DB, memberID int64, key, hash string) (labeling.Submission, bool, error) {
	var rows []submissionRow
	if err := tx.Raw(`SELECT * FROM submissions WHERE member_id = ? AND idempotency_key = ?`, memberID, key).Scan(&rows).Error; err != nil {
		return labeling.Submission{}, false, err
	}
	if len(rows) == 0 {
		return labeling.Submission{}, false, nil
	}
	if rows[0].BodyHash != hash {
		return labeling.Submission{}, true, labeling.ErrIdempotencyReuse
	}
	return rows[0].submission(true), true, nil
}

// compactOrRaw keeps a draft as JSON; a body that is not JSON is stored as a
// JSON string so that nothing typed is lost.
func compactOrRaw(b json.RawMessage) json.RawMessage {
	if c, err := labeling.CheckDraft(b); err == nil {
		return c
	}
	if json.Valid(b) {
		return b
	}
	s, _ := json.Marshal(string(b))
	return s
}
