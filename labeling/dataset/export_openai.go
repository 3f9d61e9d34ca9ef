package dataset

// OpenAI fine-tuning lines. Supervised fine-tuning (openai-chat) uses the
// chat messages shape, written by emitSFT; preference fine-tuning
// (openai-dpo) is one input conversation with one preferred and one
// non-preferred assistant turn, written by emitDPO through writePair.

type exportOpenAIDPOLine struct {
	Input struct {
		Messages []exportMsg `json:"messages"`
	} `json:"input"`
	PreferredOutput    []exportMsg `json:"preferred_output"`
	NonPreferredOutput []exportMsg `json:"non_preferred_output"`
}
