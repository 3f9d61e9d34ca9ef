package live_test

// The live layer is tested through the whole transport: a real server
// (server.New, so authentication and the /ws route are the production ones)
// on httptest, real websockets, and a fresh database per test.

import (
	"testing"

	"copyhold/labeling/member"
	"copyhold/labeling/store"
	"copyhold/server"
	"copyhold/server/servertest"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// env is one running server on a fresh database, with a member per role.
type env struct{ *servertest.Env }

func newEnv(t *testing.T, db *gorm.DB, opts ...servertest.Option) *env {
	t.Helper()
	return &env{servertest.New(t, db, store.New(db), server.Config{PasswordCost: member.PasswordCost(bcrypt.MinCost)}, nil, opts...)}
}
