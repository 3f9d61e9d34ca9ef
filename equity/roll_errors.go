package equity

import "copyhold/labeling/fault"

// The court roll's public endpoints refuse these (docs/LEDGER.md).
var (
	ErrBeyondTree   = fault.New(fault.KindInvalid, "beyond_tree", "the size is beyond the latest checkpoint")
	ErrBadRange     = fault.New(fault.KindInvalid, "bad_range", "the index or sizes are out of order")
	ErrBadTilePath  = fault.New(fault.KindInvalid, "bad_tile_path", "not a tile path: tile/<L>/<N>[.p/<W>]")
	ErrNoCheckpoint = fault.New(fault.KindNotFound, "no_checkpoint", "the register has no checkpoint yet")
	ErrNotInTree    = fault.New(fault.KindNotFound, "not_in_tree", "no such entry or tile in the tree yet")
)
