package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	equitystore "copyhold/equity/store"
	"copyhold/labeling"
	"copyhold/labeling/event/feed"
	"copyhold/labeling/member"
	"copyhold/labeling/model"
	"copyhold/labeling/model/modeltest"
	"copyhold/labeling/tasktype"
	webhookstore "copyhold/labeling/webhook/store"
	"copyhold/labeling/work"
	"copyhold/migrations/dbtest"
	"copyhold/server/servertest"

	"gorm.io/gorm"
)

// pageCase is one list endpoint: where it is, who may read it, how an item
// is told apart, and how to add one row to it.
type pageCase struct {
	name  string
	path  func() string // the list's URL, with any filter
	as    string
	ident string // the item's identifying field; "" when the item is the id
	add   func(t *testing.T, i int)
	// grows: the order puts a new row after every row listed so far
	// (ascending lists), so a walk that started before the insert sees it.
	grows bool
}

// TestEveryListPages: each list endpoint pages by cursor. Walking it two
// rows at a time, with a row inserted after the first page, lists every
// row that was there exactly once (and the new row too when it sorts last);
// a bad cursor and a bad limit are 400s.
func TestEveryListPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		e, _, svc := votingEnv(t, db)
		ctx := context.Background()
		coord, lab := e.Members["coord"].ID, e.Members["lab"].ID
		p := e.acceptedPairwise(t, 3)
		pid := fmt.Sprint(p.ID)
		items := 3
		// addAccepted adds one item to p that lab answered and that was accepted.
		addAccepted := func(t *testing.T) {
			t.Helper()
			if _, err := e.Stores.Projects.ImportItems(ctx, &coord, p.ID, strings.NewReader(fmt.Sprintf(`{"prompt":"q%d","response_a":"a","response_b":"b"}`+"\n", items)), "jsonl", ""); err != nil {
				t.Fatal(err)
			}
			task, err := e.Stores.Leases.ClaimNextTask(ctx, lab, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := work.New(e.Stores).Submit(ctx, lab, labeling.SubmitRequest{LeaseToken: task.LeaseToken, IdempotencyKey: fmt.Sprint("more", items),
				Answer: json.RawMessage(`{"choice":"a"}`), LeadTimeMs: 2000}); err != nil {
				t.Fatal(err)
			}
			must(t, e.DB.Exec("UPDATE submissions SET status = 'accepted' WHERE project_id = ?", p.ID).Error)
			items++
		}
		snapshot := func(t *testing.T) string {
			t.Helper()
			r := e.as("coord").do("POST", "/api/snapshots", map[string]any{"model_id": p.ModelID, "project_ids": []int64{p.ID}, "mode": "consensus"})
			if r.status != 201 {
				t.Fatalf("snapshot: %d %s", r.status, r.body)
			}
			var s struct{ Hash string }
			mustJSON(t, r.body, &s)
			return s.Hash
		}
		releases := 0
		release := func(t *testing.T, _ int) {
			t.Helper()
			addAccepted(t) // a new snapshot needs new data
			releases++
			r := e.as("coord").do("POST", "/api/releases", map[string]any{"model_id": p.ModelID, "version": fmt.Sprintf("v%d", releases),
				"base_model": "base", "snapshot_hashes": []string{snapshot(t)}})
			if r.status != 201 {
				t.Fatalf("release: %d %s", r.status, r.body)
			}
		}
		llm := modeltest.New(t, modeltest.VLLM)
		e.Endpoints.Add(model.Endpoint{ID: 1, Name: "alpha", Model: "m", Concurrency: 1})
		genProject, err := e.Stores.Projects.CreateProject(ctx, &coord, labeling.ProjectSettings{ModelID: p.ModelID, Name: "generated",
			TaskType: tasktype.TaskPairwise, Overlap: 1, Schema: json.RawMessage(`{"conversation_field":"messages","a_field":"a","b_field":"b"}`)}, true)
		must(t, err)
		must(t, e.Stores.Wellbeing.SetSettings(ctx, coord, labeling.WellbeingSettings{ContactMemberID: &coord, DailyMinutes: 60, TaskCapMinutes: 5}))
		hooks := webhookstore.New(db, nil)
		var hookID int64
		rules := &equitystore.Rules{}
		cases := []pageCase{
			{name: "tokens", path: func() string { return "/api/tokens" }, as: "lab", grows: true, add: func(t *testing.T, i int) {
				_, _, err := e.Stores.Members.CreateToken(ctx, lab, fmt.Sprint("t", i))
				must(t, err)
			}},
			{name: "members", path: func() string { return "/api/members" }, as: "coord", grows: true, add: func(t *testing.T, i int) {
				e.AddMember(t, fmt.Sprint("pager", i), member.RoleLabeller)
			}},
			{name: "invites", path: func() string { return "/api/invites" }, as: "coord", add: func(t *testing.T, i int) {
				_, _, err := e.Stores.Members.CreateInvite(ctx, coord, []member.Role{member.RoleLabeller}, fmt.Sprint("n", i), time.Hour)
				must(t, err)
			}},
			{name: "models", path: func() string { return "/api/models" }, as: "lab", grows: true, add: func(t *testing.T, i int) {
				_, err := e.Stores.Projects.CreateModel(ctx, &coord, labeling.Model{Name: fmt.Sprintf("zz-%03d", i)})
				must(t, err)
			}},
			{name: "projects", path: func() string { return "/api/projects" }, as: "coord", add: func(t *testing.T, i int) { e.Project(t) }},
			{name: "project members", path: func() string { return "/api/projects/" + pid + "/members" }, as: "rev", grows: true, add: func(t *testing.T, i int) {
				m := e.AddMember(t, fmt.Sprint("joiner", i), member.RoleLabeller)
				must(t, e.Stores.Projects.AddProjectMember(ctx, &coord, p.ID, m.ID))
			}},
			{name: "my submissions", path: func() string { return "/api/me/submissions?project_id=" + pid }, as: "lab", add: func(t *testing.T, i int) { addAccepted(t) }},
			{name: "consensus", path: func() string { return "/api/projects/" + pid + "/consensus" }, as: "rev", ident: "item_id", grows: true, add: func(t *testing.T, i int) {
				addAccepted(t)
				if r := e.as("coord").do("POST", "/api/projects/"+pid+"/consensus", map[string]string{"method": "majority"}); r.status != 200 {
					t.Fatalf("consensus: %d %s", r.status, r.body)
				}
			}},
			{name: "snapshots", path: func() string { return fmt.Sprintf("/api/snapshots?model_id=%d", p.ModelID) }, as: "lab", add: func(t *testing.T, i int) {
				addAccepted(t)
				snapshot(t)
			}},
			{name: "releases", path: func() string { return "/api/releases" }, as: "lab", grows: true, add: release},
			{name: "my releases", path: func() string { return "/api/me/releases" }, as: "lab", add: release},
			{name: "constitution history", path: func() string { return "/api/constitution/history" }, as: "lab", ident: "version", grows: true,
				add: func(t *testing.T, i int) {
					k, err := svc.Constitution(ctx)
					must(t, err)
					k.ProposalID = nil
					must(t, db.Transaction(func(tx *gorm.DB) error {
						_, err := rules.RecordConstitution(tx, coord, k)
						return err
					}))
				}},
			{name: "proposals", path: func() string { return "/api/proposals" }, as: "lab", add: func(t *testing.T, i int) {
				if r := propose(e.as("lab"), fmt.Sprintf(`{"kind":"motion","text":"motion %d"}`, i)); r.status != 201 {
					t.Fatalf("propose: %d %s", r.status, r.body)
				}
			}},
			{name: "webhooks", path: func() string { return "/api/webhooks" }, as: "coord", grows: true, add: func(t *testing.T, i int) {
				r := e.as("coord").do("POST", "/api/webhooks", map[string]any{"url": fmt.Sprintf("https://93.184.215.14/hook/%d", i), "event_types": []string{"snapshot.created"}})
				if r.status != 201 {
					t.Fatalf("webhook: %d %s", r.status, r.body)
				}
				var ep struct{ ID int64 }
				mustJSON(t, r.body, &ep)
				if hookID == 0 {
					hookID = ep.ID
				}
			}},
			{name: "webhook attempts", path: func() string { return fmt.Sprintf("/api/webhooks/%d/attempts", hookID) }, as: "coord", add: func(t *testing.T, i int) {
				from, err := hooks.Cursor(ctx)
				must(t, err)
				ev := feed.Event{ID: from + 1000, Type: "snapshot.created", Scope: "coop", Payload: json.RawMessage(`{}`), CreatedAt: time.Now()}
				must(t, hooks.Fanout(ctx, from, ev.ID, []feed.Event{ev}, 0))
				cl, err := hooks.Claim(ctx, 10, time.Minute)
				must(t, err)
				for _, c := range cl {
					_, err := hooks.Finish(ctx, c, webhookstore.Result{StatusCode: 500, At: time.Now()}, webhookstore.Outcome{Delivered: true})
					must(t, err)
				}
			}},
			{name: "model endpoints", path: func() string { return "/api/model-endpoints" }, as: "coord", grows: true, add: func(t *testing.T, i int) {
				r := e.as("coord").do("POST", "/api/model-endpoints", map[string]any{"name": fmt.Sprint("endpoint ", i), "base_url": llm.URL, "model": "m"})
				if r.status != 201 {
					t.Fatalf("model endpoint: %d %s", r.status, r.body)
				}
			}},
			{name: "generation jobs", path: func() string { return "/api/gen/jobs?project_id=" + fmt.Sprint(genProject.ID) }, as: "coord", add: func(t *testing.T, i int) {
				r := e.as("coord").do("POST", fmt.Sprintf("/api/projects/%d/generate", genProject.ID), map[string]any{
					"slots":   []map[string]any{{"endpoint_id": 1, "seed": 1}, {"endpoint_id": 1, "seed": 2}},
					"prompts": []map[string]any{{"prompt": fmt.Sprint("say ", i)}}})
				if r.status != 201 {
					t.Fatalf("generation job: %d %s", r.status, r.body)
				}
			}},
			// Last: a notice pauses the member's sensitive work.
			{name: "wellbeing notices", path: func() string { return "/api/wellbeing/notices" }, as: "coord", add: func(t *testing.T, i int) {
				notified, err := e.Stores.Wellbeing.Affected(ctx, lab, labeling.Affected{Note: fmt.Sprint("notice ", i)})
				if err != nil || !notified {
					t.Fatalf("notice: %v %v", notified, err)
				}
			}},
		}
		// Every list the document pages is walked here.
		var walked []string
		for _, pc := range cases {
			walked = append(walked, strings.SplitN(pc.path(), "?", 2)[0])
		}
		for path, item := range servertest.OpenAPI(t).Paths.Map() {
			if op := item.Get; op != nil && op.Parameters.GetByInAndName("query", "cursor") != nil {
				shape := regexp.MustCompile("^" + strings.ReplaceAll(regexp.QuoteMeta(path), `\{id\}`, `\d+`) + "$")
				found := slices.ContainsFunc(walked, shape.MatchString)
				if !found {
					t.Errorf("GET %s pages by cursor in the document but is not walked by TestEveryListPages", path)
				}
			}
		}
		for _, pc := range cases {
			t.Run(pc.name, func(t *testing.T) {
				for i := range 5 {
					pc.add(t, i)
				}
				c := e.as(pc.as)
				before := listAll(t, c, pc)
				if len(before) < 5 {
					t.Fatalf("%d rows after adding 5", len(before))
				}
				seen := map[string]int{}
				next := ""
				for pages := 0; ; pages++ {
					r := c.do("GET", withQuery(pc.path(), "limit=2", next), nil)
					var pg struct {
						Items      []json.RawMessage `json:"items"`
						NextCursor *string           `json:"next_cursor"`
					}
					if r.status != 200 {
						t.Fatalf("page %d: %d %s", pages, r.status, r.body)
					}
					mustJSON(t, r.body, &pg)
					if len(pg.Items) > 2 {
						t.Fatalf("page of %d with limit=2", len(pg.Items))
					}
					for _, it := range pg.Items {
						seen[identOf(t, it, pc.ident)]++
					}
					if pages == 0 {
						pc.add(t, 100) // a row arrives between two pages
					}
					if pg.NextCursor == nil {
						break
					}
					next = "cursor=" + url.QueryEscape(*pg.NextCursor)
				}
				for id, n := range seen {
					if n != 1 {
						t.Errorf("row %s listed %d times", id, n)
					}
				}
				for _, id := range before {
					if seen[id] != 1 {
						t.Errorf("row %s missing from the walk", id)
					}
				}
				if want := len(before) + map[bool]int{true: 1}[pc.grows]; len(seen) != want {
					t.Errorf("walk listed %d rows, want %d", len(seen), want)
				}

				// Bad limits and cursors are 400s with their own codes.
				first := c.do("GET", withQuery(pc.path(), "limit=1"), nil)
				var pg struct {
					NextCursor *string `json:"next_cursor"`
				}
				mustJSON(t, first.body, &pg)
				if pg.NextCursor == nil {
					t.Fatalf("limit=1 of %d rows gave no next_cursor: %s", len(before), first.body)
				}
				cur := *pg.NextCursor
				tampered := []byte(cur)
				tampered[len(tampered)-2] ^= 1
				other := "/api/tokens"
				if pc.name == "tokens" {
					other = "/api/proposals"
				}
				for _, q := range []struct{ query, code string }{
					{"limit=0", "invalid_limit"}, {"limit=101", "invalid_limit"}, {"limit=x", "invalid_limit"}, {"limit=-1", "invalid_limit"},
					{"limit=07", "invalid_limit"}, {"cursor=abc", "invalid_cursor"}, {"cursor=" + url.QueryEscape(string(tampered)), "invalid_cursor"},
					{"cursor=" + url.QueryEscape(cur[:len(cur)-4]), "invalid_cursor"},
				} {
					if r := c.do("GET", withQuery(pc.path(), q.query), nil); r.status != 400 || r.code() != q.code {
						t.Errorf("%s: %d %s", q.query, r.status, r.body)
					}
				}
				// Empty parameters are as if absent: the first page, at the default size.
				empty, first50 := c.do("GET", withQuery(pc.path(), "cursor=", "limit="), nil), c.do("GET", withQuery(pc.path(), "limit=50"), nil)
				if empty.status != 200 || !slices.Equal(identsOf(t, empty, pc.ident), identsOf(t, first50, pc.ident)) {
					t.Errorf("empty cursor and limit: %d %s", empty.status, empty.body)
				}
				// A cursor works only on the list that gave it.
				{
					if r := c.do("GET", withQuery(other, "cursor="+url.QueryEscape(cur)), nil); r.status != 400 || r.code() != "invalid_cursor" {
						t.Errorf("another list's cursor: %d %s", r.status, r.body)
					}
				}
			})
		}
	})
}

func identsOf(t *testing.T, r resp, field string) []string {
	t.Helper()
	var pg struct {
		Items []json.RawMessage `json:"items"`
	}
	mustJSON(t, r.body, &pg)
	var out []string
	for _, it := range pg.Items {
		out = append(out, identOf(t, it, field))
	}
	return out
}

// listAll reads a list whole, at the largest page.
func listAll(t *testing.T, c *client, pc pageCase) []string {
	t.Helper()
	var out []string
	next := ""
	for {
		r := c.do("GET", withQuery(pc.path(), "limit=100", next), nil)
		var pg struct {
			Items      []json.RawMessage `json:"items"`
			NextCursor *string           `json:"next_cursor"`
		}
		if r.status != 200 {
			t.Fatalf("list: %d %s", r.status, r.body)
		}
		mustJSON(t, r.body, &pg)
		for _, it := range pg.Items {
			out = append(out, identOf(t, it, pc.ident))
		}
		if pg.NextCursor == nil {
			return out
		}
		next = "cursor=" + url.QueryEscape(*pg.NextCursor)
	}
}

func identOf(t *testing.T, item json.RawMessage, field string) string {
	t.Helper()
	if field == "" {
		field = "id"
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(item, &m) != nil {
		return string(item) // a bare id
	}
	if m[field] == nil {
		t.Fatalf("item without %s: %s", field, item)
	}
	return string(m[field])
}

// withQuery adds query parts (empty ones skipped) to path.
func withQuery(path string, parts ...string) string {
	for _, p := range parts {
		if p == "" {
			continue
		}
		if strings.Contains(path, "?") {
			path += "&" + p
		} else {
			path += "?" + p
		}
	}
	return path
}
