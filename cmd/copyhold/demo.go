package main

import (
	"context"
	"embed"
	"errors"
	"fmt"

	"copyhold/equity/vote/govern"
	"copyhold/labeling/fault"
	"copyhold/labeling/member"
)

//go:embed demodata/sentiment.jsonl demodata/chats.jsonl
var demoData embed.FS

// demoMembers are the demo co-op's people: one per role, plus two more
// labellers so items can reach an overlap of three.
var demoMembers = []struct {
	login, name string
	roles       []member.Role
}{
	{"coordinator", "Cora Coordinator", []member.Role{member.RoleCoordinator}},
	{"reviewer", "Rui Reviewer", []member.Role{member.RoleReviewer}},
	{"labeller", "Lena Labeller", []member.Role{member.RoleLabeller}},
	{"labeller2", "Luis Labeller", []member.Role{member.RoleLabeller}},
	{"labeller3", "Lin Labeller", []member.Role{member.RoleLabeller}},
}

func cmdDemo(ctx context.Context, e *env, args []string) error {
	var c config
	fset := newFlags("demo", "Seed a demo co-op: one member per role and a model with a sentiment project built from real review sentences, and a draft project rating the assistant turns of six multi-turn chats. Safe to run again: nothing is duplicated.", e)
	bindDatabase(fset, e, &c)
	password := fset.String("password", "copyhold-demo", "password of the demo members (env COPYHOLD_DEMO_PASSWORD)")
	if err := fset.Parse(args); err != nil {
		return err
	}
	if p := e.getenv("COPYHOLD_DEMO_PASSWORD"); p != "" && !flagSet(fset, "password") {
		*password = p
	}
	db, err := openDB(ctx, c, true)
	if err != nil {
		return err
	}
	defer closeDB(db)
	st := newStore(db)

	var ids []int64
	for _, dm := range demoMembers {
		m, err := st.Members.MemberByLogin(ctx, dm.login)
		if errors.Is(err, fault.ErrNotFound) {
			m, err = st.Members.CreateMember(ctx, nil, member.NewMember{Login: dm.login, DisplayName: dm.name, Password: *password, Roles: dm.roles})
		}
		if err != nil {
			return fmt.Errorf("demo member %s: %w", dm.login, err)
		}
		ids = append(ids, m.ID)
	}
	if err := seedDemoProject(ctx, st, ids[0]); err != nil {
		return err
	}
	if err := seedDemoChats(ctx, st, ids[0]); err != nil {
		return err
	}
	// The co-op's constitution: the shipped defaults, recorded on the register.
	if _, _, err := govern.New(db, nil, nil).RecordDefaultConstitution(ctx, ids[0]); err != nil {
		return fmt.Errorf("demo constitution: %w", err)
	}
	fmt.Fprintln(e.stdout, "Demo co-op ready. Log in with (demo only; change these before real use):")
	for _, dm := range demoMembers {
		fmt.Fprintf(e.stdout, "  %-12s login=%-12s password=%s\n", dm.roles[0], dm.login, *password)
	}
	return nil
}
