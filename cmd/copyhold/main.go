// Command copyhold runs the co-op's labelling workbench.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "copyhold:", err)
		os.Exit(1)
	}
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what every subcommand gets: the process's edges, passed explicitly.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

func commands() []command {
	return []command{
		{"serve", "start the web server", cmdServe},
		{"migrate", "apply or list database migrations (up, status)", cmdMigrate},
		{"demo", "seed a demo co-op (idempotent) and print its logins", cmdDemo},
		{"import", "import items into a project from JSONL, CSV or Label Studio JSON", cmdImport},
		{"project", "read a project's settings: lsconfig ID prints its Label Studio labelling config", cmdProject},
		{"user", "manage members: add, set-password, grant, revoke, deactivate", cmdUser},
		{"agreement", "compute inter-annotator agreement on a long-format (item, annotator, value) file", func(ctx context.Context, e *env, a []string) error {
			return cmdAgreement(ctx, a, e.stdout, e.stderr)
		}},
		{"ledger", "verify the equity register (hash chain and invariants); exits non-zero on the first broken entry", cmdLedger},
		{"proposal", "the members' proposals: list, show ID, close-due [--at RFC3339]", cmdProposal},
		{"snapshot", "freeze accepted annotations (create --model ID --projects 1,2 [--mode consensus|all]) or list snapshots", cmdSnapshot},
		{"export", "export a snapshot in a dataset format with its manifest (--snapshot ID --format F [-o FILE])", cmdExport},
		{"release", "register a model release and the snapshots it was trained on, or list releases", cmdRelease},
		{"leaderboard", "print a model's release leaderboard (Bradley-Terry with 95% intervals)", cmdLeaderboard},
		{"witness", "witness copyhold registers: verify each checkpoint extends the last one accepted, cosign it (keygen makes a key)", cmdWitness},
		{"version", "print the version", cmdVersion},
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) < 2 || args[1] == "-h" || args[1] == "--help" || args[1] == "help" {
		usage(stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[1] {
			if err := c.run(ctx, e, args[2:]); !errors.Is(err, flag.ErrHelp) {
				return err
			}
			return nil
		}
	}
	usage(stderr)
	return fmt.Errorf("unknown command %q", args[1])
}

// isHelp is whether a command-line word asks for help.
func isHelp(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" }

func usage(w io.Writer) {
	fmt.Fprintln(w, "copyhold: the labelling workbench of a co-op whose labellers own the models they train.")
	fmt.Fprintln(w, "\nUsage: copyhold <command> [flags]   (copyhold <command> --help for its flags)\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nConfiguration comes from flags or the environment variables named in each command's --help.")
}

func cmdVersion(ctx context.Context, e *env, args []string) error {
	fs := newFlags("version", "Print the version of this binary.", e)
	if err := fs.Parse(args); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "copyhold", version)
	return nil
}
