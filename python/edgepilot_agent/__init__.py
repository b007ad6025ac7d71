"""Edgepilot driver agent for Spark Structured Streaming (docs/SPARK.md, docs/DEPLOY.md).

In the user's streaming job:

    from edgepilot_agent import attach
    attach(spark, "http://edgepilot-controller.streaming:7450", token=os.environ["EDGEPILOT_AGENT_TOKEN"])

The protocol parts (protocol, transport, executors) import without PySpark.
"""

from .agent import EdgepilotAgent, attach, make_listener
from .executors import ExecutorScaler
from .protocol import DecisionTracker
from .transport import HttpTransport, MqttProgressPublisher

__all__ = ["EdgepilotAgent", "attach", "make_listener", "ExecutorScaler", "DecisionTracker", "HttpTransport", "MqttProgressPublisher"]
