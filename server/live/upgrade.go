package live

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"copyhold/labeling/member"

	"github.com/gorilla/websocket"
)

// Client is who opens a websocket: the member, the credential (session or
// API token) that authenticated the upgrade, which the socket lives no
// longer than, and the client address, for the per-address cap.
type Client struct {
	Member     member.Member
	Credential member.Credential
	IP         string
}

// ServeWS upgrades r, from the authenticated client, to a live-tracking
// websocket and serves it until it closes. checkOrigin decides whether a
// browser's Origin may open it (nil accepts every origin). A refused
// handshake is answered as JSON {"code","message"}: "cross_origin" with 403,
// "too_many_connections" with 429 beyond MaxConnsPerMember or MaxConnsPerIP,
// "bad_handshake" otherwise.
func (h *Hub) ServeWS(w http.ResponseWriter, r *http.Request, cl Client, checkOrigin func(*http.Request) bool) {
	if checkOrigin == nil {
		checkOrigin = func(*http.Request) bool { return true }
	}
	if msg := h.reserve(cl.Member.ID, cl.IP); msg != "" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		json.NewEncoder(w).Encode(map[string]string{"code": "too_many_connections", "message": msg})
		return
	}
	up := websocket.Upgrader{
		HandshakeTimeout: 10 * time.Second,
		CheckOrigin:      checkOrigin,
		WriteBufferPool:  &h.writePool,
		Error: func(w http.ResponseWriter, r *http.Request, status int, reason error) {
			code := "bad_handshake"
			if status == http.StatusForbidden {
				code = "cross_origin"
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			json.NewEncoder(w).Encode(map[string]string{"code": code, "message": reason.Error()})
		},
	}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		h.release(cl.Member.ID, cl.IP)
		return // the upgrader has answered
	}
	h.serve(ws, cl)
}

func (h *Hub) serve(ws *websocket.Conn, cl Client) {
	c := &wsConn{hub: h, ws: ws, memberID: cl.Member.ID, cred: cl.Credential, ip: cl.IP, member: cl.Member, out: newOutbox(),
		subs: map[string]*subscription{}, readerDone: make(chan struct{}), writerDone: make(chan struct{})}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	if !h.register(c) {
		h.release(c.memberID, c.ip)
		ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseTryAgainLater, "live tracking is not running"),
			time.Now().Add(time.Second))
		ws.Close()
		return
	}
	go c.writePump()
	go c.readPump()
}
