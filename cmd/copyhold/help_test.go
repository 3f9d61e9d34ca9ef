package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// configFlags are the flags of the shared configuration: a command's --help
// lists exactly those it reads.
var configFlags = []string{"database-url", "data", "addr", "base-url", "allowed-origins", "secure-cookies",
	"event-retention", "export-cache", "export-cache-max-age", "export-cache-max-bytes", "register-key", "witnesses", "db-conns"}

// Every command and subcommand answers --help and -h on stdout, exits 0,
// touches nothing (the data folder stays empty) and lists only the
// configuration flags it uses.
func TestHelpOfEveryCommand(t *testing.T) {
	db := []string{"database-url", "data"}
	cases := []struct {
		args []string
		uses []string
	}{
		{[]string{"serve"}, configFlags},
		{[]string{"migrate"}, db},
		{[]string{"migrate", "up"}, db},
		{[]string{"migrate", "status"}, db},
		{[]string{"demo"}, append(slices.Clone(db), "register-key")},
		{[]string{"import"}, db},
		{[]string{"project"}, nil},
		{[]string{"project", "lsconfig"}, db},
		{[]string{"user"}, db},
		{[]string{"user", "add"}, db},
		{[]string{"user", "set-password"}, db},
		{[]string{"user", "grant"}, db},
		{[]string{"user", "revoke"}, db},
		{[]string{"user", "deactivate"}, db},
		{[]string{"agreement"}, nil},
		{[]string{"ledger"}, nil},
		{[]string{"ledger", "verify"}, []string{"database-url", "data", "register-key", "witnesses"}},
		{[]string{"ledger", "head"}, db},
		{[]string{"ledger", "key"}, []string{"data", "register-key"}},
		{[]string{"ledger", "keygen"}, []string{"base-url"}},
		{[]string{"proposal"}, nil},
		{[]string{"proposal", "list"}, db},
		{[]string{"proposal", "show"}, db},
		{[]string{"proposal", "close-due"}, db},
		{[]string{"snapshot"}, nil},
		{[]string{"snapshot", "create"}, append(slices.Clone(db), "register-key")},
		{[]string{"snapshot", "list"}, db},
		{[]string{"export"}, db},
		{[]string{"release"}, nil},
		{[]string{"release", "create"}, append(slices.Clone(db), "register-key")},
		{[]string{"release", "list"}, db},
		{[]string{"leaderboard"}, db},
		{[]string{"witness"}, nil},
		{[]string{"witness", "keygen"}, nil},
		{[]string{"version"}, nil},
	}
	// Flags of a sibling subcommand that a command must not list.
	notListed := map[string][]string{
		"ledger head":       {"json", "checkpoint", "verifier-key"},
		"user add":          {"keep-tokens"},
		"user set-password": {"name", "role"},
		"user grant":        {"name", "keep-tokens"},
		"user revoke":       {"name", "keep-tokens"},
		"user deactivate":   {"name", "role", "keep-tokens"},
		"snapshot list":     {"projects", "mode"},
		"release list":      {"version", "snapshots", "base-model", "checkpoint", "notes"},
	}
	listed := map[string]bool{}
	for _, tc := range cases {
		listed[tc.args[0]] = true
	}
	for _, c := range commands() {
		if !listed[c.name] {
			t.Errorf("command %q has no --help case here", c.name)
		}
	}
	for _, tc := range cases {
		for _, h := range []string{"--help", "-h"} {
			name := strings.Join(append(slices.Clone(tc.args), h), " ")
			t.Run(name, func(t *testing.T) {
				data := t.TempDir()
				vars := map[string]string{"COPYHOLD_DATA": data}
				var out, errOut bytes.Buffer
				args := append(append([]string{"copyhold"}, tc.args...), h)
				err := run(context.Background(), args, getenvFrom(vars), strings.NewReader(""), &out, &errOut)
				if err != nil {
					t.Fatalf("exit error %v; stderr %q", err, errOut.String())
				}
				if errOut.Len() != 0 {
					t.Errorf("help wrote to stderr: %q", errOut.String())
				}
				if !strings.Contains(out.String(), "copyhold") {
					t.Errorf("stdout does not say what the command is: %q", out.String())
				}
				if left, _ := os.ReadDir(data); len(left) != 0 {
					t.Errorf("--help did something: the data folder holds %v", left)
				}
				for _, f := range configFlags {
					shown := regexp.MustCompile(`(?m)^\s+-` + regexp.QuoteMeta(f) + `(\s|$)`).MatchString(out.String())
					if want := slices.Contains(tc.uses, f); shown != want {
						t.Errorf("-%s listed = %v, want %v:\n%s", f, shown, want, out.String())
					}
				}
				for _, f := range notListed[strings.Join(tc.args, " ")] {
					if regexp.MustCompile(`(?m)^\s+-` + regexp.QuoteMeta(f) + `(\s|$)`).MatchString(out.String()) {
						t.Errorf("-%s listed, but the command does not read it:\n%s", f, out.String())
					}
				}
			})
		}
	}
}

// A flag of a sibling subcommand is refused before anything is opened, not
// ignored: `user deactivate --role` would otherwise look like it revoked a role.
func TestSiblingFlagsRefused(t *testing.T) {
	for _, args := range [][]string{
		{"user", "deactivate", "--login", "ana", "--role", "labeller"},
		{"user", "grant", "--login", "ana", "--role", "reviewer", "--keep-tokens"},
		{"snapshot", "list", "--mode", "all"},
		{"release", "list", "--version", "v1"},
		{"ledger", "head", "--json"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			data := t.TempDir()
			var out, errOut bytes.Buffer
			err := run(context.Background(), append([]string{"copyhold"}, args...), getenvFrom(map[string]string{"COPYHOLD_DATA": data}),
				strings.NewReader(""), &out, &errOut)
			if err == nil || !strings.Contains(err.Error()+errOut.String(), "flag provided but not defined") {
				t.Fatalf("err = %v, stderr %q: want the flag refused", err, errOut.String())
			}
			if left, _ := os.ReadDir(data); len(left) != 0 {
				t.Errorf("a refused command did something: the data folder holds %v", left)
			}
		})
	}
}
