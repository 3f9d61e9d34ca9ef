package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"time"

	equitystore "copyhold/equity/store"
	"copyhold/equity/vote/govern"
	"copyhold/frontend"
	"copyhold/labeling/event"
	"copyhold/labeling/model/client"
	"copyhold/labeling/model/endpoints"
	"copyhold/labeling/store"
	"copyhold/labeling/webhook/relay"
	webhookstore "copyhold/labeling/webhook/store"
	"copyhold/labeling/work"
	"copyhold/server"
	"copyhold/server/live"

	"gorm.io/gorm"
)

// serverDeps hands the server the labelling stores, the labelling workflow
// over them and the equity register, each through the interface the server
// declares for it.
func serverDeps(db *gorm.DB, st *store.Stores, votes *govern.Service, rl *equitystore.Roll, hooks *relay.Service, models *endpoints.Service, jobs server.Generation) server.Deps {
	return server.Deps{Wellbeing: st.Wellbeing, Members: st.Members, Projects: st.Projects, Leases: st.Leases, Reviews: st.Reviews,
		Quality: st.Quality, Datasets: st.Datasets, Work: work.New(st), Register: equitystore.New(db), Votes: votes, Roll: rl,
		Webhooks: hooks, Models: models, ReleaseEndpoints: st.Datasets, Generation: jobs}
}

// The register tree's integrator: about every rollTick, signing at most
// every rollSignGap and only when the tree grew.
const (
	rollTick    = time.Second
	rollSignGap = 3 * time.Second
)

// proposalTick is how often the server closes proposals whose vote has ended.
const proposalTick = 30 * time.Second

func cmdServe(ctx context.Context, e *env, args []string) error {
	var c config
	fset := newFlags("serve", "Start the web server: the JSON API under /api, the browser app, /healthz and /readyz.", e)
	bindConfig(fset, e, &c)
	var limits serveLimits
	bindServeLimits(fset, e, &limits)
	var hookSettings webhookSettings
	bindWebhookSettings(fset, e, &hookSettings)
	var modelSet modelSettings
	bindModelSettings(fset, e, &modelSet)
	migrate := fset.Bool("migrate", false, "apply pending migrations before serving")
	if err := fset.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(e.stderr, nil))
	if err := c.checkDBConns(); err != nil {
		return err
	}
	// The database connects (SQLite: reads its schema) while the rest of
	// the configuration is checked; the schema check waits for that.
	opening := openAsync(ctx, c.source())
	defer opening.abandon()
	witnesses, err := c.witnesses()
	if err != nil {
		return err
	}
	var srvCfg server.Config
	hubCfg := live.Config{Retention: c.EventRetention}
	if err := limits.apply(&srvCfg, &hubCfg); err != nil {
		return err
	}
	hookPolicy, err := webhookPolicy(c, hookSettings, c.Addr)
	if err != nil {
		return err
	}
	hookBackoff, err := hookSettings.backoff()
	if err != nil {
		return err
	}
	key, err := registerKey(c, true) // before the schema check: a configured key that is missing stops here
	if err != nil {
		return err
	}
	if err := modelSet.check(); err != nil {
		return err
	}
	sealer, err := modelSealer(c, modelSet, log)
	if err != nil {
		return err
	}
	db, err := opening.wait()
	if err != nil {
		return err
	}
	// The port is bound and announced before the schema check and the
	// rest of the wiring: a request that arrives meanwhile waits in the
	// listen queue and is answered once serving begins (or is reset if serve
	// stops first), so the client's connecting overlaps that work.
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		closeDB(db)
		return fmt.Errorf("listen on %s: %w", c.Addr, err)
	}
	defer ln.Close()
	fmt.Fprintf(e.stdout, "copyhold %s listening on http://%s (database: %s)\n", version, ln.Addr(), db.Dialector.Name())
	defer closeDB(db)
	// The schema is checked (a new embedded database migrated) while the
	// rest is wired; nothing reads the database before the check has passed.
	checkCtx, doMigrate := ctx, *migrate // ctx is replaced below
	check := inBackground(func() error { _, err := checkSchema(checkCtx, db, doMigrate); return err })
	defer check.wait() // before the database closes

	assets, err := fs.Sub(frontend.Dist, "dist")
	if err != nil {
		return err
	}
	if _, err := fs.Stat(assets, "index.html"); err != nil {
		log.Warn("the browser app is not built into this binary; run `make build`")
		assets = nil
	}
	// Work posts to the register in the same transaction that earns it.
	st := newStore(db)
	// Background work (the event listener, export pruning) ends when serve returns.
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	// The background workers' first pass waits for the first /readyz ping
	// (or workersAfter): startup.go.
	gate := newStartGate()
	// Live delivery reads the events table, woken by a LISTEN (PostgreSQL)
	// or an insert hook (SQLite).
	events := event.NewStore(db)
	wake, err := events.Listen(ctx, c.DatabaseURL, log)
	if err != nil {
		return err
	}
	hubCfg.Events, hubCfg.Wake, hubCfg.Members, hubCfg.Projects, hubCfg.Leases = events, wake, st.Members, st.Projects, st.Leases
	hub := live.New(hubCfg, log)
	cacheLimits, err := c.exportCacheLimits()
	if err != nil {
		return err
	}
	exports := server.NewExportCache(c.exportCacheDir(), cacheLimits, log)
	gate.run(ctx, exports.Run)
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	// Collective rule: the ticker closes proposals whose vote has ended.
	votes := govern.New(db, nil, log)
	tickCtx, stopTick := context.WithCancel(ctx)
	tickDone := gate.run(tickCtx, func(ctx context.Context) { votes.Run(ctx, proposalTick) })
	defer func() { stopTick(); <-tickDone }() // before the database closes
	// The court roll: the integrator takes committed entries into the tree.
	rl := equitystore.NewRoll(db, key)
	rollDone := gate.run(tickCtx, func(ctx context.Context) {
		rl.Run(ctx, rollTick, rollSignGap, func(f string, a ...any) { log.Error(fmt.Sprintf(f, a...)) })
	})
	defer func() { stopTick(); <-rollDone }()
	srvCfg.BaseURL, srvCfg.AllowedOrigins, srvCfg.SecureCookies = c.BaseURL, c.origins(), c.SecureCookies
	srvCfg.Assets, srvCfg.Hub, srvCfg.Exports, srvCfg.Ready, srvCfg.Witnesses = assets, hub, exports, gate.pinger(sqlDB), witnesses
	srvCfg.Demo = newDemoProbe(st)
	// Webhooks: a worker per instance turns committed events into signed
	// deliveries, woken like live delivery (its own LISTEN or insert hook).
	if _, port, err := net.SplitHostPort(ln.Addr().String()); err == nil {
		hookPolicy.SelfPort = port // ":0" picked a port
	}
	hookStore := webhookstore.New(db, nil)
	hookWake, err := events.Listen(ctx, c.DatabaseURL, log)
	if err != nil {
		return err
	}
	hookWorker := relay.NewWorker(relay.Config{Events: events, Wake: hookWake, Policy: hookPolicy, Backoff: hookBackoff}, hookStore, log)
	hookDone := gate.run(tickCtx, hookWorker.Run)
	defer func() { stopTick(); <-hookDone }()
	models := modelEndpoints(db, c, sealer, modelSet, hookPolicy.SelfPort)
	// Generation jobs: a worker per instance claims units under leases (labeling/gen/runner).
	jobs, stopJobs := startGeneration(tickCtx, gate, db, st, models, client.New(client.Config{Timeout: modelSet.Timeout}), modelSet.Timeout, log)
	defer func() { stopTick(); stopJobs() }()
	srv := server.New(srvCfg, serverDeps(db, st, votes, rl, relay.NewService(hookStore, hookPolicy), models, jobs), log)
	hs := &http.Server{
		Handler:     srv.Handler(),
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	srv.ConfigureHTTP(hs) // read, write and idle timeouts (server/timeouts.go)
	// Shutdown does not track upgraded sockets; the hub says goodbye (1001) to each.
	hs.RegisterOnShutdown(hub.Close)
	if err := check.wait(); err != nil {
		return err
	}
	if err := hub.Start(ctx); err != nil {
		return err
	}
	defer hub.Close()

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	workers := time.AfterFunc(workersAfter, gate.open)
	defer workers.Stop()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: draining requests")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
