// Command modeltest serves labeling/model/modeltest's OpenAI-compatible test
// server on a port, for the browser tests and for trying copyhold without a
// GPU: copyhold-modeltest --profile vllm --addr 127.0.0.1:0 prints the base
// URL to register.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"copyhold/labeling/model/modeltest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	names := make([]string, 0, len(modeltest.Profiles))
	for n := range modeltest.Profiles {
		names = append(names, n)
	}
	slices.Sort(names)
	fs := flag.NewFlagSet("modeltest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	profile := fs.String("profile", "vllm", "the server to imitate: "+strings.Join(names, ", "))
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on (:0 picks a free port)")
	key := fs.String("key", "", "require this API key (Authorization: Bearer …); empty accepts any")
	fs.Usage = func() {
		fmt.Fprintf(stdout, "modeltest: an OpenAI-compatible chat-completions test server (docs/MODELS.md)\n\nFlags:\n")
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		fs.SetOutput(stderr)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	p, ok := modeltest.Profiles[*profile]
	if !ok {
		fmt.Fprintf(stderr, "modeltest: unknown --profile %q (one of %s)\n", *profile, strings.Join(names, ", "))
		return 2
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "modeltest: %v\n", err)
		return 1
	}
	srv := &http.Server{Handler: modeltest.NewHandler(p, *key), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "modeltest %s listening on http://%s/v1\n", p.Name, ln.Addr())
	go func() { <-ctx.Done(); srv.Close() }()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "modeltest: %v\n", err)
		return 1
	}
	return 0
}
