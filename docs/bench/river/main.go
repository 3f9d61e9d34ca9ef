// Command river runs River no-op jobs on PostgreSQL: the ceiling of the
// claim-and-complete pattern that copyhold's labeller action follows, as the
// baseline beside BenchmarkClaimSubmit in docs/bench/run-claim-bench.sh. It is
// its own module so that copyhold itself does not depend on River.
//
//	go run . -url "$URL" -jobs 2400 -workers 8
//
// It migrates River into a fresh schema, inserts the jobs, then starts a
// client with that many workers and times until every job's completion has
// been written (River's completed events), and drops the schema.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

type noopArgs struct{}

func (noopArgs) Kind() string { return "noop" }

type noopWorker struct {
	river.WorkerDefaults[noopArgs]
	worked *atomic.Int64
}

func (w *noopWorker) Work(context.Context, *river.Job[noopArgs]) error {
	w.worked.Add(1)
	return nil
}

func main() {
	url := flag.String("url", os.Getenv("DATABASE_URL"), "PostgreSQL URL")
	jobs := flag.Int("jobs", 2400, "jobs to run")
	workers := flag.Int("workers", 8, "River workers (the labellers of the copyhold run)")
	cooldown := flag.Duration("fetch-cooldown", time.Millisecond, "River's FetchCooldown (its default, 100ms, caps a queue at MaxWorkers jobs per 100 ms; 1ms is its minimum)")
	flag.Parse()
	if err := run(context.Background(), *url, *jobs, *workers, *cooldown); err != nil {
		fmt.Fprintln(os.Stderr, "river bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, url string, jobs, workers int, cooldown time.Duration) error {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return err
	}
	cfg.MaxConns = int32(workers + 4)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	schema := fmt.Sprintf("river_bench_%d", os.Getpid())
	if _, err := pool.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		return err
	}
	defer pool.Exec(context.Background(), "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE") //nolint:errcheck
	driver := riverpgxv5.New(pool)
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Schema: schema})
	if err != nil {
		return err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var worked atomic.Int64
	ws := river.NewWorkers()
	river.AddWorker(ws, &noopWorker{worked: &worked})
	client, err := river.NewClient(driver, &river.Config{
		Schema:            schema,
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: workers}},
		Workers:           ws,
		FetchCooldown:     cooldown,
		FetchPollInterval: max(50*time.Millisecond, cooldown),
	})
	if err != nil {
		return err
	}
	params := make([]river.InsertManyParams, jobs)
	for i := range params {
		params[i] = river.InsertManyParams{Args: noopArgs{}}
	}
	if _, err := client.InsertManyFast(ctx, params); err != nil {
		return fmt.Errorf("insert: %w", err)
	}
	completed, cancel := client.Subscribe(river.EventKindJobCompleted)
	defer cancel()
	start := time.Now()
	if err := client.Start(ctx); err != nil {
		return err
	}
	for n := 0; n < jobs; n++ {
		select {
		case <-completed:
		case <-time.After(2 * time.Minute):
			return fmt.Errorf("only %d of %d jobs completed (%d worked)", n, jobs, worked.Load())
		}
	}
	elapsed := time.Since(start)
	stopCtx, stop := context.WithTimeout(ctx, 10*time.Second)
	defer stop()
	if err := client.Stop(stopCtx); err != nil {
		return err
	}
	fmt.Printf("river: %d no-op jobs, %d workers, fetch cooldown %s, %.2f s, %.1f jobs/s\n", jobs, workers, cooldown, elapsed.Seconds(), float64(jobs)/elapsed.Seconds())
	return nil
}
