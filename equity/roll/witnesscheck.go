package roll

import (
	"errors"
	"fmt"
)

// ErrRefused marks a checkpoint a witness refuses to cosign: a bad
// signature, another origin, a smaller tree (rollback) or a tree that does
// not extend the accepted one (fork).
var ErrRefused = errors.New("refused")

// ProofFunc fetches a consistency proof between two tree sizes from the log.
type ProofFunc func(from, to int64) ([]Hash, error)

// CheckWitnessed is a witness's decision on the checkpoint offered by a log
// whose verifier key is vkey, given the checkpoint it accepted last
// (accepted nil: none yet, trust on first use). It returns the offered
// checkpoint when it may be cosigned; a refusal wraps ErrRefused and says
// why. An error from proof (the log cannot be reached) is returned as it is.
func CheckWitnessed(accepted, offered []byte, vkey string, proof ProofFunc) (Checkpoint, error) {
	cp, err := Open(offered, vkey)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: the checkpoint's signature does not verify with the log's key: %v", ErrRefused, err)
	}
	if accepted == nil {
		return cp, nil
	}
	old, err := Open(accepted, vkey)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("the accepted checkpoint does not verify with the log's key: %v", err)
	}
	switch {
	case old.Origin != cp.Origin:
		return Checkpoint{}, fmt.Errorf("%w: origin changed from %q to %q", ErrRefused, old.Origin, cp.Origin)
	case cp.Size < old.Size:
		return Checkpoint{}, fmt.Errorf("%w: rollback: tree size %d is smaller than the accepted %d", ErrRefused, cp.Size, old.Size)
	case cp.Size == old.Size && cp.Root != old.Root:
		return Checkpoint{}, fmt.Errorf("%w: fork: a different tree of the accepted size %d", ErrRefused, cp.Size)
	case cp.Size > old.Size && old.Size > 0:
		p, err := proof(old.Size, cp.Size)
		if err != nil {
			return Checkpoint{}, err
		}
		if err := CheckConsistency(p, cp.Size, cp.Root, old.Size, old.Root); err != nil {
			return Checkpoint{}, fmt.Errorf("%w: fork: tree %d does not extend the accepted tree %d (%v)", ErrRefused, cp.Size, old.Size, err)
		}
	}
	return cp, nil
}
