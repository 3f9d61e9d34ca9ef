package server

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"copyhold/labeling"
	"copyhold/labeling/dataset"
	"copyhold/labeling/member"
	"copyhold/labeling/sensitive"
	"copyhold/labeling/shortcut"
	"copyhold/labeling/tasktype"

	"github.com/shopspring/decimal"
)

// The OpenAPI document's schemas are read from the Go types the handlers
// encode and decode, so a renamed field or a changed type changes the
// document too. A type with its own MarshalJSON has no fields to read: it
// needs an entry in knownSchemas, or building the document panics (and so
// does TestOpenAPIDocument).

type schema = map[string]any

// knownSchemas are the types whose JSON is not their Go fields.
var knownSchemas = map[reflect.Type]schema{
	reflect.TypeFor[time.Time]():       {"type": "string", "format": "date-time"},
	reflect.TypeFor[time.Duration]():   {"type": "integer", "description": "nanoseconds"},
	reflect.TypeFor[json.RawMessage](): {"description": "any JSON value"},
	reflect.TypeFor[decimal.Decimal](): {"type": "string", "pattern": `^-?[0-9]+(\.[0-9]+)?$`, "description": "a decimal number as a string"},
	reflect.TypeFor[dataset.BTWinMatrix](): {"type": "object", "additionalProperties": false,
		"required": []string{"players", "wins", "games", "rate"},
		"properties": schema{"players": arrayOfSchema(tString), "wins": arrayOfSchema(arrayOfSchema(schema{"type": "number"})),
			"games": arrayOfSchema(arrayOfSchema(tInteger)), "rate": arrayOfSchema(arrayOfSchema(schema{"type": []string{"number", "null"}}))}},
}

func arrayOfSchema(s schema) schema { return schema{"type": "array", "items": s} }

// neverNull are the slice and map fields (type.json name) that their store
// always fills, so they are never null: the HTTP tests' validation checks it.
var neverNull = map[string]bool{
	"Member.roles":                  true, // labeling/store toMember
	"ReviewSettings.reject_reasons": true, // 1 to 30, checked when stored (labeling.ReviewSettings)
	"KeyVotes.submissions":          true, // agreement: one per key at least
	"SpanDiff.marks":                true, // agreement: a cluster of at least one span
	"ReviewerHome.projects":         true,
	"DemoInfo.logins":               true, // handleDemo fills it // labeling/store ReviewerHome starts them empty
	"ReviewerHome.disputes":         true,
	"ReviewerHome.gold_failures":    true,
	"shortcutsAnswer.shortcuts":     true, // shortcut.Resolve: every action
	"shortcutsAnswer.defaults":      true,
	"shortcutsAnswer.reserved":      true,
	"MyWellbeing.categories":        true, // sensitive.Mask.List
}

// schemaMode: a request's fields are all optional (a missing field decodes
// to its zero value); a response always has the fields without omitempty.
type schemaMode int

const (
	asResponse schemaMode = iota
	asRequest
)

type schemaKey struct {
	t    reflect.Type
	mode schemaMode
}

// schemaSet collects the named components while operations refer to them.
type schemaSet struct {
	components map[string]schema
	names      map[schemaKey]string
	taken      map[string]reflect.Type
}

func newSchemaSet() *schemaSet {
	return &schemaSet{components: map[string]schema{}, names: map[schemaKey]string{}, taken: map[string]reflect.Type{}}
}

func ref(name string) schema { return schema{"$ref": "#/components/schemas/" + name} }

// nullable lets s be null too (a Go pointer or a nil map or slice).
func nullable(s schema) schema {
	if t, ok := s["type"].(string); ok && len(s) <= 3 {
		out := schema{}
		for k, v := range s {
			out[k] = v
		}
		out["type"] = []string{t, "null"}
		return out
	}
	return schema{"anyOf": []schema{s, {"type": "null"}}}
}

// of is the schema of v's type.
func (ss *schemaSet) of(v any, mode schemaMode) schema {
	return ss.typ(reflect.TypeOf(v), mode)
}

var nonName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^A-Za-z0-9]+`) })

func (ss *schemaSet) componentName(t reflect.Type, mode schemaMode) string {
	base := nonName().ReplaceAllString(t.Name(), "")
	if i := strings.IndexByte(t.Name(), '['); i > 0 { // a generic type: Page[x.Item] → PageItem
		args := t.Name()[i+1:]
		if j := strings.LastIndexByte(args, '.'); j >= 0 {
			args = args[j+1:]
		}
		base = t.Name()[:i] + nonName().ReplaceAllString(args, "")
	}
	base = strings.ToUpper(base[:1]) + base[1:]
	if mode == asRequest && !strings.HasSuffix(base, "Request") && !strings.HasSuffix(base, "Input") {
		base += "Input"
	}
	name := base
	if other, ok := ss.taken[name]; ok && other != t {
		pkg := t.PkgPath()[strings.LastIndexByte(t.PkgPath(), '/')+1:]
		name = strings.ToUpper(pkg[:1]) + pkg[1:] + base
	}
	ss.taken[name] = t
	return name
}

func (ss *schemaSet) typ(t reflect.Type, mode schemaMode) schema {
	if s, ok := knownSchemas[t]; ok {
		return s
	}
	if t.Kind() == reflect.Pointer {
		return nullable(ss.typ(t.Elem(), mode))
	}
	if t.Implements(reflect.TypeFor[json.Marshaler]()) && t.Kind() != reflect.Interface {
		panic(fmt.Sprintf("openapi: %v has its own MarshalJSON: describe it in knownSchemas", t))
	}
	switch t.Kind() {
	case reflect.Bool:
		return schema{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return schema{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return schema{"type": "number"}
	case reflect.String:
		return schema{"type": "string"}
	case reflect.Interface:
		return schema{}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return schema{"type": "string", "contentEncoding": "base64"}
		}
		return schema{"type": "array", "items": ss.typ(t.Elem(), mode)}
	case reflect.Map:
		return schema{"type": "object", "additionalProperties": ss.typ(t.Elem(), mode)}
	case reflect.Struct:
		if t.Name() == "" {
			return ss.object(t, mode)
		}
		key := schemaKey{t, mode}
		if name, ok := ss.names[key]; ok {
			return ref(name)
		}
		name := ss.componentName(t, mode)
		ss.names[key] = name
		ss.components[name] = ss.object(t, mode)
		return ref(name)
	}
	panic(fmt.Sprintf("openapi: no schema for %v", t))
}

// object is a struct's schema: its JSON fields, embedded structs flattened
// as encoding/json does.
func (ss *schemaSet) object(t reflect.Type, mode schemaMode) schema {
	props := schema{}
	var required []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			ft := f.Type
			if f.Anonymous && name == "" {
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() == reflect.Struct {
					walk(ft)
					continue
				}
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			optional := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
			var p schema
			switch {
			case strings.Contains(","+opts+",", ",string,"):
				p = schema{"type": "string"}
			case optional && ft.Kind() == reflect.Pointer:
				p = ss.typ(ft.Elem(), mode) // a nil pointer is left out, never null
			case !optional && mode == asResponse && (ft.Kind() == reflect.Map || ft.Kind() == reflect.Slice) &&
				ft != reflect.TypeFor[json.RawMessage]() && !neverNull[t.Name()+"."+name]:
				p = nullable(ss.typ(ft, mode)) // a nil map or slice is null
			default:
				p = ss.typ(ft, mode)
			}
			if d := f.Tag.Get("doc"); d != "" {
				p = withDescription(p, d)
			}
			props[name] = p
			if mode == asResponse && !optional {
				required = append(required, name)
			}
		}
	}
	walk(t)
	s := schema{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

func withDescription(s schema, d string) schema {
	out := schema{}
	for k, v := range s {
		out[k] = v
	}
	out["description"] = d
	return out
}

// fields describes an answer built with gin.H: each value is a Go value of
// the property's type, or a schema. Every property is required.
type fields map[string]any

func (ss *schemaSet) fields(f fields, mode schemaMode) schema {
	props := schema{}
	req := make([]string, 0, len(f))
	for k, v := range f {
		props[k] = ss.value(v, mode)
		req = append(req, k)
	}
	slices.Sort(req)
	return schema{"type": "object", "properties": props, "required": req, "additionalProperties": false}
}

// value is the schema of a Go value, of fields, or the schema itself.
func (ss *schemaSet) value(v any, mode schemaMode) schema {
	switch x := v.(type) {
	case schema:
		return x
	case fields:
		return ss.fields(x, mode)
	case listOf:
		return schema{"type": "array", "items": ss.value(x.of, mode)}
	}
	return ss.of(v, mode)
}

// listOf is an array of a Go value's type, of fields, or of a schema.
type listOf struct{ of any }

func arrayOf(v any) listOf { return listOf{v} }

var (
	tString  = schema{"type": "string"}
	tInteger = schema{"type": "integer"}
	tBool    = schema{"type": "boolean"}
	tTime    = schema{"type": "string", "format": "date-time"}
	tDate    = schema{"type": "string", "format": "date"}
	tAny     = schema{"description": "any JSON value"}
)

// enumSchemas are the named string types with a closed set of values; an
// answer with another value fails the HTTP tests' validation.
func init() {
	enum := func(vals ...string) schema { return schema{"type": "string", "enum": vals} }
	strs := func(vs any) []string {
		v := reflect.ValueOf(vs)
		out := make([]string, v.Len())
		for i := range out {
			out[i] = v.Index(i).String()
		}
		return out
	}
	knownSchemas[reflect.TypeFor[tasktype.TaskType]()] = enum(strs(tasktype.TaskTypes())...)
	knownSchemas[reflect.TypeFor[dataset.ExportFormat]()] = enum(strs(dataset.ExportFormats())...)
	knownSchemas[reflect.TypeFor[member.Role]()] = enum(strs(member.Roles)...)
	knownSchemas[reflect.TypeFor[shortcut.Action]()] = enum(strs(shortcut.Actions())...)
	knownSchemas[reflect.TypeFor[shortcut.Group]()] = enum(strs(shortcut.Groups())...)
	knownSchemas[reflect.TypeFor[sensitive.Category]()] = enum(strs(sensitive.All)...)
	knownSchemas[reflect.TypeFor[labeling.ProjectStatus]()] = enum(strs([]labeling.ProjectStatus{
		labeling.ProjectDraft, labeling.ProjectOpen, labeling.ProjectPaused, labeling.ProjectClosed})...)
	knownSchemas[reflect.TypeFor[labeling.Ordering]()] = enum(string(labeling.OrderPriority), string(labeling.OrderRandom))
	knownSchemas[reflect.TypeFor[labeling.SubmissionStatus]()] = enum(strs([]labeling.SubmissionStatus{
		labeling.SubmissionSubmitted, labeling.SubmissionAccepted, labeling.SubmissionRejected,
		labeling.SubmissionCorrected, labeling.SubmissionDisputed})...)
}
