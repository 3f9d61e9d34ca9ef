package dataset

import (
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// ExportSettings are the export options callers set by name: the CLI's
// flags and the API's query parameters (docs/EXPORTS.md, "Options").
// The zero value is the default export.
type ExportSettings struct {
	System       string   // system
	Instruction  string   // instruction
	KTOCriterion string   // kto_criterion (also the label of trl-stepwise and weight_zero=below)
	KTOThreshold string   // kto_threshold
	Pairs        string   // pairs: all (default) or best-vs-rest
	WeightZero   []string // weight_zero: marked, below, history
	Separator    string   // separator: space (default), newline or none
}

// Pair policies for rankings.
const (
	PairsAll        = "all"
	PairsBestVsRest = "best-vs-rest"
)

// Weight rules: which assistant turns get weight 0 in openai-chat.
const (
	WeightMarked  = "marked"  // turns a labeller or reviewer marked "exclude"
	WeightBelow   = "below"   // turns rated below the threshold
	WeightHistory = "history" // every assistant turn but the last
)

// Separators of standard (text) rows: what goes between prompt and completion.
const (
	SeparatorSpace   = "space"
	SeparatorNewline = "newline"
	SeparatorNone    = "none"
)

// ExportSettingNames lists the query parameter names, for help texts.
func ExportSettingNames() []string {
	return []string{"system", "instruction", "kto_criterion", "kto_threshold", "pairs", "weight_zero", "separator"}
}

// ParseExportSettings reads settings from named values (a URL query, CLI
// flags) and checks them; unknown values are export_options errors naming
// the setting.
func ParseExportSettings(get func(name string) string) (ExportSettings, error) {
	s := ExportSettings{System: get("system"), Instruction: get("instruction"), KTOCriterion: get("kto_criterion"),
		KTOThreshold: strings.TrimSpace(get("kto_threshold")), Pairs: strings.TrimSpace(get("pairs")),
		Separator: strings.TrimSpace(get("separator"))}
	if w := strings.TrimSpace(get("weight_zero")); w != "" {
		for _, r := range strings.Split(w, ",") {
			if r = strings.TrimSpace(r); r != "" && !slices.Contains(s.WeightZero, r) {
				s.WeightZero = append(s.WeightZero, r)
			}
		}
		slices.Sort(s.WeightZero)
	}
	return s, s.Check()
}

// Check refuses settings out of range.
func (s ExportSettings) Check() error {
	for _, t := range []struct{ name, v string }{{"system", s.System}, {"instruction", s.Instruction}, {"kto_criterion", s.KTOCriterion}} {
		if utf8.RuneCountInString(t.v) > 10_000 || !utf8.ValidString(t.v) || strings.ContainsRune(t.v, 0) {
			return ErrExportOptions.With("%s must be valid text of at most 10000 characters", t.name)
		}
	}
	if s.KTOThreshold != "" {
		if _, ok := exportParseRat(s.KTOThreshold); !ok {
			return ErrExportOptions.With("kto_threshold %q is not a decimal number", s.KTOThreshold)
		}
	}
	switch s.Pairs {
	case "", PairsAll, PairsBestVsRest:
	default:
		return ErrExportOptions.With("pairs must be %s or %s, not %q", PairsAll, PairsBestVsRest, s.Pairs)
	}
	for _, r := range s.WeightZero {
		if r != WeightMarked && r != WeightBelow && r != WeightHistory {
			return ErrExportOptions.With("weight_zero takes a comma-separated list of %s, %s, %s; %q is none of them", WeightMarked, WeightBelow, WeightHistory, r)
		}
	}
	switch s.Separator {
	case "", SeparatorSpace, SeparatorNewline, SeparatorNone:
	default:
		return ErrExportOptions.With("separator must be %s, %s or %s, not %q", SeparatorSpace, SeparatorNewline, SeparatorNone, s.Separator)
	}
	return nil
}

// Key renders the settings canonically ("" for the defaults): exports are
// cached and tagged per snapshot, format and key.
func (s ExportSettings) Key() string {
	v := url.Values{}
	set := func(k, val, def string) {
		if val != "" && val != def {
			v.Set(k, val)
		}
	}
	set("system", s.System, "")
	set("instruction", s.Instruction, "")
	set("kto_criterion", s.KTOCriterion, "")
	set("kto_threshold", s.KTOThreshold, "")
	set("pairs", s.Pairs, PairsAll)
	set("weight_zero", strings.Join(s.WeightZero, ","), "")
	set("separator", s.Separator, SeparatorSpace)
	return v.Encode()
}

// Apply copies the settings into writer options.
func (s ExportSettings) Apply(o *ExportOptions) {
	o.System, o.Instruction, o.KTOCriterion, o.KTOThreshold = s.System, s.Instruction, s.KTOCriterion, s.KTOThreshold
	o.Pairs, o.WeightZero, o.Separator = s.Pairs, s.WeightZero, s.Separator
}

// separate joins a standard row's prompt and completion the way the model
// should see them. TRL concatenates prompt and completion verbatim, so a
// completion that follows a prompt without whitespace between them gets the
// separator (a space by default) in front; one that already starts with
// whitespace, or follows a prompt ending in whitespace or an empty prompt,
// is left alone.
func (w *exportWriter) separate(prompt, completion string) string {
	return w.separator(prompt, completion) + completion
}

// separator is what separate puts before the completion: "" or the separator.
func (w *exportWriter) separator(prompt, completion string) string {
	sep := " "
	switch w.opts.Separator {
	case SeparatorNewline:
		sep = "\n"
	case SeparatorNone:
		return ""
	}
	if prompt == "" || completion == "" || endsSpace(prompt) || startsSpace(completion) {
		return ""
	}
	return sep
}

func endsSpace(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return strings.TrimSpace(string(r)) == ""
}

func startsSpace(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return strings.TrimSpace(string(r)) == ""
}

// rankingPairs turns ranking tiers (best first) into (better, worse) id
// pairs. Tie policy: responses in one tier are never paired with each
// other. all: every response with every response of every lower tier;
// best-vs-rest: each response of the top tier with every response below it.
func rankingPairs(tiers [][]string, policy string) [][2]string {
	var out [][2]string
	for t, better := range tiers {
		for _, worse := range tiers[t+1:] {
			for _, c := range better {
				for _, r := range worse {
					out = append(out, [2]string{c, r})
				}
			}
		}
		if policy == PairsBestVsRest {
			break
		}
	}
	return out
}
