package equity

import "time"

// The register as it is read: its head, a model's public register, a member's
// balances, holdings over time and privacy.

// Head is the register's current head: sequence and hash.
type Head struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// HoldingPoint is a member's holding in a model at the end of a day.
type HoldingPoint struct {
	Day     string `json:"day"` // YYYY-MM-DD (UTC)
	Vested  string `json:"vested"`
	Pending string `json:"pending"`
}

// Balance is a stored balance as a decimal string.
type Balance struct {
	Unit    string `json:"unit"`
	Account string `json:"account"`
	Amount  string `json:"amount"`
}

// Privacy is a member's register privacy setting.
type Privacy struct {
	Hidden    bool   `json:"hidden"`
	Pseudonym string `json:"pseudonym,omitempty"`
}

// Register is the public register of one model.
type Register struct {
	ModelID       int64                  `json:"model_id"`
	ModelName     string                 `json:"model_name"`
	Unit          string                 `json:"unit"`
	Issued        string                 `json:"issued"`
	Vested        string                 `json:"vested"`
	Pending       string                 `json:"pending"`
	Reserve       string                 `json:"reserve"`
	Receivables   string                 `json:"receivables"`
	Holders       []RegisterHolder       `json:"holders"`
	Governance    []Governance           `json:"governance"`
	RateCards     []RateCard             `json:"rate_cards"`
	Distributions []RegisterDistribution `json:"distributions"`
	Releases      []RegisterRelease      `json:"releases"`
	Votes         []RegisterVote         `json:"votes"` // decided proposals and their tallies
	Head          Head                   `json:"head"`
}

// RegisterHolder is one line of the public register.
type RegisterHolder struct {
	MemberID *int64 `json:"member_id,omitempty"` // omitted for pseudonymous holders
	Name     string `json:"name"`
	Units    string `json:"units"`
	Share    string `json:"share"` // fraction of all issued units, 6 decimals
}

// RegisterDistribution is a past distribution on the register.
type RegisterDistribution struct {
	TxID       int64              `json:"tx_id"`
	Currency   string             `json:"currency"`
	Amount     string             `json:"amount"`
	Reserve    string             `json:"reserve"`
	Source     string             `json:"source"`
	RecordDate time.Time          `json:"record_date"`
	CreatedAt  time.Time          `json:"created_at"`
	Inputs     DistributionInputs `json:"inputs"`
}

// RegisterRelease is a model release as the register lists it: what it was
// trained on is fixed by its hash, and the register head when it was made
// ties it to the holdings of that moment.
type RegisterRelease struct {
	ID         int64     `json:"id"`
	Version    string    `json:"version"`
	BaseModel  string    `json:"base_model"`
	Checkpoint string    `json:"checkpoint"`
	Hash       string    `json:"hash"`
	LedgerSeq  int64     `json:"ledger_seq"`
	LedgerHead string    `json:"ledger_head"`
	CreatedAt  time.Time `json:"created_at"`
}

// DistributionInputs are stored with every distribution so that anyone can
// recompute it: the holders and their vested units at the record date, the
// reserve share, and the result.
type DistributionInputs struct {
	Currency       string    `json:"currency"`
	Scale          int32     `json:"scale"`
	Amount         int64     `json:"amount"`
	Source         string    `json:"source"`
	RecordDate     time.Time `json:"record_date"`
	ReserveShareBP int       `json:"reserve_share_bp"`
	ReserveAmount  int64     `json:"reserve_amount"`
	Method         string    `json:"method"`
	Holders        []Share   `json:"holders"`
}

// RegisterVote is a decided proposal as the register lists it.
type RegisterVote struct {
	ProposalID int64     `json:"proposal_id"`
	Title      string    `json:"title"`
	Kind       string    `json:"kind"`
	Status     string    `json:"status"`
	Yes        int       `json:"yes"`
	No         int       `json:"no"`
	Abstain    int       `json:"abstain"`
	Eligible   int       `json:"eligible"`
	Executed   string    `json:"executed,omitempty"`
	ClosedAt   time.Time `json:"closed_at"`
}
