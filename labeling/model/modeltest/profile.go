package modeltest

// Profiles: what each server is documented to do with the fields copyhold
// sends (docs/MODELS.md, "Endpoints and probes", lists the sources).

// What a server does with n>1.
const (
	NHonour = "honour" // n choices back
	NIgnore = "ignore" // one choice back, no error (Ollama)
	NRefuse = "refuse" // 400 "Only one completion choice is allowed" (llama.cpp's server)
)

// Which structured-output field a server honours.
const (
	SchemaResponseFormat = "response_format" // response_format json_schema (and guided_json, vLLM)
	SchemaGuidedOnly     = "guided_json"     // only vLLM's older guided_json; response_format json_schema accepted but ignored
	SchemaIgnore         = "ignore"          // accepted and ignored: free text back
)

// What a server does with tools.
const (
	ToolsHonour = "honour" // tool_calls back when tools are given (and tool_choice is not "none")
	ToolsRefuse = "refuse" // 400 (llama.cpp's server without --jinja)
	ToolsIgnore = "ignore" // plain text back
)

// Profile is one server's documented behaviour.
type Profile struct {
	Name     string
	N        string
	Seed     bool   // the same seed gives the same text
	Logprobs string // model.LogprobsSampled, model.LogprobsPreSampling, or "" (ignored)
	Schema   string
	Tools    string
	Stream   bool // stream=true gives server-sent events (false: a plain JSON answer)
}

var (
	// VLLM is vLLM's OpenAI-compatible server: n, seed, sampled logprobs
	// (choices[].logprobs.content), response_format json_schema and the
	// older guided_json, named tool calls, streaming.
	VLLM = Profile{Name: "vllm", N: NHonour, Seed: true, Logprobs: "sampled", Schema: SchemaResponseFormat, Tools: ToolsHonour, Stream: true}
	// VLLMLegacy is an older vLLM: structured output only through
	// guided_json (response_format json_schema is accepted and ignored).
	VLLMLegacy = Profile{Name: "vllm-legacy", N: NHonour, Seed: true, Logprobs: "sampled", Schema: SchemaGuidedOnly, Tools: ToolsHonour, Stream: true}
	// LlamaCpp is llama.cpp's llama-server (without --jinja): one choice
	// only (n>1 is a 400), seed, logprobs as completion_probabilities
	// (probabilities before sampling), json_schema turned into a grammar,
	// tools refused, streaming.
	LlamaCpp = Profile{Name: "llama.cpp", N: NRefuse, Seed: true, Logprobs: "pre_sampling", Schema: SchemaResponseFormat, Tools: ToolsRefuse, Stream: true}
	// Ollama is Ollama's /v1 compatibility: n is not supported (one
	// choice back), seed, sampled logprobs (≥0.12), response_format,
	// tools, streaming; the API key is ignored.
	Ollama = Profile{Name: "ollama", N: NIgnore, Seed: true, Logprobs: "sampled", Schema: SchemaResponseFormat, Tools: ToolsHonour, Stream: true}
	// Bare is a minimal server that speaks the shape and ignores every
	// option: one choice, no seed, no logprobs, free text, no tools, no
	// streaming.
	Bare = Profile{Name: "bare", N: NIgnore, Schema: SchemaIgnore, Tools: ToolsIgnore}
)

// Profiles lists the profiles by name (cmd/modeltest).
var Profiles = map[string]Profile{VLLM.Name: VLLM, VLLMLegacy.Name: VLLMLegacy, LlamaCpp.Name: LlamaCpp, Ollama.Name: Ollama, Bare.Name: Bare}
