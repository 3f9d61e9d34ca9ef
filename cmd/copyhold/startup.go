package main

import (
	"context"
	"sync"
	"time"

	"copyhold/migrations"
	"copyhold/server"

	"gorm.io/gorm"
)

// workersAfter is how long after serve starts answering the background
// workers wait for a first /readyz before they start anyway (a variable for
// the tests).
var workersAfter = 100 * time.Millisecond

// startGate holds the background workers back until the first /readyz has
// pinged the database (or workersAfter has passed), so that ping does not
// queue for the one SQLite connection behind their first pass.
type startGate struct {
	once sync.Once
	ch   chan struct{}
}

func newStartGate() *startGate { return &startGate{ch: make(chan struct{})} }

// open lets the workers start; only the first call counts.
func (g *startGate) open() { g.once.Do(func() { close(g.ch) }) }

// run calls fn once the gate opens, in a goroutine; done is closed when fn
// returns, or at once when ctx ends first (fn does not run).
func (g *startGate) run(ctx context.Context, fn func(context.Context)) (done <-chan struct{}) {
	d := make(chan struct{})
	go func() {
		defer close(d)
		select {
		case <-g.ch:
			fn(ctx)
		case <-ctx.Done():
		}
	}()
	return d
}

// pinger opens the gate on the first ping that succeeds.
func (g *startGate) pinger(p server.Pinger) server.Pinger { return gatePinger{p, g} }

type gatePinger struct {
	p server.Pinger
	g *startGate
}

func (p gatePinger) PingContext(ctx context.Context) error {
	err := p.p.PingContext(ctx)
	if err == nil {
		p.g.open()
	}
	return err
}

// dbOpening is migrations.Open running in the background (openAsync).
type dbOpening struct {
	done   chan struct{}
	cancel context.CancelFunc
	db     *gorm.DB
	err    error
}

// openAsync connects to the database and pings it in a goroutine.
func openAsync(ctx context.Context, src migrations.Source) *dbOpening {
	ctx, cancel := context.WithCancel(ctx)
	o := &dbOpening{done: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(o.done)
		o.db, o.err = migrations.Open(ctx, src)
	}()
	return o
}

// wait returns the open database, which is then the caller's to close.
func (o *dbOpening) wait() (*gorm.DB, error) {
	<-o.done
	db := o.db
	o.db = nil
	return db, o.err
}

// abandon stops an opening nobody waited for and closes what it opened.
func (o *dbOpening) abandon() {
	o.cancel()
	<-o.done
	if o.db != nil {
		closeDB(o.db)
		o.db = nil
	}
}

// background is a function running in a goroutine (inBackground).
type background struct {
	done chan struct{}
	err  error
}

func inBackground(fn func() error) *background {
	b := &background{done: make(chan struct{})}
	go func() {
		defer close(b.done)
		b.err = fn()
	}()
	return b
}

// wait returns the function's error once it has returned; it may be called again.
func (b *background) wait() error {
	<-b.done
	return b.err
}
