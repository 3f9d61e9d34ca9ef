package server_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"copyhold/labeling/member"
)

// Remapped keys are stored per member; unknown actions, shared keys and
// reserved keys are refused with their codes.
func TestShortcutsOverHTTP(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		lab, rev := e.as("lab"), e.as("rev")
		for _, c := range []struct {
			body map[string]any
			code string
		}{
			{map[string]any{"keys": map[string]string{"fly": "q"}}, "unknown_action"},
			{map[string]any{"keys": map[string]string{"skip": "i"}}, "key_conflict"},
			{map[string]any{"keys": map[string]string{"skip": "Tab"}}, "reserved_key"},
			{map[string]any{"keys": map[string]string{"skip": "Q"}}, "invalid_key"},
			{map[string]any{}, "invalid"},
		} {
			if r := lab.do("PUT", "/api/me/shortcuts", c.body); r.status != 400 || r.code() != c.code {
				t.Fatalf("PUT %v = %d %s, want 400 %s", c.body, r.status, r.body, c.code)
			}
		}
		if r := lab.do("PUT", "/api/me/shortcuts", map[string]any{"keys": map[string]string{"skip": "q", "submit": "F2"}}); r.status != 200 {
			t.Fatalf("PUT = %d %s", r.status, r.body)
		}
		var got struct {
			Shortcuts []struct{ Action, Key string }
		}
		mustJSON(t, lab.do("GET", "/api/me/shortcuts", nil).body, &got)
		keys := map[string]string{}
		for _, b := range got.Shortcuts {
			keys[b.Action] = b.Key
		}
		if keys["skip"] != "q" || keys["submit"] != "F2" || keys["undo"] != "Ctrl+z" {
			t.Fatalf("lab's keys %v", keys)
		}
		mustJSON(t, rev.do("GET", "/api/me/shortcuts", nil).body, &got)
		if got.Shortcuts[1].Action != "skip" || got.Shortcuts[1].Key != "s" {
			t.Fatalf("another member's map changed: %+v", got.Shortcuts[1])
		}
		lab.do("PUT", "/api/me/shortcuts", map[string]any{"keys": map[string]string{}})
		mustJSON(t, lab.do("GET", "/api/me/shortcuts", nil).body, &got)
		if got.Shortcuts[1].Key != "s" {
			t.Fatal("reset did not restore the defaults")
		}
	})
}

// The break after a run and the spent budget are refused by the claim
// endpoint with their codes; the break says when to come back.
func TestWellbeingClaimRefusals(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		p := e.Project(t)
		coordID := e.Members["coord"].ID
		lines := `{"data":{"text":"a"},"sensitive":true}` + "\n" + `{"data":{"text":"b"},"sensitive":true}` + "\n" +
			`{"data":{"text":"c"},"categories":["hate"]}`
		if _, err := e.Stores.Projects.ImportItems(ctx, &coordID, p.ID, strings.NewReader(lines), "jsonl", ""); err != nil {
			t.Fatal(err)
		}
		coord, lab, target := e.as("coord"), e.as("lab"), e.as("target")
		if r := lab.do("PUT", "/api/wellbeing/settings", map[string]any{"daily_minutes": 60}); r.status != 403 {
			t.Fatalf("a labeller changed the co-op's settings: %d", r.status)
		}
		bad := map[string]any{"daily_minutes": 60, "task_cap_minutes": 0, "break_after": 1, "break_minutes": 5}
		if r := coord.do("PUT", "/api/wellbeing/settings", bad); r.status != 400 || r.code() != "invalid" {
			t.Fatalf("cap 0 = %d %s", r.status, r.body)
		}
		set := map[string]any{"daily_minutes": 60, "task_cap_minutes": 5, "break_after": 1, "break_minutes": 5}
		if r := coord.do("PUT", "/api/wellbeing/settings", set); r.status != 200 {
			t.Fatalf("settings = %d %s", r.status, r.body)
		}
		next := fmt.Sprintf("/api/projects/%d/next", p.ID)
		r := lab.do("POST", next, nil)
		var task struct {
			LeaseToken string `json:"lease_token"`
			Sensitive  bool
		}
		mustJSON(t, r.body, &task)
		if !task.Sensitive {
			t.Fatalf("task %s", r.body)
		}
		if r := lab.do("POST", "/api/tasks/skip", map[string]any{"lease_token": task.LeaseToken}); r.status != 204 {
			t.Fatalf("skip = %d %s", r.status, r.body)
		}
		r = lab.do("POST", next, nil)
		if r.status != 409 || r.code() != "wellbeing_break" || !strings.Contains(string(r.body), "resume at") {
			t.Fatalf("claim during the break = %d %s", r.status, r.body)
		}
		if s, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || s < 250 || s > 300 {
			t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
		}
		var mine struct {
			BreakUntil *string `json:"break_until"`
		}
		mustJSON(t, lab.do("GET", "/api/me/wellbeing", nil).body, &mine)
		if mine.BreakUntil == nil {
			t.Fatal("GET /api/me/wellbeing does not show the break")
		}
		// target's own budget is 0 minutes: only the hate item (not opted into) and sensitive ones are left.
		if r := target.do("PUT", "/api/me/wellbeing", map[string]any{"own_minutes": 0, "categories": []string{"gore"}}); r.status != 400 {
			t.Fatalf("unknown category = %d %s", r.status, r.body)
		}
		if r := target.do("PUT", "/api/me/wellbeing", map[string]any{"own_minutes": 0}); r.status != 200 {
			t.Fatalf("own budget = %d %s", r.status, r.body)
		}
		if r := target.do("POST", next, nil); r.status != 409 || r.code() != "sensitive_budget_spent" {
			t.Fatalf("claim past the budget = %d %s", r.status, r.body)
		}
		// The coordinator's view is sums across members: no member ids.
		r = coord.do("GET", "/api/wellbeing/summary?days=7", nil)
		if r.status != 200 || !strings.Contains(string(r.body), `"breaks":1`) || strings.Contains(string(r.body), "member_id") {
			t.Fatalf("summary = %d %s", r.status, r.body)
		}
		if r := coord.do("GET", "/api/wellbeing/summary?days=0", nil); r.status != 400 {
			t.Fatalf("days=0 = %d", r.status)
		}
		if r := lab.do("GET", "/api/wellbeing/summary", nil); r.status != 403 {
			t.Fatalf("a labeller read the summary: %d", r.status)
		}
	})
}

// "This affected me" reaches the designated contact and nobody else: not
// the reviewer, not the coordinator, over HTTP or the websocket.
func TestAffectedReachesOnlyTheContact(t *testing.T) {
	eachLiveEnv(t, nil, nil, func(t *testing.T, e *env) {
		p := e.Project(t)
		care := e.AddMember(t, "care", member.RoleLabeller)
		coord := e.as("coord")
		if r := coord.do("PUT", "/api/wellbeing/settings", map[string]any{"contact_member_id": 999999, "daily_minutes": 60,
			"task_cap_minutes": 5, "break_after": 0, "break_minutes": 0}); r.status != 400 || r.code() != "no_such_contact" {
			t.Fatalf("unknown contact = %d %s", r.status, r.body)
		}
		if r := coord.do("PUT", "/api/wellbeing/settings", map[string]any{"contact_member_id": care.ID, "daily_minutes": 60,
			"task_cap_minutes": 5, "break_after": 0, "break_minutes": 0}); r.status != 200 {
			t.Fatalf("settings = %d %s", r.status, r.body)
		}
		// Everyone listens where they may; the reviewer and the coordinator
		// also on the project and review channels.
		watchers := map[string]*voteWatcher{}
		for _, login := range []string{"care", "rev", "coord", "lab", "target"} {
			w := e.ws(t, login)
			channels := []string{"coop", fmt.Sprintf("member:%d", e.Members[login].ID)}
			if login != "care" && login != "lab" {
				channels = append(channels, fmt.Sprintf("project:%d", p.ID), fmt.Sprintf("review:%d", p.ID))
			}
			for _, ch := range channels {
				if op := subscribeAnswer(w, ch); op != "subscribed" {
					t.Fatalf("%s subscribing to %s: %s", login, ch, op)
				}
			}
			watchers[login] = w
		}
		// Nobody else may listen on the contact's channel.
		for _, login := range []string{"coord", "rev"} {
			if op := subscribeAnswer(watchers[login], fmt.Sprintf("member:%d", care.ID)); op == "subscribed" {
				t.Fatalf("%s subscribed to the contact's channel", login)
			}
		}

		lab := e.as("lab")
		r := lab.do("POST", "/api/me/wellbeing/affected", map[string]any{"project_id": p.ID, "note": "the last item"})
		if r.status != 200 || !strings.Contains(string(r.body), `"notified":true`) {
			t.Fatalf("affected = %d %s", r.status, r.body)
		}
		// A coop event after it marks the end of what each watcher may see.
		if r := coord.do("POST", "/api/models", map[string]any{"name": "marker"}); r.status != 201 {
			t.Fatalf("marker = %d %s", r.status, r.body)
		}
		// Channels are not ordered with each other: everyone reads until the
		// marker, the contact until the notice too, and then a little longer.
		for login, w := range watchers {
			sawNotice, sawMarker := false, false
			until := time.Now().Add(10 * time.Second)
			for time.Now().Before(until) {
				w.ws.SetReadDeadline(until)
				var f inFrame
				if err := w.ws.ReadJSON(&f); err != nil {
					break
				}
				sawNotice = sawNotice || f.Type == "wellbeing.affected"
				if f.Type == "model.created" && !sawMarker {
					sawMarker = true
					until = time.Now().Add(300 * time.Millisecond)
				}
				if sawMarker && sawNotice {
					break
				}
			}
			if !sawMarker || sawNotice != (login == "care") {
				t.Fatalf("%s: saw the marker %v, the notice %v", login, sawMarker, sawNotice)
			}
		}
		// Over HTTP: the contact reads it; the reviewer, the coordinator and the member do not.
		for _, login := range []string{"rev", "coord", "lab", "target"} {
			if r := e.as(login).do("GET", "/api/wellbeing/notices", nil); r.status != 200 || string(r.body) != `{"items":[],"next_cursor":null}` {
				t.Fatalf("%s reads notices: %d %s", login, r.status, r.body)
			}
		}
		r = e.as("care").do("GET", "/api/wellbeing/notices", nil)
		if r.status != 200 || !strings.Contains(string(r.body), `"member_name":"lab"`) || !strings.Contains(string(r.body), "the last item") {
			t.Fatalf("contact's notices = %d %s", r.status, r.body)
		}
		// The member's sensitive work is paused until they resume.
		var mine struct{ Paused bool }
		mustJSON(t, lab.do("GET", "/api/me/wellbeing", nil).body, &mine)
		if !mine.Paused {
			t.Fatal("not paused")
		}
		mustJSON(t, lab.do("POST", "/api/me/wellbeing/resume", nil).body, &mine)
		if mine.Paused {
			t.Fatal("still paused after resume")
		}
		if r := lab.do("POST", "/api/me/wellbeing/affected", map[string]any{"project_id": 424242}); r.status != 404 {
			t.Fatalf("an unknown project = %d %s", r.status, r.body)
		}
	})
}

// subscribeAnswer subscribes w to channel and returns the answer's op (or
// error code), skipping the event and presence frames that arrive meanwhile.
func subscribeAnswer(w *voteWatcher, channel string) string {
	w.t.Helper()
	if err := w.ws.WriteJSON(map[string]any{"op": "subscribe", "channel": channel}); err != nil {
		w.t.Fatal(err)
	}
	for {
		w.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
		var f struct{ Op, Channel, Code string }
		if err := w.ws.ReadJSON(&f); err != nil {
			w.t.Fatalf("subscribe %s: %v", channel, err)
		}
		switch {
		case f.Op == "subscribed" && f.Channel == channel:
			return f.Op
		case f.Op == "error":
			return f.Code
		}
		// events and presence frames meanwhile
	}
}
