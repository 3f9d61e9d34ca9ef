-- +goose Up
-- Admission and the entry fee (docs/GOVERNANCE.md). A member admitted by a
-- vote first exists as an applicant (admission 'applicant', inactive) and
-- becomes a member when the admission proposal passes ('admitted', with
-- admitted_at: from then they are eligible in votes) or is refused
-- ('refused'). equity_entry_fees records, once and append-only, the fee a
-- member owed on admission; it is settled by entry-fee postings of the
-- member's first vestings.
ALTER TABLE members ADD COLUMN admission TEXT NOT NULL DEFAULT 'admitted';
ALTER TABLE members ADD COLUMN admitted_at DATETIME;
UPDATE members SET admitted_at = created_at;

CREATE TABLE equity_entry_fees (
    member_id   BIGINT PRIMARY KEY REFERENCES members(id),
    fee         BIGINT NOT NULL CHECK (fee > 0),
    proposal_id BIGINT REFERENCES equity_proposals(id),
    created_at  DATETIME NOT NULL
);
-- +goose StatementBegin
CREATE TRIGGER equity_entry_fees_no_update BEFORE UPDATE ON equity_entry_fees
BEGIN SELECT RAISE(ABORT, 'equity: equity_entry_fees is append-only; UPDATE refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER equity_entry_fees_no_delete BEFORE DELETE ON equity_entry_fees
BEGIN SELECT RAISE(ABORT, 'equity: equity_entry_fees is append-only; DELETE refused'); END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE equity_entry_fees;
ALTER TABLE members DROP COLUMN admitted_at;
ALTER TABLE members DROP COLUMN admission;
