package server

import (
	"net/http"

	"copyhold/equity"
	"copyhold/labeling"
	"copyhold/labeling/agreement"
	"copyhold/labeling/fault"
	"copyhold/labeling/importer"
	"copyhold/labeling/tasktype"
)

var (
	errAlreadyReviewed = fault.New(fault.KindConflict, "already_reviewed", "") // labeling/store
	leaseExpiry        = fields{"lease_expires_at": tTime}
	answerErrors       = []*fault.Error{tasktype.ErrInvalidAnswer, tasktype.ErrUnknownLabel, tasktype.ErrOffsetOutOfRange}
	projectStateErrors = []*fault.Error{labeling.ErrProjectPaused, labeling.ErrProjectClosed, labeling.ErrProjectNotOpen}
)

func projectOps() []*op {
	schemaErrors := []*fault.Error{tasktype.ErrUnknownTaskType, tasktype.ErrInvalidSchema, importer.ErrLSConfig}
	return []*op{
		opGet("/api/models", "The models, by name", anyMember).paged(labeling.Model{}, nil),
		opPost("/api/models", "Create a model", coordinators).in(modelRequest{}).ok(http.StatusCreated, labeling.Model{}).
			fails(labeling.ErrModelNameTaken),
		opGet("/api/projects", "The projects the caller may see, newest first", anyMember).
			q("member", schema{"type": "string", "enum": []string{"me"}}, "only the projects the caller is a member of").
			paged(labeling.Project{}, nil).fails(fault.ErrInvalid),
		opPost("/api/projects", "Create a project (draft)", coordinators).in(createProjectRequest{}).
			ok(http.StatusCreated, labeling.Project{}).fails(append(schemaErrors, labeling.ErrProjectNameTaken, equity.ErrUnknownModel)...),
		opGet("/api/projects/:id", "A project", anyMember).ok(http.StatusOK, labeling.Project{}),
		opPatch("/api/projects/:id", "Change a project's settings", coordinators).in(labeling.ProjectPatch{}).
			ok(http.StatusOK, labeling.Project{}).fails(append(schemaErrors, labeling.ErrProjectNameTaken, labeling.ErrProjectLocked)...),
		opPost("/api/projects/:id/status", "Open, pause or close a project", coordinators).in(statusRequest{}).
			ok(http.StatusOK, labeling.Project{}).fails(labeling.ErrBadTransition),
		opGet("/api/projects/:id/me", "The caller's progress in a project", anyMember).ok(http.StatusOK, labeling.MyProgress{}),
		opGet("/api/projects/:id/progress", "A project's progress", overseers).ok(http.StatusOK, labeling.ProjectProgress{}),
		opGet("/api/projects/:id/pace", "The median time a task of the project takes (its last 200 answers) and a unit's recent value", anyMember).
			ok(http.StatusOK, projectPace{}),
		opGet("/api/projects/:id/members", "A project's members' ids, ascending", overseers).paged(tInteger, nil),
		opPost("/api/projects/:id/members", "Add a member to a project", coordinators).in(projectMemberRequest{}).
			empty(http.StatusNoContent),
		opDelete("/api/projects/:id/members/:member", "Remove a member from a project", coordinators).empty(http.StatusNoContent),
		opPost("/api/projects/:id/imports", "Import items (JSONL, CSV or Label Studio JSON)", coordinators).
			raw("application/octet-stream").
			q("format", schema{"type": "string", "enum": []string{"jsonl", "csv", "labelstudio"}}, "the file's format; default: from filename or content").
			q("filename", tString, "the file's name").
			q("annotations", schema{"type": "string", "enum": []string{"predictions", "prior", "gold", "drop"}}, "what becomes of Label Studio annotations").
			q("id_field", tString, "a data field holding the external id").
			q("gold_field", tString, "a data field holding the gold label").
			q("priority", tInteger, "the priority of records that set none").
			q("sensitive", schema{"type": "string", "enum": []string{"true", "false", "1", "0"}}, "mark every item sensitive").
			ok(http.StatusCreated, labeling.ImportReport{}).
			fails(importer.ErrImportFormat, importer.ErrImportTooLarge, importer.ErrLSResult, importer.ErrAnnotationsChoiceRequired,
				tasktype.ErrInvalidItemData, tasktype.ErrInvalidAnswer, tasktype.ErrUnknownLabel, labeling.ErrProjectClosed),
		opPost("/api/schema/validate", "Check and normalise a labelling schema", coordinators).in(schemaRequest{}).
			ok(http.StatusOK, fields{"task_type": tasktype.TaskType(""), "schema": tAny}).fails(schemaErrors...),
		opPost("/api/lsconfig", "Read a Label Studio labelling config", coordinators).in(lsConfigRequest{}).
			ok(http.StatusOK, fields{"task_type": tasktype.TaskType(""), "schema": tAny}).fails(schemaErrors...),
		opGet("/api/projects/:id/lsconfig", "A project's Label Studio labelling config", coordinators).
			ok(http.StatusOK, fields{"project_id": tInteger, "config": tString, "stored": tBool}).fails(importer.ErrLSConfig),
	}
}

func workOps() []*op {
	lease := []*fault.Error{labeling.ErrLeaseLost, labeling.ErrNotProjectMember}
	return []*op{
		opPost("/api/projects/:id/next", "Claim the next task (or the one held)", labellers).ok(http.StatusOK, labeling.Task{}).
			fails(append(projectStateErrors, labeling.ErrNotProjectMember, labeling.ErrNoTasks, labeling.ErrStintReached, labeling.ErrSensitiveCap,
				labeling.ErrSensitiveBudget, labeling.ErrSensitivePaused, labeling.ErrOnBreak)...),
		opPost("/api/tasks/heartbeat", "Extend a task's lease", labellers).in(leaseRequest{}).ok(http.StatusOK, leaseExpiry).
			fails(lease...),
		opPut("/api/tasks/draft", "Save a draft answer", labellers).in(leaseRequest{}).empty(http.StatusNoContent).
			fails(append(lease, labeling.ErrDraftTooLarge, labeling.ErrInvalidDraft)...),
		opPost("/api/tasks/release", "Give a task back", labellers).in(leaseRequest{}).empty(http.StatusNoContent).fails(lease...),
		opPost("/api/tasks/skip", "Skip a task for good", labellers).in(leaseRequest{}).empty(http.StatusNoContent).fails(lease...),
		opPost("/api/submissions", "Submit an answer", labellers).in(labeling.SubmitRequest{}).
			ok(http.StatusCreated, labeling.Submission{}).ok(http.StatusOK, labeling.Submission{}, "a replay of the same key and body").
			fails(append(append(lease, answerErrors...), labeling.ErrIdempotencyKey, labeling.ErrIdempotencyReuse,
				labeling.ErrItemFull, labeling.ErrAlreadySubmitted, labeling.ErrProjectClosed, labeling.ErrProjectPaused)...),
		opPut("/api/submissions/:id", "Amend one's own submission", labellers).in(amendRequest{}).
			ok(http.StatusOK, labeling.Submission{}).
			fails(append(answerErrors, labeling.ErrIdempotencyKey, labeling.ErrIdempotencyReuse, errAlreadyReviewed, labeling.ErrProjectClosed)...),
		opGet("/api/me/submissions", "The caller's submissions, newest first", labellers).
			q("project_id", tInteger, "only this project").
			q("status", tString, "only this status: submitted, accepted, rejected, corrected or disputed").
			q("from", tDate, "only submissions made on or after this UTC day (YYYY-MM-DD)").
			q("to", tDate, "only submissions made on or before this UTC day (YYYY-MM-DD)").
			paged(labeling.MyWorkItem{}, nil).fails(fault.ErrInvalid),
		opPost("/api/submissions/:id/dispute", "Dispute a rejection", labellers).in(disputeRequest{}).
			ok(http.StatusOK, labeling.Submission{}).fails(labeling.ErrNotRejected, labeling.ErrAlreadyDisputed),
		opGet("/api/me/quality", "The caller's quality in a project", labellers).q("project_id", tInteger, "the project (required)").
			ok(http.StatusOK, labeling.MyQuality{}).fails(fault.ErrInvalid, labeling.ErrNotProjectMember),
	}
}

func reviewOps() []*op {
	return []*op{
		opGet("/api/review/home", "The reviewer's home: waiting reviews across projects, most waiting first; disputes and failed gold checks apart", reviewers).
			ok(http.StatusOK, labeling.ReviewerHome{}),
		opGet("/api/projects/:id/review/queue", "What waits for review, what the caller may take, and who may take the rest", overseers).
			ok(http.StatusOK, labeling.ReviewQueueView{}),
		opPost("/api/projects/:id/review/next", "Claim the next review", reviewers).ok(http.StatusOK, labeling.ReviewTask{}).
			fails(append(projectStateErrors, labeling.ErrNoReviews)...),
		opPost("/api/review/heartbeat", "Extend a review's lease", reviewers).in(reviewLeaseRequest{}).ok(http.StatusOK, leaseExpiry).
			fails(labeling.ErrLeaseLost),
		opPost("/api/review/release", "Give a review back", reviewers).in(reviewLeaseRequest{}).empty(http.StatusNoContent).
			fails(labeling.ErrLeaseLost),
		opPost("/api/review/decisions", "Accept, reject or correct the submissions of a review", reviewers).in(labeling.DecisionRequest{}).
			ok(http.StatusCreated, labeling.DecisionResult{}).ok(http.StatusOK, labeling.DecisionResult{}, "a replay").
			fails(append(answerErrors, labeling.ErrLeaseLost, labeling.ErrAlreadyDecided, labeling.ErrOwnWork, labeling.ErrUnknownRejectReason,
				labeling.ErrDecisionInvalid, labeling.ErrDecisionsIncomplete, labeling.ErrIdempotencyKey, labeling.ErrIdempotencyReuse)...),
		opGet("/api/projects/:id/quality", "A project's quality", overseers).ok(http.StatusOK, labeling.ProjectQuality{}),
		opGet("/api/projects/:id/agreement", "A project's agreement", overseers).ok(http.StatusOK, labeling.ProjectAgreement{}),
		opGet("/api/projects/:id/review-settings", "A project's review settings", overseers).ok(http.StatusOK, labeling.ReviewSettings{}),
		opPatch("/api/projects/:id/review-settings", "Change a project's review settings", coordinators).
			in(labeling.ReviewSettingsPatch{}).ok(http.StatusOK, labeling.ReviewSettings{}),
		opGet("/api/projects/:id/consensus", "The items' consensus, by item", overseers).paged(labeling.Consensus{}, nil),
		opPost("/api/projects/:id/consensus", "Recompute the consensus", coordinators).in(consensusRequest{}).
			ok(http.StatusOK, labeling.ConsensusReport{}).fails(agreement.ErrMetricUndefined, agreement.ErrUnknownMetric),
	}
}
