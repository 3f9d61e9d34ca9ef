package client

import (
	"slices"

	"copyhold/labeling/model"
)

// NoteGuidedJSON is the probe's note when structured output worked only
// through vLLM's older guided_json field; Complete then uses that field.
const NoteGuidedJSON = "structured output works through vLLM's guided_json field, not response_format"

// UsesGuidedJSON reports whether structured output goes through guided_json.
func UsesGuidedJSON(caps model.Capabilities) bool { return slices.Contains(caps.Notes, NoteGuidedJSON) }

// maxSplit bounds the requests one n>1 request becomes.
const maxSplit = 64

// Fit turns req into the requests the endpoint can answer, given what its
// probe found: n>1 becomes n requests of one choice each when n is not
// supported (with seeds seed, seed+1, … so that the answers differ), and a
// seed, logprobs, a JSON schema or tools the endpoint ignores or refuses are
// dropped (the caller then validates the answer itself).
func Fit(caps model.Capabilities, req model.Request) []model.Request {
	if !caps.Seed {
		req.Seed = nil
	}
	if caps.Logprobs == model.LogprobsNone {
		req.Logprobs, req.TopLogprobs = false, 0
	}
	if !caps.JSONSchema {
		req.JSONSchema = nil
	}
	if !caps.Tools {
		req.Tools = nil
	}
	n := req.N
	if n <= 1 || caps.N {
		if n == 1 {
			req.N = 0
		}
		return []model.Request{req}
	}
	n = min(n, maxSplit)
	out := make([]model.Request, n)
	for i := range out {
		r := req
		r.N = 0
		if req.Seed != nil {
			s := *req.Seed + int64(i)
			r.Seed = &s
		}
		r.Messages = slices.Clone(req.Messages)
		out[i] = r
	}
	return out
}
