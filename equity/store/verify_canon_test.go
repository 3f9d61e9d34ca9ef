package store

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"

	"copyhold/equity"
)

// The hand-written encoder must give exactly equity.CanonicalTx's bytes, or
// verify would report every entry as changed (or, worse, accept another
// encoding): compare them over random transactions, strings with characters
// that JSON escapes included.
func TestAppendCanonicalTxMatchesCanonicalTx(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 13))
	alphabet := []string{"a", "Z", "0", " ", ":", "{", "\"", "\\", "<", ">", "&", "\n", "\t", "\x00", "\x1f", "\x7f",
		"é", "ß", "€", "😀", "\u2028", "\u2029", "\xff", "\xc3", "/", "'", "%"}
	str := func() string {
		var b bytes.Buffer
		for i := rng.IntN(12); i > 0; i-- {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	num := func() int64 {
		switch rng.IntN(4) {
		case 0:
			return 0
		case 1:
			return -rng.Int64()
		default:
			return rng.Int64N(1_000_000)
		}
	}
	var buf []byte
	for i := 0; i < 20000; i++ {
		tx := equity.Transaction{ID: num(), Key: str(), Kind: equity.TxKind(str()), ModelID: num(), ReversesID: num(),
			ResolvesID: num(), RateCardID: num(), GovernanceID: num(), ActorID: num(), MemberID: num(),
			Cause:  equity.Cause{ProjectID: num(), ItemID: num(), SubmissionID: num(), ReviewID: num()},
			Reason: str(), Meta: str(), CreatedAt: time.UnixMicro(rng.Int64N(4e15) - 1e15).UTC()}
		for j := rng.IntN(5); j > 0; j-- {
			tx.Postings = append(tx.Postings, equity.Posting{Seq: len(tx.Postings) + 1, Unit: str(), Account: str(),
				Amount: num(), Category: equity.Category(str())})
		}
		want := equity.CanonicalTx(tx)
		buf = appendCanonicalTx(buf[:0], &tx)
		if !bytes.Equal(buf, want) {
			t.Fatalf("transaction %d:\n got %s\nwant %s", i, buf, want)
		}
	}
}
