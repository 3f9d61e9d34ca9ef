package equity

import (
	"copyhold/labeling/csvout"
	"io"
	"strconv"
	"time"

	"copyhold/labeling/fault"
)

// Book separates a member's holding (vested + receivable) from their
// pending credits awaiting review.
type Book string

const (
	BookHolding Book = "holding"
	BookPending Book = "pending"
)

// StatementLine is one posting on one of the member's accounts.
type StatementLine struct {
	TxID     int64     `json:"tx_id"`
	At       time.Time `json:"at"`
	Kind     TxKind    `json:"kind"`
	Key      string    `json:"idempotency_key"`
	Book     Book      `json:"book"`
	Account  string    `json:"account"`
	Category Category  `json:"category"`
	Amount   int64     `json:"-"`
	Cause    Cause     `json:"cause"`
	// RegisterIndex is the leaf index of the line's transaction in the
	// court roll's tree; null until a checkpoint covers it (pending).
	RegisterIndex *int64 `json:"register_index"`
}

// PayoutLine is money paid to the member by a distribution of the model.
type PayoutLine struct {
	TxID     int64     `json:"tx_id"`
	At       time.Time `json:"at"`
	Currency string    `json:"currency"`
	Scale    int32     `json:"-"`
	Amount   int64     `json:"-"`
}

// Totals sums a statement's holding movements by what caused them.
type Totals struct {
	Annotations   int64
	Corrections   int64
	Reviews       int64
	Reversals     int64
	TransfersIn   int64
	TransfersOut  int64
	Fees          int64
	SuccessionIn  int64
	SuccessionOut int64
}

// Sum is the net movement.
func (t Totals) Sum() int64 {
	return t.Annotations + t.Corrections + t.Reviews + t.Reversals + t.TransfersIn + t.TransfersOut + t.Fees + t.SuccessionIn + t.SuccessionOut
}

// Statement is a member's account of one model's units over a period
// [From, To): opening, every movement with its cause, closing.
type Statement struct {
	MemberID       int64
	ModelID        int64
	Unit           string
	From, To       time.Time
	Opening        int64
	Closing        int64
	PendingOpening int64
	PendingClosing int64
	Totals         Totals
	Movements      []Movement
	// Lines are the postings of the period, oldest first; with a line limit
	// only the newest ones (Truncated), out of LineCount.
	Lines     []StatementLine
	LineCount int64
	Truncated bool
	Payouts   []PayoutLine
	HeadSeq   int64
	HeadHash  string
}

// Movement sums one book's postings of one category over the period,
// positive and negative parts apart (transfers in and out, say).
type Movement struct {
	Book     Book
	Category Category
	In, Out  int64
	Count    int64
}

// ErrRegisterInconsistent: the register's rows do not add up for a
// statement, so they were changed outside copyhold or the ledger is broken.
var ErrRegisterInconsistent = fault.New(fault.KindConflict, "register_inconsistent",
	"the register's rows do not add up for this statement; they may have been changed outside copyhold: the co-op should run `copyhold ledger verify`")

// BuildStatement assembles a statement from its movements and checks it:
// opening + movements must equal the independently computed closing, for
// both books, and when every line is present the lines must add up to the
// movements. A mismatch means the ledger is broken, and the statement is
// refused.
func BuildStatement(st Statement) (Statement, error) {
	var t Totals
	var holding, pending int64
	st.LineCount = 0
	for _, m := range st.Movements {
		st.LineCount += m.Count
		net := m.In + m.Out
		if m.Book == BookPending {
			pending += net
			continue
		}
		holding += net
		switch m.Category {
		case CatAnnotation:
			t.Annotations += net
		case CatCorrection:
			t.Corrections += net
		case CatReview:
			t.Reviews += net
		case CatClawback, CatReversal, CatVoid:
			t.Reversals += net
		case CatTransfer:
			t.TransfersIn += m.In
			t.TransfersOut += m.Out
		case CatFee, CatEntryFee:
			t.Fees += net
		case CatExit:
			t.SuccessionIn += m.In
			t.SuccessionOut += m.Out
		default:
			return st, ErrRegisterInconsistent.With("the register's rows do not add up: statement has postings of unexpected category %q; the co-op should run `copyhold ledger verify`", m.Category)
		}
	}
	st.Totals = t
	st.Truncated = int64(len(st.Lines)) < st.LineCount
	if !st.Truncated {
		var lh, lp int64
		for _, l := range st.Lines {
			if l.Book == BookPending {
				lp += l.Amount
			} else {
				lh += l.Amount
			}
		}
		if lh != holding || lp != pending {
			return st, ErrRegisterInconsistent.With("the register's rows do not add up: statement lines (%d, %d) differ from movements (%d, %d); the co-op should run `copyhold ledger verify`", lh, lp, holding, pending)
		}
	}
	if st.Opening+holding != st.Closing {
		return st, ErrRegisterInconsistent.With("the register's rows do not add up: member %d model %d: opening %d + movements %d != closing %d; the co-op should run `copyhold ledger verify`",
			st.MemberID, st.ModelID, st.Opening, holding, st.Closing)
	}
	if st.PendingOpening+pending != st.PendingClosing {
		return st, ErrRegisterInconsistent.With("the register's rows do not add up: member %d model %d: pending opening %d + movements %d != closing %d; the co-op should run `copyhold ledger verify`",
			st.MemberID, st.ModelID, st.PendingOpening, pending, st.PendingClosing)
	}
	return st, nil
}

// StatementView is a statement as JSON: amounts are decimal strings.
type StatementView struct {
	MemberID       int64             `json:"member_id"`
	ModelID        int64             `json:"model_id"`
	Unit           string            `json:"unit"`
	From           time.Time         `json:"from"`
	To             time.Time         `json:"to"`
	Opening        string            `json:"opening"`
	Totals         map[string]string `json:"totals"`
	Closing        string            `json:"closing"`
	PendingOpening string            `json:"pending_opening"`
	PendingClosing string            `json:"pending_closing"`
	Lines          []LineView        `json:"lines"`
	LinesTotal     int64             `json:"lines_total"`
	LinesTruncated bool              `json:"lines_truncated"`
	Payouts        []PayoutView      `json:"payouts"`
	HeadSeq        int64             `json:"head_seq"`
	HeadHash       string            `json:"head_hash"`
}

// LineView is a statement line with its amount as a string.
type LineView struct {
	StatementLine
	Amount string `json:"amount"`
}

// PayoutView is a payout with its amount as a string.
type PayoutView struct {
	PayoutLine
	Amount string `json:"amount"`
}

// View renders the statement for JSON.
func (st Statement) View() StatementView {
	f := func(v int64) string { return Format(v, UnitScale) }
	v := StatementView{MemberID: st.MemberID, ModelID: st.ModelID, Unit: st.Unit, From: st.From, To: st.To,
		Opening: f(st.Opening), Closing: f(st.Closing), PendingOpening: f(st.PendingOpening), PendingClosing: f(st.PendingClosing),
		HeadSeq: st.HeadSeq, HeadHash: st.HeadHash, Lines: make([]LineView, len(st.Lines)), Payouts: make([]PayoutView, len(st.Payouts)),
		LinesTotal: st.LineCount, LinesTruncated: st.Truncated,
		Totals: map[string]string{
			"annotations": f(st.Totals.Annotations), "corrections": f(st.Totals.Corrections), "reviews": f(st.Totals.Reviews),
			"reversals": f(st.Totals.Reversals), "transfers_in": f(st.Totals.TransfersIn), "transfers_out": f(st.Totals.TransfersOut),
			"fees": f(st.Totals.Fees), "succession_in": f(st.Totals.SuccessionIn), "succession_out": f(st.Totals.SuccessionOut),
		}}
	for i, l := range st.Lines {
		v.Lines[i] = LineView{l, f(l.Amount)}
	}
	for i, p := range st.Payouts {
		v.Payouts[i] = PayoutView{p, Format(p.Amount, p.Scale)}
	}
	return v
}

// WriteCSV writes the statement as CSV: a header block, one row per line,
// payouts, the totals, and the register head hash at the end.
func (st Statement) WriteCSV(w io.Writer) error {
	f := func(v int64) string { return Format(v, UnitScale) }
	i64 := func(v int64) string {
		if v == 0 {
			return ""
		}
		return strconv.FormatInt(v, 10)
	}
	cw := csvout.NewWriter(w)
	rows := [][]string{
		{"statement", "member", strconv.FormatInt(st.MemberID, 10), "model", strconv.FormatInt(st.ModelID, 10), "unit", st.Unit},
		{"period", st.From.UTC().Format(time.RFC3339), st.To.UTC().Format(time.RFC3339)},
		{"opening", f(st.Opening)},
		{"pending_opening", f(st.PendingOpening)},
		{"tx_id", "at", "kind", "book", "account", "category", "amount", "project_id", "item_id", "submission_id", "review_id", "idempotency_key"},
	}
	for _, l := range st.Lines {
		rows = append(rows, []string{strconv.FormatInt(l.TxID, 10), l.At.UTC().Format(time.RFC3339Nano), string(l.Kind), string(l.Book),
			l.Account, string(l.Category), f(l.Amount), i64(l.Cause.ProjectID), i64(l.Cause.ItemID), i64(l.Cause.SubmissionID), i64(l.Cause.ReviewID), l.Key})
	}
	for _, p := range st.Payouts {
		rows = append(rows, []string{strconv.FormatInt(p.TxID, 10), p.At.UTC().Format(time.RFC3339Nano), string(KindDistribution), "payout",
			Payout(st.MemberID), string(CatPayout), Format(p.Amount, p.Scale) + " " + p.Currency})
	}
	t := st.Totals
	rows = append(rows,
		[]string{"annotations", f(t.Annotations)}, []string{"corrections", f(t.Corrections)}, []string{"reviews", f(t.Reviews)},
		[]string{"reversals", f(t.Reversals)}, []string{"transfers_in", f(t.TransfersIn)}, []string{"transfers_out", f(t.TransfersOut)},
		[]string{"fees", f(t.Fees)}, []string{"succession_in", f(t.SuccessionIn)}, []string{"succession_out", f(t.SuccessionOut)},
		[]string{"closing", f(st.Closing)}, []string{"pending_closing", f(st.PendingClosing)},
		[]string{"register_head", strconv.FormatInt(st.HeadSeq, 10), st.HeadHash},
	)
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}
