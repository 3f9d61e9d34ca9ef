package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"copyhold/labeling/fault"
	"copyhold/migrations/dbtest"
)

// Finding 11: an operator's password reset ends the member's API tokens
// unless --keep-tokens says otherwise.
func TestUserResetRevokesTokens(t *testing.T) {
	ctx := context.Background()
	vars := dbVars(t, dbtest.SQLite)
	if _, err := runCmd(t, vars, "", "migrate", "up"); err != nil {
		t.Fatal(err)
	}
	if _, err := runCmd(t, vars, "", "user", "add", "--login", "ana", "--name", "Ana", "--role", "labeller"); err != nil {
		t.Fatal(err)
	}
	db, err := openDB(ctx, config{DatabaseURL: vars["DATABASE_URL"], DataDir: vars["COPYHOLD_DATA"]}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB(db)
	st := newStore(db)
	ana, err := st.Members.MemberByLogin(ctx, "ana")
	if err != nil {
		t.Fatal(err)
	}
	token := func() string {
		_, tok, err := st.Members.CreateToken(ctx, ana.ID, "script")
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	works := func(tok string) bool {
		_, _, err := st.Members.TokenMember(ctx, tok)
		if err != nil && !errors.Is(err, fault.ErrUnauthenticated) {
			t.Fatal(err)
		}
		return err == nil
	}
	kept := token()
	out, err := runCmd(t, vars, "a-new-long-password\n", "user", "set-password", "--login", "ana", "--keep-tokens")
	if err != nil || !works(kept) || !strings.Contains(out, "still work") {
		t.Fatalf("reset with --keep-tokens: %v %s; token works: %v", err, out, works(kept))
	}
	out, err = runCmd(t, vars, "another-long-secret\n", "user", "set-password", "--login", "ana")
	if err != nil || works(kept) || !strings.Contains(out, "API tokens were ended") {
		t.Fatalf("reset: %v %s; token still works: %v", err, out, works(kept))
	}
}
