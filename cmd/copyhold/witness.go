package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"copyhold/equity/roll"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// copyhold witness: a small C2SP witness of one or more copyhold registers
// (docs/LEDGER.md, "Witnesses"). For each log it fetches the signed
// checkpoint, verifies the signature with the log's verifier key, proves
// that it extends the checkpoint this witness last accepted (kept in the
// state file), and only then cosigns it (tlog-cosignature) and posts the
// cosignature back to the log. An inconsistent checkpoint is refused,
// reported with both checkpoints, and never cosigned.

const witnessAbout = "witness copyhold registers: verify each log's checkpoint and its consistency with the last one accepted, " +
	"then cosign it (C2SP tlog-cosignature) and post the cosignature to the log. " +
	"`copyhold witness keygen --out FILE [--name NAME]` makes a witness key"

// witnessState is the state file: the last checkpoint accepted from each
// log, by the log's verifier key.
type witnessState struct {
	Logs map[string]witnessLog `json:"logs"`
}

type witnessLog struct {
	URL        string    `json:"url"`
	Checkpoint string    `json:"checkpoint"` // the log-signed note
	AcceptedAt time.Time `json:"accepted_at"`
}

func cmdWitness(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "keygen" {
		return cmdWitnessKeygen(e, args[1:])
	}
	fs := newFlags("witness", witnessAbout, e)
	logs := fs.String("log", "", "comma-separated base URLs of the copyhold registers to witness (https://coop.example)")
	keys := fs.String("key", "", "comma-separated verifier keys of those registers (their /api/register/key), in --log order")
	statePath := fs.String("state", "", "state file: the last checkpoint accepted from each log (created if missing, written atomically)")
	keyPath := fs.String("witness-key", "", "this witness's private key file (copyhold witness keygen)")
	interval := fs.Duration("interval", time.Minute, "time between polls")
	once := fs.Bool("once", false, "check each log once and exit; non-zero when any log is refused or cannot be checked")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("witness: unexpected argument %q", fs.Arg(0))
	}
	urls, vkeys := splitList(*logs), splitList(*keys)
	if len(urls) == 0 || len(urls) != len(vkeys) {
		return errors.New("witness: give --log and --key, one verifier key per log URL")
	}
	for _, k := range vkeys {
		if _, err := note.NewVerifier(k); err != nil {
			return fmt.Errorf("witness: --key %q: %w", k, err)
		}
	}
	if *statePath == "" || *keyPath == "" {
		return errors.New("witness: --state and --witness-key are required")
	}
	raw, err := os.ReadFile(*keyPath)
	if err != nil {
		return fmt.Errorf("witness: --witness-key: %w", err)
	}
	wk, err := roll.ParseWitnessKey(string(raw))
	if err != nil {
		return fmt.Errorf("witness: --witness-key %s: %w", *keyPath, err)
	}
	w := &witness{e: e, key: wk, state: *statePath, hc: &http.Client{Timeout: 30 * time.Second}}
	for {
		err := w.round(ctx, urls, vkeys)
		if *once {
			return err
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "witness: %v\n", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(*interval):
		}
	}
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

type witness struct {
	e     *env
	key   roll.WitnessKey
	state string
	hc    *http.Client
}

// round checks every log once; it returns the logs that failed.
func (w *witness) round(ctx context.Context, urls, vkeys []string) error {
	st, err := readWitnessState(w.state)
	if err != nil {
		return err
	}
	var failed []string
	for i, u := range urls {
		u = strings.TrimRight(u, "/")
		accepted, err := w.check(ctx, st, u, vkeys[i])
		if accepted {
			if err := writeWitnessState(w.state, st); err != nil {
				return err
			}
		}
		if err != nil {
			fmt.Fprintf(w.e.stderr, "witness: %s: %v\n", u, err)
			failed = append(failed, u)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("witness: %d of %d logs not cosigned: %s", len(failed), len(urls), strings.Join(failed, ", "))
	}
	return nil
}

// check verifies one log's checkpoint against the state, records it there
// when it is consistent (accepted), and cosigns and posts it.
func (w *witness) check(ctx context.Context, st *witnessState, u, vkey string) (accepted bool, err error) {
	body, err := w.get(ctx, u+"/api/register/checkpoint")
	if err != nil {
		return false, err
	}
	prev, had := st.Logs[vkey]
	refuse := func(why string) error {
		old := "(none)\n"
		if had {
			old = prev.Checkpoint
		}
		fmt.Fprintf(w.e.stderr, "witness: REFUSED %s: %s\n--- accepted checkpoint ---\n%s--- offered checkpoint ---\n%s---\n", u, why, old, body)
		return fmt.Errorf("%w: %s", roll.ErrRefused, why)
	}
	var acc []byte
	if had {
		acc = []byte(prev.Checkpoint)
	}
	cp, err := roll.CheckWitnessed(acc, body, vkey, func(from, to int64) ([]roll.Hash, error) {
		return w.consistency(ctx, u, from, to)
	})
	if errors.Is(err, roll.ErrRefused) {
		return false, refuse(strings.TrimPrefix(err.Error(), roll.ErrRefused.Error()+": "))
	}
	if err != nil {
		return false, err
	}
	// Consistent: accept it (keep only the log's signature), then cosign.
	signed, err := roll.Cosign(body, vkey, w.key.Signer)
	if err != nil {
		return false, err
	}
	logOnly := string(signed)
	if i := strings.LastIndex(strings.TrimSuffix(logOnly, "\n"), "\n"); i >= 0 {
		logOnly = logOnly[:i+1] // drop the cosignature line just added
	}
	if st.Logs == nil {
		st.Logs = map[string]witnessLog{}
	}
	st.Logs[vkey] = witnessLog{URL: u, Checkpoint: logOnly, AcceptedAt: time.Now().UTC()}
	if err := w.post(ctx, u+"/api/register/cosignatures", signed); err != nil {
		return true, fmt.Errorf("checkpoint %d accepted but the cosignature was not taken: %w", cp.Size, err)
	}
	fmt.Fprintf(w.e.stdout, "witness: %s: cosigned checkpoint %d\n", u, cp.Size)
	return true, nil
}

const maxWitnessBody = 1 << 20

func (w *witness) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := w.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxWitnessBody))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %s", u, resp.Status, bytes.TrimSpace(b))
	}
	return b, nil
}

func (w *witness) consistency(ctx context.Context, u string, from, to int64) ([]roll.Hash, error) {
	b, err := w.get(ctx, fmt.Sprintf("%s/api/register/proof/consistency?from=%d&to=%d", u, from, to))
	if err != nil {
		return nil, err
	}
	var p struct{ Proof [][]byte }
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("consistency proof: %w", err)
	}
	out := make([]roll.Hash, len(p.Proof))
	for i, h := range p.Proof {
		if len(h) != tlog.HashSize {
			return nil, errors.New("consistency proof: not a hash")
		}
		copy(out[i][:], h)
	}
	return out, nil
}

func (w *witness) post(ctx context.Context, u string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	resp, err := w.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: %s: %s", u, resp.Status, bytes.TrimSpace(b))
	}
	return nil
}

func readWitnessState(path string) (*witnessState, error) {
	st := &witnessState{Logs: map[string]witnessLog{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("witness: state: %w", err)
	}
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("witness: state %s: %w", path, err)
	}
	if st.Logs == nil {
		st.Logs = map[string]witnessLog{}
	}
	return st, nil
}

// writeWitnessState writes the state atomically: a temporary file in the
// same folder, synced, then renamed over the old one.
func writeWitnessState(path string, st *witnessState) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("witness: state: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("witness: state: %w", err)
	}
	return nil
}

func cmdWitnessKeygen(e *env, args []string) error {
	fs := newFlags("witness keygen", "make a witness key file (0600; never overwrites one) and print its verifier key", e)
	out := fs.String("out", "", "the key file to create")
	host, _ := os.Hostname()
	name := fs.String("name", witnessName(host), "the witness's name (no spaces or +), shown in its cosignature lines")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("witness keygen: --out FILE is required")
	}
	skey, err := roll.GenerateWitnessKey(*name)
	if err != nil {
		return err
	}
	wk, err := roll.ParseWitnessKey(skey)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("witness keygen: %w", err)
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, wk.Verifier)
	return nil
}

func witnessName(host string) string {
	host = strings.Map(func(r rune) rune {
		if r == '+' || r <= ' ' {
			return -1
		}
		return r
	}, host)
	if host == "" {
		return "copyhold-witness"
	}
	return host + "/copyhold-witness"
}
