package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"copyhold/labeling/fault"
	"copyhold/labeling/member"
	"copyhold/labeling/store"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// A request authenticates in one statement: the credential with its member
// and roles. Unknown, revoked and expired credentials and inactive members
// are refused as before; an expired session is revoked on sight.
func TestCredentialInOneStatement(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		now := time.Date(2031, 3, 4, 10, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		var l dbtest.StatementLog
		st := store.New(l.Session(db)).WithClock(clock)
		m, err := st.Members.CreateMember(ctx, nil, member.NewMember{Login: "ana", DisplayName: "Ana", Password: "correct horse battery",
			Roles: []member.Role{member.RoleCoordinator, member.RoleLabeller}})
		if err != nil {
			t.Fatal(err)
		}
		_, tok, err := st.Members.CreateToken(ctx, m.ID, "cli")
		if err != nil {
			t.Fatal(err)
		}
		sess, _, err := st.Members.CreateSession(ctx, m.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}

		// A token: one statement, and the last-used stamp once a minute.
		before := len(l.SQL())
		got, cred, err := st.Members.TokenMember(ctx, tok)
		if err != nil || got.ID != m.ID || cred.Kind != member.CredentialToken || !slices.Equal(got.Roles, []member.Role{member.RoleLabeller, member.RoleCoordinator}) {
			t.Fatalf("token: %+v %+v %v", got, cred, err)
		}
		if got.Login != "ana" || got.DisplayName != "Ana" || !got.Active || got.CreatedAt.IsZero() {
			t.Fatalf("token member: %+v", got)
		}
		if sent := l.SQL()[before:]; len(sent) != 2 || !strings.Contains(sent[1], "last_used_at") {
			t.Fatalf("first use sent %q, want the read and the stamp", sent)
		}
		before = len(l.SQL())
		if _, _, err := st.Members.TokenMember(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if sent := l.SQL()[before:]; len(sent) != 1 {
			t.Fatalf("second use sent %q, want one statement", sent)
		}
		if again, err := st.Members.CredentialMember(ctx, cred); err != nil || again.ID != m.ID {
			t.Fatalf("token re-check: %+v %v", again, err)
		}

		// A session: one statement.
		before = len(l.SQL())
		got, scred, err := st.Members.SessionMember(ctx, sess)
		if err != nil || got.ID != m.ID || scred.Kind != member.CredentialSession || !scred.ExpiresAt.Equal(now.Add(time.Hour)) {
			t.Fatalf("session: %+v %+v %v", got, scred, err)
		}
		if sent := l.SQL()[before:]; len(sent) != 1 {
			t.Fatalf("a session sent %q, want one statement", sent)
		}

		// Unknown credentials.
		if _, _, err := st.Members.TokenMember(ctx, "cht_nope"); !errors.Is(err, fault.ErrUnauthenticated) || !strings.Contains(err.Error(), "unknown or revoked API token") {
			t.Fatalf("unknown token: %v", err)
		}
		if _, _, err := st.Members.SessionMember(ctx, "s_nope"); !errors.Is(err, fault.ErrUnauthenticated) {
			t.Fatalf("unknown session: %v", err)
		}
		if _, err := st.Members.CredentialMember(ctx, member.Credential{Kind: member.CredentialToken, ID: 1 << 40}); !errors.Is(err, fault.ErrUnauthenticated) {
			t.Fatalf("unknown token id: %v", err)
		}

		// An inactive member is refused with every credential.
		if err := db.Exec(`UPDATE members SET active = ? WHERE id = ?`, false, m.ID).Error; err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.Members.TokenMember(ctx, tok); !errors.Is(err, member.ErrMemberInactive) {
			t.Fatalf("inactive by token: %v", err)
		}
		if _, _, err := st.Members.SessionMember(ctx, sess); !errors.Is(err, member.ErrMemberInactive) {
			t.Fatalf("inactive by session: %v", err)
		}
		if _, err := st.Members.CredentialMember(ctx, scred); !errors.Is(err, member.ErrMemberInactive) {
			t.Fatalf("inactive re-check: %v", err)
		}
		if err := db.Exec(`UPDATE members SET active = ? WHERE id = ?`, true, m.ID).Error; err != nil {
			t.Fatal(err)
		}

		// A revoked token.
		if err := st.Members.RevokeToken(ctx, m.ID, cred.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.Members.TokenMember(ctx, tok); !errors.Is(err, fault.ErrUnauthenticated) {
			t.Fatalf("revoked token: %v", err)
		}
		if _, err := st.Members.CredentialMember(ctx, cred); !errors.Is(err, fault.ErrUnauthenticated) || !strings.Contains(err.Error(), "revoked") {
			t.Fatalf("revoked token re-check: %v", err)
		}

		// An expired session is refused and revoked on sight.
		now = now.Add(2 * time.Hour)
		if _, _, err := st.Members.SessionMember(ctx, sess); !errors.Is(err, fault.ErrUnauthenticated) || !strings.Contains(err.Error(), "expired") {
			t.Fatalf("expired session: %v", err)
		}
		var revoked int64
		if err := db.Raw(`SELECT COUNT(*) FROM sessions WHERE id = ? AND revoked_at IS NOT NULL`, scred.ID).Scan(&revoked).Error; err != nil || revoked != 1 {
			t.Fatalf("expired session not revoked: %d %v", revoked, err)
		}
		if _, err := st.Members.CredentialMember(ctx, scred); !errors.Is(err, fault.ErrUnauthenticated) || !strings.Contains(err.Error(), "ended") {
			t.Fatalf("ended session re-check: %v", err)
		}
	})
}
