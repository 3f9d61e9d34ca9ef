package gen

import (
	"encoding/json"
	"fmt"

	"copyhold/labeling/model"
	"copyhold/labeling/suggest"
)

// SuggestionParams start a suggestions job: which endpoint suggests, and whether items that
// already have a suggestion get a new one.
type SuggestionParams struct {
	EndpointID int64 `json:"endpoint_id"`
	Replace    bool  `json:"replace,omitempty"`
	MaxTokens  int   `json:"max_tokens,omitempty"`
}

// Check validates the parameters.
func (p SuggestionParams) Check() error {
	if p.EndpointID <= 0 {
		return ErrInvalidJob.With("endpoint_id is required")
	}
	if p.MaxTokens < 0 || p.MaxTokens > 8192 {
		return ErrInvalidJob.With("max_tokens must be 0 (the endpoint's default) to 8192")
	}
	return nil
}

// SuggestionSlots are the units of one item's suggestion on an endpoint: one request when it
// gives sampled logprobs or n choices at once, else one request per sample, each with its own
// seed where seeds work, so that the samples can disagree (suggest.Samples).
func SuggestionSlots(ep model.Endpoint) []Slot {
	if ep.Caps.Logprobs == model.LogprobsSampled || ep.Caps.N {
		return []Slot{{EndpointID: ep.ID}}
	}
	slots := make([]Slot, suggest.Samples(ep.Caps))
	for i := range slots {
		slots[i] = Slot{EndpointID: ep.ID}
		if ep.Caps.Seed {
			seed := int64(i + 1)
			slots[i].Seed = &seed
		}
	}
	return slots
}

// ItemSource is a suggestions job's source: the item and its data.
func ItemSource(itemID int64, data json.RawMessage) Source {
	return Source{Key: fmt.Sprintf("item:%d", itemID), ItemID: itemID, Data: data}
}
