package importer

import (
	"copyhold/labeling/tasktype"
	"encoding/json"
	"slices"
	"strings"
)

// LSNames are the names a Label Studio result carries: from_name (the
// control tag) and to_name (the object tag it labels). A project made from
// a Label Studio config keeps the config's names, so its exports fit the
// user's Label Studio project; other projects use the names of the config
// SchemaToLSConfig generates.
type LSNames struct {
	Control string // from_name of the config's control tag (rubric: each criterion id)
	Object  string // to_name (pairwise: the control's own name, as Label Studio writes it)
	// Ratings is a rubric's to_name per criterion id.
	Ratings map[string]string
	// AuthorText says the config's <Paragraphs layout="dialogue"> reads
	// entries with Label Studio's default keys {author, text}; otherwise a
	// conversation is written as copyhold's messages {role, content}.
	AuthorText bool
}

// DefaultLSNames are the names of the config SchemaToLSConfig writes: fixed
// control names and the data field as the object name.
func DefaultLSNames(tt tasktype.TaskType, schema json.RawMessage) LSNames {
	s, err := tasktype.ParseSchema(tt, schema)
	if err != nil {
		return LSNames{}
	}
	if conv, _ := tasktype.ConversationOf(s); conv != "" {
		// The <Paragraphs> object SchemaToLSConfig writes is named after the field.
		switch sc := s.(type) {
		case *tasktype.ClassificationSchema, *tasktype.MultiLabelSchema, *tasktype.SpansSchema:
			return LSNames{Control: lsChoicesName, Object: conv}
		case *tasktype.RubricSchema:
			n := LSNames{Ratings: map[string]string{}}
			for _, c := range sc.Criteria {
				n.Ratings[c.ID] = conv
			}
			return n
		}
	}
	switch sc := s.(type) {
	case *tasktype.ClassificationSchema:
		return LSNames{Control: lsChoicesName, Object: sc.Field}
	case *tasktype.MultiLabelSchema:
		return LSNames{Control: lsChoicesName, Object: sc.Field}
	case *tasktype.SpansSchema:
		return LSNames{Control: lsChoicesName, Object: sc.Field}
	case *tasktype.PairwiseSchema:
		return LSNames{Control: lsPairwiseName, Object: lsPairwiseName}
	case *tasktype.RankingSchema:
		return LSNames{Control: lsRankerName, Object: sc.ResponsesField}
	case *tasktype.RubricSchema:
		n := LSNames{Ratings: map[string]string{}}
		for _, c := range sc.Criteria {
			n.Ratings[c.ID] = sc.ResponseField
		}
		return n
	case *tasktype.RewriteSchema:
		to := *sc.Field
		if to == "" {
			to = *sc.PromptField
		}
		return LSNames{Control: lsTextAreaName, Object: to}
	}
	return LSNames{}
}

// MaxLSConfigBytes bounds a stored labelling config.
const MaxLSConfigBytes = 100_000

// LSConfigXML returns the XML of a labelling config given as XML or as a
// template config.yml, refusing an oversized one.
func LSConfigXML(config []byte) (string, error) {
	x, err := lsConfigXML(config)
	if err != nil {
		return "", err
	}
	if len(x) > MaxLSConfigBytes {
		return "", ErrLSConfig.With("Label Studio config: %d bytes; at most %d", len(x), MaxLSConfigBytes)
	}
	return string(x), nil
}

// CheckLSConfigFits says whether a config describes a project of task type
// tt with this schema: the same task type over the same data fields (labels,
// hotkeys and descriptions may differ). It returns the config's names.
func CheckLSConfigFits(config string, tt tasktype.TaskType, schema json.RawMessage) (LSNames, error) {
	ctt, cschema, names, err := parseLSConfig([]byte(config))
	if err != nil {
		return names, err
	}
	if ctt != tt {
		return names, ErrLSConfig.With("Label Studio config: it makes a %s project, not %s", ctt, tt)
	}
	if a, b := schemaFields(tt, cschema), schemaFields(tt, schema); !slices.Equal(a, b) {
		return names, ErrLSConfig.With("Label Studio config: it labels the data fields %s, the schema %s", strings.Join(a, ", "), strings.Join(b, ", "))
	}
	return names, nil
}

// ProjectLSConfig is a project's labelling config and result names: the
// stored config when it still fits the task type and schema, otherwise the
// generated one (SchemaToLSConfig) with DefaultLSNames.
func ProjectLSConfig(stored string, tt tasktype.TaskType, schema json.RawMessage) (string, LSNames, error) {
	if stored != "" {
		if names, err := CheckLSConfigFits(stored, tt, schema); err == nil {
			return stored, names, nil
		}
	}
	x, err := SchemaToLSConfig(tt, schema)
	if err != nil {
		return "", LSNames{}, err
	}
	return x, DefaultLSNames(tt, schema), nil
}

// schemaFields lists the data fields a schema labels, and a rubric's criteria.
func schemaFields(tt tasktype.TaskType, schema json.RawMessage) []string {
	s, err := tasktype.ParseSchema(tt, schema)
	if err != nil {
		return nil
	}
	if conv, turn := tasktype.ConversationOf(s); conv != "" {
		out := []string{"conversation:" + conv, "turn:" + turn}
		if r, ok := s.(*tasktype.RubricSchema); ok {
			for _, c := range r.Criteria {
				out = append(out, c.ID)
			}
		}
		return out
	}
	switch sc := s.(type) {
	case *tasktype.ClassificationSchema:
		return []string{sc.Field}
	case *tasktype.MultiLabelSchema:
		return []string{sc.Field}
	case *tasktype.SpansSchema:
		return []string{sc.Field}
	case *tasktype.PairwiseSchema:
		return []string{*sc.PromptField, sc.AField, sc.BField}
	case *tasktype.RankingSchema:
		return []string{*sc.PromptField, sc.ResponsesField}
	case *tasktype.RubricSchema:
		out := []string{*sc.PromptField, sc.ResponseField}
		for _, c := range sc.Criteria {
			out = append(out, c.ID)
		}
		return out
	case *tasktype.RewriteSchema:
		return []string{*sc.PromptField, *sc.Field}
	}
	return nil
}
