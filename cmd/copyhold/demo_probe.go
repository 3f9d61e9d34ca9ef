package main

import (
	"context"
	"errors"
	"sync"
	"time"

	"copyhold/labeling/fault"
	"copyhold/labeling/member"
	"copyhold/labeling/page"
	"copyhold/labeling/store"
	"copyhold/server"
)

// demoMiss is how long a "not loaded" answer is kept: checking a password
// that is not the demo's costs a full bcrypt, and the endpoint is public.
const demoMiss = 30 * time.Second

// demoProbe tells the login page whether the demo co-op is loaded: the demo
// model exists, the demo members are active, and the demo labeller still
// has the published password. Only then are the logins worth showing.
type demoProbe struct {
	st     *store.Stores
	mu     sync.Mutex
	missAt time.Time // when a check last said "not loaded"
}

func newDemoProbe(st *store.Stores) *demoProbe { return &demoProbe{st: st} }

func (d *demoProbe) DemoInfo(ctx context.Context) (server.DemoInfo, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	none := server.DemoInfo{Logins: []server.DemoLogin{}}
	if !d.missAt.IsZero() && time.Since(d.missAt) < demoMiss {
		return none, nil
	}
	info, err := d.check(ctx)
	if err != nil {
		return none, err
	}
	if !info.Loaded {
		d.missAt = time.Now()
		return none, nil
	}
	d.missAt = time.Time{}
	return info, nil
}

func (d *demoProbe) check(ctx context.Context) (server.DemoInfo, error) {
	out := server.DemoInfo{Logins: []server.DemoLogin{}}
	ms, err := d.st.Projects.Models(ctx, page.All)
	if err != nil {
		return out, err
	}
	model := false
	for _, m := range ms {
		model = model || m.Name == demoModel
	}
	if !model {
		return out, nil
	}
	for i, dm := range demoAllMembers {
		m, err := d.st.Members.MemberByLogin(ctx, dm.login)
		if errors.Is(err, fault.ErrNotFound) && i >= len(demoMembers) {
			continue // the full demo's extra members are absent from a bare one
		}
		if errors.Is(err, fault.ErrNotFound) || (err == nil && !m.Active) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out.Logins = append(out.Logins, server.DemoLogin{Login: dm.login, DisplayName: m.DisplayName, Role: string(dm.roles[0])})
	}
	if _, err := d.st.Members.Authenticate(ctx, "labeller", demoPassword); errors.Is(err, member.ErrInvalidCredentials) {
		return server.DemoInfo{Logins: []server.DemoLogin{}}, nil
	} else if err != nil {
		return out, err
	}
	out.Loaded, out.Password = true, demoPassword
	return out, nil
}
