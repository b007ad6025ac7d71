import json
import os
import socket
import ssl
import struct
import threading
import unittest

from edgepilot_agent.agent import EdgepilotAgent
from edgepilot_agent.executors import ExecutorScaler
from edgepilot_agent.protocol import DecisionTracker, verify
from edgepilot_agent.transport import ControllerError, HttpTransport, MqttProgressPublisher
from tests.fakes import FakeSparkContext, executors

PROGRESS = '{"id":"q1","runId":"r1","batchId":7,"numInputRows":100,"inputRowsPerSecond":50.0}'


class FakeTransport:
    def __init__(self, decisions=()):
        self.decisions = list(decisions)
        self.events = []
        self.acks = []
        self.fail_posts = 0

    def poll_decision(self, after_seq, wait_ms):
        return self.decisions.pop(0) if self.decisions else None

    def post_event(self, body):
        if self.fail_posts > 0:
            self.fail_posts -= 1
            raise ControllerError("controller away")
        self.events.append(json.loads(body))

    def post_applied(self, seq, executors, ok, detail):
        self.acks.append((seq, executors, ok))


def d(seq, n, expires=10**15):
    return {"seq": seq, "executors": n, "issuedAtMs": 0, "expiresAtMs": expires}


class AgentTest(unittest.TestCase):
    def test_duplicate_and_stale_decisions_are_applied_once(self):
        sc = FakeSparkContext()
        tr = FakeTransport([d(10, 4), d(10, 4), d(9, 1), d(11, 2, expires=1), d(12, 3)])
        agent = EdgepilotAgent(tr, ExecutorScaler(sc, list_executors=lambda: executors(0, 0, 0)))
        applied = [agent.poll_once(now=1000) for _ in range(5)]
        self.assertEqual([a["seq"] if a else None for a in applied], [10, None, None, None, 12])
        self.assertEqual(tr.acks, [(10, 4, True), (12, 3, True)])
        # 10 asked for 4 (one still starting); 12 asks for the 3 running: the pending request is lowered, nothing killed
        self.assertEqual([c[:2] for c in sc.scala.calls], [("requestTotalExecutors", 4), ("requestTotalExecutors", 3)])
        self.assertEqual(agent.tracker.ignored, {"duplicate": 1, "stale": 1, "expired": 1, "invalid": 0})

    def test_a_failing_spark_call_is_reported_not_raised(self):
        class Boom(ExecutorScaler):
            def apply(self, target):
                raise RuntimeError("py4j gateway gone")

        tr = FakeTransport([d(1, 4)])
        EdgepilotAgent(tr, Boom(FakeSparkContext(), list_executors=lambda: [])).poll_once(now=0)
        self.assertEqual(tr.acks, [(1, 4, False)])

    def test_progress_queue_is_bounded_and_survives_an_outage(self):
        tr = FakeTransport()
        agent = EdgepilotAgent(tr, None, max_queue=3)
        for i in range(5):
            agent.on_progress(PROGRESS.replace('"batchId":7', '"batchId":%d' % i))
        tr.fail_posts = 1
        with self.assertRaises(ControllerError):
            agent.flush()
        self.assertEqual(len(agent.queue), 3, "nothing lost on a failed send")
        self.assertEqual(agent.flush(), 3)
        self.assertEqual([e["progress"]["batchId"] for e in tr.events], [2, 3, 4], "oldest dropped first")

    def test_http_transport_refuses_short_tokens(self):
        with self.assertRaises(ValueError):
            HttpTransport("http://127.0.0.1:1", "short")


TLS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "fixtures", "tls")


def _one_client_broker(server, got, context=None):
    """Accepts one client on ``server`` (over TLS with ``context``), answers its CONNECT and keeps its first PUBLISH."""
    conn, _ = server.accept()
    if context is not None:
        try:
            conn = context.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError) as err:
            got["handshake"] = err
            conn.close()
            return
    with conn:
        conn.settimeout(5)
        first = conn.recv(2)
        data = conn.recv(first[1])
        got["connect"] = first[:1] + data
        conn.sendall(bytes([0x20, 0x02, 0x00, 0x00]))
        head = conn.recv(1)
        length, mult = 0, 1
        while True:
            b = conn.recv(1)[0]
            length += (b & 0x7F) * mult
            mult *= 128
            if b < 128:
                break
        body = b""
        while len(body) < length:
            body += conn.recv(length - len(body))
        got["publish"] = head + body


class MqttPublisherTest(unittest.TestCase):
    def _publish_to_fake_broker(self, context=None, **publisher_options):
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        got = {}
        t = threading.Thread(target=_one_client_broker, args=(server, got, context))
        t.start()
        pub = MqttProgressPublisher("127.0.0.1", server.getsockname()[1], "edgepilot/spark/orders/progress", "agent-1", "0123456789abcdef-test-token", **publisher_options)
        payload = json.dumps({"event": "progress", "progress": {"batchId": 1, "pad": "x" * 300}})
        try:
            pub.post_event(payload)
        finally:
            t.join(5)
            pub.close()
            server.close()
        return got, payload

    def _check_frames(self, got, payload):
        self.assertEqual(got["connect"][0], 0x10)
        self.assertIn(b"MQTT\x04", got["connect"])
        self.assertEqual(got["publish"][0], 0x30, "PUBLISH at QoS 0")
        (tlen,) = struct.unpack("!H", got["publish"][1:3])
        self.assertEqual(got["publish"][3:3 + tlen].decode(), "edgepilot/spark/orders/progress")
        signed = json.loads(got["publish"][3 + tlen:].decode())
        self.assertEqual(json.loads(signed["body"]), json.loads(payload))
        self.assertTrue(verify("0123456789abcdef-test-token", signed["ts"], signed["body"], signed["sig"]))

    def test_connect_and_publish_frames(self):
        got, payload = self._publish_to_fake_broker()
        self._check_frames(got, payload)

    @staticmethod
    def _broker_tls(name):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(os.path.join(TLS_DIR, name + ".crt"), os.path.join(TLS_DIR, name + ".key"))
        return context

    def test_tls_with_the_brokers_certificate_carries_the_same_frames_and_the_password(self):
        got, payload = self._publish_to_fake_broker(self._broker_tls("agent-a"), tls=True, ca_file=os.path.join(TLS_DIR, "agent-a.crt"), username="agent", password="s3cret")
        self._check_frames(got, payload)
        self.assertEqual(got["connect"][8] & 0xC0, 0xC0, "username and password flags (CONNECT byte 8 here: type, then 00 04 MQTT, level)")
        self.assertTrue(got["connect"].endswith(b"\x00\x05agent\x00\x06s3cret"))

    def test_tls_with_a_certificate_it_does_not_trust_fails_with_a_controller_error_before_any_frame(self):
        with self.assertRaises(ControllerError) as caught:
            self._publish_to_fake_broker(self._broker_tls("agent-b"), tls=True, ca_file=os.path.join(TLS_DIR, "agent-a.crt"), password=None)
        self.assertIn("MQTT over TLS with 127.0.0.1", str(caught.exception))
        self.assertIn("ca_file", str(caught.exception))

    def test_ca_file_without_tls_is_refused(self):
        with self.assertRaises(ValueError):
            MqttProgressPublisher("127.0.0.1", 1883, "t", "agent-1", "0123456789abcdef-test-token", ca_file=os.path.join(TLS_DIR, "agent-a.crt"))


LIVE_MQTT = os.environ.get("EDGEPILOT_AGENT_TEST_MQTT")  # host:port of an MQTT 3.1.1 broker the TS test watches


@unittest.skipUnless(LIVE_MQTT and os.environ.get("EDGEPILOT_AGENT_TEST_TOKEN"), "EDGEPILOT_AGENT_TEST_MQTT not set (src/runtime/spark/python-agent.test.ts sets it)")
class LiveMqttTest(unittest.TestCase):
    def test_publish_to_the_controllers_broker(self):
        host, port = LIVE_MQTT.rsplit(":", 1)
        pub = MqttProgressPublisher(host, int(port), "edgepilot/spark/orders-stream/progress", "agent-live", os.environ["EDGEPILOT_AGENT_TEST_TOKEN"])
        agent = EdgepilotAgent(None, None, progress_transport=pub)
        agent.on_progress(PROGRESS.replace('"batchId":7', '"batchId":42'))
        self.assertEqual(agent.flush(), 1)
        pub.close()


LIVE_MQTTS = os.environ.get("EDGEPILOT_AGENT_TEST_MQTTS")  # host:port of an MQTT broker behind TLS (certificate: ..._TLS_CA)


@unittest.skipUnless(LIVE_MQTTS and os.environ.get("EDGEPILOT_AGENT_TEST_TOKEN") and os.environ.get("EDGEPILOT_AGENT_TEST_TLS_CA"), "EDGEPILOT_AGENT_TEST_MQTTS not set (src/runtime/spark/python-agent.test.ts sets it)")
class LiveMqttsTest(unittest.TestCase):
    def test_publish_to_a_broker_over_tls(self):
        host, port = LIVE_MQTTS.rsplit(":", 1)
        pub = MqttProgressPublisher(host, int(port), "edgepilot/spark/orders-stream/progress", "agent-live-tls", os.environ["EDGEPILOT_AGENT_TEST_TOKEN"], username="agent", password="broker-password", tls=True, ca_file=os.environ["EDGEPILOT_AGENT_TEST_TLS_CA"])
        agent = EdgepilotAgent(None, None, progress_transport=pub)
        agent.on_progress(PROGRESS.replace('"batchId":7', '"batchId":43'))
        self.assertEqual(agent.flush(), 1)
        pub.close()


LIVE_URL = os.environ.get("EDGEPILOT_AGENT_TEST_URL")
LIVE_TOKEN = os.environ.get("EDGEPILOT_AGENT_TEST_TOKEN")


@unittest.skipUnless(LIVE_URL and LIVE_TOKEN, "EDGEPILOT_AGENT_TEST_URL/TOKEN not set (src/runtime/spark/python-agent.test.ts sets them)")
class LiveControllerTest(unittest.TestCase):
    """Against the real TypeScript AgentChannel, started by python-agent.test.ts with one decision published."""

    def test_round_trip(self):
        tr = HttpTransport(LIVE_URL, LIVE_TOKEN)
        sc = FakeSparkContext()
        agent = EdgepilotAgent(tr, ExecutorScaler(sc, list_executors=lambda: executors(0, 0)), DecisionTracker(1, 20))
        agent.on_progress(PROGRESS)
        agent.on_event("idle", {"id": "q1", "runId": "r1", "timestamp": "2024-05-01T10:29:46.282Z"})
        self.assertEqual(agent.flush(), 2)
        first = agent.poll_once()
        self.assertIsNotNone(first)
        self.assertEqual(first["executors"], 6)
        self.assertIsNone(agent.poll_once(wait_ms=200), "the same decision is not served twice")
        self.assertEqual(sc.scala.calls[0][:2], ("requestTotalExecutors", 6))
        with self.assertRaises(ControllerError):
            HttpTransport(LIVE_URL, "wrong-token-but-long-enough").post_event("{}")
        with self.assertRaises(ControllerError):
            HttpTransport(LIVE_URL, "wrong-token-but-long-enough").poll_decision(0, 0)


class HttpTransportTlsSetupTest(unittest.TestCase):
    def test_a_ca_file_with_a_plain_http_url_is_refused(self):
        with self.assertRaisesRegex(ValueError, "not https://"):
            HttpTransport("http://controller:7450", "t" * 20, ca_file="/etc/ca.pem")

    def test_https_gets_a_verifying_context_and_http_none(self):
        self.assertIsNone(HttpTransport("http://controller:7450", "t" * 20).context)
        ctx = HttpTransport("https://controller:7450", "t" * 20).context
        self.assertIsNotNone(ctx)
        self.assertTrue(ctx.check_hostname)


LIVE_TLS_URL = os.environ.get("EDGEPILOT_AGENT_TEST_TLS_URL")
LIVE_TLS_CA = os.environ.get("EDGEPILOT_AGENT_TEST_TLS_CA")
LIVE_TLS_OTHER_CA = os.environ.get("EDGEPILOT_AGENT_TEST_TLS_OTHER_CA")


@unittest.skipUnless(LIVE_TLS_URL and LIVE_TLS_CA and LIVE_TOKEN, "EDGEPILOT_AGENT_TEST_TLS_URL/_CA not set (src/runtime/spark/python-agent.test.ts sets them)")
class LiveTlsControllerTest(unittest.TestCase):
    """Against the real AgentChannel serving HTTPS with test/fixtures/tls/agent-a, one decision published."""

    def test_round_trip_over_tls(self):
        tr = HttpTransport(LIVE_TLS_URL, LIVE_TOKEN, ca_file=LIVE_TLS_CA)
        sc = FakeSparkContext()
        agent = EdgepilotAgent(tr, ExecutorScaler(sc, list_executors=lambda: executors(0, 0)), DecisionTracker(1, 20))
        agent.on_progress(PROGRESS)
        self.assertEqual(agent.flush(), 1)
        first = agent.poll_once()
        self.assertIsNotNone(first)
        self.assertEqual(first["executors"], 3)

    def test_an_untrusted_certificate_is_a_controller_error_naming_tls(self):
        for ca in (LIVE_TLS_OTHER_CA, None):
            tr = HttpTransport(LIVE_TLS_URL, LIVE_TOKEN, ca_file=ca)
            with self.assertRaisesRegex(ControllerError, "TLS with https://127.0.0.1:[0-9]+ failed"):
                tr.post_event("{}")
            with self.assertRaisesRegex(ControllerError, "TLS with .* failed"):
                tr.poll_decision(0, 0)


if __name__ == "__main__":
    unittest.main()
