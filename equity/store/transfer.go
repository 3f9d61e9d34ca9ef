package store

import (
	"context"
	"encoding/json"
	"fmt"

	"copyhold/equity"
	"copyhold/labeling/event"
	"copyhold/labeling/sqldb"

	"gorm.io/gorm"
)

// metaJSON is a transaction's free metadata; encoding/json sorts map keys,
// so the text (which the hash chain covers) is canonical.
func metaJSON(m map[string]any) string {
	b, _ := json.Marshal(m)
	return string(b)
}

// Transfer moves vested units member to member. The asset lock: the
// recipient must be an active member; the transfer fee (governance, rounded
// up) is paid by the sender to the reserve in the same transaction, and the
// recipient must stay within the holding cap.
func Transfer(tx *gorm.DB, r equity.TransferRequest) (equity.Transaction, error) {
	if err := equity.ValidKey(r.Key); err != nil {
		return equity.Transaction{}, err
	}
	if r.Amount <= 0 {
		return equity.Transaction{}, equity.ErrNotPositive
	}
	if r.From == r.To {
		return equity.Transaction{}, equity.ErrSelfTransfer
	}
	key := fmt.Sprintf("transfer:%d:%s", r.From, r.Key)
	return post(tx, key, r, func() (*draft, error) {
		if err := modelExists(tx, r.ModelID); err != nil {
			return nil, err
		}
		if _, active, err := activeMember(tx, r.To); err != nil {
			return nil, err
		} else if !active {
			return nil, equity.ErrNotMember.With("member %d is not an active member; units stay inside the co-op", r.To)
		}
		if _, active, err := activeMember(tx, r.From); err != nil {
			return nil, err
		} else if !active {
			return nil, equity.ErrNotMember.With("member %d is not an active member", r.From)
		}
		g, err := CurrentGovernance(tx)
		if err != nil {
			return nil, err
		}
		unit := equity.ModelUnit(r.ModelID)
		fee := g.TransferFee(r.Amount)
		ps := []equity.Posting{
			{Unit: unit, Account: equity.Vested(r.From), Amount: -r.Amount, Category: equity.CatTransfer},
			{Unit: unit, Account: equity.Vested(r.To), Amount: r.Amount, Category: equity.CatTransfer},
		}
		if fee > 0 {
			ps = append(ps,
				equity.Posting{Unit: unit, Account: equity.Vested(r.From), Amount: -fee, Category: equity.CatFee},
				equity.Posting{Unit: unit, Account: equity.AccountReserve, Amount: fee, Category: equity.CatFee})
		}
		d := &draft{Transaction: equity.Transaction{Kind: equity.KindTransfer, ModelID: r.ModelID, GovernanceID: g.ID,
			ActorID: r.ActorID, MemberID: r.From, Reason: r.Reason, Postings: ps,
			Meta: metaJSON(map[string]any{"from": r.From, "to": r.To, "fee_bp": g.TransferFeeBP})}}
		if g.Capped() {
			d.check = func(tx *gorm.DB, after map[balKey]int64) error {
				return capCheck(tx, g, unit, r.To, after, 0)
			}
		}
		p := map[string]any{"from": r.From, "to": r.To, "amount": equity.Format(r.Amount, equity.UnitScale), "fee": equity.Format(fee, equity.UnitScale)}
		d.events = []ledgerEvent{{"equity.transferred", event.MemberScope(r.From), p}, {"equity.transferred", event.MemberScope(r.To), p}}
		return d, nil
	})
}

// Transfer runs the package function in its own transaction (with retries).
func (s *Store) Transfer(ctx context.Context, r equity.TransferRequest) (t equity.Transaction, err error) {
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		t, err = Transfer(tx, r)
		return err
	})
	return t, err
}

// ---- succession ----

// Successor is the member's named successor (0: none).
func Successor(tx *gorm.DB, member int64) (int64, error) {
	var ids []*int64
	if err := tx.Raw("SELECT successor_id FROM equity_successors WHERE member_id = ? ORDER BY id DESC LIMIT 1", member).Scan(&ids).Error; err != nil {
		return 0, err
	}
	if len(ids) == 0 || ids[0] == nil {
		return 0, nil
	}
	return *ids[0], nil
}

// NameSuccessor records who receives the member's vested holdings when their
// membership ends (0 clears it: the reserve receives them). Append-only: the
// newest row wins, and the history stays.
func NameSuccessor(tx *gorm.DB, member, successor int64) error {
	if successor != 0 {
		if successor == member {
			return equity.ErrInvalidSuccessor.With("a member cannot succeed themselves")
		}
		if _, active, err := activeMember(tx, successor); err != nil {
			return err
		} else if !active {
			return equity.ErrInvalidSuccessor.With("member %d is not an active member", successor)
		}
	}
	if err := tx.Exec("INSERT INTO equity_successors (member_id, successor_id, created_at) VALUES (?, ?, ?)", member, nz(successor), sqldb.Now(tx)).Error; err != nil {
		return fmt.Errorf("name successor: %w", err)
	}
	return event.Append(tx, "equity.successor_named", event.MemberScope(member), actorPtr(member),
		map[string]any{"member_id": member, "successor_id": successor})
}

// NameSuccessor runs the package function in its own transaction.
func (s *Store) NameSuccessor(ctx context.Context, member, successor int64) error {
	return s.inTx(ctx, func(tx *gorm.DB) error { return NameSuccessor(tx, member, successor) })
}

// Successor is the member's named successor (0: none).
func (s *Store) Successor(ctx context.Context, member int64) (int64, error) {
	return Successor(s.db.WithContext(ctx), member)
}

// exitDestination is where a former member's units go: the named successor
// if the exit rule allows and they are an active member, else the reserve.
func exitDestination(tx *gorm.DB, g equity.Governance, member int64) (string, error) {
	if g.ExitRule != equity.ExitSuccessorElseReserve {
		return equity.AccountReserve, nil
	}
	succ, err := Successor(tx, member)
	if err != nil || succ == 0 {
		return equity.AccountReserve, err
	}
	if _, active, err := activeMember(tx, succ); err != nil || !active {
		return equity.AccountReserve, err
	}
	return equity.Vested(succ), nil
}

// Exit passes a former member's vested holdings, in every model, to their
// successor or the reserve by the exit rule, in one transaction recorded on
// the register. Call it in the transaction that ends the membership (after
// members.active is set false). Nothing held: no transaction, no error.
// Pending credits stay pending; when they vest, they follow the same rule.
// If the successor would exceed the holding cap, the units go to the reserve.
func Exit(tx *gorm.DB, member, actorID int64) (equity.Transaction, error) {
	known, active, err := activeMember(tx, member)
	if err != nil {
		return equity.Transaction{}, err
	}
	if !known {
		return equity.Transaction{}, equity.ErrUnknownMember
	}
	if active {
		return equity.Transaction{}, equity.ErrMemberActive.With("member %d is still active", member)
	}
	var holdings []struct {
		Unit    string
		Balance int64
	}
	if err := tx.Raw("SELECT unit, balance FROM equity_balances WHERE account = ? AND balance > 0 ORDER BY unit", equity.Vested(member)).Scan(&holdings).Error; err != nil {
		return equity.Transaction{}, err
	}
	if len(holdings) == 0 {
		return equity.Transaction{}, nil
	}
	var n int64
	if err := tx.Raw("SELECT COUNT(*) FROM equity_transactions WHERE kind = 'exit' AND member_id = ?", member).Scan(&n).Error; err != nil {
		return equity.Transaction{}, err
	}
	key := fmt.Sprintf("member:%d:exit:%d", member, n+1)
	return post(tx, key, map[string]any{"exit": member, "n": n + 1}, func() (*draft, error) {
		g, err := CurrentGovernance(tx)
		if err != nil {
			return nil, err
		}
		dest, err := exitDestination(tx, g, member)
		if err != nil {
			return nil, err
		}
		var ps []equity.Posting
		var models []int64
		for _, h := range holdings {
			to := dest
			if a, ok := equity.ParseAccount(dest); ok && a.Kind == "member" {
				held := h.Balance
				for _, acc := range []string{equity.Pending(a.MemberID), equity.Vested(a.MemberID)} {
					b, err := balance(tx, h.Unit, acc)
					if err != nil {
						return nil, err
					}
					held += b
				}
				total, err := issued(tx, h.Unit)
				if err != nil {
					return nil, err
				}
				if !g.WithinCap(held, total) {
					to = equity.AccountReserve
				}
			}
			ps = append(ps,
				equity.Posting{Unit: h.Unit, Account: equity.Vested(member), Amount: -h.Balance, Category: equity.CatExit},
				equity.Posting{Unit: h.Unit, Account: to, Amount: h.Balance, Category: equity.CatExit})
			var mid int64
			fmt.Sscanf(h.Unit, "unit:%d", &mid)
			models = append(models, mid)
		}
		var modelID int64
		if len(models) == 1 {
			modelID = models[0]
		}
		d := &draft{Transaction: equity.Transaction{Kind: equity.KindExit, ModelID: modelID, GovernanceID: g.ID,
			ActorID: actorID, MemberID: member, Postings: ps, Reason: "membership ended",
			Meta: metaJSON(map[string]any{"destination": dest, "exit_rule": g.ExitRule, "models": models})}}
		d.events = []ledgerEvent{{"equity.exited", event.CoopScope, map[string]any{"member_id": member, "destination": dest, "models": models}}}
		if a, ok := equity.ParseAccount(dest); ok && a.Kind == "member" {
			d.events = append(d.events, ledgerEvent{"equity.inherited", event.MemberScope(a.MemberID), map[string]any{"from": member}})
		}
		return d, nil
	})
}

// Exit runs the package function in its own transaction.
func (s *Store) Exit(ctx context.Context, member, actorID int64) (t equity.Transaction, err error) {
	err = s.inTx(ctx, func(tx *gorm.DB) error {
		t, err = Exit(tx, member, actorID)
		return err
	})
	return t, err
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
