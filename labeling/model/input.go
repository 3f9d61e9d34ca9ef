package model

// The endpoints service's input (labeling/model/endpoints validates it).

// NewEndpoint is what a coordinator registers. APIKey is write-only: no
// answer carries it.
type NewEndpoint struct {
	Name    string `json:"name"`
	BaseURL string `json:"base_url"`
	Model   string `json:"model"`
	// APIKey is stored encrypted; KeyEnv instead names an environment
	// variable of the server that holds it (MODEL_API_KEY…). At most one.
	APIKey      string `json:"api_key,omitempty"`
	KeyEnv      string `json:"key_env,omitempty"`
	Params      Params `json:"params"`
	Concurrency int    `json:"concurrency,omitempty"` // 1–64 (0: 1)
	PerMinute   int    `json:"per_minute,omitempty"`  // 0: no bound
}

// EndpointPatch changes some of an endpoint's settings (absent fields stay).
type EndpointPatch struct {
	Name        *string `json:"name,omitempty"`
	BaseURL     *string `json:"base_url,omitempty"`
	Model       *string `json:"model,omitempty"`
	APIKey      *string `json:"api_key,omitempty"`
	KeyEnv      *string `json:"key_env,omitempty"`
	ClearKey    bool    `json:"clear_key,omitempty"` // forget the key (stored or named)
	Params      *Params `json:"params,omitempty"`
	Concurrency *int    `json:"concurrency,omitempty"`
	PerMinute   *int    `json:"per_minute,omitempty"`
}
