package feed

// CoordinatorScope events are for coordinators only: model endpoints and
// generation jobs (docs/MODELS.md). No API key is ever in a payload.
const CoordinatorScope = "coordinators"
