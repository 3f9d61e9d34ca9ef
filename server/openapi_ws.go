package server

// The websocket at /ws is not HTTP request and answer, so OpenAPI has no
// words for it: its frames are components (WSClientFrame, WSServerFrame)
// and the x-websocket annex says how they are used. They follow
// server/live/protocol.go; docs/WEBSOCKET.md has the prose. Every frame the
// live tests read is validated against WSServerFrame
// (servertest.CheckWSFrame), so a frame the document does not describe fails them.

func frameOf(op string, props schema, required ...string) schema {
	props["op"] = schema{"const": op}
	return schema{"type": "object", "properties": props, "required": append([]string{"op"}, required...),
		"additionalProperties": false}
}

func wsSchemas() map[string]schema {
	channel := schema{"type": "string", "description": "coop, coordinators, project:<id>, review:<project id> or member:<own id>"}
	client := []schema{
		frameOf("subscribe", schema{"channel": channel,
			"since":    schema{"type": []string{"integer", "null"}, "description": "the last seq seen on this channel: replay after it"},
			"presence": schema{"type": []string{"boolean", "null"}, "description": "false: stay out of the presence list"}}, "channel"),
		frameOf("unsubscribe", schema{"channel": channel}, "channel"),
		frameOf("ping", schema{}),
	}
	server := []schema{
		frameOf("event", schema{"channel": channel, "seq": tInteger, "type": tString, "at": tTime,
			"actor_id": tInteger, "payload": tAny}, "channel", "seq", "type", "at", "payload"),
		frameOf("subscribed", schema{"channel": channel, "head": tInteger, "replayed": tInteger}, "channel", "head", "replayed"),
		frameOf("unsubscribed", schema{"channel": channel}, "channel"),
		frameOf("presence", schema{"channel": channel, "count": tInteger, "you": tBool,
			"members": schema{"type": "array", "items": tInteger, "description": "for reviewers and coordinators only"}},
			"channel", "count", "you"),
		frameOf("reset", schema{"channel": channel, "reason": tString}, "channel", "reason"),
		frameOf("error", schema{"channel": channel, "message": tString, "code": schema{"type": "string", "enum": []string{
			"unknown_channel", "forbidden", "malformed_frame", "too_far_behind", "too_many_channels", "unavailable"}}},
			"code", "message"),
		frameOf("pong", schema{}),
	}
	return map[string]schema{
		"WSClientFrame": {"description": "a frame the client sends on /ws (JSON text, at most 4 KB)", "oneOf": client},
		"WSServerFrame": {"description": "a frame the server sends on /ws", "oneOf": server},
	}
}

func wsAnnex() schema {
	return schema{
		"path":           "/ws",
		"authentication": "the session cookie or Authorization: Bearer <token>; anonymous upgrades get 401",
		"client":         ref("WSClientFrame"),
		"server":         ref("WSServerFrame"),
		"channels": schema{
			"coop":         "any member: the register and the activity feed",
			"project:ID":   "project members, reviewers and coordinators; labellers see who did what only for their own actions",
			"review:ID":    "reviewers and coordinators",
			"member:ID":    "the member themself",
			"coordinators": "coordinators: model endpoints and generation jobs (never an API key)",
		},
		"closeCodes": schema{
			"1001": "the server is shutting down",
			"1008": "the credential or the membership ended: log in again",
			"1009": "a frame was too big",
			"4008": "slow consumer: reconnect and resume from the last seq per channel",
		},
	}
}
