package equity

import "time"

// The requests that move value: revenue to distribute and a transfer between members.

// Revenue is money a model earned, to be distributed to its holders.
type Revenue struct {
	Key        string    `json:"key"` // the client's idempotency key; stored as "distribution:<model>:<key>"
	ModelID    int64     `json:"model_id"`
	Amount     int64     `json:"amount"` // minor units of Currency
	Currency   string    `json:"currency"`
	Scale      int32     `json:"scale"`
	Source     string    `json:"source"`
	RecordDate time.Time `json:"record_date"`
	ActorID    int64     `json:"actor_id"`
}

// TransferRequest moves vested units of one model between two members.
type TransferRequest struct {
	Key     string `json:"key"` // the client's idempotency key; stored as "transfer:<from>:<key>"
	ModelID int64  `json:"model_id"`
	From    int64  `json:"from"`
	To      int64  `json:"to"`
	Amount  int64  `json:"amount"` // micro-units, > 0
	ActorID int64  `json:"actor_id"`
	Reason  string `json:"reason"`
}
