package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"time"

	"copyhold/equity/vote"
	"copyhold/equity/vote/govern"
	"copyhold/labeling/page"
)

const proposalUsage = `Usage: copyhold proposal <subcommand> [flags]   (copyhold proposal <subcommand> --help for its flags)

Collective rule: the members' proposals (docs/GOVERNANCE.md).

Subcommands:
  list       list proposals, open ones first
  show ID    print one proposal as JSON
  close-due  close every proposal whose voting period has ended (what the server's ticker runs)
`

// cmdProposal lists, shows and closes proposals.
func cmdProposal(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(e.stdout, proposalUsage)
		if len(args) == 0 {
			return errors.New("proposal: say list, show or close-due")
		}
		return nil
	}
	sub := args[0]
	about := map[string]string{
		"list":      "List proposals, open ones first, then the newest.",
		"show":      "Print one proposal (copyhold proposal show ID) as the API shows it.",
		"close-due": "Close every proposal whose voting period has ended: tally, register, execution and event, once each, even with several servers on one database.",
	}[sub]
	if about == "" {
		fmt.Fprint(e.stderr, proposalUsage)
		return fmt.Errorf("proposal: unknown subcommand %q", sub)
	}
	// Help goes to stdout and lists only this subcommand's flags.
	fs := flag.NewFlagSet("proposal "+sub, flag.ContinueOnError)
	fs.SetOutput(e.stdout)
	usage := "copyhold proposal " + sub
	if sub == "show" {
		usage += " ID"
	}
	fs.Usage = func() {
		fmt.Fprintf(e.stdout, "Usage: %s [flags]\n\n%s\n\nFlags:\n", usage, about)
		fs.PrintDefaults()
	}
	var c config
	bindDatabase(fs, e, &c)
	status := ""
	limit := 100
	at := ""
	asJSON := false
	switch sub {
	case "list":
		fs.StringVar(&status, "status", "", "open or closed (default: all)")
		fs.IntVar(&limit, "limit", 100, "how many to list (1-100)")
		fs.BoolVar(&asJSON, "json", false, "print the list as JSON")
	case "close-due":
		fs.StringVar(&at, "at", "", "close as if the clock read this time (RFC 3339; default: now)")
	}
	rest := args[1:]
	var id int64
	if sub == "show" && len(rest) > 0 && rest[0] != "" && rest[0][0] != '-' {
		n, err := strconv.ParseInt(rest[0], 10, 64)
		if err != nil || n <= 0 {
			return fmt.Errorf("proposal show: %q is not a proposal id", rest[0])
		}
		id, rest = n, rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if sub == "show" && id == 0 {
		if fs.NArg() == 0 {
			return fmt.Errorf("usage: copyhold proposal show ID")
		}
		n, err := strconv.ParseInt(fs.Arg(0), 10, 64)
		if err != nil || n <= 0 {
			return fmt.Errorf("proposal show: %q is not a proposal id", fs.Arg(0))
		}
		id = n
	}
	when := time.Now().UTC()
	if at != "" {
		t, err := time.Parse(time.RFC3339Nano, at)
		if err != nil {
			return fmt.Errorf("--at %q: use RFC 3339, like 2026-01-31T12:00:00Z", at)
		}
		when = t.UTC()
	}
	db, err := openDB(ctx, c, false)
	if err != nil {
		return err
	}
	defer closeDB(db)
	svc := govern.New(db, nil, nil)
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	switch sub {
	case "list":
		items, err := svc.List(ctx, 0, vote.ListFilter{Status: status, Page: page.Page{Limit: limit}})
		if err != nil {
			return err
		}
		if asJSON {
			return enc.Encode(items)
		}
		for _, p := range items {
			closes := "-"
			if p.ClosesAt != nil {
				closes = p.ClosesAt.Format(time.RFC3339)
			}
			fmt.Fprintf(e.stdout, "%d\t%s\t%s\t%d/%d voted (quorum %d)\tcloses %s\t%s\n", p.ID, p.Status, p.Kind, p.Voted, p.Eligible,
				p.QuorumNeeded, closes, p.Title)
		}
		return nil
	case "show":
		v, err := svc.Get(ctx, 0, id)
		if err != nil {
			return err
		}
		return enc.Encode(v)
	default:
		closed, err := svc.CloseDue(ctx, when)
		for _, c := range closed {
			line := fmt.Sprintf("proposal %d: %s (yes %d, no %d, abstain %d of %d eligible)", c.ID, c.Status, c.Tally.Yes, c.Tally.No,
				c.Tally.Abstain, c.Tally.Eligible)
			if c.Error != "" {
				line += ": " + c.Error
			}
			fmt.Fprintln(e.stdout, line)
		}
		if err == nil {
			fmt.Fprintf(e.stdout, "closed %d proposals due at %s\n", len(closed), when.Format(time.RFC3339))
		}
		return err
	}
}
