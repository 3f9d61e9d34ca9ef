package main

import (
	"context"
	"fmt"

	equitystore "copyhold/equity/store"

	"gorm.io/gorm"
)

// integrateRegister takes every committed register entry into the court roll
// (signing the checkpoint) before a command records the register's head, so a
// snapshot or release made outside serve names the head it really follows,
// not the one serve last integrated. Without a signing key (PostgreSQL with
// none configured) it says so on stderr and the head stays where serve left it.
func integrateRegister(ctx context.Context, e *env, c config, db *gorm.DB) error {
	key, err := registerKey(c, true)
	if err != nil {
		fmt.Fprintf(e.stderr, "note: the register's head is the one serve last integrated (%v)\n", err)
		return nil
	}
	return integrateAll(ctx, equitystore.NewRoll(db, key))
}

// integrateAll integrates until the queue is empty (one round takes a batch).
func integrateAll(ctx context.Context, rl *equitystore.Roll) error {
	for {
		_, grew, err := rl.Integrate(ctx)
		if err != nil {
			return fmt.Errorf("integrate the register before recording its head: %w", err)
		}
		if !grew {
			return nil
		}
	}
}
