package server

import (
	"net/http"

	"copyhold/labeling/dataset"
	"copyhold/labeling/fault"
	"copyhold/labeling/model"
)

// modelOps are the coordinators' model endpoints (handle_models.go;
// docs/MODELS.md, "Endpoints and probes").
func modelOps() []*op {
	gone := []*fault.Error{fault.ErrInvalid, model.ErrNotFound, errModelsOff}
	invalid := []*fault.Error{model.ErrInvalidEndpoint, model.ErrURLScheme, model.ErrURLSelf, model.ErrNameTaken, model.ErrNoKeyStore, errModelsOff}
	create := append([]*fault.Error{model.ErrTooMany}, invalid...)
	return []*op{
		opGet("/api/model-endpoints", "The model endpoints, oldest first, with their probed capabilities (never a key)", coordinators).
			paged(model.Endpoint{}, nil).fails(errModelsOff),
		opPost("/api/model-endpoints", "Register a model endpoint and probe it; api_key is write-only", coordinators).
			about("The probe sends a few small requests (chat, n=2, a seed twice, logprobs, a JSON schema, a forced tool call, streaming). "+
				"A failed probe does not refuse the registration: capabilities.chat is false and the notes say why.").
			in(model.NewEndpoint{}).ok(http.StatusCreated, model.Endpoint{}).fails(create...),
		opGet("/api/model-endpoints/:id", "A model endpoint", coordinators).ok(http.StatusOK, model.Endpoint{}).fails(gone...),
		opPatch("/api/model-endpoints/:id", "Change a model endpoint; a new URL, model or key is probed again", coordinators).
			about("Moving an endpoint that has a key to a new base_url needs api_key or key_env again, or clear_key.").
			in(model.EndpointPatch{}).ok(http.StatusOK, model.Endpoint{}).fails(append(invalid, model.ErrNotFound, fault.ErrInvalid)...),
		opDelete("/api/model-endpoints/:id", "Delete a model endpoint; releases that named it name none", coordinators).
			empty(http.StatusNoContent).fails(gone...),
		opPost("/api/model-endpoints/:id/probe", "Probe a model endpoint again and store what it can do", coordinators).
			ok(http.StatusOK, model.Endpoint{}).fails(gone...),
		opPut("/api/releases/:id/endpoint", "Name the model endpoint that serves a release (null: none)", coordinators).
			in(ReleaseEndpointRequest{}).ok(http.StatusOK, dataset.Release{}).
			fails(fault.ErrInvalid, model.ErrNotFound, dataset.ErrReleaseNotFound, errModelsOff),
	}
}
