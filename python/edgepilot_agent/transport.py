"""How the agent reaches the controller: HTTP (progress POSTs, decision long-polls, acks) and, for progress only,
a minimal MQTT 3.1.1 QoS 0 publisher (no third-party client needed on the driver image)."""

import json
import socket
import ssl
import struct
import urllib.error
import urllib.request

from .protocol import SIGNATURE_HEADER, TIMESTAMP_HEADER, now_ms, sign, signed_headers, verify


class ControllerError(RuntimeError):
    pass


class HttpTransport:
    """``https://`` controller URLs are checked against ``ca_file`` (the controller's certificate or its CA, PEM), or
    against the system's CAs without it. A ``ca_file`` with an ``http://`` URL is refused: it would protect nothing."""

    def __init__(self, controller_url, token, timeout_s=10.0, ca_file=None):
        if not token or len(token) < 16:
            raise ValueError("token must be at least 16 characters (the controller refuses shorter ones)")
        self.base = controller_url.rstrip("/")
        self.token = token
        self.timeout_s = timeout_s
        self.context = None
        if self.base.startswith("https://"):
            self.context = ssl.create_default_context(cafile=ca_file)
        elif ca_file:
            raise ValueError("ca_file is given but the controller URL %s is not https://: the token would still travel in clear" % self.base)

    def _open(self, req, timeout, what):
        try:
            return urllib.request.urlopen(req, timeout=timeout, context=self.context)
        except urllib.error.HTTPError:
            raise
        except urllib.error.URLError as err:
            if isinstance(err.reason, ssl.SSLError):
                raise ControllerError("%s: TLS with %s failed (%s); is ca_file the controller's certificate or its CA?" % (what, self.base, err.reason))
            raise

    def _post(self, path, body):
        req = urllib.request.Request(self.base + path, data=body.encode("utf-8"), method="POST", headers=signed_headers(self.token, body))
        try:
            with self._open(req, self.timeout_s, "POST " + path) as r:
                return r.status
        except urllib.error.HTTPError as err:
            raise ControllerError("POST %s -> HTTP %d: %s" % (path, err.code, err.read().decode("utf-8", "replace")[:200]))

    def post_event(self, body):
        return self._post("/spark/progress", body)

    def post_applied(self, seq, executors, ok, detail):
        return self._post("/spark/applied", json.dumps({"seq": seq, "executors": executors, "ok": bool(ok), "detail": detail}))

    def poll_decision(self, after_seq, wait_ms=20000):
        """The newest decision after ``after_seq`` (or None). Raises ControllerError on a bad or unsigned answer."""
        url = "%s/spark/decisions?after=%d&waitMs=%d" % (self.base, after_seq, wait_ms)
        req = urllib.request.Request(url, headers={"Authorization": "Bearer " + self.token})
        try:
            with self._open(req, self.timeout_s + wait_ms / 1000.0, "GET /spark/decisions") as r:
                text = r.read().decode("utf-8")
                ts = r.headers.get(TIMESTAMP_HEADER)
                sig = r.headers.get(SIGNATURE_HEADER)
        except urllib.error.HTTPError as err:
            raise ControllerError("GET /spark/decisions -> HTTP %d" % err.code)
        if not verify(self.token, ts, text, sig):
            raise ControllerError("decision response has a missing or wrong signature: ignored")
        return json.loads(text).get("decision")


def _mqtt_string(s):
    b = s.encode("utf-8")
    return struct.pack("!H", len(b)) + b


def _mqtt_remaining_length(n):
    out = bytearray()
    while True:
        byte = n % 128
        n //= 128
        out.append(byte | 0x80 if n > 0 else byte)
        if n == 0:
            return bytes(out)


class MqttProgressPublisher:
    """Publishes progress envelopes at QoS 0 to ``topic`` (MQTT 3.1.1, OASIS spec sections 3.1 CONNECT, 3.3 PUBLISH).

    QoS 0 is enough: progress events are periodic state, a lost one is superseded by the next trigger's.
    Each payload is signed like the HTTP path: {"ts", "sig", "body"} (src/runtime/spark/mqtt-progress.ts).

    ``tls=True`` speaks MQTT over TLS (a broker's mqtts:// listener, usually port 8883), checking the broker's
    certificate against ``ca_file`` (its certificate or CA, PEM) or the system's CAs without it; the password, if
    any, then travels encrypted. A ``ca_file`` without ``tls`` is refused: it would protect nothing."""

    def __init__(self, host, port, topic, client_id, token, username=None, password=None, timeout_s=5.0, tls=False, ca_file=None):
        if not token or len(token) < 16:
            raise ValueError("token must be at least 16 characters")
        if ca_file and not tls:
            raise ValueError("ca_file is given but tls is not: the MQTT connection to %s would still be plain" % host)
        self.token = token
        self.host, self.port, self.topic = host, port, topic
        self.client_id, self.username, self.password = client_id, username, password
        self.timeout_s = timeout_s
        self.context = ssl.create_default_context(cafile=ca_file) if tls else None
        self.sock = None

    def _open_socket(self):
        sock = socket.create_connection((self.host, self.port), timeout=self.timeout_s)
        if self.context is None:
            return sock
        try:
            return self.context.wrap_socket(sock, server_hostname=self.host)
        except ssl.SSLError as err:
            sock.close()
            raise ControllerError("MQTT over TLS with %s:%d failed (%s); is ca_file the broker's certificate or its CA?" % (self.host, self.port, err))

    def connect(self):
        flags = 0x02  # clean session
        payload = _mqtt_string(self.client_id)
        if self.username is not None:
            flags |= 0x80
            payload += _mqtt_string(self.username)
            if self.password is not None:
                flags |= 0x40
                payload += _mqtt_string(self.password)
        variable = _mqtt_string("MQTT") + bytes([4, flags]) + struct.pack("!H", 60)
        packet = bytes([0x10]) + _mqtt_remaining_length(len(variable) + len(payload)) + variable + payload
        sock = self._open_socket()
        sock.sendall(packet)
        ack = sock.recv(4)
        if len(ack) < 4 or ack[0] != 0x20 or ack[3] != 0:
            sock.close()
            raise ControllerError("MQTT CONNACK refused: %r" % (ack,))
        self.sock = sock

    def post_event(self, body):
        if self.sock is None:
            self.connect()
        variable = _mqtt_string(self.topic)
        ts = str(now_ms())
        data = json.dumps({"ts": ts, "sig": sign(self.token, ts, body), "body": body}, separators=(",", ":")).encode("utf-8")
        packet = bytes([0x30]) + _mqtt_remaining_length(len(variable) + len(data)) + variable + data
        try:
            self.sock.sendall(packet)
        except OSError:
            self.close()
            raise

    def close(self):
        if self.sock is not None:
            try:
                self.sock.sendall(bytes([0xE0, 0x00]))  # DISCONNECT
            except OSError:
                pass
            self.sock.close()
            self.sock = None
