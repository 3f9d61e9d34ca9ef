package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"copyhold/equity"
	"copyhold/equity/vote"
	"copyhold/labeling/fault"
	"copyhold/labeling/member"

	"github.com/gin-gonic/gin"
	"github.com/shopspring/decimal"
)

// The equity register over HTTP. Amounts travel as decimal strings
// ("1.500000"), never as JSON numbers.

var errBadTime = fault.New(fault.KindInvalid, "invalid_time", "times are RFC 3339 (2026-01-31T00:00:00Z) or dates (2026-01-31)")

func parseTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, nil
	}
	return time.Time{}, errBadTime.With("%q is not a time: use RFC 3339 or YYYY-MM-DD", v)
}

// handleStatement: GET /api/equity/models/:id/statement?from=&to=&member=&format=csv
// A member sees their own statement; coordinators may ask for anyone's.
// statementPage is how many of the newest lines a JSON statement lists; its
// totals always cover the whole period, and the CSV download lists every line.
const statementPage = 500

func (s *Server) handleStatement(c *gin.Context) {
	me, _ := currentMember(c)
	modelID, ok := idParam(c, "id")
	if !ok {
		return
	}
	who := me.ID
	if v := c.Query("member"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			fail(c, fault.ErrInvalid.With("member must be a positive integer"))
			return
		}
		if id != me.ID && !me.Has(member.RoleCoordinator) {
			fail(c, fault.ErrForbidden.With("only coordinators see other members' statements"))
			return
		}
		who = id
	}
	from, to := time.Unix(0, 0).UTC(), time.Now().UTC().Add(time.Second)
	var err error
	if v := c.Query("from"); v != "" {
		if from, err = parseTime(v); err != nil {
			fail(c, err)
			return
		}
	}
	if v := c.Query("to"); v != "" {
		if to, err = parseTime(v); err != nil {
			fail(c, err)
			return
		}
	}
	lines := statementPage
	if c.Query("format") == "csv" {
		lines = 0 // the download lists every line
	}
	st, err := s.register.StatementFor(c.Request.Context(), who, modelID, from, to, lines)
	if err != nil {
		fail(c, err)
		return
	}
	if c.Query("format") == "csv" {
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Header("Content-Disposition", "attachment; filename=statement-"+strconv.FormatInt(who, 10)+"-model-"+strconv.FormatInt(modelID, 10)+".csv")
		c.Status(http.StatusOK)
		if err := st.WriteCSV(c.Writer); err != nil {
			s.log.Warn("write statement csv", "err", err)
		}
		return
	}
	c.JSON(http.StatusOK, st.View())
}

// handleRegister: GET /api/equity/models/:id/register — the public register.
func (s *Server) handleRegister(c *gin.Context) {
	modelID, ok := idParam(c, "id")
	if !ok {
		return
	}
	reg, err := s.register.RegisterFor(c.Request.Context(), modelID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, reg)
}

// handleHoldings: GET /api/equity/models/:id/holdings — my holdings over time.
func (s *Server) handleHoldings(c *gin.Context) {
	me, _ := currentMember(c)
	modelID, ok := idParam(c, "id")
	if !ok {
		return
	}
	pts, err := s.register.HoldingsOverTime(c.Request.Context(), me.ID, modelID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"model_id": modelID, "unit": equity.ModelUnit(modelID), "points": pts})
}

// handleMyEquity: GET /api/equity/me — my balances, successor and privacy.
func (s *Server) handleMyEquity(c *gin.Context) {
	me, _ := currentMember(c)
	ctx := c.Request.Context()
	bals, err := s.register.MemberBalances(ctx, me.ID)
	if err != nil {
		fail(c, err)
		return
	}
	succ, err := s.register.Successor(ctx, me.ID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"member_id": me.ID, "balances": bals, "successor_id": succ})
}

func (s *Server) handleLedgerHead(c *gin.Context) {
	h, err := s.register.Head(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, h)
}

type transferRequest struct {
	IdempotencyKey string `json:"idempotency_key"`
	ModelID        int64  `json:"model_id"`
	To             int64  `json:"to"`
	Amount         string `json:"amount"`
	Reason         string `json:"reason"`
}

// handleTransfer: POST /api/equity/transfers — the caller sends their own
// vested units to another active member; the fee goes to the reserve.
func (s *Server) handleTransfer(c *gin.Context) {
	me, _ := currentMember(c)
	var req transferRequest
	if !bindJSON(c, &req) {
		return
	}
	if req.IdempotencyKey == "" {
		req.IdempotencyKey = c.GetHeader("Idempotency-Key")
	}
	amount, err := equity.ParseAmount(req.Amount, equity.UnitScale)
	if err != nil {
		fail(c, err)
		return
	}
	t, err := s.register.Transfer(c.Request.Context(), equity.TransferRequest{Key: req.IdempotencyKey, ModelID: req.ModelID,
		From: me.ID, To: req.To, Amount: amount, ActorID: me.ID, Reason: req.Reason})
	if err != nil {
		fail(c, err)
		return
	}
	status := http.StatusCreated
	if t.Existing {
		status = http.StatusOK
	}
	c.JSON(status, txView(t, 0))
}

type successorRequest struct {
	SuccessorID int64 `json:"successor_id"`
}

// handleSuccessor: PUT /api/equity/successor — name (or clear, 0) my successor.
func (s *Server) handleSuccessor(c *gin.Context) {
	me, _ := currentMember(c)
	var req successorRequest
	if !bindJSON(c, &req) {
		return
	}
	if err := s.register.NameSuccessor(c.Request.Context(), me.ID, req.SuccessorID); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"successor_id": req.SuccessorID})
}

type privacyRequest struct {
	Hidden bool `json:"hidden"`
}

// handlePrivacy: PUT /api/equity/privacy — show my name on the register or a pseudonym.
func (s *Server) handlePrivacy(c *gin.Context) {
	me, _ := currentMember(c)
	var req privacyRequest
	if !bindJSON(c, &req) {
		return
	}
	p, err := s.register.SetPrivacy(c.Request.Context(), me.ID, req.Hidden)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

type rateCardRequest struct {
	AnnotationAccepted   string         `json:"annotation_accepted"`
	Correction           string         `json:"correction"`
	ReviewDecision       string         `json:"review_decision"`
	CorrectionLabellerBP int            `json:"correction_labeller_bp"`
	Difficulty           map[string]int `json:"difficulty"`
	Reason               string         `json:"reason"`
}

// units parses an optional rate: empty or any zero ("0", "0.000000") is zero.
func units(v string) (int64, error) {
	if d, err := decimal.NewFromString(strings.TrimSpace(v)); v == "" || (err == nil && d.IsZero()) {
		return 0, nil
	}
	return equity.ParseAmount(v, equity.UnitScale)
}

// handleSetRateCard: POST /api/projects/:id/rate-card — a coordinator sets
// the card of a project with no accepted work yet, within the band the
// members voted; any other change is 403 needs_vote (a rate_card proposal).
func (s *Server) handleSetRateCard(c *gin.Context) {
	me, _ := currentMember(c)
	pid, ok := idParam(c, "id")
	if !ok {
		return
	}
	var req rateCardRequest
	if !bindJSON(c, &req) {
		return
	}
	rc := equity.RateCard{ProjectID: pid, CorrectionLabellerBP: req.CorrectionLabellerBP, Difficulty: req.Difficulty, Reason: req.Reason}
	var err error
	for _, f := range []struct {
		v   string
		dst *int64
	}{{req.AnnotationAccepted, &rc.AnnotationAccepted}, {req.Correction, &rc.Correction}, {req.ReviewDecision, &rc.ReviewDecision}} {
		if *f.dst, err = units(f.v); err != nil {
			fail(c, err)
			return
		}
	}
	out, err := s.votes.SetNewProjectRateCard(c.Request.Context(), me.ID, rc)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, rateCardView(out))
}

// handleRateCard: GET /api/projects/:id/rate-card
func (s *Server) handleRateCard(c *gin.Context) {
	// The project check every project route makes: to a labeller outside
	// the project it does not exist.
	p, ok := s.project(c)
	if !ok {
		return
	}
	rc, err := s.register.RateCard(c.Request.Context(), p.ID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, rateCardView(rc))
}

// rateCardJSON is a rate card with its amounts as decimal strings.
type rateCardJSON struct {
	ID                   int64           `json:"id"`
	ProjectID            int64           `json:"project_id"`
	Version              int             `json:"version"`
	AnnotationAccepted   string          `json:"annotation_accepted"`
	Correction           string          `json:"correction"`
	ReviewDecision       string          `json:"review_decision"`
	CorrectionLabellerBP int             `json:"correction_labeller_bp"`
	Difficulty           map[string]int  `json:"difficulty"`
	Reason               string          `json:"reason"`
	ActorID              int64           `json:"actor_id"`
	CreatedAt            time.Time       `json:"created_at"`
	ProposalID           int64           `json:"proposal_id"`
	Vote                 *equity.VoteRef `json:"vote"`
}

func rateCardView(rc equity.RateCard) rateCardJSON {
	f := func(v int64) string { return equity.Format(v, equity.UnitScale) }
	return rateCardJSON{ID: rc.ID, ProjectID: rc.ProjectID, Version: rc.Version, AnnotationAccepted: f(rc.AnnotationAccepted),
		Correction: f(rc.Correction), ReviewDecision: f(rc.ReviewDecision), CorrectionLabellerBP: rc.CorrectionLabellerBP,
		Difficulty: rc.Difficulty, Reason: rc.Reason, ActorID: rc.ActorID, CreatedAt: rc.CreatedAt,
		ProposalID: rc.ProposalID, Vote: rc.Vote}
}

// handleGovernance: GET /api/equity/governance — the current parameters.
func (s *Server) handleGovernance(c *gin.Context) {
	g, err := s.register.Governance(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, governanceView(g))
}

// handleSetGovernance: POST /api/equity/governance — refused: the transfer
// fee, holding cap, reserve share and exit rule change only by a vote.
func (s *Server) handleSetGovernance(c *gin.Context) {
	fail(c, vote.ErrNeedsVote.With("the transfer fee, holding cap, reserve share and exit rule change only by a vote of the members: propose a governance change with %s",
		vote.ProposalRoute))
}

// governanceJSON is the governance parameters with the cap floor as a decimal string.
type governanceJSON struct {
	ID             int64           `json:"id"`
	Version        int             `json:"version"`
	TransferFeeBP  int             `json:"transfer_fee_bp"`
	HoldingCapBP   int             `json:"holding_cap_bp"`
	CapFloor       string          `json:"cap_floor"`
	ReserveShareBP int             `json:"reserve_share_bp"`
	ExitRule       equity.ExitRule `json:"exit_rule"`
	Reason         string          `json:"reason"`
	ActorID        int64           `json:"actor_id"`
	CreatedAt      time.Time       `json:"created_at"`
	ProposalID     int64           `json:"proposal_id"`
	Vote           *equity.VoteRef `json:"vote"`
}

func governanceView(g equity.Governance) governanceJSON {
	return governanceJSON{ID: g.ID, Version: g.Version, TransferFeeBP: g.TransferFeeBP, HoldingCapBP: g.HoldingCapBP,
		CapFloor: equity.Format(g.CapFloor, equity.UnitScale), ReserveShareBP: g.ReserveShareBP, ExitRule: g.ExitRule,
		Reason: g.Reason, ActorID: g.ActorID, CreatedAt: g.CreatedAt, ProposalID: g.ProposalID, Vote: g.Vote}
}

// handleDistribute: POST /api/equity/models/:id/distributions — refused:
// revenue is distributed only by a passing distribution proposal, which a
// coordinator prepares and the members approve.
func (s *Server) handleDistribute(c *gin.Context) {
	fail(c, vote.ErrNeedsVote.With("a revenue distribution is decided by a vote of the members: propose a distribution change (model_id, amount, currency, source, record_date) with %s",
		vote.ProposalRoute))
}

// handleExit: POST /api/equity/members/:id/exit — pass a former member's
// holdings to their successor or the reserve.
func (s *Server) handleExit(c *gin.Context) {
	me, _ := currentMember(c)
	id, ok := idParam(c, "id")
	if !ok {
		return
	}
	t, err := s.register.Exit(c.Request.Context(), id, me.ID)
	if err != nil {
		fail(c, err)
		return
	}
	if t.ID == 0 {
		c.JSON(http.StatusOK, gin.H{"member_id": id, "moved": false})
		return
	}
	c.JSON(http.StatusCreated, txView(t, 0))
}

// txView renders a transaction with string amounts; currency postings use
// currencyScale.
// txJSON is a transaction with its amounts as decimal strings.
type txJSON struct {
	ID             int64         `json:"id"`
	IdempotencyKey string        `json:"idempotency_key"`
	Kind           equity.TxKind `json:"kind"`
	ModelID        int64         `json:"model_id"`
	ReversesID     int64         `json:"reverses_id"`
	ActorID        int64         `json:"actor_id"`
	Reason         string        `json:"reason"`
	Cause          equity.Cause  `json:"cause"`
	Meta           string        `json:"meta"`
	CreatedAt      time.Time     `json:"created_at"`
	Postings       []postingJSON `json:"postings"`
	Existing       bool          `json:"existing"`
}

type postingJSON struct {
	Seq      int             `json:"seq"`
	Unit     string          `json:"unit"`
	Account  string          `json:"account"`
	Amount   string          `json:"amount"`
	Category equity.Category `json:"category"`
}

func txView(t equity.Transaction, currencyScale int32) txJSON {
	ps := make([]postingJSON, len(t.Postings))
	for i, p := range t.Postings {
		scale := currencyScale
		if equity.IsModelUnit(p.Unit) {
			scale = equity.UnitScale
		}
		ps[i] = postingJSON{Seq: p.Seq, Unit: p.Unit, Account: p.Account, Amount: equity.Format(p.Amount, scale), Category: p.Category}
	}
	return txJSON{ID: t.ID, IdempotencyKey: t.Key, Kind: t.Kind, ModelID: t.ModelID, ReversesID: t.ReversesID,
		ActorID: t.ActorID, Reason: t.Reason, Cause: t.Cause, Meta: t.Meta, CreatedAt: t.CreatedAt,
		Postings: ps, Existing: t.Existing}
}
