package store

import (
	"math/rand/v2"

	"gorm.io/gorm"
)

// Ordering by usefulness (a project option, docs/MODELS.md). A claim on such
// a project first draws a stream: the most uncertain open item (lowest
// suggestion confidence, which is low when the model's samples disagreed),
// the oldest open item, or a random open item; gold keeps its own rate
// before any of them. A stream that finds nothing falls through to the
// usual claim passes, so the queue never starves, and a project of only
// hard items drains like any other. With the option off none of this runs
// and the claim sends exactly the statements it always did.

// claimStream names a stream of ordering by usefulness.
type claimStream string

const (
	streamUncertain claimStream = "uncertain"
	streamOldest    claimStream = "oldest"
	streamRandom    claimStream = "random"
	streamGold      claimStream = "gold" // reported only; gold is drawn at the project's gold rate
	streamUsual     claimStream = "usual"
)

// Shares of the streams in basis points (the rest of the claims after gold).
const (
	uncertainShareBP = 5000
	oldestShareBP    = 2500 // random takes the remaining 2500
)

// onStream is told which stream served each claim of a useful-order project (tests).
var onStream = func(claimStream) {}

// drawStream picks the stream of one claim.
func drawStream() claimStream {
	switch n := rand.IntN(10_000); {
	case n < uncertainShareBP:
		return streamUncertain
	case n < uncertainShareBP+oldestShareBP:
		return streamOldest
	}
	return streamRandom
}

// claimUseful tries the drawn stream once, skipping rows other claims hold
// (ok false: nothing there; the caller goes on with the usual passes).
func claimUseful(tx *gorm.DB, p projectRow, args claimArgs) (pickedItem, claimStream, bool, error) {
	st := drawStream()
	pivot := int64(0)
	if st == streamRandom && p.NextSeq > 1 {
		pivot = 1 + rand.Int64N(p.NextSeq-1)
	}
	it, ok, err := claimStreamItem(tx, args, st, pivot)
	return it, st, ok, err
}

// useful reports whether the project orders by usefulness.
func useful(p projectRow) bool { return p.OrderByUsefulness }
