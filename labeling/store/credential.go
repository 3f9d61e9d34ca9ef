package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"copyhold/labeling/fault"
	"copyhold/labeling/member"
	"copyhold/labeling/sqldb"
)

// credentialSQL reads a session or an API token (c) with its member and the
// member's roles in one statement, one row per role. at is the session's
// expiry, the token's last use.
const credentialSQL = `SELECT c.id, c.revoked_at IS NOT NULL, c.%s, m.id, m.login, m.display_name, m.active,
    m.admission, m.created_at, r.role
FROM %s c
LEFT JOIN members m ON m.id = c.member_id
LEFT JOIN member_roles r ON r.member_id = m.id
WHERE %s`

// credentialRow is what credentialSQL read.
type credentialRow struct {
	found   bool // the credential exists (and matched the condition)
	id      int64
	revoked bool
	at      sql.NullTime
	m       member.Member
	known   bool // its member exists
}

// credential reads the credential of table (sessions or api_tokens) where
// cond (on c) holds, with its member and roles, in one round trip and
// without GORM's statement builder.
func (s *Members) credential(ctx context.Context, table, cond string, arg any) (credentialRow, error) {
	at := "expires_at"
	if table == "api_tokens" {
		at = "last_used_at"
	}
	rows, err := sqldb.Query(s.db.WithContext(ctx), fmt.Sprintf(credentialSQL, at, table, cond), arg)
	if err != nil {
		return credentialRow{}, err
	}
	defer rows.Close()
	var c credentialRow
	for rows.Next() {
		var mid sql.NullInt64
		var login, name, admission, role sql.NullString
		var active sql.NullBool
		var created sql.NullTime
		if err := rows.Scan(&c.id, &c.revoked, &c.at, &mid, &login, &name, &active, &admission, &created, &role); err != nil {
			return credentialRow{}, err
		}
		c.found, c.known = true, mid.Valid
		c.m = member.Member{ID: mid.Int64, Login: login.String, DisplayName: name.String, Roles: c.m.Roles,
			Active: active.Bool, Admission: admission.String, CreatedAt: created.Time}
		if role.Valid {
			c.m.Roles = append(c.m.Roles, member.Role(role.String))
		}
	}
	if err := rows.Err(); err != nil {
		return credentialRow{}, err
	}
	if c.m.Roles == nil {
		c.m.Roles = []member.Role{}
	}
	slices.SortFunc(c.m.Roles, func(a, b member.Role) int {
		return slices.Index(member.Roles, a) - slices.Index(member.Roles, b)
	})
	return c, nil
}

// activeMember is the credential's member while it is active: an unknown
// member answers ErrUnauthenticated, an inactive one ErrMemberInactive.
func (c credentialRow) activeMember() (member.Member, error) {
	if !c.known {
		return member.Member{}, fault.ErrUnauthenticated
	}
	if !c.m.Active {
		return member.Member{}, member.ErrMemberInactive
	}
	return c.m, nil
}
