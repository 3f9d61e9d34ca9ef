#!/usr/bin/env python3
"""A training pipeline's side of copyhold, with Python's standard library only.

It registers a webhook endpoint for `snapshot.created`, waits for one, checks
its Standard Webhooks signature, downloads the snapshot's TRL DPO export,
checks every row, and registers a release trained on that snapshot. Your
trainer runs where the comment "train here" is.

    export COPYHOLD_TOKEN=cht_...     # a coordinator's API token (Account page)
    python3 pipeline.py --server https://coop.example --public-url https://me.example/hook

The token is read from the environment only, so it never shows in `ps`.

Exit codes:
  0  the release is registered
  1  bad configuration (no token, a bad URL, the port cannot be opened)
  2  bad command line
  3  a webhook failed verification (signature, timestamp or headers): the
     pipeline stops rather than train on data it cannot trust
  4  no snapshot.created arrived within --timeout
  5  the export failed its checks (not TRL's standard preference rows)
  6  the server refused a request or could not be reached
"""

import argparse
import base64
import hashlib
import hmac
import http.server
import json
import os
import queue
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

TOLERANCE = 300  # seconds a webhook-timestamp may be from now (Standard Webhooks)
MAX_BODY = 1 << 20

OK, CONFIG, BAD_WEBHOOK, TIMEOUT, BAD_EXPORT, SERVER = 0, 1, 3, 4, 5, 6


class Fail(Exception):
    """A reason to stop, with the exit code that says which."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def log(msg):
    print("pipeline: " + msg, flush=True)


# ---- the API ----

class API:
    def __init__(self, base, token):
        self.base = base.rstrip("/")
        self.token = token

    def request(self, method, path, body=None, raw=False):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Authorization", "Bearer " + self.token)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            res = urllib.request.urlopen(req, timeout=60)
        except urllib.error.HTTPError as e:
            raise Fail(SERVER, f"{method} {path}: HTTP {e.code} {error_text(e)}") from None
        except (urllib.error.URLError, OSError) as e:
            raise Fail(SERVER, f"{method} {path}: cannot reach {self.base}: {e}") from None
        if raw:
            return res
        with res:
            text = res.read()
            return res.status, (json.loads(text) if text else None)


def error_text(e):
    """The {code, message} of an error answer, or its first bytes."""
    body = e.read(4096)
    try:
        err = json.loads(body)
        return f"{err['code']}: {err['message']}"
    except (ValueError, KeyError, TypeError):
        return body.decode("utf-8", "replace").strip()[:200]


# ---- the webhook: Standard Webhooks verification ----

def verify(secret, headers, body, now=None):
    """Raises ValueError unless the headers sign the body with the secret."""
    msg_id = headers.get("webhook-id")
    ts = headers.get("webhook-timestamp")
    sigs = headers.get("webhook-signature")
    if not msg_id or not ts or not sigs:
        raise ValueError("missing webhook-id, webhook-timestamp or webhook-signature")
    try:
        when = int(ts)
    except ValueError:
        raise ValueError(f"webhook-timestamp {ts!r} is not Unix seconds") from None
    now = time.time() if now is None else now
    if abs(now - when) > TOLERANCE:
        raise ValueError(f"webhook-timestamp is {int(now - when)} s from now (more than {TOLERANCE})")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()
    want = base64.b64encode(mac).decode()
    # The header may carry several space-separated signatures (key rotation).
    for sig in sigs.split():
        version, _, value = sig.partition(",")
        if version == "v1" and hmac.compare_digest(value, want):
            return
    raise ValueError("webhook-signature does not match the body")


class Receiver(http.server.ThreadingHTTPServer):
    """Answers webhooks quickly and hands the verified ones to the main thread."""

    def __init__(self, addr, model_id):
        super().__init__(addr, Handler)
        self.secret = None  # set once the endpoint is registered
        self.model_id = model_id
        self.events = queue.Queue()
        self.seen = set()
        self.lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        srv = self.server
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY or srv.secret is None:
            return self.answer(413 if length > MAX_BODY else 503)
        body = self.rfile.read(length)
        try:
            verify(srv.secret, self.headers, body)
            msg = json.loads(body)
        except ValueError as e:
            self.answer(401)
            srv.events.put(("bad", str(e)))
            return
        self.answer(204)  # acknowledged within the 15 s; the work happens after
        with srv.lock:
            first = self.headers["webhook-id"] not in srv.seen
            srv.seen.add(self.headers["webhook-id"])
        data = msg.get("data") or {}
        if not first or msg.get("type") != "snapshot.created":
            return
        if srv.model_id is not None and data.get("model_id") != srv.model_id:
            log(f"ignoring snapshot {data.get('snapshot_id')} of model {data.get('model_id')}")
            return
        srv.events.put(("ok", data))

    def answer(self, status):
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


# ---- the export: TRL's standard preference rows ----

def check_dpo(path):
    """Checks every line of a trl-dpo export; returns the number of rows."""
    rows = 0
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as e:
                raise Fail(BAD_EXPORT, f"line {n}: not JSON: {e}") from None
            if not isinstance(row, dict) or set(row) != {"prompt", "chosen", "rejected"}:
                keys = sorted(row) if isinstance(row, dict) else type(row).__name__
                raise Fail(BAD_EXPORT, f"line {n}: want exactly prompt, chosen, rejected; got {keys}")
            for k in ("prompt", "chosen", "rejected"):
                if not isinstance(row[k], str):
                    raise Fail(BAD_EXPORT, f"line {n}: {k} is not a string (standard format, not conversational)")
            prompt, chosen, rejected = row["prompt"], row["chosen"], row["rejected"]
            if not prompt.strip():
                raise Fail(BAD_EXPORT, f"line {n}: empty prompt")
            if not chosen.strip() or not rejected.strip():
                raise Fail(BAD_EXPORT, f"line {n}: empty chosen or rejected response")
            if chosen == rejected:
                raise Fail(BAD_EXPORT, f"line {n}: chosen and rejected are the same text")
            # TRL joins prompt and response verbatim: the response must carry
            # the separator, or the model trains on "question?Answer".
            if not prompt[-1].isspace():
                for k in ("chosen", "rejected"):
                    if not row[k][0].isspace():
                        raise Fail(BAD_EXPORT, f"line {n}: {k} does not start with a separator after the prompt")
            rows += 1
    if rows == 0:
        raise Fail(BAD_EXPORT, "the export has no rows")
    return rows


# ---- the pipeline ----

def main(argv):
    p = argparse.ArgumentParser(description="Wait for a copyhold snapshot, check its TRL DPO export, register a release.",
                                epilog="The API token comes from COPYHOLD_TOKEN. Exit codes: see the top of this file.")
    p.add_argument("--server", default=os.environ.get("COPYHOLD_URL", "http://127.0.0.1:8080"),
                   help="copyhold's base URL (env COPYHOLD_URL)")
    p.add_argument("--listen", default="127.0.0.1:0", help="HOST:PORT the webhook receiver listens on (port 0: a free one)")
    p.add_argument("--public-url", help="the URL copyhold posts to (default: http://HOST:PORT/hook of --listen)")
    p.add_argument("--model", type=int, help="only snapshots of this model id")
    p.add_argument("--version", default="dpo-snapshot-{snapshot_id}", help="the release version; {snapshot_id} is replaced")
    p.add_argument("--base-model", default="", help="the release's base model")
    p.add_argument("--checkpoint", default="", help="where the trained checkpoint is; {snapshot_id} is replaced")
    p.add_argument("--notes", default="DPO on copyhold snapshot {snapshot_id}", help="training notes; {snapshot_id} is replaced")
    p.add_argument("--out", help="where to write the export (default: snapshot-ID-trl-dpo.jsonl here)")
    p.add_argument("--timeout", type=float, default=900, help="seconds to wait for snapshot.created")
    args = p.parse_args(argv)

    token = os.environ.get("COPYHOLD_TOKEN", "")
    if not token:
        raise Fail(CONFIG, "set COPYHOLD_TOKEN to a coordinator's API token (Account page, API tokens)")
    if urllib.parse.urlsplit(args.server).scheme not in ("http", "https"):
        raise Fail(CONFIG, f"--server {args.server!r} is not an http(s) URL")
    host, _, port = args.listen.rpartition(":")
    host = host.strip("[]")
    try:
        receiver = Receiver((host, int(port)), args.model)
    except (ValueError, OSError) as e:
        raise Fail(CONFIG, f"cannot listen on {args.listen}: {e}") from None
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    local = f"http://{host}:{receiver.server_address[1]}/hook"
    log(f"listening on {local}")
    api = API(args.server, token)
    endpoint = None
    try:
        _, endpoint = api.request("POST", "/api/webhooks", {
            "url": args.public_url or local, "description": "pipeline.py", "event_types": ["snapshot.created"]})
        receiver.secret = endpoint["secret"]
        log(f"webhook endpoint {endpoint['id']} registered for snapshot.created; waiting up to {args.timeout:g} s")
        return run(api, receiver, args)
    finally:
        if endpoint:
            try:
                api.request("DELETE", f"/api/webhooks/{endpoint['id']}")
            except Fail as e:
                log(f"could not remove webhook endpoint {endpoint['id']}: {e}")
        receiver.shutdown()


def run(api, receiver, args):
    try:
        kind, data = receiver.events.get(timeout=args.timeout)
    except queue.Empty:
        raise Fail(TIMEOUT, f"no snapshot.created within {args.timeout:g} s") from None
    if kind == "bad":
        raise Fail(BAD_WEBHOOK, f"refused a webhook: {data}")
    sid, want = data["snapshot_id"], data["hash"]
    log(f"snapshot {sid} created (hash {want})")

    _, got = api.request("GET", f"/api/snapshots/{sid}")
    if got["snapshot"]["hash"] != want:
        raise Fail(SERVER, f"snapshot {sid} has hash {got['snapshot']['hash']}, the webhook said {want}")
    if "trl-dpo" not in got["formats"]:
        raise Fail(BAD_EXPORT, f"snapshot {sid} has no trl-dpo export (formats: {', '.join(got['formats'])})")

    out = args.out or f"snapshot-{sid}-trl-dpo.jsonl"
    with api.request("GET", f"/api/snapshots/{sid}/export?format=trl-dpo", raw=True) as res:
        etag = res.headers.get("ETag", "")
        with open(out, "wb") as f:
            while chunk := res.read(1 << 16):
                f.write(chunk)
    if not etag.startswith(f'"sha256:{want}:'):
        raise Fail(BAD_EXPORT, f"the export's ETag {etag!r} does not name snapshot hash {want}")
    rows = check_dpo(out)
    log(f"{out}: {rows} TRL DPO rows, all valid")

    # train here, on `out`; then register what was trained.
    def fill(s):
        return s.replace("{snapshot_id}", str(sid))

    version = fill(args.version)
    status, rel = api.request("POST", "/api/releases", {
        "model_id": data["model_id"], "version": version, "base_model": args.base_model,
        "checkpoint": fill(args.checkpoint), "training_notes": fill(args.notes),
        "snapshot_hashes": [want]})
    again = " (already registered with the same body)" if status == 200 else ""
    log(f"release {rel['id']} {version} registered for snapshot {sid}{again}")
    return OK


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Fail as e:
        print(f"pipeline: error: {e}", file=sys.stderr, flush=True)
        sys.exit(e.code)
    except KeyboardInterrupt:
        sys.exit(130)
