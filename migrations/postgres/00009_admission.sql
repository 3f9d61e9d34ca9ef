-- +goose Up
-- Admission and the entry fee (docs/GOVERNANCE.md). A member admitted by a
-- vote first exists as an applicant (admission 'applicant', inactive) and
-- becomes a member when the admission proposal passes ('admitted', with
-- admitted_at: from then they are eligible in votes) or is refused
-- ('refused'). equity_entry_fees records, once and append-only, the fee a
-- member owed on admission; it is settled by entry-fee postings of the
-- member's first vestings.
ALTER TABLE members ADD COLUMN admission TEXT NOT NULL DEFAULT 'admitted'
    CHECK (admission IN ('applicant', 'admitted', 'refused'));
ALTER TABLE members ADD COLUMN admitted_at TIMESTAMPTZ;
UPDATE members SET admitted_at = created_at;

CREATE TABLE equity_entry_fees (
    member_id   BIGINT PRIMARY KEY REFERENCES members(id),
    fee         BIGINT NOT NULL CHECK (fee > 0),
    proposal_id BIGINT REFERENCES equity_proposals(id),
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE TRIGGER equity_entry_fees_append_only BEFORE UPDATE OR DELETE ON equity_entry_fees FOR EACH ROW EXECUTE FUNCTION equity_append_only();

-- +goose Down
DROP TABLE equity_entry_fees;
ALTER TABLE members DROP COLUMN admitted_at;
ALTER TABLE members DROP COLUMN admission;
