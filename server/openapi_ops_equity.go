package server

import (
	"net/http"

	"copyhold/equity"
	"copyhold/equity/vote"
	"copyhold/labeling/fault"
)

var errRegisterInconsistent = fault.New(fault.KindConflict, "register_inconsistent", "") // equity

func equityOps() []*op {
	amount := []*fault.Error{equity.ErrNotPositive, equity.ErrPrecision, equity.ErrAmountFormat, equity.ErrAmountRange}
	return []*op{
		opGet("/api/equity/head", "The register head", anyMember).ok(http.StatusOK, equity.Head{}),
		opGet("/api/equity/me", "The caller's balances in every unit", anyMember).
			ok(http.StatusOK, fields{"member_id": tInteger, "balances": []equity.Balance{}, "successor_id": tInteger}),
		opGet("/api/equity/governance", "The governance parameters in force", anyMember).ok(http.StatusOK, governanceJSON{}),
		opGet("/api/equity/models/:id/register", "A model's register", anyMember).ok(http.StatusOK, equity.Register{}).
			fails(equity.ErrUnknownModel),
		opGet("/api/equity/models/:id/statement", "A statement of units over a period", anyMember).
			q("from", tString, "RFC 3339 time or date").q("to", tString, "RFC 3339 time or date").
			q("format", schema{"type": "string", "enum": []string{"json", "csv"}}, "csv: a download of every line").
			q("member", tInteger, "another member's statement (coordinators)").
			ok(http.StatusOK, equity.StatementView{}).file(http.StatusOK, "text/csv; charset=utf-8", "format=csv").
			fails(errBadTime, fault.ErrInvalid, fault.ErrForbidden, errRegisterInconsistent, equity.ErrUnknownModel, equity.ErrUnknownMember),
		opGet("/api/equity/models/:id/holdings", "The caller's holdings over time", anyMember).
			ok(http.StatusOK, fields{"model_id": tInteger, "unit": tString, "points": []equity.HoldingPoint{}}).
			fails(equity.ErrUnknownModel),
		opGet("/api/projects/:id/rate-card", "A project's rate card", anyMember).ok(http.StatusOK, rateCardJSON{}).
			fails(equity.ErrNoRateCard, equity.ErrUnknownProject),
		opPost("/api/equity/transfers", "Transfer units to another member", anyMember).in(transferRequest{}).
			ok(http.StatusCreated, txJSON{}).ok(http.StatusOK, txJSON{}, "a replay of the same key").
			fails(append(amount, equity.ErrNotMember, equity.ErrSelfTransfer, equity.ErrInsufficient, equity.ErrHoldingCap,
				equity.ErrIdempotency, equity.ErrIdempotencyKey, equity.ErrUnknownModel)...),
		opPut("/api/equity/successor", "Name the caller's successor (0 clears)", anyMember).in(successorRequest{}).
			ok(http.StatusOK, fields{"successor_id": tInteger}).fails(equity.ErrInvalidSuccessor, equity.ErrUnknownMember),
		opPut("/api/equity/privacy", "Hide or show the caller's name on registers", anyMember).in(privacyRequest{}).
			ok(http.StatusOK, equity.Privacy{}),
		opPost("/api/equity/governance", "Refused: governance changes by vote", coordinators).
			fails(vote.ErrNeedsVote),
		opPost("/api/projects/:id/rate-card", "Set a new project's rate card within the voted band", coordinators).
			in(rateCardRequest{}).ok(http.StatusCreated, rateCardJSON{}).
			fails(append(amount, equity.ErrInvalidRateCard, vote.ErrNeedsVote, equity.ErrUnknownProject)...),
		opPost("/api/equity/models/:id/distributions", "Refused: distributions by vote", coordinators).
			fails(vote.ErrNeedsVote),
		opPost("/api/equity/members/:id/exit", "Settle a former member's units by the exit rule", coordinators).
			ok(http.StatusCreated, txJSON{}).ok(http.StatusOK, fields{"member_id": tInteger, "moved": tBool}, "nothing to move").
			fails(equity.ErrMemberActive, equity.ErrUnknownMember),
	}
}

func voteOps() []*op {
	proposal := []*fault.Error{vote.ErrInvalidChange, vote.ErrInvalidProposal, vote.ErrInvalidPeriod}
	return []*op{
		opGet("/api/constitution", "The constitution in force", anyMember).ok(http.StatusOK, vote.Constitution{}),
		opGet("/api/constitution/history", "The versions of the constitution, oldest first", anyMember).
			paged(vote.ConstitutionVersion{}, nil),
		opGet("/api/proposals", "Proposals: open ones first, then the newest", anyMember).
			q("status", schema{"type": "string", "enum": []string{"open", "closed"}}, "only these").
			paged(vote.ProposalView{}, nil).fails(vote.ErrInvalidProposal),
		opPost("/api/proposals", "Propose a change", anyMember).in(vote.ProposalRequest{}).
			ok(http.StatusCreated, vote.ProposalView{}).ok(http.StatusOK, vote.ProposalView{}, "a replay of the same key").
			fails(append(proposal, vote.ErrIdempotency, equity.ErrIdempotencyKey, vote.ErrNotEligible)...),
		opGet("/api/proposals/:id", "A proposal", anyMember).ok(http.StatusOK, vote.ProposalView{}).fails(vote.ErrNotFound),
		opPut("/api/proposals/:id", "Amend one's proposal before votes", anyMember).in(amendProposalRequest{}).
			ok(http.StatusOK, vote.ProposalView{}).
			fails(append(proposal, vote.ErrNotFound, vote.ErrNotProposer, vote.ErrHasVotes, vote.ErrClosed)...),
		opPost("/api/proposals/:id/sponsor", "Co-sponsor a proposal", anyMember).ok(http.StatusOK, vote.ProposalView{}).
			fails(vote.ErrNotFound, vote.ErrAlreadySponsored, vote.ErrOwnProposal, vote.ErrNotSeeking, vote.ErrNotEligible),
		opPost("/api/proposals/:id/withdraw", "Withdraw one's proposal", anyMember).ok(http.StatusOK, vote.ProposalView{}).
			fails(vote.ErrNotFound, vote.ErrNotProposer, vote.ErrHasVotes, vote.ErrClosed),
		opPost("/api/proposals/:id/votes", "Vote on a proposal", anyMember).in(voteRequest{}).ok(http.StatusOK, vote.Cast{}).
			fails(vote.ErrNotFound, vote.ErrInvalidChoice, vote.ErrInvalidReceipt, vote.ErrNotOpen, vote.ErrClosed,
				vote.ErrAlreadyVoted, vote.ErrNotEligible),
		opGet("/api/proposals/:id/preview", "What the proposal would change", anyMember).ok(http.StatusOK, vote.Preview{}).
			fails(vote.ErrNotFound),
		opGet("/api/proposals/:id/ballots", "A closed proposal's ballots", anyMember).ok(http.StatusOK, vote.Ballots{}).
			fails(vote.ErrNotFound, vote.ErrStillOpen),
	}
}

func registerOps() []*op {
	text := "text/plain; charset=utf-8"
	return []*op{
		opGet("/api/register/key", "The register's verifier key", public).file(http.StatusOK, text, "the key").
			fails(equity.ErrNoCheckpoint),
		opGet("/api/register/checkpoint", "The latest signed checkpoint with its cosignatures", public).
			file(http.StatusOK, text, "a C2SP tlog-checkpoint note").fails(equity.ErrNoCheckpoint),
		opGet("/api/register/tile/*path", "A hash tile (tlog-tiles)", public).
			file(http.StatusOK, "application/octet-stream", "the tile").
			fails(equity.ErrBadTilePath, equity.ErrNoCheckpoint, equity.ErrBeyondTree, fault.ErrNotFound),
		opGet("/api/register/entries/:index", "One entry of the register", public).
			ok(http.StatusOK, fields{"index": tInteger, "kind": tString, "ref_id": tInteger, "leaf": tString, "leaf_hash": tString}).
			fails(equity.ErrNoCheckpoint, equity.ErrNotInTree, fault.ErrInvalid, fault.ErrNotFound),
		opGet("/api/register/proof/inclusion", "An inclusion proof", public).
			q("index", tInteger, "the entry").q("size", tInteger, "the tree size").
			ok(http.StatusOK, fields{"index": tInteger, "size": tInteger, "leaf_hash": tString, "proof": []string{}}).
			fails(equity.ErrNoCheckpoint, equity.ErrBeyondTree, equity.ErrBadRange, equity.ErrUnknownCheckpoint, fault.ErrInvalid),
		opGet("/api/register/proof/consistency", "A consistency proof", public).
			q("from", tInteger, "the older size").q("to", tInteger, "the newer size").
			ok(http.StatusOK, fields{"from": tInteger, "to": tInteger, "proof": []string{}}).
			fails(equity.ErrNoCheckpoint, equity.ErrBeyondTree, equity.ErrBadRange, equity.ErrUnknownCheckpoint, fault.ErrInvalid),
		opPost("/api/register/cosignatures", "A witness's cosignature on a checkpoint", public).raw(text).
			ok(http.StatusOK, fields{"size": tInteger, "root": tString, "witnesses": []string{}}).
			fails(equity.ErrNoCheckpoint, equity.ErrNotCheckpoint, equity.ErrUntrustedWitness, equity.ErrBadCosignature,
				equity.ErrUnknownCheckpoint),
		opGet("/api/register/witnesses", "The witnesses the co-op trusts", public).
			ok(http.StatusOK, fields{"witnesses": arrayOf(fields{"name": tString, "key": tString})}),
	}
}
