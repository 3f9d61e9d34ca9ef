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
	"copyhold/server"
)

// proposalTick is how often the server closes proposals whose vote has ended.
const proposalTick = 30 * time.Second

func cmdServe(ctx context.Context, e *env, args []string) error {
	var c config
	fset := newFlags("serve", "Start the web server: the JSON API under /api, the browser app, /healthz and /readyz.", e)
	bindConfig(fset, e, &c)
	migrate := fset.Bool("migrate", false, "apply pending migrations before serving")
	if err := fset.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(e.stderr, nil))
	db, err := openDB(ctx, c, *migrate)
	if err != nil {
		return err
	}
	defer closeDB(db)

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
	fan, err := server.FanoutFor(db, c.DatabaseURL, log)
	if err != nil {
		return err
	}
	hub := server.NewHub(server.HubConfig{Store: st, Fanout: fan, Retention: c.EventRetention}, log)
	if err := hub.Start(ctx); err != nil {
		return err
	}
	defer hub.Close()
	// Collective rule: the ticker closes proposals whose vote has ended.
	votes := govern.New(db, nil, log)
	tickCtx, stopTick := context.WithCancel(ctx)
	tickDone := make(chan struct{})
	go func() { votes.Run(tickCtx, proposalTick); close(tickDone) }()
	defer func() { stopTick(); <-tickDone }() // before the database closes
	srv := server.New(server.Config{
		BaseURL:        c.BaseURL,
		AllowedOrigins: c.origins(),
		SecureCookies:  c.SecureCookies,
		Assets:         assets,
		Ledger:         equitystore.New(db),
		Hub:            hub,
		Votes:          votes,
	}, st, log)

	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.Addr, err)
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	// Shutdown does not track upgraded sockets; the hub says goodbye (1001) to each.
	hs.RegisterOnShutdown(hub.Close)
	fmt.Fprintf(e.stdout, "copyhold %s listening on http://%s (database: %s)\n", version, ln.Addr(), db.Dialector.Name())

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
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
