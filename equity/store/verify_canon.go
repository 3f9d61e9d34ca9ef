package store

import (
	"encoding/json"
	"strconv"

	"copyhold/equity"
)

// appendCanonicalTx appends equity.CanonicalTx(t) to buf without
// reflection: verify encodes every transaction, and encoding/json was its
// hot spot. The bytes are the same (verify_canon_test.go compares them over
// random transactions); t.Postings must be in seq order.
func appendCanonicalTx(buf []byte, t *equity.Transaction) []byte {
	buf = append(buf, `{"entry":`...)
	buf = appendJSONString(buf, equity.LogTx)
	buf = appendIntField(buf, `,"id":`, t.ID)
	buf = append(buf, `,"key":`...)
	buf = appendJSONString(buf, t.Key)
	buf = append(buf, `,"kind":`...)
	buf = appendJSONString(buf, string(t.Kind))
	buf = appendIntField(buf, `,"model_id":`, t.ModelID)
	buf = appendIntField(buf, `,"reverses_id":`, t.ReversesID)
	buf = appendIntField(buf, `,"resolves_id":`, t.ResolvesID)
	buf = appendIntField(buf, `,"rate_card_id":`, t.RateCardID)
	buf = appendIntField(buf, `,"governance_id":`, t.GovernanceID)
	buf = appendIntField(buf, `,"actor_id":`, t.ActorID)
	buf = appendIntField(buf, `,"member_id":`, t.MemberID)
	buf = appendIntField(buf, `,"project_id":`, t.Cause.ProjectID)
	buf = appendIntField(buf, `,"item_id":`, t.Cause.ItemID)
	buf = appendIntField(buf, `,"submission_id":`, t.Cause.SubmissionID)
	buf = appendIntField(buf, `,"review_id":`, t.Cause.ReviewID)
	buf = append(buf, `,"reason":`...)
	buf = appendJSONString(buf, t.Reason)
	buf = append(buf, `,"meta":`...)
	buf = appendJSONString(buf, t.Meta)
	buf = appendIntField(buf, `,"created_at":`, t.CreatedAt.UnixMicro())
	buf = append(buf, `,"postings":[`...)
	for i, p := range t.Postings {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendIntField(buf, `{"seq":`, int64(p.Seq))
		buf = append(buf, `,"unit":`...)
		buf = appendJSONString(buf, p.Unit)
		buf = append(buf, `,"account":`...)
		buf = appendJSONString(buf, p.Account)
		buf = append(buf, `,"amount":"`...)
		buf = strconv.AppendInt(buf, p.Amount, 10)
		buf = append(buf, `","category":`...)
		buf = appendJSONString(buf, string(p.Category))
		buf = append(buf, '}')
	}
	return append(buf, "]}"...)
}

func appendIntField(buf []byte, name string, v int64) []byte {
	return strconv.AppendInt(append(buf, name...), v, 10)
}

// appendJSONString appends s as encoding/json writes a string: printable
// ASCII other than " \ < > & as is, anything else through encoding/json.
func appendJSONString(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s)
			return append(buf, b...)
		}
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"')
}
