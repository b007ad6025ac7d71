import json
import math
import unittest

from edgepilot_agent.protocol import DecisionTracker, event_envelope, progress_envelope, sign, signed_headers, verify

TOKEN = "0123456789abcdef-test-token"


def decision(seq, executors=4, expires=10_000, issued=0):
    return {"seq": seq, "executors": executors, "issuedAtMs": issued, "expiresAtMs": expires, "reason": "test"}


class SignatureTest(unittest.TestCase):
    def test_known_vector_matches_the_controller(self):
        # Same vector as src/runtime/spark/agent-channel.test.ts (HMAC-SHA256 of "1700000000000\n{}").
        self.assertEqual(sign(TOKEN, "1700000000000", "{}"), "sha256=" + __import__("hmac").new(TOKEN.encode(), b"1700000000000\n{}", "sha256").hexdigest())
        self.assertTrue(verify(TOKEN, "1700000000000", "{}", sign(TOKEN, "1700000000000", "{}")))

    def test_tampering_is_detected(self):
        sig = sign(TOKEN, "1", '{"executors":4}')
        self.assertFalse(verify(TOKEN, "1", '{"executors":40}', sig))
        self.assertFalse(verify(TOKEN, "2", '{"executors":4}', sig))
        self.assertFalse(verify("another-token-of-16+", "1", '{"executors":4}', sig))
        self.assertFalse(verify(TOKEN, None, '{"executors":4}', sig))

    def test_signed_headers(self):
        h = signed_headers(TOKEN, "{}", timestamp_ms=42)
        self.assertEqual(h["Authorization"], "Bearer " + TOKEN)
        self.assertEqual(h["X-Edgepilot-Timestamp"], "42")
        self.assertTrue(verify(TOKEN, "42", "{}", h["X-Edgepilot-Signature"]))


class EnvelopeTest(unittest.TestCase):
    def test_progress_json_is_wrapped_unchanged(self):
        progress = '{"id":"q","batchId":3,"numInputRows":10,"sources":[{"metrics":{"maxOffsetsBehindLatest":"12"}}]}'
        body = json.loads(progress_envelope(progress))
        self.assertEqual(body["event"], "progress")
        self.assertEqual(body["progress"], json.loads(progress))

    def test_bad_inputs_are_refused(self):
        with self.assertRaises(ValueError):
            progress_envelope("[1,2]")
        with self.assertRaises(ValueError):
            event_envelope("exploded", {})
        self.assertEqual(json.loads(event_envelope("idle", {"id": "q"})), {"event": "idle", "id": "q"})


class DecisionTrackerTest(unittest.TestCase):
    def test_applies_each_decision_once_in_order(self):
        t = DecisionTracker()
        self.assertEqual(t.accept(decision(5), now=0)["executors"], 4)
        self.assertIsNone(t.accept(decision(5), now=0))
        self.assertIsNone(t.accept(decision(3), now=0))
        self.assertEqual(t.accept(decision(6, executors=7), now=0)["executors"], 7)
        self.assertEqual(t.ignored["duplicate"], 1)
        self.assertEqual(t.ignored["stale"], 1)

    def test_expired_decisions_are_never_applied(self):
        t = DecisionTracker()
        self.assertIsNone(t.accept(decision(9, expires=100), now=100))
        self.assertEqual(t.ignored["expired"], 1)
        self.assertIsNone(t.accept(decision(8), now=0), "older than an expired one is stale too")
        self.assertIsNotNone(t.accept(decision(10, expires=200), now=150))

    def test_invalid_and_clamped(self):
        t = DecisionTracker(min_executors=2, max_executors=6)
        self.assertIsNone(t.accept({"seq": 1, "executors": "four", "issuedAtMs": 0, "expiresAtMs": 10}, now=0))
        self.assertIsNone(t.accept({"seq": 2, "executors": 2.5, "issuedAtMs": 0, "expiresAtMs": 10}, now=0))
        self.assertIsNone(t.accept({"seq": 3, "executors": True, "issuedAtMs": 0, "expiresAtMs": 10}, now=0))
        self.assertEqual(t.ignored["invalid"], 3)
        self.assertEqual(t.accept(decision(4, executors=50), now=0)["executors"], 6)
        self.assertEqual(t.accept(decision(5, executors=0), now=0)["executors"], 2)
        with self.assertRaises(ValueError):
            DecisionTracker(min_executors=5, max_executors=2)

    def test_nan_is_not_a_number_here(self):
        t = DecisionTracker()
        self.assertIsNone(t.accept(decision(1, executors=math.nan), now=0))


if __name__ == "__main__":
    unittest.main()
