package server

import (
	"context"
	"encoding/json"
	"io"
	"time"

	"copyhold/equity"
	"copyhold/equity/roll"
	"copyhold/equity/vote"
	"copyhold/labeling"
	"copyhold/labeling/dataset"
	"copyhold/labeling/importer"
	"copyhold/labeling/member"
	"copyhold/labeling/page"
	"copyhold/labeling/shortcut"
	"copyhold/labeling/webhook"
)

// The handlers' dependencies, as interfaces that list only what the server
// calls: the server links no store, ORM or database driver.
// cmd/copyhold fills Deps with labeling/store's stores, labeling/work's
// service and equity/store's Store.

// Deps are the stores and services the handlers call; every field is needed
// by the routes that use it.
type Deps struct {
	Members  Members
	Projects Projects
	Leases   Leases
	Reviews  Reviews
	Quality  Quality
	Datasets Datasets
	Work     Work
	// Register is the equity register of the /api/equity routes (New warns
	// when it is missing).
	Register Register
	// Votes is collective rule: proposals, ballots and the constitution.
	Votes Votes
	// Roll is the court roll as a transparency log (/api/register; nil:
	// those routes answer 404 no_checkpoint).
	Roll Roll
	// Webhooks is outbound webhooks (labeling/webhook/relay.Service; nil:
	// the /api/webhooks routes answer 503 webhooks_unavailable).
	Webhooks Webhooks
	// Models is the model endpoints service (labeling/model/endpoints;
	// nil: the /api/model-endpoints routes answer 503 models_unavailable).
	Models ModelEndpoints
	// ReleaseEndpoints names a release's serving endpoint (labeling/store.Datasets).
	ReleaseEndpoints ReleaseEndpoints
	// Wellbeing is member preferences and the co-op's wellbeing (labeling/store.Wellbeing).
	Wellbeing Wellbeing
	// Generation is generation jobs (labeling/gen/runner.Service; nil: the /api/gen routes and
	// POST /api/projects/:id/generate answer 503 generation_unavailable).
	Generation Generation
}

// Wellbeing is the store of the keyboard map, sensitive-content choices,
// "this affected me" and the co-op's wellbeing settings and sums
// (labeling/store.Wellbeing).
type Wellbeing interface {
	Shortcuts(ctx context.Context, memberID int64) (shortcut.Map, error)
	SetShortcuts(ctx context.Context, memberID int64, own shortcut.Map) error
	Mine(ctx context.Context, memberID int64) (labeling.MyWellbeing, error)
	SetMine(ctx context.Context, memberID int64, c labeling.WellbeingChoices) error
	Affected(ctx context.Context, memberID int64, a labeling.Affected) (bool, error)
	Resume(ctx context.Context, memberID int64) error
	Notices(ctx context.Context, contactID int64, p page.Page) ([]labeling.WellbeingNotice, error)
	Settings(ctx context.Context) (labeling.WellbeingSettings, error)
	SetSettings(ctx context.Context, actorID int64, w labeling.WellbeingSettings) error
	Summary(ctx context.Context, since time.Time) ([]labeling.WellbeingDay, error)
}

// Webhooks registers and lists the endpoints that receive signed webhooks,
// and their attempt logs (labeling/webhook/relay.Service).
type Webhooks interface {
	Register(ctx context.Context, actor int64, n webhook.NewEndpoint) (webhook.Endpoint, error)
	List(ctx context.Context, p page.Page) ([]webhook.Endpoint, error)
	Get(ctx context.Context, id int64) (webhook.Endpoint, error)
	Delete(ctx context.Context, id int64) error
	Enable(ctx context.Context, id int64) (webhook.Endpoint, error)
	Attempts(ctx context.Context, id, before int64, limit int) ([]webhook.Attempt, error)
}

// Roll is the register's tree, checkpoints and proofs as the public
// /api/register handlers read them (equity/store.Roll).
type Roll interface {
	VerifierKey() string
	Checkpoint(ctx context.Context) (roll.Signed, error)
	Entry(ctx context.Context, index int64) (roll.Entry, error)
	InclusionProof(ctx context.Context, index, size int64) (roll.Hash, []roll.Hash, error)
	ConsistencyProof(ctx context.Context, from, to int64) ([]roll.Hash, error)
	Tile(ctx context.Context, path string) (data []byte, full bool, err error)
	// AddCosignatures stores verified witness cosignatures on a stored
	// checkpoint (equity.ErrUnknownCheckpoint when cp is not one).
	AddCosignatures(ctx context.Context, cp roll.Checkpoint, sigs []roll.Cosignature) error
	Cosignatures(ctx context.Context, size int64) ([]roll.Cosignature, error)
}

// Votes is collective rule as the handlers use it (equity/vote/govern.Service).
type Votes interface {
	Propose(ctx context.Context, actor int64, req vote.ProposalRequest) (vote.ProposalView, bool, error)
	Sponsor(ctx context.Context, actor, id int64) (vote.ProposalView, error)
	Withdraw(ctx context.Context, actor, id int64) (vote.ProposalView, error)
	Amend(ctx context.Context, actor, id int64, req vote.ProposalRequest) (vote.ProposalView, error)
	Vote(ctx context.Context, actor, id int64, choice, receipt string) (vote.Cast, error)
	Get(ctx context.Context, viewer, id int64) (vote.ProposalView, error)
	List(ctx context.Context, viewer int64, f vote.ListFilter) ([]vote.ProposalView, error)
	Ballots(ctx context.Context, id int64) (vote.Ballots, error)
	Constitution(ctx context.Context) (vote.Constitution, error)
	ConstitutionHistory(ctx context.Context, p page.Page) ([]vote.ConstitutionVersion, error)
	SetNewProjectRateCard(ctx context.Context, actor int64, rc equity.RateCard) (equity.RateCard, error)
	Preview(ctx context.Context, viewer, id int64) (vote.Preview, error)
}

// Members is the account store the handlers use: sign-in, sessions, tokens,
// invites, roles (labeling/store.Members).
type Members interface {
	AcceptInvite(ctx context.Context, token string, nm member.NewMember) (member.Member, error)
	Authenticate(ctx context.Context, login, password string) (member.Member, error)
	CreateInvite(ctx context.Context, actor int64, roles []member.Role, note string, ttl time.Duration) (string, member.Invite, error)
	CreateSession(ctx context.Context, memberID int64, ttl time.Duration) (string, time.Time, error)
	CreateToken(ctx context.Context, memberID int64, name string) (member.APIToken, string, error)
	Deactivate(ctx context.Context, actor *int64, id int64) error
	GrantRole(ctx context.Context, actor *int64, id int64, r member.Role) error
	Members(ctx context.Context, p page.Page) ([]member.Member, error)
	PeekInvite(ctx context.Context, token string) (member.Invite, error)
	PendingInvites(ctx context.Context, p page.Page) ([]member.PendingInvite, error)
	RecordLoginBurst(ctx context.Context, b member.LoginBurst) error
	RevokeRole(ctx context.Context, actor *int64, id int64, r member.Role) error
	RevokeSession(ctx context.Context, token string) error
	RevokeInvite(ctx context.Context, actor, id int64) error
	RevokeToken(ctx context.Context, memberID, id int64) error
	SessionMember(ctx context.Context, token string) (member.Member, member.Credential, error)
	SetPassword(ctx context.Context, id int64, pc member.PasswordChange) error
	TokenMember(ctx context.Context, token string) (member.Member, member.Credential, error)
	Tokens(ctx context.Context, memberID int64, p page.Page) ([]member.APIToken, error)
}

// Projects is the project store the handlers use: models, projects, their
// members, progress and item imports (labeling/store.Projects).
type Projects interface {
	AddProjectMember(ctx context.Context, actor *int64, projectID, memberID int64) error
	CreateModel(ctx context.Context, actor *int64, m labeling.Model) (labeling.Model, error)
	CreateProject(ctx context.Context, actor *int64, settings labeling.ProjectSettings, addAllMembers bool) (labeling.Project, error)
	LSConfig(ctx context.Context, id int64) (config string, stored bool, err error)
	ImportItemsWith(ctx context.Context, actor *int64, projectID int64, r io.Reader, req importer.Request) (labeling.ImportReport, error)
	IsProjectMember(ctx context.Context, projectID, memberID int64) (bool, error)
	Models(ctx context.Context, p page.Page) ([]labeling.Model, error)
	MyProgress(ctx context.Context, memberID, projectID int64) (labeling.MyProgress, error)
	Project(ctx context.Context, id int64) (labeling.Project, error)
	ProjectMemberIDs(ctx context.Context, projectID int64, p page.Page) ([]int64, error)
	ProjectProgress(ctx context.Context, projectID int64) (labeling.ProjectProgress, error)
	ProjectPace(ctx context.Context, projectID int64) (labeling.ProjectPace, error)
	Projects(ctx context.Context, f labeling.ProjectFilter) ([]labeling.Project, error)
	RemoveProjectMember(ctx context.Context, actor *int64, projectID, memberID int64) error
	SetProjectStatus(ctx context.Context, actor *int64, id int64, to labeling.ProjectStatus) (labeling.Project, error)
	UpdateProject(ctx context.Context, actor *int64, id int64, patch labeling.ProjectPatch) (labeling.Project, error)
}

// Leases is the labelling store the handlers use: claiming, heartbeats,
// drafts, skips and a labeller's own submissions (labeling/store.Leases).
type Leases interface {
	AmendSubmission(ctx context.Context, memberID, id int64, key string, answer json.RawMessage) (labeling.Submission, error)
	ClaimNext(ctx context.Context, memberID, projectID int64, seesAll bool) (labeling.Task, error)
	Heartbeat(ctx context.Context, memberID int64, leaseToken string, activeMs int64) (time.Time, error)
	MySubmissions(ctx context.Context, memberID int64, f labeling.MyWorkFilter, p page.Page) ([]labeling.MyWorkItem, error)
	Release(ctx context.Context, memberID int64, leaseToken string) error
	SaveDraft(ctx context.Context, memberID int64, leaseToken string, draft json.RawMessage) (time.Time, error)
	SensitiveCap(ctx context.Context, memberID int64) (int, error)
	SetSensitiveCap(ctx context.Context, memberID int64, capN int) error
	Skip(ctx context.Context, memberID int64, leaseToken, reason string) error
}

// Reviews is the review-queue store the handlers use (labeling/store.Reviews).
type Reviews interface {
	ClaimNextReview(ctx context.Context, reviewerID, projectID int64) (labeling.ReviewTask, error)
	ReleaseReview(ctx context.Context, reviewerID int64, token string) error
	ReviewHeartbeat(ctx context.Context, reviewerID int64, token string) (time.Time, error)
	ReviewSettings(ctx context.Context, projectID int64) (labeling.ReviewSettings, error)
	UpdateReviewSettings(ctx context.Context, actor *int64, projectID int64, patch labeling.ReviewSettingsPatch) (labeling.ReviewSettings, error)
	ReviewQueueView(ctx context.Context, memberID, projectID int64, isReviewer bool) (labeling.ReviewQueueView, error)
	ReviewerHome(ctx context.Context, reviewerID int64) (labeling.ReviewerHome, error)
}

// Quality is the quality and consensus store the handlers use
// (labeling/store.Quality).
type Quality interface {
	ItemConsensus(ctx context.Context, projectID int64, p page.Page) ([]labeling.Consensus, error)
	MyQuality(ctx context.Context, memberID, projectID int64) (labeling.MyQuality, error)
	ProjectAgreement(ctx context.Context, projectID int64) (labeling.ProjectAgreement, error)
	ProjectQuality(ctx context.Context, projectID int64) (labeling.ProjectQuality, error)
	RecomputeConsensusWith(ctx context.Context, actor *int64, projectID int64, opts labeling.ConsensusOptions) (labeling.ConsensusReport, error)
}

// Datasets is the snapshot, export, release and evaluation store the
// handlers use (labeling/store.Datasets).
type Datasets interface {
	CheckSnapshotExport(ctx context.Context, id int64, f dataset.ExportFormat) (dataset.Snapshot, error)
	CheckSnapshotExportWith(ctx context.Context, id int64, f dataset.ExportFormat, set dataset.ExportSettings) (dataset.Snapshot, error)
	CreateEvaluation(ctx context.Context, actor *int64, req dataset.EvaluationRequest) (dataset.Evaluation, labeling.Project, error)
	CreateRelease(ctx context.Context, actor *int64, req dataset.ReleaseRequest) (dataset.Release, error)
	CreateSnapshot(ctx context.Context, actor *int64, req dataset.SnapshotRequest) (dataset.Snapshot, error)
	ExportMyData(ctx context.Context, memberID int64, format string, out io.Writer) error
	ExportSnapshot(ctx context.Context, id int64, x dataset.ExportRequest, out io.Writer) (dataset.ExportManifest, error)
	Leaderboard(ctx context.Context, modelID int64, opts dataset.BTOptions) (dataset.Leaderboard, error)
	ModelRelease(ctx context.Context, id int64) (dataset.Release, error)
	MyReleases(ctx context.Context, memberID int64, p page.Page) ([]dataset.Release, error)
	Releases(ctx context.Context, modelID int64, p page.Page) ([]dataset.Release, error)
	Snapshot(ctx context.Context, id int64) (dataset.Snapshot, error)
	Snapshots(ctx context.Context, modelID int64, p page.Page) ([]dataset.Snapshot, error)
}

// Work is the labelling workflow the handlers start: submit, decide a review,
// dispute a rejection (labeling/work.Service).
type Work interface {
	DecideReview(ctx context.Context, reviewerID int64, req labeling.DecisionRequest) (labeling.DecisionResult, error)
	DisputeRejection(ctx context.Context, memberID, submissionID int64, comment string) (labeling.Submission, error)
	Submit(ctx context.Context, memberID int64, req labeling.SubmitRequest) (labeling.Submission, error)
	// FirstAnswer records a first answer under the after_answer suggestion policy and reveals the suggestion.
	FirstAnswer(ctx context.Context, memberID int64, req labeling.FirstAnswerRequest) (labeling.FirstAnswerResult, error)
}

// Register is the equity register the /api/equity handlers read and post to
// (equity/store.Store).
type Register interface {
	Exit(ctx context.Context, memberID, actorID int64) (equity.Transaction, error)
	Governance(ctx context.Context) (equity.Governance, error)
	Head(ctx context.Context) (equity.Head, error)
	HoldingsOverTime(ctx context.Context, memberID, modelID int64) ([]equity.HoldingPoint, error)
	MemberBalances(ctx context.Context, memberID int64) ([]equity.Balance, error)
	NameSuccessor(ctx context.Context, memberID, successor int64) error
	RateCard(ctx context.Context, projectID int64) (equity.RateCard, error)
	RecentUnitValue(ctx context.Context, modelID int64) (*equity.UnitValue, error)
	RegisterFor(ctx context.Context, modelID int64) (equity.Register, error)
	SetGovernance(ctx context.Context, actorID int64, g equity.Governance) (equity.Governance, error)
	SetPrivacy(ctx context.Context, memberID int64, hidden bool) (equity.Privacy, error)
	SetRateCard(ctx context.Context, actorID int64, rc equity.RateCard) (equity.RateCard, error)
	StatementFor(ctx context.Context, memberID, modelID int64, from, to time.Time, maxLines int) (equity.Statement, error)
	Successor(ctx context.Context, memberID int64) (int64, error)
	Transfer(ctx context.Context, r equity.TransferRequest) (equity.Transaction, error)
}
