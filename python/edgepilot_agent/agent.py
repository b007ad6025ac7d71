"""The Edgepilot driver agent: forwards StreamingQueryListener events to the controller and applies the live
executor-count decisions it receives. Two background threads, bounded queues; Spark's listener callbacks only enqueue.
"""

import collections
import threading

from .executors import ExecutorScaler
from .protocol import DecisionTracker, event_envelope, progress_envelope
from .transport import ControllerError, HttpTransport


class EdgepilotAgent:
    def __init__(self, transport, scaler, tracker=None, progress_transport=None, max_queue=1000, poll_wait_ms=20000, log=None):
        self.transport = transport
        self.progress_transport = progress_transport or transport
        self.scaler = scaler
        self.tracker = tracker or DecisionTracker()
        self.queue = collections.deque(maxlen=max_queue)  # oldest progress dropped first when the controller is away
        self.poll_wait_ms = poll_wait_ms
        self.log = log or (lambda msg: None)
        self.applied = []
        self.sent = 0
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads = []

    # -- listener side (called on Spark's listener thread: must not block) --
    def on_progress(self, progress_json):
        self.queue.append(progress_envelope(progress_json))
        self._wake.set()

    def on_event(self, kind, fields):
        self.queue.append(event_envelope(kind, fields))
        self._wake.set()

    # -- controller side --
    def flush(self):
        """Sends queued events; returns how many were sent. Stops at the first failure (kept for the next try)."""
        n = 0
        while self.queue:
            body = self.queue[0]
            self.progress_transport.post_event(body)
            self.queue.popleft()
            n += 1
        self.sent += n
        return n

    def poll_once(self, wait_ms=0, now=None):
        """One decision poll: applies a fresh decision and acknowledges it. Returns the applied decision or None."""
        obj = self.transport.poll_decision(self.tracker.last_seq, wait_ms)
        if obj is None:
            return None
        d = self.tracker.accept(obj, now)
        if d is None:
            return None
        try:
            result = self.scaler.apply(d["executors"])
        except Exception as err:  # a failed request must be reported, not kill the agent
            result = {"ok": False, "detail": "%s: %s" % (type(err).__name__, err)}
        self.applied.append((d["seq"], d["executors"], result))
        self.log("edgepilot: decision %d -> %d executors: %s" % (d["seq"], d["executors"], result["detail"]))
        self.transport.post_applied(d["seq"], d["executors"], result["ok"], result["detail"])
        return d

    def _sender_loop(self):
        backoff = 1.0
        while not self._stop.is_set():
            self._wake.wait(1.0)
            self._wake.clear()
            try:
                self.flush()
                backoff = 1.0
            except (ControllerError, OSError) as err:
                self.log("edgepilot: progress not delivered (%s); retrying in %.0f s" % (err, backoff))
                self._stop.wait(backoff)
                backoff = min(30.0, backoff * 2)

    def _poll_loop(self):
        backoff = 1.0
        while not self._stop.is_set():
            try:
                self.poll_once(self.poll_wait_ms)
                backoff = 1.0
            except (ControllerError, OSError, ValueError) as err:
                self.log("edgepilot: decision poll failed (%s); retrying in %.0f s" % (err, backoff))
                self._stop.wait(backoff)
                backoff = min(30.0, backoff * 2)

    def start(self):
        for target in (self._sender_loop, self._poll_loop):
            t = threading.Thread(target=target, name="edgepilot-agent", daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def stop(self, timeout_s=2.0):
        self._stop.set()
        self._wake.set()
        for t in self._threads:
            t.join(timeout_s)


def make_listener(agent):
    """A pyspark StreamingQueryListener forwarding every event to ``agent`` (PySpark 3.4+; onQueryIdle is 3.5)."""
    from pyspark.sql.streaming import StreamingQueryListener  # imported here: the protocol needs no PySpark

    class EdgepilotListener(StreamingQueryListener):
        def onQueryStarted(self, event):
            agent.on_event("started", {"id": str(event.id), "runId": str(event.runId), "name": event.name, "timestamp": event.timestamp})

        def onQueryProgress(self, event):
            agent.on_progress(event.progress.json)

        def onQueryIdle(self, event):
            agent.on_event("idle", {"id": str(event.id), "runId": str(event.runId), "timestamp": event.timestamp})

        def onQueryTerminated(self, event):
            agent.on_event("terminated", {"id": str(event.id), "runId": str(event.runId), "exception": event.exception})

    return EdgepilotListener()


def attach(spark, controller_url, token, min_executors=1, max_executors=20, mqtt=None, log=print, ca_file=None):
    """Registers the agent in a running SparkSession and starts it. The user's job needs only:

        from edgepilot_agent import attach
        attach(spark, "http://edgepilot-controller.streaming:7450", token=os.environ["EDGEPILOT_AGENT_TOKEN"])

    ``mqtt={"host", "port", "topic"}`` sends progress over MQTT instead of HTTP (decisions are always polled); the
    controller reads it with ``serve --agent-mqtt-url``. Optional keys: ``"username"``, ``"password"``, and
    ``"tls": True`` for the broker's TLS listener (port 8883 by default) with ``"ca_file"`` its certificate or CA.
    With an ``https://`` URL, ``ca_file`` is the controller's certificate or its CA (PEM); the system's CAs without it."""
    transport = HttpTransport(controller_url, token, ca_file=ca_file)
    progress = None
    if mqtt:
        from .transport import MqttProgressPublisher

        tls = bool(mqtt.get("tls", False))
        progress = MqttProgressPublisher(
            mqtt["host"],
            int(mqtt.get("port", 8883 if tls else 1883)),
            mqtt["topic"],
            "edgepilot-agent-" + spark.sparkContext.applicationId,
            token,
            username=mqtt.get("username"),
            password=mqtt.get("password"),
            tls=tls,
            ca_file=mqtt.get("ca_file"),
        )
    agent = EdgepilotAgent(transport, ExecutorScaler(spark.sparkContext), DecisionTracker(min_executors, max_executors), progress_transport=progress, log=log)
    spark.streams.addListener(make_listener(agent))
    return agent.start()


__all__ = ["EdgepilotAgent", "attach", "make_listener"]
