package server

import (
	"copyhold/labeling/member"

	"github.com/gin-gonic/gin"
)

// routes is the whole HTTP surface in one place.
func (s *Server) routes() {
	r := s.engine
	r.Use(s.withLogger(), requestID(), s.recovery(), s.accessLog(), s.securityHeaders())
	r.NoRoute(s.serveApp)
	r.NoMethod(func(c *gin.Context) { fail(c, errMethod) })

	r.GET("/healthz", s.handleHealth)
	r.GET("/readyz", s.handleReady)
	r.GET("/ws", s.authenticate(), s.handleWS)

	coordinator := requireRole(member.RoleCoordinator)

	// Uploads stream up to their own, larger limit; every other body is small.
	// Their body and their report get a longer but bounded deadline.
	imports := deadlines(s.cfg.Timeouts.Import, s.cfg.Timeouts.Import)
	exports := deadlines(0, s.cfg.Timeouts.Export)
	uploads := r.Group("/api", limitBody(maxImportBytes), checkParams(), s.authenticate(), coordinator, imports)
	{
		uploads.POST("/projects/:id/imports", s.handleImport)
	}

	api := r.Group("/api", limitBody(s.cfg.MaxBodyBytes), checkParams(), s.authenticate())
	{
		api.POST("/auth/login", s.handleLogin)
		api.POST("/auth/logout", s.handleLogout)
		api.GET("/demo", s.handleDemo)
		api.GET("/invites/:token", s.handlePeekInvite)
		api.POST("/invites/:token/accept", s.handleAcceptInvite)
		// The court roll, public without login (handle_register.go).
		api.GET("/register/key", s.handleRollKey)
		api.GET("/register/checkpoint", s.handleRollCheckpoint)
		api.GET("/register/tile/*path", s.handleRollTile)
		api.GET("/register/entries/:index", s.handleRollEntry)
		api.GET("/register/proof/inclusion", s.handleRollInclusion)
		api.GET("/register/proof/consistency", s.handleRollConsistency)
		api.POST("/register/cosignatures", s.handleRollCosign)
		api.GET("/register/witnesses", s.handleRollWitnesses)
		// The API's own description (openapi.go) and its reader (apidocs.go).
		api.GET("/openapi.json", s.handleOpenAPI)
		api.GET("/docs", s.handleAPIDocs)
		api.GET("/docs/assets/*file", s.handleAPIDocsAsset)
	}

	me := api.Group("", requireMember)
	{
		me.GET("/me", s.handleMe)
		me.POST("/me/password", s.handleChangePassword)
		me.GET("/tokens", s.handleListTokens)
		me.POST("/tokens", s.handleCreateToken)
		me.DELETE("/tokens/:id", s.handleRevokeToken)
		me.GET("/me/settings", s.handleMySettings)
		me.PUT("/me/settings", s.handleUpdateMySettings)
		// Wellbeing and the keyboard map (handle_wellbeing.go).
		me.GET("/me/shortcuts", s.handleMyShortcuts)
		me.PUT("/me/shortcuts", s.handleSetMyShortcuts)
		me.GET("/me/wellbeing", s.handleMyWellbeing)
		me.PUT("/me/wellbeing", s.handleSetMyWellbeing)
		me.POST("/me/wellbeing/affected", s.handleAffected)
		me.POST("/me/wellbeing/resume", s.handleResumeSensitive)
		me.GET("/wellbeing/notices", s.handleWellbeingNotices)

		me.GET("/models", s.handleListModels)
		me.GET("/projects", s.handleListProjects)
		me.GET("/projects/:id", s.handleGetProject)
		me.GET("/projects/:id/me", s.handleMyProgress)
		me.GET("/projects/:id/pace", s.handlePace)
	}

	// Labellers work only in projects they belong to (checked per project).
	work := api.Group("", requireRole(member.RoleLabeller))
	{
		work.POST("/projects/:id/next", s.handleNextTask)
		work.POST("/tasks/heartbeat", s.handleHeartbeat)
		work.PUT("/tasks/draft", s.handleDraft)
		work.POST("/tasks/release", s.handleRelease)
		work.POST("/tasks/skip", s.handleSkip)
		work.POST("/tasks/first-answer", s.handleFirstAnswer) // handle_suggest.go
		work.POST("/submissions", s.handleSubmit)
		work.PUT("/submissions/:id", s.handleAmendSubmission)
		work.GET("/me/submissions", s.handleMySubmissions)
		work.POST("/submissions/:id/dispute", s.handleDispute)
		work.GET("/me/quality", s.handleMyQuality)
	}

	// Reviewers work the review queue, with leases like labelling.
	review := api.Group("", requireRole(member.RoleReviewer))
	{
		review.GET("/review/home", s.handleReviewerHome)
		review.POST("/projects/:id/review/next", s.handleNextReview)
		review.POST("/review/heartbeat", s.handleReviewHeartbeat)
		review.POST("/review/release", s.handleReviewRelease)
		review.POST("/review/decisions", s.handleReviewDecisions)
	}

	// Reviewers see every project's progress; coordinators run projects.
	oversight := api.Group("", requireRole(member.RoleCoordinator, member.RoleReviewer))
	{
		oversight.GET("/projects/:id/progress", s.handleProjectProgress)
		oversight.GET("/projects/:id/members", s.handleProjectMembers)
		oversight.GET("/projects/:id/quality", s.handleProjectQuality)
		oversight.GET("/projects/:id/agreement", s.handleProjectAgreement)
		oversight.GET("/projects/:id/review-settings", s.handleReviewSettings)
		oversight.GET("/projects/:id/review/queue", s.handleReviewQueue)
		oversight.GET("/projects/:id/consensus", s.handleItemConsensus)
	}

	admin := api.Group("", coordinator)
	{
		admin.GET("/members", s.handleListMembers)
		admin.POST("/members/:id/roles", s.handleGrantRole)
		admin.DELETE("/members/:id/roles/:role", s.handleRevokeRole)
		admin.POST("/members/:id/deactivate", s.handleDeactivate)
		admin.POST("/invites", s.handleCreateInvite)
		admin.GET("/invites", s.handleListInvites)
		admin.DELETE("/invites/:id", s.handleRevokeInvite)

		admin.POST("/models", s.handleCreateModel)
		admin.POST("/projects", s.handleCreateProject)
		admin.PATCH("/projects/:id", s.handleUpdateProject)
		admin.POST("/projects/:id/status", s.handleProjectStatus)
		admin.POST("/projects/:id/members", s.handleAddProjectMember)
		admin.DELETE("/projects/:id/members/:member", s.handleRemoveProjectMember)
		admin.POST("/schema/validate", s.handleValidateSchema)
		admin.POST("/lsconfig", s.handleLSConfig)
		admin.GET("/projects/:id/lsconfig", s.handleProjectLSConfig)
		admin.PATCH("/projects/:id/review-settings", s.handleUpdateReviewSettings)
		admin.POST("/projects/:id/consensus", s.handleRecomputeConsensus)
		admin.GET("/wellbeing/settings", s.handleWellbeingSettings)
		admin.PUT("/wellbeing/settings", s.handleSetWellbeingSettings)
		admin.GET("/wellbeing/summary", s.handleWellbeingSummary)
	}

	// Equity: the co-op's register of model units (handle_equity.go).
	// Amounts are decimal strings. Members read and move their own units;
	// coordinators set a new project's rate card within the voted band;
	// governance and distributions change only by vote (403 needs_vote).
	{
		me.GET("/equity/head", s.handleLedgerHead)
		me.GET("/equity/me", s.handleMyEquity)
		me.GET("/equity/governance", s.handleGovernance)
		me.GET("/equity/models/:id/register", s.handleRegister)
		me.GET("/equity/models/:id/statement", s.handleStatement)
		me.GET("/equity/models/:id/holdings", s.handleHoldings)
		me.GET("/projects/:id/rate-card", s.handleRateCard)
		me.POST("/equity/transfers", s.handleTransfer)
		me.PUT("/equity/successor", s.handleSuccessor)
		me.PUT("/equity/privacy", s.handlePrivacy)

		admin.POST("/equity/governance", s.handleSetGovernance)
		admin.POST("/projects/:id/rate-card", s.handleSetRateCard)
		admin.POST("/equity/models/:id/distributions", s.handleDistribute)
		admin.POST("/equity/members/:id/exit", s.handleExit)
	}

	// Collective rule (handle_votes.go): any member proposes, co-sponsors,
	// votes and reads; only the proposer amends or withdraws.
	{
		me.GET("/constitution", s.handleConstitution)
		me.GET("/constitution/history", s.handleConstitutionHistory)
		me.GET("/proposals", s.handleListProposals)
		me.POST("/proposals", s.handlePropose)
		me.GET("/proposals/:id", s.handleGetProposal)
		me.PUT("/proposals/:id", s.handleAmend)
		me.POST("/proposals/:id/sponsor", s.handleSponsor)
		me.POST("/proposals/:id/withdraw", s.handleWithdraw)
		me.POST("/proposals/:id/votes", s.handleVote)
		me.GET("/proposals/:id/preview", s.handlePreview)
		me.GET("/proposals/:id/ballots", s.handleBallots)
	}

	// Outbound webhooks (handle_webhooks.go): coordinators register
	// endpoints per event type and read every attempt.
	{
		admin.GET("/webhooks", s.handleListWebhooks)
		admin.POST("/webhooks", s.handleCreateWebhook)
		admin.GET("/webhooks/:id", s.handleGetWebhook)
		admin.DELETE("/webhooks/:id", s.handleDeleteWebhook)
		admin.POST("/webhooks/:id/enable", s.handleEnableWebhook)
		admin.GET("/webhooks/:id/attempts", s.handleWebhookAttempts)
	}

	// Generation jobs (handle_gen.go): coordinators start candidates jobs,
	// watch and cancel them.
	{
		admin.POST("/projects/:id/generate", s.handleGenerate)
		admin.POST("/projects/:id/suggest", s.handleSuggest)
		admin.POST("/gen/evaluations", s.handleGenerateEvaluation)
		admin.GET("/gen/jobs", s.handleListGenJobs)
		admin.GET("/gen/jobs/:id", s.handleGetGenJob)
		admin.POST("/gen/jobs/:id/cancel", s.handleCancelGenJob)
	}

	// Model endpoints (handle_models.go): coordinators register the co-op's
	// OpenAI-compatible servers, see what each can do, and name the one
	// that serves a release. Nobody else sees them; no answer has a key.
	{
		admin.GET("/model-endpoints", s.handleListModelEndpoints)
		admin.POST("/model-endpoints", s.handleCreateModelEndpoint)
		admin.GET("/model-endpoints/:id", s.handleGetModelEndpoint)
		admin.PATCH("/model-endpoints/:id", s.handleUpdateModelEndpoint)
		admin.DELETE("/model-endpoints/:id", s.handleDeleteModelEndpoint)
		admin.POST("/model-endpoints/:id/probe", s.handleProbeModelEndpoint)
		admin.PUT("/releases/:id/endpoint", s.handleSetReleaseEndpoint)
	}

	// Datasets out (handle_datasets.go): frozen snapshots and their exports,
	// model releases, blind evaluations, and each member's own data.
	{
		me.GET("/snapshots", s.handleListSnapshots)
		me.GET("/snapshots/:id", s.handleGetSnapshot)
		me.GET("/releases", s.handleListReleases)
		me.GET("/releases/:id", s.handleGetRelease)
		me.GET("/me/releases", s.handleMyReleases)
		me.GET("/me/export", exports, s.handleMyExport)
		me.GET("/models/:id/leaderboard", s.handleLeaderboard)

		admin.POST("/snapshots", s.handleCreateSnapshot)
		admin.GET("/snapshots/:id/export", exports, s.handleExportSnapshot)
		admin.GET("/snapshots/:id/manifest", s.handleSnapshotManifest)
		admin.POST("/releases", s.handleCreateRelease)
		admin.POST("/evaluations", s.handleCreateEvaluation)
	}
}
