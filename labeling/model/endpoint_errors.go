package model

import "copyhold/labeling/fault"

// More errors of the endpoints service (labeling/model/endpoints).
var (
	ErrNameTaken = fault.New(fault.KindConflict, "model_endpoint_name_taken", "another model endpoint has this name")
	// ErrNoKeyStore: an API key was given but the server has no data key to seal it with.
	ErrNoKeyStore = fault.New(fault.KindInvalid, "model_key_store_off",
		"this server cannot store API keys (no --model-key is configured); name an environment variable in key_env instead")
	ErrTooMany        = fault.New(fault.KindConflict, "too_many_model_endpoints", "the co-op has as many model endpoints as it may register")
	ErrKeyUnavailable = fault.New(fault.KindUnavailable, "model_key_unavailable", "the endpoint's API key cannot be read on this server")
)

// MaxEndpoints bounds how many endpoints the co-op may register.
const MaxEndpoints = 100
