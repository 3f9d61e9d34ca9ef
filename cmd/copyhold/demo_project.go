package main

import (
	"context"

	"copyhold/labeling/store"
)

// seedDemoProject adds the demo model and project once the labelling engine lands.
func seedDemoProject(ctx context.Context, st *store.Store, coordinator int64) error { return nil }
