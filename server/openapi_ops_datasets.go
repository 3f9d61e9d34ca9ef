package server

import (
	"net/http"

	"copyhold/labeling"
	"copyhold/labeling/dataset"
	"copyhold/labeling/fault"
)

func datasetOps() []*op {
	format := schema{"type": "string", "enum": dataset.ExportFormats()}
	exportErrors := []*fault.Error{dataset.ErrExportFormat, dataset.ErrExportUnsupported, dataset.ErrSnapshotNotFound,
		dataset.ErrSnapshotCorrupt, dataset.ErrExportOptions, dataset.ErrExportRow, errExportsOff}
	return []*op{
		opGet("/api/snapshots", "Snapshots, newest first", anyMember).q("model_id", tInteger, "only this model's").
			paged(dataset.Snapshot{}, fields{"formats": []dataset.ExportFormat{}}).fails(fault.ErrInvalid),
		opGet("/api/snapshots/:id", "A snapshot and the formats it exports to", anyMember).
			ok(http.StatusOK, fields{"snapshot": dataset.Snapshot{}, "formats": []dataset.ExportFormat{}}).
			fails(dataset.ErrSnapshotNotFound),
		opGet("/api/releases", "Model releases, oldest first", anyMember).q("model_id", tInteger, "only this model's").
			paged(dataset.Release{}, nil).fails(fault.ErrInvalid),
		opGet("/api/releases/:id", "A release", anyMember).ok(http.StatusOK, dataset.Release{}).fails(dataset.ErrReleaseNotFound),
		opGet("/api/me/releases", "Releases trained on the caller's work, newest first", anyMember).
			paged(dataset.Release{}, nil),
		opGet("/api/me/export", "Everything the caller contributed, as a download", anyMember).
			q("format", schema{"type": "string", "enum": []string{"json", "csv"}}, "default json").
			file(http.StatusOK, "application/json,text/csv; charset=utf-8", "the download", "Content-Disposition").
			fails(dataset.ErrDataExportFormat),
		opGet("/api/models/:id/leaderboard", "A model's releases ranked by blind evaluations", anyMember).
			ok(http.StatusOK, dataset.Leaderboard{}),

		opPost("/api/snapshots", "Freeze the accepted annotations of projects", coordinators).in(dataset.SnapshotRequest{}).
			ok(http.StatusCreated, dataset.Snapshot{}).
			fails(dataset.ErrSnapshotEmpty, dataset.ErrSnapshotMixed, dataset.ErrSnapshotProject),
		exportSettings(opGet("/api/snapshots/:id/export", "A snapshot's export, as a resumable download", coordinators).
			q("format", format, "the export format")).
			file(http.StatusOK, "application/x-ndjson,application/json,text/csv; charset=utf-8,application/x-tar",
				"the export (JSONL, JSON, CSV or a tar archive)",
				"ETag", "Content-Disposition", "Link").
			empty(http.StatusPartialContent, "a range of the export").empty(http.StatusNotModified, "If-None-Match matched").
			fails(exportErrors...),
		exportSettings(opGet("/api/snapshots/:id/manifest", "The provenance and labour manifest of an export", coordinators).
			q("format", format, "the export format")).ok(http.StatusOK, dataset.ExportManifest{}).fails(exportErrors...),
		opPost("/api/releases", "Register a model release", coordinators).in(dataset.ReleaseRequest{}).
			ok(http.StatusCreated, dataset.Release{}).ok(http.StatusOK, dataset.Release{}, "a replay of the same body").
			fails(dataset.ErrReleaseExists, dataset.ErrUnknownSnapshot),
		opPost("/api/evaluations", "Create a blind evaluation of releases", coordinators).in(dataset.EvaluationRequest{}).
			ok(http.StatusCreated, fields{"evaluation": dataset.Evaluation{}, "project": labeling.Project{}}).
			fails(dataset.ErrEvaluationReleases),
	}
}

// exportSettings adds the export options (dataset.ExportSettings,
// docs/EXPORTS.md "Options") as query parameters.
func exportSettings(o *op) *op {
	return o.q("system", tString, "a system message for every row").
		q("instruction", tString, "an instruction template").
		q("kto_criterion", tString, "the rubric criterion that labels KTO rows (and trl-stepwise)").
		q("kto_threshold", tString, "the decimal threshold of kto_criterion").
		q("pairs", schema{"type": "string", "enum": []string{dataset.PairsAll, dataset.PairsBestVsRest}}, "rankings as pairs: all (default) or best-vs-rest").
		q("weight_zero", tString, "comma-separated: marked, below, history (openai-chat turns with weight 0)").
		q("separator", schema{"type": "string", "enum": []string{dataset.SeparatorSpace, dataset.SeparatorNewline, dataset.SeparatorNone}}, "between prompt and completion of standard rows (default space)")
}
