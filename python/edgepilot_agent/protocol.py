"""The wire protocol between the Edgepilot driver agent and the controller (src/runtime/spark/agent-channel.ts).

Pure standard library: importable and testable without PySpark.

* Every request carries ``Authorization: Bearer <token>``.
* POST bodies are signed: ``X-Edgepilot-Timestamp: <ms since epoch>`` and
  ``X-Edgepilot-Signature: sha256=<hex HMAC-SHA256(token, timestamp + "\\n" + body)>``.
* Decision responses are signed the same way by the controller; the agent drops unsigned or badly signed ones.
* A decision is ``{"seq", "executors", "issuedAtMs", "expiresAtMs", "reason"}``. Sequence numbers only grow; the
  agent applies a decision at most once, never one older than the last applied, never an expired one.
"""

import hashlib
import hmac
import json
import time

SIGNATURE_HEADER = "X-Edgepilot-Signature"
TIMESTAMP_HEADER = "X-Edgepilot-Timestamp"


def now_ms():
    return int(time.time() * 1000)


def sign(token, timestamp, body):
    """The signature of ``body`` (str) sent at ``timestamp`` (str, ms)."""
    digest = hmac.new(token.encode("utf-8"), (timestamp + "\n" + body).encode("utf-8"), hashlib.sha256).hexdigest()
    return "sha256=" + digest


def signed_headers(token, body, timestamp_ms=None):
    ts = str(int(timestamp_ms if timestamp_ms is not None else now_ms()))
    return {
        "Authorization": "Bearer " + token,
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: ts,
        SIGNATURE_HEADER: sign(token, ts, body),
    }


def verify(token, timestamp, body, signature):
    if not timestamp or not signature:
        return False
    return hmac.compare_digest(sign(token, timestamp, body), signature)


def progress_envelope(progress_json):
    """The body for one StreamingQueryProgress (the JSON string from ``event.progress.json``)."""
    progress = json.loads(progress_json) if isinstance(progress_json, str) else progress_json
    if not isinstance(progress, dict):
        raise ValueError("progress must be a JSON object, got %r" % (type(progress).__name__,))
    return json.dumps({"event": "progress", "progress": progress}, separators=(",", ":"))


def event_envelope(kind, fields):
    """The body for a started / idle / terminated listener event."""
    if kind not in ("started", "idle", "terminated"):
        raise ValueError("event kind must be started, idle or terminated, got %r" % (kind,))
    body = {"event": kind}
    body.update(fields)
    return json.dumps(body, separators=(",", ":"), default=str)


class DecisionError(ValueError):
    pass


def parse_decision(obj):
    """Validates one decision object; raises DecisionError naming the bad field."""
    if not isinstance(obj, dict):
        raise DecisionError("decision must be an object, got %r" % (obj,))
    out = {}
    for key in ("seq", "executors", "issuedAtMs", "expiresAtMs"):
        value = obj.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value in (float("inf"), float("-inf")):
            raise DecisionError("decision.%s must be a finite number, got %r" % (key, value))
        out[key] = value
    if int(out["executors"]) != out["executors"] or out["executors"] < 0:
        raise DecisionError("decision.executors must be an integer >= 0, got %r" % (out["executors"],))
    out["executors"] = int(out["executors"])
    out["seq"] = int(out["seq"])
    out["reason"] = str(obj.get("reason", ""))
    return out


class DecisionTracker:
    """Applies each decision at most once, in sequence order, and only before it expires."""

    def __init__(self, min_executors=1, max_executors=20):
        if min_executors < 0 or max_executors < min_executors:
            raise ValueError("need 0 <= min_executors <= max_executors, got %r..%r" % (min_executors, max_executors))
        self.min_executors = min_executors
        self.max_executors = max_executors
        self.last_seq = 0
        self.ignored = {"duplicate": 0, "stale": 0, "expired": 0, "invalid": 0}

    def accept(self, obj, now=None):
        """Returns the decision to apply (executors clamped to the agent's limits) or None with the reason counted."""
        now = now_ms() if now is None else now
        try:
            d = parse_decision(obj)
        except DecisionError:
            self.ignored["invalid"] += 1
            return None
        if d["seq"] == self.last_seq:
            self.ignored["duplicate"] += 1
            return None
        if d["seq"] < self.last_seq:
            self.ignored["stale"] += 1
            return None
        if d["expiresAtMs"] <= now:
            self.ignored["expired"] += 1
            # An expired decision is never applied, but later ones must still be newer than it.
            self.last_seq = d["seq"]
            return None
        self.last_seq = d["seq"]
        d["executors"] = max(self.min_executors, min(self.max_executors, d["executors"]))
        return d
