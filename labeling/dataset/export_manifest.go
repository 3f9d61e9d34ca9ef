package dataset

import (
	"cmp"
	"copyhold/labeling/tasktype"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"slices"
	"strings"
)

// Provenance and labour disclosure. Every export can carry a manifest: who
// made the data, on what terms, what it cost in working time and units, how
// it was reviewed, and the hashes that tie it to a snapshot of the database
// and to the co-op's ledger. JSONL formats write it as a sidecar
// (WriteManifest); the hf folder renders it into the dataset card too.

// ExportManifest describes one export. The caller fills the provenance
// (project, license, terms, contributors, units, agreement, rate cards,
// hashes); AddStats fills what the writer counted.
type ExportManifest struct {
	Project   string            `json:"project"`
	Publisher string            `json:"publisher,omitempty"` // the co-op, as it wants to be credited
	TaskType  tasktype.TaskType `json:"task_type"`
	Format    ExportFormat      `json:"format"`
	RowFormat ExportFormat      `json:"row_format,omitempty"` // hf: the format of the split files
	// Conversational says the items are conversations, written in TRL's
	// conversational form (lists of messages, a tools column).
	Conversational bool   `json:"conversational,omitempty"`
	CreatedAt      string `json:"created_at,omitempty"` // RFC 3339, chosen by the caller
	License        string `json:"license"`              // an SPDX-like id ("cc-by-4.0"); "" renders as "other"
	Terms          string `json:"terms,omitempty"`      // the co-op's terms for this data, in words
	Description    string `json:"description,omitempty"`
	// Offsets names the convention of span offsets (spans projects only):
	// OffsetsCodePoints in every format but labelstudio, which uses
	// OffsetsUTF16 as Label Studio does.
	Offsets string `json:"offsets,omitempty"`

	SnapshotHash string `json:"snapshot_hash"` // SnapshotHasher over the exported rows
	LedgerHead   string `json:"ledger_head"`   // hash of the ledger's last entry when exported

	Counts ExportCounts `json:"counts"`
	Split  *ExportSplit `json:"split,omitempty"`
	Files  []ExportFile `json:"files,omitempty"`

	Contributors []ExportContributor `json:"contributors"`
	UnitsIssued  string              `json:"units_issued"` // decimal string: units issued for this data
	Labour       ExportLabour        `json:"labour"`
	Agreement    *ExportAgreement    `json:"agreement,omitempty"`
	RateCards    json.RawMessage     `json:"rate_cards,omitempty"` // opaque: the rate cards the units were issued under
	// Generators name the models that wrote generated candidates, with how often each was chosen
	// and rejected (export_generation.go).
	Generators []ExportGenerator `json:"generators,omitempty"`
}

// ExportCounts are the writer's counts; the maps are keyed by reason.
type ExportCounts struct {
	Items   int64            `json:"items"`
	Rows    int64            `json:"rows"`
	Skipped map[string]int64 `json:"skipped"`
	Dropped map[string]int64 `json:"dropped"`
}

// ExportSplit records how the hf writer split the items.
type ExportSplit struct {
	TestFraction string           `json:"test_fraction"` // decimal
	Salt         string           `json:"salt,omitempty"`
	Rows         map[string]int64 `json:"rows"`
}

// ExportFile is one file of an export folder.
type ExportFile struct {
	Name   string `json:"name"`
	Rows   int64  `json:"rows"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// ExportContributor is one member who labelled the data: Name is the name
// they chose to be credited under when Named, otherwise their pseudonym.
type ExportContributor struct {
	Name        string `json:"name"`
	Named       bool   `json:"named"`
	Annotations int64  `json:"annotations"`
	Units       string `json:"units,omitempty"` // decimal string, from the caller
}

// ExportLabour sums the work behind the data. Rates are decimals with four
// places; working time comes from the annotations' lead times (clamped to
// 24 h each); the median is at one-second resolution.
type ExportLabour struct {
	Annotations          int64  `json:"annotations"`
	Reviewed             int64  `json:"reviewed"`
	Rejected             int64  `json:"rejected"`
	ReviewRate           string `json:"review_rate,omitempty"`    // reviewed / annotations
	RejectionRate        string `json:"rejection_rate,omitempty"` // rejected / reviewed
	TimedAnnotations     int64  `json:"timed_annotations"`
	WorkingTimeMs        int64  `json:"working_time_ms"`
	WorkingHours         string `json:"working_hours,omitempty"`
	MedianWorkingSeconds string `json:"median_working_seconds,omitempty"`
	// FromSuggestion counts the annotations that began from a model's
	// suggestion (shown up front or after the labeller's first answer), and
	// SuggestionUnchanged those whose final answer is the suggestion. They
	// earned the normal rate: the labeller judged them; generation earns nothing.
	FromSuggestion      int64 `json:"from_suggestion"`
	SuggestionUnchanged int64 `json:"suggestion_unchanged"`
}

// ExportAgreement is one inter-annotator agreement figure.
type ExportAgreement struct {
	Metric string `json:"metric"`
	Value  string `json:"value"` // decimal string
	Units  int    `json:"units,omitempty"`
}

// AddStats fills the manifest from a writer's stats. Labour the caller
// already set (Annotations > 0, e.g. counted in SQL including rejected
// work the export never saw) is kept, with only empty fields filled in.
// Contributors are merged by name: the caller's entries keep their Named
// flag and units and get their annotation counts when they have none;
// annotators the caller did not list are added as pseudonymous.
func (m *ExportManifest) AddStats(s ExportStats) {
	if m.Offsets == "" {
		m.Offsets = OffsetConvention(m.Format, m.TaskType)
	}
	m.Counts = ExportCounts{Items: s.Items, Rows: s.Rows, Skipped: s.Skipped, Dropped: s.Dropped}
	m.Generators = s.Generators
	if m.Counts.Skipped == nil {
		m.Counts.Skipped = map[string]int64{}
	}
	if m.Counts.Dropped == nil {
		m.Counts.Dropped = map[string]int64{}
	}
	if m.Labour.Annotations == 0 {
		m.Labour = s.Labour
	} else {
		l := &m.Labour
		if l.ReviewRate == "" && l.Annotations > 0 {
			l.ReviewRate = exportRatio(l.Reviewed, l.Annotations)
		}
		if l.RejectionRate == "" && l.Reviewed > 0 {
			l.RejectionRate = exportRatio(l.Rejected, l.Reviewed)
		}
		if l.FromSuggestion == 0 {
			l.FromSuggestion, l.SuggestionUnchanged = s.Labour.FromSuggestion, s.Labour.SuggestionUnchanged
		}
		if l.WorkingTimeMs == 0 {
			l.TimedAnnotations, l.WorkingTimeMs = s.Labour.TimedAnnotations, s.Labour.WorkingTimeMs
			l.WorkingHours, l.MedianWorkingSeconds = s.Labour.WorkingHours, s.Labour.MedianWorkingSeconds
		}
	}
	seen := map[string]bool{}
	for i := range m.Contributors {
		c := &m.Contributors[i]
		seen[c.Name] = true
		if c.Annotations == 0 {
			c.Annotations = s.Contributions[c.Name]
		}
	}
	for name, n := range s.Contributions {
		if !seen[name] {
			m.Contributors = append(m.Contributors, ExportContributor{Name: name, Annotations: n})
		}
	}
	slices.SortFunc(m.Contributors, func(a, b ExportContributor) int {
		return cmp.Or(cmp.Compare(b.Annotations, a.Annotations), cmp.Compare(a.Name, b.Name))
	})
}

// WriteManifest writes the manifest as indented JSON (manifest.json, or the
// sidecar of a JSONL export).
func WriteManifest(w io.Writer, m ExportManifest) error {
	if len(m.RateCards) > 0 && !json.Valid(m.RateCards) {
		return ErrExportOptions.With("manifest rate cards are not valid JSON")
	}
	if m.Contributors == nil {
		m.Contributors = []ExportContributor{}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(m)
}

// exportRatio is a/b as a decimal with four places (half away from zero).
func exportRatio(a, b int64) string {
	return new(big.Rat).SetFrac64(a, b).FloatString(4)
}

// exportParseRat reads a plain decimal ("0.75", "4", "-1.5").
func exportParseRat(s string) (*big.Rat, bool) {
	if s == "" || strings.ContainsAny(s, "eE/") {
		return nil, false
	}
	return new(big.Rat).SetString(s)
}

// ---- the dataset card ----

// exportTaskCategory maps a task type to a Hugging Face task category.
func exportTaskCategory(tt tasktype.TaskType) string {
	switch tt {
	case tasktype.TaskClassification, tasktype.TaskMultiLabel, tasktype.TaskModeration:
		return "text-classification"
	case tasktype.TaskSpans:
		return "token-classification"
	}
	return "text-generation"
}

func exportFormatTags(f ExportFormat) []string {
	switch f {
	case ExportTRLSFT, ExportTRLSFTPrompt, ExportOpenAIChat:
		return []string{"sft"}
	case ExportTRLDPO, ExportTRLDPOConv, ExportOpenAIDPO:
		return []string{"dpo", "preference"}
	case ExportTRLKTO:
		return []string{"kto", "preference"}
	}
	return nil
}

func exportSizeCategory(n int64) string {
	switch {
	case n < 1_000:
		return "n<1K"
	case n < 10_000:
		return "1K<n<10K"
	case n < 100_000:
		return "10K<n<100K"
	case n < 1_000_000:
		return "100K<n<1M"
	case n < 10_000_000:
		return "1M<n<10M"
	}
	return "10M<n<100M"
}

var exportRowDocs = map[ExportFormat]string{
	ExportTRLSFT:       "`messages`: a user turn (the prompt) and an assistant turn (the labeller's text); TRL's conversational language-modelling format.",
	ExportTRLSFTPrompt: "`prompt` and `completion` strings; TRL's prompt-completion format.",
	ExportOpenAIChat:   "`messages`: a user turn and an assistant turn; OpenAI's chat fine-tuning format.",
	ExportTRLDPO:       "`prompt`, `chosen`, `rejected` strings; TRL's preference format.",
	ExportTRLDPOConv:   "`prompt` (messages), `chosen` and `rejected` (each the candidate next turn: an assistant message, or an assistant tool call with its results and the answer that follows); TRL's conversational preference format.",
	ExportOpenAIDPO:    "`input.messages`, `preferred_output`, `non_preferred_output`; OpenAI's preference fine-tuning format.",
	ExportTRLKTO:       "`prompt`, `completion` and a boolean `label` (desirable or not); TRL's unpaired preference format.",
	ExportJSONL:        "`item_id`, `external_id`, `data` (the item as labelled), `answer` (the accepted answer, see the task type), `annotator`, `confidence`.",
}

// WriteExportCard writes a Hugging Face dataset card (README.md): YAML front
// matter with configs, license and task_categories, then the data format
// and the "Provenance and labour" section.
func WriteExportCard(w io.Writer, m ExportManifest) error {
	var b strings.Builder
	license := m.License
	if license == "" {
		license = "other"
	}
	rowFormat := cmp.Or(m.RowFormat, m.Format)
	b.WriteString("---\n")
	fmt.Fprintf(&b, "pretty_name: %s\n", exportYAMLString(cmp.Or(m.Project, "copyhold export")))
	fmt.Fprintf(&b, "license: %s\n", exportYAMLString(license))
	fmt.Fprintf(&b, "task_categories:\n- %s\n", exportTaskCategory(m.TaskType))
	b.WriteString("tags:\n- copyhold\n- human-annotated\n")
	for _, t := range exportFormatTags(rowFormat) {
		fmt.Fprintf(&b, "- %s\n", t)
	}
	fmt.Fprintf(&b, "size_categories:\n- %s\n", exportSizeCategory(m.Counts.Rows))
	b.WriteString("configs:\n- config_name: default\n  data_files:\n")
	files := 0
	for _, f := range m.Files {
		if split, ok := strings.CutSuffix(f.Name, ".jsonl"); ok {
			fmt.Fprintf(&b, "  - split: %s\n    path: %s\n", split, f.Name)
			files++
		}
	}
	if files == 0 {
		b.WriteString("  - split: train\n    path: train.jsonl\n")
	}
	b.WriteString("---\n\n")

	fmt.Fprintf(&b, "# %s\n\n", exportMD(cmp.Or(m.Project, "copyhold export")))
	if m.Description != "" {
		fmt.Fprintf(&b, "%s\n\n", exportMD(m.Description))
	}
	fmt.Fprintf(&b, "%d rows from %d %s items of the copyhold project \"%s\"", m.Counts.Rows, m.Counts.Items, m.TaskType, exportMD(m.Project))
	if m.Publisher != "" {
		fmt.Fprintf(&b, ", labelled by %d contributors of %s", len(m.Contributors), exportMD(m.Publisher))
	} else {
		fmt.Fprintf(&b, ", labelled by %d contributors", len(m.Contributors))
	}
	b.WriteString(".\n\n## Data\n\n")
	if doc := exportRowDocs[rowFormat]; doc != "" {
		fmt.Fprintf(&b, "Each line of the JSONL files has %s\n\n", doc)
	}
	if m.Conversational && exportReadsText(rowFormat) {
		b.WriteString("The items are conversations, so the rows are in TRL's **conversational** form: `prompt`, `completion`, " +
			"`chosen` and `rejected` are lists of messages (`role`, `content`, and `tool_calls` with `arguments` as objects, " +
			"`tool_call_id`), beside a `tools` column of JSON schemas where the item offers tools.\n\n")
	} else if m.Conversational {
		b.WriteString("The items are conversations: the conversation field of `data` is a list of messages (`id`, the turn id " +
			"answers refer to; `role`; `content`; `tool_calls` with `arguments` as JSON text; `tool_call_id`), beside a `tools` " +
			"field of JSON schemas where the item offers tools.\n\n")
	}
	if m.Offsets == OffsetsCodePoints && m.Conversational {
		b.WriteString("Span offsets (`start`, `end`) count Unicode code points of the `content` of the message each span " +
			"names by `turn_id`, end exclusive: in Python, `content[start:end]` is the span.\n\n")
	} else if m.Offsets == OffsetsCodePoints {
		b.WriteString("Span offsets (`start`, `end`) count Unicode code points of the item text, end exclusive: " +
			"in Python, `text[start:end]` is the span. (Label Studio exports count UTF-16 code units instead.)\n\n")
	}
	if len(m.Files) > 0 {
		b.WriteString("| file | rows | bytes | sha256 |\n|---|---:|---:|---|\n")
		for _, f := range m.Files {
			fmt.Fprintf(&b, "| %s | %d | %d | `%s` |\n", exportMD(f.Name), f.Rows, f.Bytes, f.SHA256)
		}
		b.WriteString("\n")
	}
	if m.Split != nil && m.Split.Rows[ExportSplitTest] > 0 {
		fmt.Fprintf(&b, "Items are split by a hash of their id (test fraction %s), so all rows of one item are in the same split.\n\n", m.Split.TestFraction)
	}

	b.WriteString("## Provenance and labour\n\n")
	b.WriteString("This data was made by people")
	if m.UnitsIssued != "" {
		b.WriteString(", paid in units of the labelling co-operative they own")
	}
	b.WriteString(". Contributors are listed under the name they chose to be credited by, or under a pseudonym.\n\n")
	if m.Publisher != "" {
		fmt.Fprintf(&b, "- **Made by:** %s, %d contributors (below)\n", exportMD(m.Publisher), len(m.Contributors))
	} else {
		fmt.Fprintf(&b, "- **Made by:** %d contributors (below)\n", len(m.Contributors))
	}
	fmt.Fprintf(&b, "- **License:** %s\n", exportMD(license))
	if m.Terms != "" {
		fmt.Fprintf(&b, "- **Terms:** %s\n", exportMD(m.Terms))
	}
	if m.UnitsIssued != "" {
		fmt.Fprintf(&b, "- **Units issued for this data:** %s\n", exportMD(m.UnitsIssued))
	}
	l := m.Labour
	if l.WorkingHours != "" {
		fmt.Fprintf(&b, "- **Working time:** %s hours over %d timed annotations; median %s s per annotation\n", l.WorkingHours, l.TimedAnnotations, l.MedianWorkingSeconds)
	}
	fmt.Fprintf(&b, "- **Annotations:** %d; %d reviewed", l.Annotations, l.Reviewed)
	if l.ReviewRate != "" {
		fmt.Fprintf(&b, " (review rate %s)", l.ReviewRate)
	}
	fmt.Fprintf(&b, ", %d rejected", l.Rejected)
	if l.RejectionRate != "" {
		fmt.Fprintf(&b, " (rejection rate %s)", l.RejectionRate)
	}
	b.WriteString("\n")
	if l.FromSuggestion > 0 {
		fmt.Fprintf(&b, "- **Began from a model's suggestion:** %d annotations, %d of them accepted unchanged (each still a labeller's judgement, paid at the normal rate)\n",
			l.FromSuggestion, l.SuggestionUnchanged)
	}
	if a := m.Agreement; a != nil {
		fmt.Fprintf(&b, "- **Agreement:** %s = %s", exportMD(a.Metric), exportMD(a.Value))
		if a.Units > 0 {
			fmt.Fprintf(&b, " over %d items", a.Units)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "- **Items:** %d read, %d rows written", m.Counts.Items, m.Counts.Rows)
	for _, part := range []struct {
		name string
		m    map[string]int64
	}{{"skipped", m.Counts.Skipped}, {"partly left out", m.Counts.Dropped}} {
		if len(part.m) > 0 {
			keys := exportSortedKeys(part.m)
			xs := make([]string, len(keys))
			for i, k := range keys {
				xs[i] = fmt.Sprintf("%s %d", k, part.m[k])
			}
			fmt.Fprintf(&b, "; %s: %s", part.name, strings.Join(xs, ", "))
		}
	}
	b.WriteString("\n")
	if m.SnapshotHash != "" {
		fmt.Fprintf(&b, "- **Snapshot (SHA-256 of the canonical rows):** `%s`\n", exportCode(m.SnapshotHash))
	}
	if m.LedgerHead != "" {
		fmt.Fprintf(&b, "- **Ledger head at export:** `%s`\n", exportCode(m.LedgerHead))
	}
	if m.CreatedAt != "" {
		fmt.Fprintf(&b, "- **Exported:** %s\n", exportMD(m.CreatedAt))
	}
	if len(m.Contributors) > 0 {
		b.WriteString("\n### Contributors\n\n| contributor | credited as | annotations | units |\n|---|---|---:|---:|\n")
		for _, c := range m.Contributors {
			as := "pseudonym"
			if c.Named {
				as = "name"
			}
			fmt.Fprintf(&b, "| %s | %s | %d | %s |\n", exportMD(c.Name), as, c.Annotations, exportMD(c.Units))
		}
	}
	if len(m.RateCards) > 0 {
		var pretty strings.Builder
		if err := exportIndent(&pretty, m.RateCards); err != nil {
			return ErrExportOptions.With("manifest rate cards are not valid JSON")
		}
		fence := "```"
		for strings.Contains(pretty.String(), fence) {
			fence += "`"
		}
		fmt.Fprintf(&b, "\n### Rate cards\n\nThe rates the units were issued under:\n\n%sjson\n%s\n%s\n", fence, pretty.String(), fence)
	}
	b.WriteString("\nThe full record is in `manifest.json`.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func exportIndent(b *strings.Builder, raw json.RawMessage) error {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	s := strings.TrimRight(b.String(), "\n")
	b.Reset()
	b.WriteString(s)
	return nil
}

// exportYAMLString quotes a YAML scalar (JSON-style, which YAML accepts).
func exportYAMLString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// exportMD makes caller text safe inside a Markdown line or table cell:
// no line breaks, no table pipes, no HTML, no links or emphasis.
var exportMDReplacer = strings.NewReplacer(
	"\r\n", " ", "\n", " ", "\r", " ", "|", `\|`, "<", "&lt;", ">", "&gt;", "&", "&amp;",
	"`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "\\", `\\`,
)

func exportMD(s string) string { return exportMDReplacer.Replace(s) }

// exportCode makes caller text safe inside a `code span` in a table or list.
var exportCodeReplacer = strings.NewReplacer("`", "'", "\r", " ", "\n", " ", "|", "/")

func exportCode(s string) string { return exportCodeReplacer.Replace(s) }

func exportSortedKeys(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Span offset conventions, as the manifest names them.
const (
	OffsetsCodePoints = "unicode_code_points"
	OffsetsUTF16      = "utf16_code_units"
)

// OffsetConvention says how a format counts span offsets for a task type:
// "" when the task type has none (only spans do).
func OffsetConvention(f ExportFormat, tt tasktype.TaskType) string {
	if tt != tasktype.TaskSpans {
		return ""
	}
	if f == ExportLabelStudio {
		return OffsetsUTF16
	}
	return OffsetsCodePoints
}
