package work_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"copyhold/labeling"
	"copyhold/labeling/event/feed"
	"copyhold/labeling/store/storetest"
	"copyhold/migrations/dbtest"

	"gorm.io/gorm"
)

// audience is where an event type may be written and what its payload may
// hold. docs/ARCHITECTURE.md ("What each channel's audience sees") is this
// table in words; change both together.
type audience struct {
	scopes []string // scope kinds: coop, project, review, member, coordinators, audit
	fields []string // payload fields
}

// Who sees a scope: coop — every member; project:<id> — its staff in full,
// its labellers through feed.LabellerView; review:<id> — reviewers and
// coordinators; member:<id> — that member; audit — nobody live.
var eventAudit = map[string]audience{
	// Labelling work, on the project channel (labellers: counts only).
	"task.claimed":   {[]string{"project"}, []string{"assignment_id", "item_id"}},
	"task.released":  {[]string{"project"}, []string{"assignment_id", "item_id"}},
	"task.skipped":   {[]string{"project"}, []string{"assignment_id", "item_id"}},
	"task.submitted": {[]string{"project"}, []string{"assignment_id", "item_id", "submission_id"}},
	"task.amended":   {[]string{"project"}, []string{"submission_id", "item_id"}},
	"task.expired":   {[]string{"member"}, []string{"assignment_id", "item_id", "project_id"}},
	"item.completed": {[]string{"project"}, []string{"item_id", "done", "submission_id"}},
	// Scoring and review: staff only, except a decision's outcome for its
	// labeller (member) and, for non-gold rounds, the project's progress.
	"item.scored":             {[]string{"review"}, []string{"item_id", "review_id", "metric", "agreement_bp", "route", "reasons", "submission_id"}},
	"item.queued_for_review":  {[]string{"review"}, []string{"item_id", "review_id", "metric", "agreement_bp", "route", "reasons", "submission_id"}},
	"review.claimed":          {[]string{"review"}, []string{"review_id", "item_id"}},
	"review.released":         {[]string{"review"}, []string{"review_id", "item_id"}},
	"review.decided":          {[]string{"review", "member", "project"}, []string{"review_id", "item_id", "submission_id", "decision", "reason", "status", "final", "automatic"}},
	"review.disputed":         {[]string{"review", "member"}, []string{"review_id", "item_id", "submission_id"}},
	"review.settings_changed": {[]string{"review"}, []string{"project_id", "auto_accept", "auto_accept_bp", "sample_rate_bp", "gold_threshold_bp", "gold_window", "reject_reasons", "tie_policy", "updated_at"}},
	"consensus.recomputed":    {[]string{"project"}, []string{"method", "items"}},
	// Projects.
	"project.created":        {[]string{"project"}, []string{"project_id", "model_id", "members_added"}},
	"project.updated":        {[]string{"project"}, []string{"project_id"}},
	"project.status_changed": {[]string{"project"}, []string{"project_id", "from", "to"}},
	"project.member_added":   {[]string{"project"}, []string{"project_id", "member_id"}},
	"project.member_removed": {[]string{"project"}, []string{"project_id", "member_id"}},
	"import.finished":        {[]string{"project"}, []string{"import_id", "imported", "duplicates", "prior_annotations"}},
	"evaluation.created":     {[]string{"project"}, []string{"project_id", "model_id", "release_ids", "items"}},
	// Members (login.failure_burst is audit-only).
	"member.joined":           {[]string{"coop"}, []string{"member_id", "roles", "admitted"}},
	"member.applied":          {[]string{"coop"}, []string{"member_id", "roles"}},
	"member.refused":          {[]string{"coop"}, []string{"member_id"}},
	"member.invited":          {[]string{"coop"}, []string{"invite_id", "roles"}},
	"member.deactivated":      {[]string{"coop"}, []string{"member_id"}},
	"member.settings_changed": {[]string{"member"}, []string{"settings"}},
	"role.granted":            {[]string{"member"}, []string{"member_id", "role"}},
	"role.revoked":            {[]string{"member"}, []string{"member_id", "role"}},
	"login.failure_burst":     {[]string{"audit"}, nil},
	"member.invite_revoked":   {[]string{"coop"}, []string{"invite_id"}},
	"member.password_changed": {[]string{"audit"}, nil},
	"session.ended":           {[]string{"audit"}, nil},
	"token.revoked":           {[]string{"audit"}, nil},
	// Models and datasets.
	"model.created":    {[]string{"coop"}, []string{"model_id", "name"}},
	"snapshot.created": {[]string{"coop"}, nil},
	"release.created":  {[]string{"coop"}, nil},
	// Which model endpoint serves a release: coordinators only (endpoints are internal).
	"release.endpoint_set": {[]string{"coordinators"}, []string{"release_id", "endpoint_id"}},
	// The register: a member's own money on member:<id>, the co-op's on coop.
	"equity.credited":           {[]string{"member"}, nil},
	"equity.vested":             {[]string{"member"}, nil},
	"equity.corrected":          {[]string{"member"}, nil},
	"equity.voided":             {[]string{"member"}, nil},
	"equity.clawed_back":        {[]string{"member"}, nil},
	"equity.reversed":           {[]string{"member", "coop"}, nil},
	"equity.transferred":        {[]string{"member"}, nil},
	"equity.successor_named":    {[]string{"member"}, nil},
	"equity.inherited":          {[]string{"member"}, nil},
	"equity.privacy_changed":    {[]string{"member"}, nil},
	"equity.exited":             {[]string{"coop"}, nil},
	"equity.register_changed":   {[]string{"coop"}, nil},
	"register.checkpoint":       {[]string{"coop"}, nil},
	"equity.distributed":        {[]string{"coop"}, nil},
	"equity.rate_card_changed":  {[]string{"coop"}, nil},
	"equity.governance_changed": {[]string{"coop"}, nil},
	"constitution.changed":      {[]string{"coop"}, nil},
	"rule.changed":              {[]string{"coop"}, nil},
	"proposal.opened":           {[]string{"coop"}, nil},
	"proposal.voted":            {[]string{"coop"}, nil},
	"proposal.closing_soon":     {[]string{"coop"}, nil},
	"proposal.closed":           {[]string{"coop"}, nil},
	// A webhook endpoint stopped after its retries were spent: the
	// coordinator who registered it is told.
	"webhook.disabled": {[]string{"member"}, []string{"endpoint_id", "url", "reason", "message_id"}},
	// Wellbeing: a member's own breaks and pauses on their channel; "this
	// affected me" on the designated contact's channel only; the co-op's
	// settings for the record.
	"member.shortcuts_changed": {[]string{"member"}, nil},
	"wellbeing.break":          {[]string{"member"}, []string{"resume_at", "break_minutes"}},
	"wellbeing.paused":         {[]string{"member"}, nil},
	"wellbeing.resumed":        {[]string{"member"}, nil},
	"wellbeing.affected":       {[]string{"member"}, []string{"notice_id", "member_id", "project_id"}},
	"coop.wellbeing_changed":   {[]string{"audit"}, []string{"daily_minutes", "task_cap_minutes", "break_after", "break_minutes"}},
}

// eventTypeLiteral matches the event type names written in the source.
var eventTypeLiteral = regexp.MustCompile(`"((?:task|item|review|consensus|project|import|evaluation|member|role|login|model|snapshot|release|equity|constitution|rule|proposal|register|session|token|webhook|wellbeing|coop)\.[a-z_]+)"`)

// notEvents are literals the pattern takes for event types.
var notEvents = map[string]bool{"evaluation.jsonl": true}

// Every event type that the source writes is in the audit table: a new
// event type fails here until someone decides who may see it.
func TestEveryEventTypeIsAudited(t *testing.T) {
	root := filepath.Join("..", "..")
	seen := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (d.Name() == "frontend" || d.Name() == "migrations" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		src := string(b)
		if !strings.Contains(src, "event.Append") && !strings.Contains(src, "ledgerEvent") && !strings.Contains(src, "evType") {
			return nil
		}
		for _, m := range eventTypeLiteral.FindAllStringSubmatch(src, -1) {
			if notEvents[m[1]] {
				continue
			}
			seen[m[1]] = true
			if _, ok := eventAudit[m[1]]; !ok {
				t.Errorf("%s writes event type %q, which the audit table does not list", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) < 40 {
		t.Fatalf("found only %d event types in the source: %v", len(seen), seen)
	}
}

// goldMarkers are payload values that tell a gold item or a labeller's
// gold standing.
var goldMarkers = []string{labeling.MetricGold, labeling.ReasonGoldFailed, labeling.ReasonLabellerOnProbation,
	"gold_threshold_bp", "gold_window"}

// A project with gold items, probation, review, a dispute, an amendment,
// a settings change and a consensus run writes its events where the audit
// table says, and what a labeller can see of them (their project channel
// through feed.LabellerView, their own member channel, coop) carries no
// gold marker, no item or submission of other members' work, and no other
// member's id.
func TestLabellerChannelsCarryNoGoldAndNoOneElsesWork(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := storetest.NewLab(t, db)
		good, bad := f.Member("good", "labeller"), f.Member("bad", "labeller")
		rev := f.Member("rev", "reviewer")
		p := f.Project("gold", func(ps *labeling.ProjectSettings) { ps.Overlap = 2; ps.GoldRateBP = 5000 })
		on, bp, zero, thr, win := true, 10_000, 0, 5_000, 2
		f.ReviewSettings(p.ID, labeling.ReviewSettingsPatch{AutoAccept: &on, AutoAcceptBP: &bp, SampleRateBP: &zero,
			GoldThresholdBP: &thr, GoldWindow: &win})
		f.ImportLines(p.ID, `{"data":{"text":"g1"},"gold":"positive"}`, `{"data":{"text":"g2"},"gold":"positive"}`,
			`{"data":{"text":"g3"},"gold":"positive"}`)
		claimGold := func(m int64) labeling.Task {
			for range 200 {
				task, err := f.S.Leases.ClaimNextTask(f.Ctx, m, p.ID)
				if err == nil {
					return task
				}
				storetest.WantCode(t, err, labeling.ErrNoTasks)
			}
			t.Fatal("no gold item after 200 claims")
			return labeling.Task{}
		}
		f.Answer(good, claimGold(good), "positive") // correct: auto-accepted
		w1 := f.Answer(bad, claimGold(bad), "negative")
		f.Answer(bad, claimGold(bad), "negative") // bad is on probation now
		if _, err := f.S.Leases.AmendSubmission(f.Ctx, bad, w1.ID, "amend-1", json.RawMessage(`{"choice":"negative"}`)); err != nil {
			t.Fatal(err)
		}
		f.ImportLines(p.ID, `{"text":"x"}`)
		claimAnswerSkippingGold(f, good, p.ID, "positive")
		claimAnswerSkippingGold(f, bad, p.ID, "negative")
		// The reviewer rejects everything queued; bad disputes the gold rejection.
		for range 10 {
			rt, err := f.S.Reviews.ClaimNextReview(f.Ctx, rev, p.ID)
			if err != nil {
				break
			}
			var ds []labeling.DecisionInput
			for _, s := range rt.Submissions {
				if s.Pending {
					ds = append(ds, storetest.Reject(s.ID, "wrong_label"))
				}
			}
			if _, err := f.Decide(rev, rt, "d-"+strconv.FormatInt(rt.ReviewID, 10), ds...); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.W.DisputeRejection(f.Ctx, bad, w1.ID, "I think it is negative."); err != nil {
			t.Fatal(err)
		}
		if _, err := f.S.Quality.RecomputeConsensus(f.Ctx, &f.Coord, p.ID, "majority"); err != nil {
			t.Fatal(err)
		}

		var rows []struct {
			ID      int64
			Type    string
			Scope   string
			ActorID *int64
			Payload string
		}
		if err := db.Raw(`SELECT id, type, scope, actor_id, payload FROM events ORDER BY id`).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		labellers := []int64{good, bad}
		types := map[string]bool{}
		for _, r := range rows {
			types[r.Type] = true
			e := feed.Event{ID: r.ID, Type: r.Type, Scope: r.Scope, ActorID: r.ActorID, Payload: json.RawMessage(r.Payload)}
			kind, idText, _ := strings.Cut(r.Scope, ":")
			a, ok := eventAudit[r.Type]
			if !ok {
				t.Errorf("event %s is not in the audit table", r.Type)
				continue
			}
			if !slices.Contains(a.scopes, kind) {
				t.Errorf("%s written to %s; the audit allows %v", r.Type, r.Scope, a.scopes)
			}
			var payload map[string]json.RawMessage
			json.Unmarshal(e.Payload, &payload)
			for k := range payload {
				if a.fields != nil && !slices.Contains(a.fields, k) {
					t.Errorf("%s carries %q, not in the audit table", r.Type, k)
				}
			}
			// What each labeller sees of it.
			for _, l := range labellers {
				var seen feed.Event
				switch kind {
				case "coop":
					seen = e
				case "project":
					seen = feed.LabellerView(e, l)
				case "member":
					if idText != strconv.FormatInt(l, 10) {
						continue
					}
					seen = e
				default:
					continue // review and audit: never a labeller's
				}
				checkLabellerView(t, r.Type, r.Scope, seen, l)
			}
		}
		for _, want := range []string{"item.scored", "review.decided", "review.disputed", "review.settings_changed",
			"task.submitted", "task.amended", "item.completed", "consensus.recomputed"} {
			if !types[want] {
				t.Errorf("the scenario wrote no %s event", want)
			}
		}
	})
}

// checkLabellerView fails if what labeller l sees of an event names a gold
// marker, or someone else's work or id.
func checkLabellerView(t *testing.T, typ, scope string, seen feed.Event, l int64) {
	t.Helper()
	text := string(seen.Payload)
	for _, m := range goldMarkers {
		if strings.Contains(text, m) {
			t.Errorf("labeller %d sees %s on %s with gold marker %q: %s", l, typ, scope, m, text)
		}
	}
	if seen.ActorID != nil && *seen.ActorID != l && !strings.HasPrefix(scope, "coop") { // coop: the co-op's public feed
		t.Errorf("labeller %d sees who did %s on %s: actor %d", l, typ, scope, *seen.ActorID)
	}
	var p map[string]json.RawMessage
	json.Unmarshal(seen.Payload, &p)
	if raw, ok := p["member_id"]; ok && string(raw) != strconv.FormatInt(l, 10) && !strings.HasPrefix(scope, "coop") {
		t.Errorf("labeller %d sees member %s in %s on %s", l, raw, typ, scope)
	}
	own := seen.ActorID != nil || string(p["member_id"]) == strconv.FormatInt(l, 10)
	if strings.HasPrefix(scope, "project:") && !own {
		for _, k := range feed.OtherWorkFields {
			if _, ok := p[k]; ok {
				t.Errorf("labeller %d sees %s of others' work in %s: %s", l, k, typ, text)
			}
		}
	}
}
