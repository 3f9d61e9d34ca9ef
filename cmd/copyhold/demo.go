package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"time"

	equitystore "copyhold/equity/store"
	"copyhold/equity/vote/govern"
	"copyhold/labeling"
	"copyhold/labeling/fault"
	"copyhold/labeling/member"
	"copyhold/labeling/sqldb"

	"golang.org/x/crypto/bcrypt"
)

//go:embed demodata/sentiment.jsonl demodata/chats.jsonl demodata/rewrites.jsonl demodata/replies.jsonl
var demoData embed.FS

// demoPassword is the demo members' password unless --password or
// COPYHOLD_DEMO_PASSWORD chooses another.
const demoPassword = "copyhold-demo"

type demoMember struct {
	login, name string
	roles       []member.Role
}

// demoMembers are the bare demo co-op's people: one per role, plus two more
// labellers so items can reach an overlap of three.
var demoMembers = []demoMember{
	{"coordinator", "Cora Coordinator", []member.Role{member.RoleCoordinator}},
	{"reviewer", "Rui Reviewer", []member.Role{member.RoleReviewer}},
	{"labeller", "Lena Labeller", []member.Role{member.RoleLabeller}},
	{"labeller2", "Luis Labeller", []member.Role{member.RoleLabeller}},
	{"labeller3", "Lin Labeller", []member.Role{member.RoleLabeller}},
}

// demoAllMembers adds a second reviewer, who decides disputes of the first
// one's rejections.
var demoAllMembers = append(append([]demoMember{}, demoMembers...),
	demoMember{"reviewer2", "Rosa Reviewer", []member.Role{member.RoleReviewer}})

func cmdDemo(ctx context.Context, e *env, args []string) error {
	var c config
	fset := newFlags("demo", "Seed the demo co-op: projects of all eight task types on real review sentences and, in a new database, "+
		"four weeks of history (accepted and rejected work, vested units, a transfer, two passed votes, two releases and a leaderboard). "+
		"Safe to run again: nothing is duplicated.", e)
	bindDatabase(fset, e, &c)
	bindSettings(fset, e, &c, "register-key")
	password := fset.String("password", demoPassword, "password of the demo members (env COPYHOLD_DEMO_PASSWORD)")
	bare := fset.Bool("bare", false, "only one member per role, the sentiment project and the chat project, and no history (for tests)")
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
	began := time.Now()
	st := newStore(db)
	people := demoAllMembers
	if *bare {
		people = demoMembers
	}
	// The history is played only into a co-op that does not exist yet: it
	// happened before anything else on the register.
	_, err = st.Members.MemberByLogin(ctx, people[0].login)
	fresh := errors.Is(err, fault.ErrNotFound)
	if err != nil && !fresh {
		return err
	}
	var h *demoHistory
	var clock sqldb.Clock
	if fresh && !*bare {
		h = newDemoHistory(ctx, db, st, time.Now().UTC().AddDate(0, 0, -demoDays).Truncate(24*time.Hour).Add(8*time.Hour))
		st, clock = h.st, func() time.Time { return h.now }
		// Releases name the register head that covers the work before them,
		// so the history integrates the roll as serve would (when a key is here).
		if key, err := registerKey(c, true); err == nil {
			h.roll = equitystore.NewRoll(db, key).WithClock(clock)
		}
	}
	ids := map[string]int64{}
	for _, dm := range people {
		m, err := st.Members.MemberByLogin(ctx, dm.login)
		if errors.Is(err, fault.ErrNotFound) {
			nm := member.NewMember{Login: dm.login, DisplayName: dm.name, Password: *password, Roles: dm.roles}
			if *password == demoPassword {
				// The published password: a slow hash would protect nothing
				// and cost the demo most of a second.
				nm.Cost = member.PasswordCost(bcrypt.MinCost)
			}
			m, err = st.Members.CreateMember(ctx, nil, nm)
		}
		if err != nil {
			return fmt.Errorf("demo member %s: %w", dm.login, err)
		}
		ids[dm.login] = m.ID
	}
	coord := ids["coordinator"]
	if err := seedDemoProject(ctx, st, coord); err != nil {
		return err
	}
	if err := seedDemoChats(ctx, st, coord); err != nil {
		return err
	}
	// The co-op's constitution: the shipped defaults, recorded on the register.
	if _, _, err := govern.New(db, clock, nil).RecordDefaultConstitution(ctx, coord); err != nil {
		return fmt.Errorf("demo constitution: %w", err)
	}
	if !*bare {
		if err := openDemoChats(ctx, st, coord); err != nil {
			return err
		}
		projects, err := seedDemoSpecs(ctx, st, coord)
		if err != nil {
			return err
		}
		if h != nil {
			if err := h.seed(ids, projects); err != nil {
				return err
			}
		}
	}
	fmt.Fprintln(e.stdout, "Demo co-op ready. Log in with (demo only; change these before real use):")
	for _, dm := range people {
		fmt.Fprintf(e.stdout, "  %-12s login=%-12s password=%s\n", dm.roles[0], dm.login, *password)
	}
	switch {
	case h != nil:
		fmt.Fprintf(e.stdout, "Four weeks of history seeded in %s.\n", time.Since(began).Round(10*time.Millisecond))
	case !fresh && !*bare:
		fmt.Fprintln(e.stdout, "The demo's history goes only into a new database; this one already had the demo members.")
	}
	return nil
}

// seed plays the history over the seeded projects.
func (h *demoHistory) seed(ids map[string]int64, projects map[string]labeling.Project) error {
	for k, v := range ids {
		h.ids[k] = v
	}
	h.projects = projects
	model, err := findOrCreateModel(h.ctx, h.st, ids["coordinator"])
	if err != nil {
		return err
	}
	h.model = model.ID
	p, err := demoProjectNamed(h.ctx, h.st, model.ID, demoProject)
	if err != nil {
		return err
	}
	h.projects[demoProject] = p
	chats, err := demoProjectNamed(h.ctx, h.st, model.ID, demoChatProject)
	if err != nil {
		return err
	}
	h.projects[demoChatProject] = chats
	return h.run()
}
