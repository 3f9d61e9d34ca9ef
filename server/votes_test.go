package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	equitystore "copyhold/equity/store"
	"copyhold/equity/vote"
	"copyhold/equity/vote/govern"
	"copyhold/labeling/member"
	"copyhold/migrations/dbtest"
	"copyhold/server/servertest"

	"github.com/gorilla/websocket"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// voteClock is the injected clock of collective rule: tests move it instead of sleeping.
type voteClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *voteClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *voteClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// votingEnv is a server whose collective rule runs on a clock the test sets.
func votingEnv(t *testing.T, db *gorm.DB) (*env, *voteClock, *govern.Service) {
	clk := &voteClock{}
	svc := govern.New(db, clk.Now, nil)
	e := newEnvVotes(t, db, svc)
	clk.set(time.Now().UTC().Truncate(time.Microsecond)) // after every member of the env was admitted
	return e, clk, svc
}

type proposalJSON struct {
	ID       int64           `json:"id"`
	Status   string          `json:"status"`
	Kind     string          `json:"kind"`
	Change   json.RawMessage `json:"change"`
	Current  json.RawMessage `json:"current"`
	ClosesAt time.Time       `json:"closes_at"`
	Eligible int             `json:"eligible"`
	Voted    int             `json:"voted"`
	Quorum   int             `json:"quorum_needed"`
	Tally    *vote.Result    `json:"tally"`
	MyVote   struct {
		Voted  bool    `json:"voted"`
		Choice *string `json:"choice"`
	} `json:"my_vote"`
	Executed *struct {
		What    string `json:"what"`
		Version int    `json:"version"`
	} `json:"executed"`
	ExecutionError string `json:"execution_error"`
	RegisterSeq    int64  `json:"register_seq"`
	Proposer       struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"proposer"`
}

func decode[T any](t *testing.T, r resp) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return v
}

var proposalKey int

func propose(c *client, change string) resp {
	proposalKey++
	return c.do("POST", "/api/proposals", fmt.Sprintf(`{"title":"Raise the transfer fee","reason":"the reserve is thin","change":%s,"idempotency_key":"k%d"}`,
		change, proposalKey))
}

// The whole path over HTTP: the coordinator's lever is gone, the members
// vote the fee, it changes once the vote closes, and the next transfer pays it.
func TestVotesHTTP(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e, clk, svc := votingEnv(t, db)
		ctx := context.Background()
		coord, lab, rev := e.as("coord"), e.as("lab"), e.as("rev")
		p := e.Project(t)

		// Offices lose the lever.
		r := coord.do("POST", "/api/equity/governance", map[string]any{"transfer_fee_bp": 1000, "holding_cap_bp": 10000, "exit_rule": "reserve", "reason": "I decide"})
		if r.status != 403 || r.code() != "needs_vote" || !strings.Contains(string(r.body), "POST /api/proposals") {
			t.Fatalf("direct fee change: %d %s", r.status, r.body)
		}
		// …but a coordinator still sets a new project's card within the band.
		if r := coord.do("POST", fmt.Sprintf("/api/projects/%d/rate-card", p.ID), map[string]any{"annotation_accepted": "5", "reason": "greedy"}); r.status != 403 || r.code() != "needs_vote" {
			t.Fatalf("rate card outside the band: %d %s", r.status, r.body)
		}
		if r := coord.do("POST", fmt.Sprintf("/api/projects/%d/rate-card", p.ID), map[string]any{"annotation_accepted": "2", "reason": "launch"}); r.status != 201 {
			t.Fatalf("rate card in the band: %d %s", r.status, r.body)
		}
		labID, targetID := e.Members["lab"].ID, e.Members["target"].ID
		must(t, db.Transaction(func(tx *gorm.DB) error {
			for sub := int64(1); sub <= 2; sub++ {
				if _, err := equitystore.CreditPending(tx, equitystore.PendingCredit{SubmissionID: sub, ProjectID: p.ID, MemberID: labID}); err != nil {
					return err
				}
				if _, err := equitystore.Vest(tx, equitystore.Decision{SubmissionID: sub, ReviewID: sub, ReviewerID: e.Members["rev"].ID}); err != nil {
					return err
				}
			}
			return nil
		}))
		if r := coord.do("POST", fmt.Sprintf("/api/projects/%d/rate-card", p.ID), map[string]any{"annotation_accepted": "1", "reason": "now that work is accepted"}); r.status != 403 || r.code() != "needs_vote" {
			t.Fatalf("rate card after accepted work: %d %s", r.status, r.body)
		}

		// Bad changes are refused at creation, naming the field.
		for _, tc := range []struct{ change, field string }{
			{`{"kind":"governance","transfer_fee_bp":-100}`, "transfer_fee_bp"},
			{`{"kind":"governance","holding_cap_bp":12000}`, "holding_cap_bp"},
			{`{"kind":"rate_card","project_id":987654,"annotation_accepted":"1"}`, "project_id"},
		} {
			if r := propose(lab, tc.change); r.status != 400 || r.code() != "invalid_change" || !strings.Contains(string(r.body), tc.field) {
				t.Errorf("%s: %d %s", tc.change, r.status, r.body)
			}
		}

		// A member proposes a fee of 10 %.
		r = propose(lab, `{"kind":"governance","transfer_fee_bp":1000}`)
		if r.status != 201 {
			t.Fatalf("propose: %d %s", r.status, r.body)
		}
		pr := decode[proposalJSON](t, r)
		if pr.Status != "open" || pr.Eligible != 4 || pr.Quorum != 1 || pr.Tally != nil || pr.MyVote.Voted || pr.Proposer.Name != "lab" ||
			!strings.Contains(string(pr.Current), `"transfer_fee_bp":0`) || pr.RegisterSeq != 0 {
			t.Fatalf("proposal (its entry queued, not yet on the log): %s", r.body)
		}
		path := fmt.Sprintf("/api/proposals/%d", pr.ID)
		if _, _, err := e.Roll.Integrate(ctx); err != nil {
			t.Fatal(err)
		}
		if pr := decode[proposalJSON](t, lab.do("GET", path, nil)); pr.RegisterSeq == 0 {
			t.Fatalf("proposal after integration: register_seq %d", pr.RegisterSeq)
		}
		if r := lab.do("GET", path+"/preview", nil); r.status != 200 || !strings.Contains(string(r.body), `"applies":true`) || !strings.Contains(string(r.body), `"days":90`) {
			t.Fatalf("preview: %d %s", r.status, r.body)
		}
		if r := lab.do("GET", path+"/ballots", nil); r.status != 409 || r.code() != "proposal_open" {
			t.Fatalf("ballots while open: %d %s", r.status, r.body)
		}
		// A member admitted after the vote opened may not vote.
		clk.set(clk.Now().Add(time.Second))
		late, err := e.Stores.Members.CreateMember(ctx, nil, member.NewMember{Login: "late", DisplayName: "late", Password: servertest.Password, Roles: []member.Role{member.RoleLabeller}, Cost: member.PasswordCost(bcrypt.MinCost)})
		must(t, err)
		_, tok, err := e.Stores.Members.CreateToken(ctx, late.ID, "t")
		must(t, err)
		lateClient := e.browser()
		lateClient.token = tok
		if r := lateClient.do("POST", path+"/votes", map[string]string{"choice": "yes"}); r.status != 403 || r.code() != "not_eligible" {
			t.Fatalf("late member: %d %s", r.status, r.body)
		}
		if r := e.as("").do("POST", path+"/votes", map[string]string{"choice": "yes"}); r.status != 401 {
			t.Fatalf("anonymous vote: %d %s", r.status, r.body)
		}

		// Members vote; a second vote without the receipt is refused, with it the vote changes.
		receipts := map[string]string{}
		for who, choice := range map[string]string{"lab": "no", "rev": "yes", "target": "yes", "coord": "no"} {
			r := e.as(who).do("POST", path+"/votes", map[string]string{"choice": choice})
			c := decode[vote.Cast](t, r)
			if r.status != 200 || c.Changed || !vote.ValidReceipt(c.Receipt) {
				t.Fatalf("vote %s: %d %s", who, r.status, r.body)
			}
			receipts[who] = c.Receipt
		}
		if r := lab.do("POST", path+"/votes", map[string]string{"choice": "yes"}); r.status != 409 || r.code() != "already_voted" {
			t.Fatalf("second vote: %d %s", r.status, r.body)
		}
		if r := lab.do("POST", path+"/votes", map[string]string{"choice": "yes", "receipt": receipts["lab"]}); r.status != 200 || !strings.Contains(string(r.body), `"changed":true`) {
			t.Fatalf("changed vote: %d %s", r.status, r.body)
		}
		// Nobody's response shows anybody's secret choice.
		for _, who := range []string{"lab", "rev", "coord"} {
			r := e.as(who).do("GET", path, nil)
			v := decode[proposalJSON](t, r)
			if v.Voted != 4 || !v.MyVote.Voted || v.MyVote.Choice != nil || v.Tally != nil || strings.Contains(string(r.body), `"choice":"`) {
				t.Fatalf("%s sees: %s", who, r.body)
			}
		}
		list := lab.do("GET", "/api/proposals?status=open", nil)
		if list.status != 200 || !strings.Contains(string(list.body), fmt.Sprintf(`"id":%d`, pr.ID)) || !strings.Contains(string(list.body), `"next_cursor":null`) {
			t.Fatalf("list: %d %s", list.status, list.body)
		}

		// The period ends; the ticker's close-due closes it (injected clock, no sleeping).
		at := pr.ClosesAt.Add(time.Second)
		clk.set(at)
		closed, err := svc.CloseDue(ctx, at)
		if err != nil || len(closed) != 1 || closed[0].Status != vote.StatusPassed {
			t.Fatalf("close: %+v %v", closed, err)
		}
		if r := rev.do("POST", path+"/votes", map[string]string{"choice": "no", "receipt": receipts["rev"]}); r.status != 409 || r.code() != "proposal_closed" {
			t.Fatalf("vote after close: %d %s", r.status, r.body)
		}
		v := decode[proposalJSON](t, lab.do("GET", path, nil))
		if v.Status != "passed" || v.Tally == nil || v.Tally.Yes != 3 || v.Tally.No != 1 || v.Executed == nil || v.Executed.What != "governance" {
			t.Fatalf("closed proposal: %+v", v)
		}
		g := lab.do("GET", "/api/equity/governance", nil)
		if !strings.Contains(string(g.body), `"transfer_fee_bp":1000`) || !strings.Contains(string(g.body), fmt.Sprintf(`"proposal_id":%d`, pr.ID)) ||
			!strings.Contains(string(g.body), `"yes":3`) {
			t.Fatalf("governance after the vote: %s", g.body)
		}

		// The next transfer pays the new fee (10 % of 1.0, to the reserve).
		r = lab.do("POST", "/api/equity/transfers", map[string]any{"idempotency_key": "after-vote", "model_id": p.ModelID, "to": targetID, "amount": "1"})
		if r.status != 201 || !strings.Contains(string(r.body), `"account":"reserve","amount":"0.100000","category":"fee"`) {
			t.Fatalf("transfer after the vote: %d %s", r.status, r.body)
		}
		// The register shows the vote and the new version.
		reg := lab.do("GET", fmt.Sprintf("/api/equity/models/%d/register", p.ModelID), nil)
		var rg struct {
			Governance []struct {
				ProposalID int64 `json:"proposal_id"`
				Vote       *struct{ Yes, No int }
			} `json:"governance"`
			Votes []struct {
				ProposalID int64 `json:"proposal_id"`
				Status     string
				Yes, No    int
			} `json:"votes"`
		}
		must(t, json.Unmarshal(reg.body, &rg))
		if len(rg.Governance) != 1 || rg.Governance[0].ProposalID != pr.ID || rg.Governance[0].Vote == nil || rg.Governance[0].Vote.Yes != 3 ||
			len(rg.Votes) != 1 || rg.Votes[0].Status != "passed" || rg.Votes[0].No != 1 {
			t.Fatalf("register: %s", reg.body)
		}

		// The published ballots: each voter finds their receipt with their
		// choice, no ballot names anyone, and a recount gives the tally.
		b := decode[vote.Ballots](t, lab.do("GET", path+"/ballots", nil))
		mine := map[string]vote.Choice{}
		var yes, no int
		for _, x := range b.Ballots {
			if x.Member != "" {
				t.Fatalf("secret ballot names a member: %+v", x)
			}
			mine[x.Receipt] = x.Choice
			if x.Choice == vote.Yes {
				yes++
			} else if x.Choice == vote.No {
				no++
			}
		}
		for who, want := range map[string]vote.Choice{"lab": vote.Yes, "rev": vote.Yes, "target": vote.Yes, "coord": vote.No} {
			if mine[vote.ReceiptHash(receipts[who])] != want {
				t.Errorf("%s's receipt: %q, want %q", who, mine[vote.ReceiptHash(receipts[who])], want)
			}
		}
		if yes != b.Tally.Yes || no != b.Tally.No || len(b.Ballots) != 4 {
			t.Fatalf("recount %d/%d, tally %+v", yes, no, b.Tally)
		}
		// No event on the co-op channel names a voter or carries a choice.
		var evs []struct {
			Type    string
			ActorID *int64
			Payload string
		}
		must(t, db.Raw("SELECT type, actor_id, payload FROM events WHERE type LIKE 'proposal.%' ORDER BY id").Scan(&evs).Error)
		types := map[string]int{}
		for _, ev := range evs {
			types[ev.Type]++
			if ev.ActorID != nil || strings.Contains(ev.Payload, "member") || strings.Contains(ev.Payload, "receipt") || strings.Contains(ev.Payload, "choice") {
				t.Fatalf("event %s reveals a voter: %s", ev.Type, ev.Payload)
			}
		}
		if types["proposal.opened"] != 1 || types["proposal.voted"] != 4 || types["proposal.closed"] != 1 {
			t.Fatalf("events: %v", types)
		}

		// A proposal below quorum changes nothing.
		r = propose(rev, `{"kind":"governance","transfer_fee_bp":9000}`)
		below := decode[proposalJSON](t, r)
		clk.set(below.ClosesAt.Add(time.Second))
		if closed, err := svc.CloseDue(ctx, clk.Now()); err != nil || len(closed) != 1 || closed[0].Status != vote.StatusFailed || closed[0].Tally.Reason != vote.FailQuorum {
			t.Fatalf("below quorum: %+v %v", closed, err)
		}
		if g := lab.do("GET", "/api/equity/governance", nil); !strings.Contains(string(g.body), `"transfer_fee_bp":1000`) {
			t.Fatalf("a failed vote changed the fee: %s", g.body)
		}
		if r := lab.do("GET", "/api/constitution", nil); r.status != 200 || !strings.Contains(string(r.body), `"quorum_bp":2500`) || !strings.Contains(string(r.body), `"ballot":"secret"`) {
			t.Fatalf("constitution: %d %s", r.status, r.body)
		}
		if r := lab.do("GET", "/api/constitution/history", nil); r.status != 200 || string(r.body) != `{"items":[],"next_cursor":null}` {
			t.Fatalf("history: %d %s", r.status, r.body)
		}
		rep, err := equitystore.New(db).Verify(ctx)
		if err != nil || !rep.OK {
			t.Fatalf("verify: %v %+v", err, rep.First)
		}
	})
}

// Withdraw, amend and their refusals over HTTP.
func TestProposalLifecycleHTTP(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e, _, _ := votingEnv(t, db)
		lab, rev := e.as("lab"), e.as("rev")
		pr := decode[proposalJSON](t, propose(lab, `{"kind":"motion","text":"Hello"}`))
		path := fmt.Sprintf("/api/proposals/%d", pr.ID)
		if r := rev.do("POST", path+"/withdraw", nil); r.status != 403 || r.code() != "not_proposer" {
			t.Fatalf("someone else withdraws: %d %s", r.status, r.body)
		}
		rev.do("POST", path+"/votes", map[string]string{"choice": "yes"})
		if r := lab.do("POST", path+"/withdraw", nil); r.status != 409 || r.code() != "proposal_has_votes" {
			t.Fatalf("withdraw after a vote: %d %s", r.status, r.body)
		}
		r := lab.do("PUT", path, map[string]any{"title": "Hello again", "reason": "typo", "change": map[string]any{"kind": "motion", "text": "Hello, co-op"}})
		am := decode[proposalJSON](t, r)
		if r.status != 200 || am.Voted != 0 {
			t.Fatalf("amend: %d %s", r.status, r.body)
		}
		if r := lab.do("PUT", path, map[string]any{"title": "x", "reason": "y", "change": map[string]any{"kind": "motion", "text": "z"}, "idempotency_key": "nope"}); r.status != 400 {
			t.Fatalf("amend with an unknown field: %d %s", r.status, r.body)
		}
		if r := lab.do("POST", path+"/withdraw", nil); r.status != 200 || !strings.Contains(string(r.body), `"status":"withdrawn"`) {
			t.Fatalf("withdraw: %d %s", r.status, r.body)
		}
		if r := rev.do("POST", path+"/votes", map[string]string{"choice": "yes"}); r.status != 409 || r.code() != "proposal_closed" {
			t.Fatalf("vote on a withdrawn proposal: %d %s", r.status, r.body)
		}
		if r := rev.do("POST", path+"/votes", map[string]string{"choice": "perhaps"}); r.status != 400 || r.code() != "invalid_choice" {
			t.Fatalf("bad choice: %d %s", r.status, r.body)
		}
		if r := rev.do("POST", "/api/proposals/99999/votes", map[string]string{"choice": "yes"}); r.status != 404 || r.code() != "proposal_not_found" {
			t.Fatalf("no such proposal: %d %s", r.status, r.body)
		}
		if r := lab.do("POST", "/api/proposals", `{"title":"t","reason":"r","change":{"kind":"motion","text":"x"}}`); r.status != 400 || r.code() != "idempotency_key_required" {
			t.Fatalf("no key: %d %s", r.status, r.body)
		}
		if r := lab.do("POST", "/api/proposals", `{"title":"t","reason":"r","change":{"kind":"motion","text":"x","color":"red"}}`); r.status != 400 || r.code() != "unknown_field" {
			t.Fatalf("unknown change field: %d %s", r.status, r.body)
		}
		if r := lab.do("GET", "/api/proposals?status=closed&limit=1", nil); r.status != 200 || !strings.Contains(string(r.body), `"withdrawn"`) {
			t.Fatalf("closed list: %d %s", r.status, r.body)
		}
		if r := lab.do("GET", "/api/proposals?status=sideways", nil); r.status != 400 {
			t.Fatalf("bad status filter: %d %s", r.status, r.body)
		}
	})
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Live: opening, each new vote (the count only), and closing reach every
// member on the coop channel, with no actor and never a choice.
func TestVotesLive(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		clk := &voteClock{}
		clk.set(time.Now().UTC().Add(time.Hour).Truncate(time.Microsecond))
		svc := govern.New(db, clk.Now, nil)
		e, _ := newLiveEnvVotes(t, db, svc, nil)
		watcher := e.ws(t, "target")
		watcher.mustSubscribe("coop")
		pr := decode[proposalJSON](t, propose(e.as("lab"), `{"kind":"motion","text":"Live"}`))
		wantEvent := func(typ string) inFrame {
			t.Helper()
			for {
				f := watcher.next()
				if f.Op != "event" {
					t.Fatalf("frame %+v", f)
				}
				if f.Type != typ {
					continue // other coop events (the register)
				}
				if f.ActorID != nil {
					t.Fatalf("%s names its actor: %+v", typ, f)
				}
				for k := range f.Payload {
					if k == "member_id" || k == "choice" || k == "receipt" {
						t.Fatalf("%s carries %s: %+v", typ, k, f.Payload)
					}
				}
				return f
			}
		}
		if f := wantEvent("proposal.opened"); f.Payload["id"] != float64(pr.ID) || f.Payload["title"] != "Raise the transfer fee" {
			t.Fatalf("opened: %+v", f.Payload)
		}
		for i, who := range []string{"lab", "rev"} {
			e.as(who).do("POST", fmt.Sprintf("/api/proposals/%d/votes", pr.ID), map[string]string{"choice": "yes"})
			if f := wantEvent("proposal.voted"); f.Payload["voted"] != float64(i+1) || f.Payload["eligible"] != float64(4) {
				t.Fatalf("voted: %+v", f.Payload)
			}
		}
		if n, err := svc.AnnounceClosingSoon(context.Background(), pr.ClosesAt.Add(-time.Hour)); err != nil || n != 1 {
			t.Fatalf("closing soon: %d %v", n, err)
		}
		wantEvent("proposal.closing_soon")
		if _, err := svc.CloseDue(context.Background(), pr.ClosesAt.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		f := wantEvent("proposal.closed")
		tally, _ := f.Payload["tally"].(map[string]any)
		if f.Payload["status"] != "passed" || tally["yes"] != float64(2) {
			t.Fatalf("closed: %+v", f.Payload)
		}
	})
}

// inFrame is a websocket frame as the votes tests read it.
type inFrame struct {
	Op      string         `json:"op"`
	Channel string         `json:"channel"`
	Type    string         `json:"type"`
	ActorID *int64         `json:"actor_id"`
	Payload map[string]any `json:"payload"`
}

// voteWatcher is a member's live connection, read frame by frame.
type voteWatcher struct {
	t  *testing.T
	ws *websocket.Conn
}

func (e *env) ws(t *testing.T, login string) *voteWatcher {
	t.Helper()
	h := http.Header{"Authorization": []string{"Bearer " + e.Tokens[login]}}
	ws, _, err := websocket.DefaultDialer.Dial(wsURL(e.TS.URL), h)
	if err != nil {
		t.Fatalf("dial as %s: %v", login, err)
	}
	t.Cleanup(func() { ws.Close() })
	return &voteWatcher{t: t, ws: ws}
}

func (w *voteWatcher) next() inFrame {
	w.t.Helper()
	w.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	var f inFrame
	if err := w.ws.ReadJSON(&f); err != nil {
		w.t.Fatalf("read frame: %v", err)
	}
	return f
}

func (w *voteWatcher) mustSubscribe(channel string) {
	w.t.Helper()
	if err := w.ws.WriteJSON(map[string]any{"op": "subscribe", "channel": channel}); err != nil {
		w.t.Fatal(err)
	}
	if f := w.next(); f.Op != "subscribed" || f.Channel != channel {
		w.t.Fatalf("subscribe %s: got %+v", channel, f)
	}
}
