package live

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"copyhold/labeling/member"

	"github.com/gorilla/websocket"
)

// ServeWS upgrades r, from the authenticated member m, to a live-tracking
// websocket and serves it until it closes. checkOrigin decides whether a
// browser's Origin may open it (nil accepts every origin). A refused
// handshake is answered as JSON {"code","message"}: "cross_origin" with 403,
// "bad_handshake" otherwise.
func (h *Hub) ServeWS(w http.ResponseWriter, r *http.Request, m member.Member, checkOrigin func(*http.Request) bool) {
	if checkOrigin == nil {
		checkOrigin = func(*http.Request) bool { return true }
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
		return // the upgrader has answered
	}
	h.serve(ws, m)
}

func (h *Hub) serve(ws *websocket.Conn, m member.Member) {
	c := &wsConn{hub: h, ws: ws, memberID: m.ID, member: m, out: newOutbox(),
		subs: map[string]*subscription{}, readerDone: make(chan struct{}), writerDone: make(chan struct{})}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	if !h.register(c) {
		ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseTryAgainLater, "live tracking is not running"),
			time.Now().Add(time.Second))
		ws.Close()
		return
	}
	go c.writePump()
	go c.readPump()
}
