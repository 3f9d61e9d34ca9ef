package equity

import "copyhold/labeling/fault"

// The court roll's public endpoints refuse these (docs/LEDGER.md).
var (
	ErrBeyondTree   = fault.New(fault.KindInvalid, "beyond_tree", "the size is beyond the latest checkpoint")
	ErrBadRange     = fault.New(fault.KindInvalid, "bad_range", "the index or sizes are out of order")
	ErrBadTilePath  = fault.New(fault.KindInvalid, "bad_tile_path", "not a tile path: tile/<L>/<N>[.p/<W>]")
	ErrNoCheckpoint = fault.New(fault.KindNotFound, "no_checkpoint", "the register has no checkpoint yet")
	ErrNotInTree    = fault.New(fault.KindNotFound, "not_in_tree", "no such entry or tile in the tree yet")

	// POST /api/register/cosignatures refuses these.
	ErrUnknownCheckpoint = fault.New(fault.KindInvalid, "unknown_checkpoint", "the register signed no checkpoint of this size and root")
	ErrUntrustedWitness  = fault.New(fault.KindForbidden, "untrusted_witness", "no cosignature from a witness the co-op trusts")
	ErrBadCosignature    = fault.New(fault.KindInvalid, "bad_signature", "a signature on the checkpoint does not verify")
	ErrNotCheckpoint     = fault.New(fault.KindInvalid, "not_a_checkpoint", "the body is not a signed checkpoint note")
)
