package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"copyhold/labeling/member"
)

const userHelp = `Manage members from the command line.

  copyhold user add --login LOGIN --name NAME --role labeller[,reviewer,coordinator]
  copyhold user set-password --login LOGIN [--keep-tokens]
  copyhold user grant --login LOGIN --role ROLE
  copyhold user revoke --login LOGIN --role ROLE
  copyhold user deactivate --login LOGIN

Passwords are read from the first line of standard input; with add, an
empty input generates one and prints it. set-password is a reset: it ends
the member's sessions and, unless --keep-tokens, their API tokens.`

func cmdUser(ctx context.Context, e *env, args []string) error {
	var c config
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fset := newFlags("user", userHelp, e)
		bindDatabase(fset, e, &c)
		fset.Usage()
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return fmt.Errorf("user needs an action: add, set-password, grant, revoke or deactivate")
	}
	// Each action lists and accepts only the flags it reads.
	action := args[0]
	fset := newFlags("user "+action, userHelp, e)
	bindDatabase(fset, e, &c)
	login := fset.String("login", "", "the member's login")
	name, role, keepTokens := new(string), new(string), new(bool)
	switch action {
	case "add":
		fset.StringVar(name, "name", "", "display name")
		fset.StringVar(role, "role", "", "role or comma-separated roles")
	case "grant", "revoke":
		fset.StringVar(role, "role", "", "role or comma-separated roles")
	case "set-password":
		fset.BoolVar(keepTokens, "keep-tokens", false, "keep the member's API tokens working")
	case "deactivate":
	default:
		return fmt.Errorf("unknown user action %q: say add, set-password, grant, revoke or deactivate", action)
	}
	if err := fset.Parse(args[1:]); err != nil {
		return err
	}
	if *login == "" {
		return fmt.Errorf("--login is required")
	}
	db, err := openDB(ctx, c, false)
	if err != nil {
		return err
	}
	defer closeDB(db)
	st := newStore(db)

	roles := func() ([]member.Role, error) {
		var out []member.Role
		for _, r := range strings.Split(*role, ",") {
			if strings.TrimSpace(r) == "" {
				continue
			}
			pr, err := member.ParseRole(r)
			if err != nil {
				return nil, err
			}
			out = append(out, pr)
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("--role is required")
		}
		return out, nil
	}
	readPassword := func() string {
		line, _ := bufio.NewReader(e.stdin).ReadString('\n')
		return strings.TrimRight(line, "\r\n")
	}

	switch action {
	case "add":
		rs, err := roles()
		if err != nil {
			return err
		}
		pw := readPassword()
		generated := pw == ""
		if generated {
			pw, _ = member.NewSecret("")
			pw = pw[:20]
		}
		m, err := st.Members.CreateMember(ctx, nil, member.NewMember{Login: *login, DisplayName: *name, Password: pw, Roles: rs})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "added member %d: %s (%s)\n", m.ID, m.Login, *role)
		if generated {
			fmt.Fprintf(e.stdout, "password: %s\n", pw)
		}
		return nil
	}
	m, err := st.Members.MemberByLogin(ctx, *login)
	if err != nil {
		return err
	}
	switch action {
	case "set-password":
		pc := member.PasswordChange{Password: readPassword(), RevokeTokens: !*keepTokens, Reset: true}
		if err := st.Members.SetPassword(ctx, m.ID, pc); err != nil {
			return err
		}
		ended := "their sessions and API tokens were ended"
		if *keepTokens {
			ended = "their sessions were ended; their API tokens still work"
		}
		fmt.Fprintf(e.stdout, "password reset for %s; %s\n", m.Login, ended)
	case "grant", "revoke":
		rs, err := roles()
		if err != nil {
			return err
		}
		for _, r := range rs {
			if action == "grant" {
				err = st.Members.GrantRole(ctx, nil, m.ID, r)
			} else {
				err = st.Members.RevokeRole(ctx, nil, m.ID, r)
			}
			if err != nil {
				return err
			}
		}
		fmt.Fprintf(e.stdout, "%sed %s for %s\n", strings.TrimSuffix(action, "e"), *role, m.Login)
	case "deactivate":
		if err := st.Members.Deactivate(ctx, nil, m.ID); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "deactivated %s\n", m.Login)
	}
	return nil
}
