package dataset

import (
	"bufio"
	"bytes"
	"copyhold/labeling"
	"copyhold/labeling/fault"
	"copyhold/labeling/importer"
	"copyhold/labeling/tasktype"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"
)

// Dataset exports. A writer takes one row at a time (from a database cursor)
// and writes one format to an io.Writer, holding only the current row, so a
// million-row export runs in constant memory. docs/EXPORTS.md maps formats
// to task types and shows a line of each.

// ExportFormat names an export format; the values are the CLI's --format.
type ExportFormat string

const (
	ExportTRLSFT       ExportFormat = "trl-sft"                // {"messages":[user, assistant]}
	ExportTRLSFTPrompt ExportFormat = "trl-sft-prompt"         // {"prompt","completion"}
	ExportTRLDPO       ExportFormat = "trl-dpo"                // {"prompt","chosen","rejected"}
	ExportTRLDPOConv   ExportFormat = "trl-dpo-conversational" // the same as message lists
	ExportTRLKTO       ExportFormat = "trl-kto"                // {"prompt","completion","label"}
	ExportOpenAIChat   ExportFormat = "openai-chat"            // OpenAI supervised fine-tuning
	ExportOpenAIDPO    ExportFormat = "openai-dpo"             // OpenAI preference fine-tuning
	ExportLabelStudio  ExportFormat = "labelstudio"            // a JSON array of Label Studio tasks
	ExportCSV          ExportFormat = "csv"                    // one row per item
	ExportLong         ExportFormat = "long"                   // item,annotator,value CSV for `copyhold agreement`
	ExportLongJSONL    ExportFormat = "long-jsonl"             // the same as JSON lines
	ExportJSONL        ExportFormat = "jsonl"                  // {"item_id","external_id","data","answer",…}
	ExportHF           ExportFormat = "hf"                     // a Hugging Face dataset folder (see export_hf.go)
	// Formats added for conversations (export_conv.go); the standard
	// (text) ones also take plain pairwise, ranking and rewrite projects.
	ExportTRLPromptOnly ExportFormat = "trl-prompt-only"         // {"prompt"}
	ExportTRLImplicit   ExportFormat = "trl-preference-implicit" // {"chosen","rejected"}, the prompt inside both
	ExportTRLReward     ExportFormat = "trl-reward"              // {"prompt","chosen","rejected","margin"}
	ExportTRLStepwise   ExportFormat = "trl-stepwise"            // {"prompt","completions","labels"}
)

// ExportFormats lists every format in a stable order (for help texts).
func ExportFormats() []ExportFormat {
	return []ExportFormat{ExportTRLSFT, ExportTRLSFTPrompt, ExportTRLDPO, ExportTRLDPOConv, ExportTRLKTO,
		ExportOpenAIChat, ExportOpenAIDPO, ExportLabelStudio, ExportCSV, ExportLong, ExportLongJSONL,
		ExportJSONL, ExportHF, ExportTRLPromptOnly, ExportTRLImplicit, ExportTRLReward, ExportTRLStepwise}
}

// Export errors.
var (
	ErrExportUnsupported = fault.New(fault.KindInvalid, "export_unsupported", "the export format cannot represent this task type")
	ErrExportFormat      = fault.New(fault.KindInvalid, "export_format", "unknown export format")
	ErrExportRow         = fault.New(fault.KindInvalid, "export_row", "an export row is malformed")
	ErrExportOptions     = fault.New(fault.KindInvalid, "export_options", "the export options are invalid")
)

// ParseExportFormat accepts exactly the names of the ExportFormat constants.
func ParseExportFormat(s string) (ExportFormat, error) {
	for _, f := range ExportFormats() {
		if string(f) == s {
			return f, nil
		}
	}
	names := make([]string, 0, 16)
	for _, f := range ExportFormats() {
		names = append(names, string(f))
	}
	return "", ErrExportFormat.With("unknown export format %q (known: %s)", s, strings.Join(names, ", "))
}

// ExportTaskTypes lists the task types a format can represent.
func ExportTaskTypes(f ExportFormat) []tasktype.TaskType {
	switch f {
	case ExportTRLSFT, ExportTRLSFTPrompt:
		return []tasktype.TaskType{tasktype.TaskRewrite}
	case ExportOpenAIChat:
		return []tasktype.TaskType{tasktype.TaskRewrite, tasktype.TaskRubric}
	case ExportTRLPromptOnly:
		return []tasktype.TaskType{tasktype.TaskPairwise, tasktype.TaskRanking, tasktype.TaskRewrite, tasktype.TaskRubric}
	case ExportTRLStepwise:
		return []tasktype.TaskType{tasktype.TaskRubric}
	case ExportTRLDPO, ExportTRLDPOConv, ExportOpenAIDPO, ExportTRLImplicit, ExportTRLReward:
		return []tasktype.TaskType{tasktype.TaskPairwise, tasktype.TaskRanking}
	case ExportTRLKTO:
		return []tasktype.TaskType{tasktype.TaskPairwise, tasktype.TaskRubric}
	case ExportLabelStudio:
		return []tasktype.TaskType{tasktype.TaskClassification, tasktype.TaskMultiLabel, tasktype.TaskSpans, tasktype.TaskPairwise, tasktype.TaskRanking, tasktype.TaskRubric, tasktype.TaskRewrite}
	case ExportCSV, ExportLong, ExportLongJSONL, ExportJSONL, ExportHF:
		return tasktype.TaskTypes()
	}
	return nil
}

// exportNeeds words the error for a task type a format cannot represent.
var exportNeeds = map[ExportFormat]string{
	ExportTRLSFT:        "rewrite items (a prompt and a written completion)",
	ExportTRLSFTPrompt:  "rewrite items (a prompt and a written completion)",
	ExportOpenAIChat:    "rewrite items (a prompt and a written completion), or rubric ratings per conversation turn",
	ExportTRLDPO:        "pairwise or ranking items (a chosen and a rejected response)",
	ExportTRLDPOConv:    "pairwise or ranking items (a chosen and a rejected response)",
	ExportOpenAIDPO:     "pairwise or ranking items (a chosen and a rejected response)",
	ExportTRLKTO:        "pairwise or rubric items (a response judged good or bad)",
	ExportLabelStudio:   "a task type Label Studio has results for (moderation has none)",
	ExportTRLPromptOnly: "pairwise, ranking, rewrite or rubric items (items with a prompt)",
	ExportTRLImplicit:   "pairwise or ranking items (a chosen and a rejected response)",
	ExportTRLReward:     "pairwise or ranking items (a chosen and a rejected response)",
	ExportTRLStepwise:   "per-turn ratings (a rubric over a conversation with turn each_assistant)",
}

// CheckExportFormat says whether format f can represent task type tt; the
// error (export_unsupported) names both, and the project when given.
func CheckExportFormat(f ExportFormat, tt tasktype.TaskType, project string) error {
	if _, err := ParseExportFormat(string(f)); err != nil {
		return err
	}
	if _, err := tasktype.ParseTaskType(string(tt)); err != nil {
		return err
	}
	if slices.Contains(ExportTaskTypes(f), tt) {
		return nil
	}
	who := "this project"
	if project != "" {
		who = fmt.Sprintf("project %q", project)
	}
	return ErrExportUnsupported.With("%s needs %s; %s is %s", f, exportNeeds[f], who, tt)
}

// ExportRow is one item with its accepted answer, as the store reads it.
type ExportRow struct {
	ItemID     int64
	ExternalID string
	TaskType   tasktype.TaskType // "" means the export's task type
	// LSNames are the result names of the item's project in Label Studio
	// exports (its stored config); nil takes the generated config's.
	LSNames *importer.LSNames
	Schema  json.RawMessage // the project schema (normalised or not: it is parsed)
	Data    json.RawMessage // item data
	// Answer is the accepted (or consensus) answer, normalised as in
	// docs/TASKTYPES.md; nil when the item has none (the row is skipped by
	// formats that need one).
	Answer    json.RawMessage
	Annotator string // name or pseudonym of whoever gave Answer; "" for a consensus
	// Annotations are every annotation of the item ("all accepted
	// annotations" mode, long format, and the labour tally). Rejected and
	// disputed ones count in the tally but are never written; external
	// ones are written but are not in the labour tally.
	Annotations []ExportAnnotation
	Confidence  string // consensus confidence as a decimal string, "" if none
	// Generation is the provenance of a generated item's candidates (a JSON list of
	// labeling/gen.Origin); nil for items that were not generated.
	Generation json.RawMessage
}

// ExportAnnotation is one labeller's submission of an item, or an
// annotation by an external annotator (Status ExportStatusExternal).
type ExportAnnotation struct {
	Annotator  string          // name or pseudonym, as the caller decided; "external:<key>" for an external annotator
	Answer     json.RawMessage // normalised answer
	LeadTimeMs int64           // active working time
	Status     string          // a SubmissionStatus: submitted, accepted, corrected, rejected, disputed; or external
	// An external annotation's original metadata (Label Studio): who, when
	// and its id there. Empty for members' submissions.
	CompletedBy json.RawMessage
	CreatedAt   string
	SourceID    string
	// Suggestion says the answer began from a model's suggestion (labeling
	// ShownUpFront or ShownAfterAnswer; "" none), and SuggestionAccepted that
	// the final answer equals it. It earned the same units either way.
	Suggestion         string
	SuggestionAccepted bool
}

// ExportStatusExternal marks an annotation by someone outside the co-op
// (imported as a prior annotation): exported like the others, but it is no
// member's labour and earned nothing.
const ExportStatusExternal = "external"

// ExportExternalPrefix starts an external annotator's name in exports.
const ExportExternalPrefix = "external:"

// External says whether the annotation was made outside the co-op.
func (a ExportAnnotation) External() bool { return a.Status == ExportStatusExternal }

// exportWritable says whether an annotation may appear in a dataset.
func exportWritable(a ExportAnnotation) bool {
	return a.Status != string(labeling.SubmissionRejected) && a.Status != string(labeling.SubmissionDisputed) && len(a.Answer) > 0
}

// ExportOptions configure a writer.
type ExportOptions struct {
	Format   ExportFormat
	TaskType tasktype.TaskType // the project's task type; rows of another type are an error
	Project  string            // project name, for messages and the dataset card
	// CoopHost names the co-op in the contributor addresses of Label Studio
	// exports (contributor-<name>@<CoopHost>.invalid); "" is "copyhold".
	CoopHost string

	// AllAnnotations writes every accepted annotation rather than the one
	// accepted answer per item (one training example per annotation;
	// labelstudio: one LS annotation each; jsonl: an "annotations" list).
	AllAnnotations bool

	// System, when set, starts every conversation with a system message
	// (conversational formats only: trl-sft, trl-dpo-conversational,
	// openai-chat, openai-dpo).
	System string
	// Instruction prefixes the original text when it becomes the user turn
	// of a rewrite item that has no prompt (e.g. "Improve this text:").
	Instruction string

	// KTOCriterion picks the rubric criterion a KTO label is read from; ""
	// uses the mean of all scored criteria, each scaled to 0..1.
	KTOCriterion string
	// KTOThreshold (a decimal string): label true iff score >= threshold.
	// "" means strictly above the middle of the scale (criterion) or above
	// 0.5 (mean).
	KTOThreshold string
	// Pairs is the pair policy for rankings (PairsAll, PairsBestVsRest; "" is all).
	Pairs string
	// WeightZero lists the rules that give assistant turns weight 0 in
	// openai-chat (WeightMarked, WeightBelow, WeightHistory).
	WeightZero []string
	// Separator goes between prompt and completion in standard rows
	// (SeparatorSpace, SeparatorNewline, SeparatorNone; "" is space).
	Separator string

	// CSVFields fixes the data columns of the csv format; nil takes the
	// first row's top-level fields, sorted.
	CSVFields []string

	// hf only: the fraction of items in test.jsonl (0..1), the row format of
	// the splits ("" = the task type's default), a salt for the split hash,
	// the provenance to render, and where to spool archive members.
	TestFraction float64
	HFRows       ExportFormat
	SplitSalt    string
	Manifest     *ExportManifest
	TempDir      string
}

// ExportStats count what a writer saw and wrote.
type ExportStats struct {
	Items   int64            // rows given to Write
	Rows    int64            // lines, tasks or CSV rows written
	Skipped map[string]int64 // items that produced nothing, by reason
	Dropped map[string]int64 // parts of an item left out (one pair, one annotation), by reason
	Splits  map[string]int64 // hf: rows per split
	Labour  ExportLabour     // tallied from the rows' annotations
	// Contributions counts written annotations per annotator.
	Contributions map[string]int64
	// Generators are the models that wrote the items' candidates (generated items only).
	Generators []ExportGenerator
}

// ExportWriter writes one format. Write may skip a row (counted in Stats);
// Close finishes the output (closing brackets, buffered bytes) but does not
// close the underlying writer. Write does not keep the row's slices (data,
// answers, annotations) after it returns: the store's export reuses their
// bytes for later rows.
type ExportWriter interface {
	Write(row ExportRow) error
	Close() error
	Stats() ExportStats
}

// ExportAll drains rows into w and closes it. The first error stops it.
func ExportAll(w ExportWriter, rows iter.Seq2[ExportRow, error]) error {
	for row, err := range rows {
		if err != nil {
			return err
		}
		if err := w.Write(row); err != nil {
			return err
		}
	}
	return w.Close()
}

// NewExportWriter returns a writer of opts.Format to out. The hf format
// writes several files: use NewExportHFDir or NewExportHFArchive.
func NewExportWriter(out io.Writer, opts ExportOptions) (ExportWriter, error) {
	if opts.Format == ExportHF {
		return nil, ErrExportOptions.With("the hf format writes a folder: use NewExportHFDir or NewExportHFArchive")
	}
	return newExportWriter(out, opts)
}

func newExportWriter(out io.Writer, opts ExportOptions) (*exportWriter, error) {
	if err := CheckExportFormat(opts.Format, opts.TaskType, opts.Project); err != nil {
		return nil, err
	}
	w := &exportWriter{opts: opts, bw: bufio.NewWriterSize(out, 64<<10), tally: newExportTally()}
	w.enc = json.NewEncoder(w.bw)
	w.enc.SetEscapeHTML(false)
	if opts.System != "" && !exportConversational(opts.Format) && !exportMaybeConversational(opts.Format) {
		return nil, ErrExportOptions.With("a system message needs a conversational format (trl-sft, trl-dpo-conversational, openai-chat, openai-dpo), not %s", opts.Format)
	}
	if opts.KTOThreshold != "" {
		if _, ok := exportParseRat(opts.KTOThreshold); !ok {
			return nil, ErrExportOptions.With("KTO threshold %q is not a decimal number", opts.KTOThreshold)
		}
	}
	if err := opts.settings().Check(); err != nil {
		return nil, err
	}
	switch opts.Format {
	case ExportTRLSFT, ExportTRLSFTPrompt, ExportOpenAIChat:
		w.emit = (*exportWriter).emitSFT
	case ExportTRLDPO, ExportTRLDPOConv, ExportOpenAIDPO:
		w.emit = (*exportWriter).emitDPO
	case ExportTRLKTO:
		w.emit = (*exportWriter).emitKTO
	case ExportLabelStudio:
		w.emit, w.finish = (*exportWriter).emitLabelStudio, (*exportWriter).finishLabelStudio
	case ExportCSV:
		w.initCSV()
		w.emit = (*exportWriter).emitCSV
	case ExportLong, ExportLongJSONL:
		w.initLong()
		w.emit = (*exportWriter).emitLong
	case ExportJSONL:
		w.emit = (*exportWriter).emitJSONL
	case ExportTRLPromptOnly:
		w.emit = (*exportWriter).emitPromptOnly
	case ExportTRLImplicit, ExportTRLReward:
		w.emit = (*exportWriter).emitDPO
	case ExportTRLStepwise:
		w.emit = (*exportWriter).emitConversation // per-turn ratings exist only in conversations
	default:
		return nil, ErrExportFormat.With("export format %q has no line writer", opts.Format)
	}
	if exportReadsText(opts.Format) {
		w.emit = withConversations(w.emit)
	}
	return w, nil
}

// exportMaybeConversational: formats whose rows are conversational for
// conversation projects and standard otherwise.
func exportMaybeConversational(f ExportFormat) bool {
	return f == ExportTRLSFTPrompt || f == ExportTRLKTO || f == ExportTRLPromptOnly || f == ExportTRLImplicit || f == ExportTRLReward
}

func exportConversational(f ExportFormat) bool {
	return f == ExportTRLSFT || f == ExportTRLDPOConv || f == ExportOpenAIChat || f == ExportOpenAIDPO
}

// exportWriter is every single-stream format: emit writes one row's lines.
type exportWriter struct {
	opts   ExportOptions
	bw     *bufio.Writer
	enc    *json.Encoder
	emit   func(w *exportWriter, row *ExportRow, s tasktype.Schema, d tasktype.ItemFields) (skip string, err error)
	finish func(w *exportWriter) error
	tally  *exportTally
	closed bool

	schemaRaw []byte // the schema last parsed, and its parse
	schema    tasktype.Schema
	scratch   bytes.Buffer
	lineBuf   []byte          // a line formatted without the encoder (trl-dpo)
	row       ExportRow       // the row being written
	accepted  [1]exportAnswer // answers' result for the row's accepted answer
	pairs     []exportPair    // emitDPO's pairs of the current answer

	lsCount int             // labelstudio: tasks written
	csv     *exportCSVState // csv and long formats
}

// Write formats one row. Rows without an answer, and answers the format has
// no line for (a pairwise tie in DPO), are skipped and counted.
func (w *exportWriter) Write(in ExportRow) error {
	if w.closed {
		return ErrExportOptions.With("export writer is closed")
	}
	// The row lives in the writer while it is written: emit takes a
	// pointer, which would move a parameter to the heap on every row.
	w.row = in
	defer func() { w.row = ExportRow{} }()
	row := &w.row
	w.tally.items++
	if row.TaskType == "" {
		row.TaskType = w.opts.TaskType
	}
	if row.TaskType != w.opts.TaskType {
		return ErrExportRow.With("item %d is %s; this export is for %s items", row.ItemID, row.TaskType, w.opts.TaskType)
	}
	w.tally.addRow(row)
	s, err := w.parsedSchema(row.Schema)
	if err != nil {
		if errors.Is(err, ErrExportUnsupported) || errors.Is(err, ErrExportOptions) {
			return err
		}
		return ErrExportRow.With("item %d: schema: %s", row.ItemID, err.Error())
	}
	d, err := s.ItemData(row.Data)
	if err != nil {
		return ErrExportRow.With("item %d: %s", row.ItemID, err.Error())
	}
	w.tally.addGeneration(row, s, w.answers(row))
	skip, err := w.emit(w, row, s, d)
	if err != nil {
		return err
	}
	if skip != "" {
		w.tally.skip(skip)
	}
	return nil
}

// Close writes any trailer and flushes.
func (w *exportWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	if w.finish != nil {
		if err := w.finish(w); err != nil {
			return err
		}
	}
	if w.csv != nil && w.csv.cw != nil {
		w.csv.cw.Flush()
		if err := w.csv.cw.Error(); err != nil {
			return err
		}
	}
	return w.bw.Flush()
}

// Stats returns the counts so far (complete after Close).
func (w *exportWriter) Stats() ExportStats { return w.tally.stats() }

// parsedSchema parses the schema once per distinct schema (one per project).
func (w *exportWriter) parsedSchema(raw json.RawMessage) (tasktype.Schema, error) {
	if w.schema != nil && bytes.Equal(raw, w.schemaRaw) {
		return w.schema, nil
	}
	s, err := tasktype.ParseSchema(w.opts.TaskType, raw)
	if err != nil {
		return nil, err
	}
	if err := checkExportSchema(w.opts, s, w.opts.Project); err != nil {
		return nil, err
	}
	w.schema, w.schemaRaw = s, append(w.schemaRaw[:0], raw...)
	return s, nil
}

// answers lists the answers a row contributes: the accepted answer, or with
// AllAnnotations every writable annotation (falling back to the answer).
func (w *exportWriter) answers(row *ExportRow) []exportAnswer {
	if w.opts.AllAnnotations {
		var out []exportAnswer
		for i, a := range row.Annotations {
			if exportWritable(a) {
				out = append(out, exportAnswer{a.Annotator, a.Answer, a.LeadTimeMs, &row.Annotations[i]})
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	if !exportHasAccepted(row) {
		return nil
	}
	// The writer's own one-answer slice: answers are read within one Write,
	// and every call for the row fills it the same.
	w.accepted[0] = exportAnswer{row.Annotator, row.Answer, -1, nil}
	return w.accepted[:1:1]
}

// exportAccepted is the row's accepted answer, if it has one.
func exportAccepted(row *ExportRow) []exportAnswer {
	if !exportHasAccepted(row) {
		return nil
	}
	return []exportAnswer{{row.Annotator, row.Answer, -1, nil}}
}

// exportHasAccepted says whether the row has an accepted answer.
func exportHasAccepted(row *ExportRow) bool {
	t := bytes.TrimSpace(row.Answer)
	return len(t) > 0 && string(t) != "null"
}

type exportAnswer struct {
	annotator  string
	answer     json.RawMessage
	leadTimeMs int64             // -1 unknown
	from       *ExportAnnotation // the annotation it is, or nil (the row's answer)
}

// line encodes one JSON line.
func (w *exportWriter) line(v any) error {
	if err := w.enc.Encode(v); err != nil {
		return err
	}
	w.tally.rows++
	return nil
}

// compact writes raw JSON compactly into the scratch buffer and returns a
// copy-free view valid until the next call.
func (w *exportWriter) compact(raw json.RawMessage) (json.RawMessage, error) {
	w.scratch.Reset()
	if err := json.Compact(&w.scratch, raw); err != nil {
		return nil, err
	}
	return w.scratch.Bytes(), nil
}

// Skip and drop reasons, as counted in ExportStats and the manifest.
const (
	ExportSkipNoAnswer      = "no_answer"
	ExportSkipEmptyPrompt   = "empty_prompt"
	ExportSkipPairwiseTie   = "pairwise_tie"
	ExportSkipBothBad       = "pairwise_both_bad"
	ExportSkipRankingTied   = "ranking_all_tied"
	ExportSkipUnscored      = "criterion_unscored"
	ExportDropEmptyResponse = "empty_response"
	ExportDropSameResponse  = "identical_responses"
	ExportDropLSUnsupported = "ls_result_unsupported"
	ExportDropCSVExtraField = "csv_field_not_in_header"
)

// exportTally accumulates counts and the labour statistics in bounded
// memory: working time is kept as a histogram of whole seconds (lead times
// are clamped to 24 h: 86,401 buckets, 675 KiB, allocated on first use).
type exportTally struct {
	items, rows   int64
	skipped       map[string]int64
	dropped       map[string]int64
	splits        map[string]int64
	contributions map[string]int64

	annotations, reviewed, rejected, timed int64
	suggested, unchanged                   int64 // annotations that began from a suggestion; of those, accepted unchanged
	workMs                                 int64
	seconds                                []int64 // count per whole second of lead time
	generators                             map[generatorKey]*ExportGenerator
}

func newExportTally() *exportTally {
	return &exportTally{skipped: map[string]int64{}, dropped: map[string]int64{}, splits: map[string]int64{},
		contributions: map[string]int64{}}
}

func (t *exportTally) skip(reason string) { t.skipped[reason]++ }
func (t *exportTally) drop(reason string) { t.dropped[reason]++ }

func (t *exportTally) addRow(row *ExportRow) {
	if len(row.Annotations) == 0 {
		// Only the accepted answer is known: one accepted annotation of
		// unknown working time (none at all for an anonymous consensus).
		if row.Annotator != "" && exportHasAccepted(row) {
			t.contributions[row.Annotator]++
			t.annotations++
			t.reviewed++
		}
		return
	}
	for _, a := range row.Annotations {
		if a.External() {
			continue // no member's labour
		}
		t.annotations++
		if a.Suggestion != "" {
			t.suggested++
			if a.SuggestionAccepted {
				t.unchanged++
			}
		}
		switch labeling.SubmissionStatus(a.Status) {
		case labeling.SubmissionAccepted, labeling.SubmissionCorrected:
			t.reviewed++
		case labeling.SubmissionRejected, labeling.SubmissionDisputed:
			t.reviewed++
			t.rejected++
		}
		if exportWritable(a) && a.Annotator != "" {
			t.contributions[a.Annotator]++
		}
		if a.LeadTimeMs > 0 {
			ms := labeling.ClampLeadTime(a.LeadTimeMs)
			t.timed++
			t.workMs += ms
			if t.seconds == nil {
				t.seconds = make([]int64, labeling.MaxLeadTimeMs/1000+1)
			}
			t.seconds[ms/1000]++
		}
	}
}

// merge adds another tally (the hf writer's splits).
func (t *exportTally) merge(o *exportTally) {
	t.items += o.items
	t.rows += o.rows
	for _, pair := range [][2]map[string]int64{{t.skipped, o.skipped}, {t.dropped, o.dropped}, {t.splits, o.splits}, {t.contributions, o.contributions}} {
		for k, v := range pair[1] {
			pair[0][k] += v
		}
	}
	t.annotations += o.annotations
	t.suggested += o.suggested
	t.unchanged += o.unchanged
	t.reviewed += o.reviewed
	t.rejected += o.rejected
	t.timed += o.timed
	t.workMs += o.workMs
	if o.seconds != nil {
		if t.seconds == nil {
			t.seconds = make([]int64, len(o.seconds))
		}
		for k, v := range o.seconds {
			t.seconds[k] += v
		}
	}
}

func (t *exportTally) stats() ExportStats {
	cp := func(m map[string]int64) map[string]int64 {
		out := make(map[string]int64, len(m))
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	return ExportStats{Items: t.items, Rows: t.rows, Skipped: cp(t.skipped), Dropped: cp(t.dropped),
		Splits: cp(t.splits), Contributions: cp(t.contributions), Labour: t.labour(), Generators: t.generatorList()}
}

// labour renders the tally; rates and times are decimal strings.
func (t *exportTally) labour() ExportLabour {
	l := ExportLabour{Annotations: t.annotations, Reviewed: t.reviewed, Rejected: t.rejected,
		TimedAnnotations: t.timed, WorkingTimeMs: t.workMs, FromSuggestion: t.suggested, SuggestionUnchanged: t.unchanged}
	if t.annotations > 0 {
		l.ReviewRate = exportRatio(t.reviewed, t.annotations)
	}
	if t.reviewed > 0 {
		l.RejectionRate = exportRatio(t.rejected, t.reviewed)
	}
	if t.timed > 0 {
		l.WorkingHours = exportRatio(t.workMs, 3_600_000)
		l.MedianWorkingSeconds = exportHistogramMedian(t.seconds, t.timed)
	}
	return l
}

// exportHistogramMedian is the median of n whole-second values: the middle
// value, or the mean of the two middle values (so it may end in .5).
func exportHistogramMedian(h []int64, n int64) string {
	at := func(rank int64) int64 { // 0-based rank
		var seen int64
		for sec, c := range h {
			seen += c
			if rank < seen {
				return int64(sec)
			}
		}
		return int64(len(h) - 1)
	}
	lo, hi := at((n-1)/2), at(n/2)
	if (lo+hi)%2 == 0 {
		return fmt.Sprintf("%d", (lo+hi)/2)
	}
	return fmt.Sprintf("%d.5", (lo+hi)/2)
}

// ExportRequest configures the export of a stored snapshot (labeling/store Datasets.ExportSnapshot).
type ExportRequest struct {
	Format    ExportFormat
	Publisher string
	License   string
	Terms     string
	// hf only: the archive kind ("tar" default, or "zip") and the spool folder.
	Archive string
	TempDir string
	// Settings are the caller's export options (system message, pair
	// policy, weights, separator, …); the zero value is the default export.
	Settings ExportSettings
}
