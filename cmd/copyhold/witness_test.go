package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"copyhold/equity"
	"copyhold/equity/roll"
	equitystore "copyhold/equity/store"
	"copyhold/labeling/member"
	"copyhold/labeling/store"
	"copyhold/migrations/dbtest"
	"copyhold/server"
	"copyhold/server/servertest"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// witnessLog is a real server on httptest whose checkpoint route a test
// can replace (to show the witness a fork or a rollback).
type witnessLogEnv struct {
	url   string
	key   roll.Key
	roll  *equitystore.Roll
	reg   *equitystore.Store
	coord int64
	fake  atomic.Pointer[[]byte] // non-nil: served as the checkpoint
	n     int
}

func newWitnessLog(t *testing.T, db *gorm.DB, trusted ...string) *witnessLogEnv {
	t.Helper()
	skey, err := roll.GenerateKey(roll.Origin("witnessed.example"))
	must(t, err)
	k, err := roll.ParseKey(skey)
	must(t, err)
	st := store.New(db).WithRegister(equitystore.Reads{})
	d := servertest.Deps(db, st)
	rl := equitystore.NewRoll(db, &k)
	d.Roll = rl
	srv := server.New(server.Config{PasswordCost: member.PasswordCost(bcrypt.MinCost), Witnesses: trusted}, d, slog.New(slog.NewTextHandler(io.Discard, nil)))
	m, err := st.Members.CreateMember(context.Background(), nil, member.NewMember{Login: "coord", DisplayName: "coord", Password: "correct-horse-battery",
		Roles: []member.Role{member.RoleCoordinator}, Cost: member.PasswordCost(bcrypt.MinCost)})
	must(t, err)
	w := &witnessLogEnv{key: k, roll: rl, reg: equitystore.New(db), coord: m.ID}
	h := srv.Handler()
	ts := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if f := w.fake.Load(); f != nil && r.URL.Path == "/api/register/checkpoint" {
			rw.Write(*f)
			return
		}
		h.ServeHTTP(rw, r)
	}))
	t.Cleanup(ts.Close)
	w.url = ts.URL
	return w
}

// grow appends n register entries and integrates them into a new checkpoint.
func (w *witnessLogEnv) grow(t *testing.T, n int) roll.Checkpoint {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < n; i++ {
		w.n++
		_, err := w.reg.SetGovernance(ctx, w.coord, equity.Governance{TransferFeeBP: w.n % 100, HoldingCapBP: 4000, CapFloor: 1_000_000,
			ReserveShareBP: 1000, ExitRule: equity.ExitSuccessorElseReserve, Reason: fmt.Sprint("v", w.n)})
		must(t, err)
	}
	cp, ok, err := w.roll.Integrate(ctx)
	must(t, err)
	if !ok {
		t.Fatal("the tree did not grow")
	}
	return cp
}

func (w *witnessLogEnv) cosigned(t *testing.T, size int64) []roll.Cosignature {
	t.Helper()
	sigs, err := w.roll.Cosignatures(context.Background(), size)
	must(t, err)
	return sigs
}

func TestWitness(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		dir := t.TempDir()
		keyFile, state := filepath.Join(dir, "witness.key"), filepath.Join(dir, "state.json")
		out, err := runCmd(t, nil, "", "witness", "keygen", "--out", keyFile, "--name", "witness.test")
		must(t, err)
		wvkey := strings.TrimSpace(out)
		if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("key file: %v %v", fi, err)
		}
		if _, err := runCmd(t, nil, "", "witness", "keygen", "--out", keyFile); err == nil {
			t.Fatal("keygen overwrote a key file")
		}
		lg := newWitnessLog(t, db, wvkey)
		witness := func() (string, error) {
			return runCmd(t, nil, "", "witness", "--log", lg.url, "--key", lg.key.Verifier, "--state", state, "--witness-key", keyFile, "--once")
		}

		// A consistent checkpoint: cosigned, and the server shows it.
		cp1 := lg.grow(t, 3)
		out, err = witness()
		if err != nil {
			t.Fatalf("first witness run: %v\n%s", err, out)
		}
		cp2 := lg.grow(t, 2)
		if out, err = witness(); err != nil {
			t.Fatalf("second witness run: %v\n%s", err, out)
		}
		if len(lg.cosigned(t, cp1.Size)) != 1 || len(lg.cosigned(t, cp2.Size)) != 1 {
			t.Fatal("consistent checkpoints were not cosigned")
		}
		resp, err := http.Get(lg.url + "/api/register/checkpoint")
		must(t, err)
		shown, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if _, sigs, err := roll.OpenCosigned(shown, lg.key.Verifier, []string{wvkey}); err != nil || len(sigs) != 1 {
			t.Fatalf("the checkpoint does not show the cosignature: %v\n%s", err, shown)
		}
		accepted, err := os.ReadFile(state)
		must(t, err)

		refused := func(what string, fake []byte, size int64) {
			t.Helper()
			lg.fake.Store(&fake)
			defer lg.fake.Store(nil)
			out, err := witness()
			if err == nil || !strings.Contains(out, "REFUSED") || !strings.Contains(out, string(fake)) || !strings.Contains(out, "accepted checkpoint") {
				t.Fatalf("%s: err %v\n%s", what, err, out)
			}
			if strings.Contains(out, "cosigned checkpoint") {
				t.Fatalf("%s: the witness cosigned:\n%s", what, out)
			}
			if now, _ := os.ReadFile(state); string(now) != string(accepted) {
				t.Fatalf("%s: the state changed", what)
			}
			if size >= 0 && len(lg.cosigned(t, size)) != 0 {
				t.Fatalf("%s: cosigned", what)
			}
		}
		sign := func(c roll.Checkpoint) []byte {
			b, err := roll.Sign(c, lg.key.Signer)
			must(t, err)
			return b
		}
		// Fork of the same size: another root, signed by the log's key.
		same := cp2
		same.Root[0] ^= 1
		refused("fork, same size", sign(same), -1)
		// Fork of a greater size: the tree grew, but the log shows a root that
		// does not extend the accepted tree.
		cp3 := lg.grow(t, 2)
		bigger := cp3
		bigger.Root[5] ^= 1
		refused("fork, greater size", sign(bigger), cp3.Size)
		// Rollback: the log's own older (smaller) checkpoint.
		refused("rollback", sign(cp1), -1)
		// A checkpoint not signed by the log's key.
		other, _ := roll.GenerateKey(cp2.Origin)
		ok, _ := roll.ParseKey(other)
		b, _ := roll.Sign(cp3, ok.Signer)
		refused("bad signature", b, cp3.Size)

		// The honest log again: cp3 extends cp2 and is cosigned.
		if out, err = witness(); err != nil || len(lg.cosigned(t, cp3.Size)) != 1 {
			t.Fatalf("third witness run: %v\n%s", err, out)
		}
	})
}

func TestWitnessHelp(t *testing.T) {
	var out, errOut strings.Builder
	if err := run(context.Background(), []string{"copyhold", "witness", "--help"}, getenvFrom(nil), strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"-log", "-key", "-state", "-witness-key", "-interval", "-once"} {
		if !strings.Contains(out.String(), f) {
			t.Fatalf("help lacks %s:\n%s", f, out.String())
		}
	}
	if strings.Contains(out.String(), "-database-url") || errOut.Len() != 0 {
		t.Fatalf("help:\n%s\nstderr %s", out.String(), errOut.String())
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestServeWitnessesSetting(t *testing.T) {
	skey, err := roll.GenerateWitnessKey("w.example")
	must(t, err)
	w, err := roll.ParseWitnessKey(skey)
	must(t, err)
	c := &config{Witnesses: " " + w.Verifier + " ,"}
	got, err := c.witnesses()
	if err != nil || len(got) != 1 || got[0] != w.Verifier {
		t.Fatalf("witnesses = %v, %v", got, err)
	}
	// A log (note) verifier key is not a witness key: refused, naming the setting.
	lk, _ := roll.GenerateKey("copyhold.local/register")
	k, _ := roll.ParseKey(lk)
	c.Witnesses = k.Verifier
	if _, err := c.witnesses(); err == nil || !strings.Contains(err.Error(), "COPYHOLD_WITNESSES") {
		t.Fatalf("a non-witness key: %v", err)
	}
}
