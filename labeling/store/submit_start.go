package store

import (
	"strings"
	"sync"

	"copyhold/labeling"
	"copyhold/labeling/fault"

	"gorm.io/gorm/schema"
)

// SubmitStart is what a submit reads first, in one statement: an earlier
// submission under the same idempotency key (then nothing is locked), else
// the member's assignment for the lease token and its item, both locked in
// that order, and the project with whether the member is in it.
type SubmitStart struct {
	Replay    labeling.Submission // valid when Replayed
	Replayed  bool
	Lease     labeling.Assignment
	Item      labeling.Item
	Project   labeling.Project
	InProject bool
	// CreditRead is what the ledger read ahead for the credit (nil when it
	// does not: CreditPrefetch); LedgerHooks.Submitted passes it on.
	CreditRead *string
	// NextID is the id drawn for the submission (PostgreSQL; 0 on SQLite):
	// NewSubmission.ID.
	NextID int64
}

type submitStartRow struct {
	S          submissionRow `gorm:"embedded;embeddedPrefix:s_"`
	A          assignmentRow `gorm:"embedded;embeddedPrefix:a_"`
	I          itemRow       `gorm:"embedded;embeddedPrefix:i_"`
	P          projectRow    `gorm:"embedded;embeddedPrefix:p_"`
	IsMember   bool
	CreditRead *string
	NextID     *int64
}

// StartSubmit reads what work.Service.Submit starts from (SubmitStart). An
// idempotency key used with another body is ErrIdempotencyReuse; a token
// that is unknown or another member's is lease_lost.
func (s *Leases) StartSubmit(tx Tx, memberID int64, key, hash, token string) (SubmitStart, error) {
	if token == "" {
		if sub, ok, err := replay(tx.db, memberID, key, hash); ok || err != nil {
			return SubmitStart{Replay: sub, Replayed: ok}, err
		}
		return SubmitStart{}, labeling.ErrLeaseLost
	}
	lock := forUpdate(tx.db)
	var rows []submitStartRow
	err := scanRaw(tx.db, &rows, `WITH s AS (SELECT * FROM submissions WHERE member_id = ? AND idempotency_key = ?),
  a AS (SELECT * FROM assignments WHERE lease_token = ? AND NOT EXISTS (SELECT 1 FROM s)`+lock+`),
  i AS (SELECT items.* FROM items JOIN a ON items.id = a.item_id AND a.member_id = ?`+lockOf(tx.db, "items")+`)
SELECT `+startColumns()+`,
    EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = a.project_id AND m.member_id = ?) AS is_member,
    `+s.creditReadsSQL(tx.db, "a.project_id", "a.member_id")+` AS credit_read,
    `+nextIDSQL(tx.db, "submissions_id_seq")+` AS next_id
FROM (SELECT 1 AS one) AS one
LEFT JOIN s ON 1 = 1 LEFT JOIN a ON 1 = 1 LEFT JOIN i ON 1 = 1 LEFT JOIN projects p ON p.id = a.project_id`,
		memberID, key, token, memberID, memberID)
	if err != nil {
		return SubmitStart{}, err
	}
	if len(rows) != 1 {
		return SubmitStart{}, fault.ErrNotFound.With("submit: %d start rows", len(rows))
	}
	r := rows[0]
	if r.S.ID != 0 {
		if r.S.BodyHash != hash {
			return SubmitStart{}, labeling.ErrIdempotencyReuse
		}
		return SubmitStart{Replay: r.S.submission(true), Replayed: true}, nil
	}
	if r.A.ID == 0 || r.A.MemberID != memberID {
		return SubmitStart{}, labeling.ErrLeaseLost
	}
	if r.P.ID == 0 {
		return SubmitStart{}, fault.ErrNotFound.With("project %d not found", r.A.ProjectID)
	}
	if r.I.ID == 0 {
		return SubmitStart{}, fault.ErrNotFound.With("item %d not found", r.A.ItemID)
	}
	st := SubmitStart{Lease: r.A.assignment(), Item: r.I.item(), Project: r.P.project(), InProject: r.IsMember,
		CreditRead: r.CreditRead}
	if r.NextID != nil {
		st.NextID = *r.NextID
	}
	return st, nil
}

// startColumns selects s, a, i and p with the prefixes submitStartRow reads,
// from the row types' own columns (built once).
var startColumns = sync.OnceValue(func() string {
	return prefixedColumns("s", &submissionRow{}) + ", " + prefixedColumns("a", &assignmentRow{}) + ", " +
		prefixedColumns("i", &itemRow{}) + ", " + prefixedColumns("p", &projectRow{})
})

// prefixedColumns selects every column of the row type model from the
// relation alias as alias_column, what gorm:"embedded;embeddedPrefix:alias_"
// reads.
func prefixedColumns(alias string, model any) string {
	sch, err := schema.Parse(model, &sync.Map{}, schema.NamingStrategy{})
	if err != nil {
		panic(err) // the row types are fixed at compile time
	}
	cols := make([]string, len(sch.DBNames))
	for i, f := range sch.DBNames {
		cols[i] = alias + "." + f + " AS " + alias + "_" + f
	}
	return strings.Join(cols, ", ")
}
