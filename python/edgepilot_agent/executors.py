"""Live executor-count changes from inside the driver, the way dynamic allocation does them.

Spark's SparkContext exposes ``requestExecutors``, ``killExecutors`` and ``requestTotalExecutors`` as
``@DeveloperApi`` for coarse-grained backends (Kubernetes is one); they are callable only in-process, which is why
this agent runs in the driver (/work/shared/reference/spark-k8s.md section 3.5 [read S-SC]; the
``requestTotalExecutors(numExecutors, localityAwareTasks, hostToLocalTaskCount)`` signature is the
ExecutorAllocationClient one [recalled for 3.5]). Nothing restarts: the scheduler backend creates or deletes executor
pods. Dynamic allocation must be off, or its allocation manager resets the target (docs/SPARK.md).

Scale-up: ``requestTotalExecutors(target, 0, {})`` (idempotent: asking twice for 6 still means 6; falls back to
``requestExecutors(target - current)``). Scale-down: ``killExecutors([...])`` on the idlest executors (fewest active
tasks, highest id first), which also lowers the target.
"""

import json
import urllib.request


def list_executors_from_ui(sc, timeout_s=5.0):
    """Active executors from the driver's own monitoring REST API (driver entry excluded; spark-k8s.md 1.4)."""
    base = sc.uiWebUrl
    if not base:
        raise RuntimeError("the Spark UI is disabled (spark.ui.enabled=false): cannot list executors")
    url = "%s/api/v1/applications/%s/executors" % (base.rstrip("/"), sc.applicationId)
    with urllib.request.urlopen(url, timeout=timeout_s) as r:
        items = json.loads(r.read().decode("utf-8"))
    return [e for e in items if e.get("id") != "driver" and e.get("isActive", True)]


class ExecutorScaler:
    def __init__(self, sc, list_executors=None):
        self.sc = sc
        self.list_executors = list_executors or (lambda: list_executors_from_ui(sc))
        self.requested_total = None

    def _scala_sc(self):
        return self.sc._jsc.sc()

    def _empty_scala_map(self):
        jvm = self.sc._jvm
        return jvm.org.apache.spark.api.python.PythonUtils.toScalaMap(jvm.java.util.HashMap())

    def _scala_seq(self, items):
        jvm = self.sc._jvm
        jlist = jvm.java.util.ArrayList()
        for x in items:
            jlist.add(x)
        return jvm.org.apache.spark.api.python.PythonUtils.toSeq(jlist)

    def apply(self, target):
        """Brings the executor count to ``target``; returns {"ok", "detail", "before", "target"}."""
        if int(target) != target or target < 0:
            raise ValueError("target must be an integer >= 0, got %r" % (target,))
        executors = self.list_executors()
        current = len(executors)
        if target > current or (target == current and self.requested_total not in (None, target)):
            return self._scale_up(target, current)
        if target < current:
            return self._scale_down(target, executors)
        return {"ok": True, "detail": "already at %d executors" % current, "before": current, "target": target}

    def _scale_up(self, target, current):
        scala_sc = self._scala_sc()
        try:
            ok = bool(scala_sc.requestTotalExecutors(int(target), 0, self._empty_scala_map()))
            how = "requestTotalExecutors(%d)" % target
        except Exception as err:  # older/newer signature: fall back to the additive request
            missing = max(0, int(target) - current - self._pending(current))
            ok = bool(scala_sc.requestExecutors(missing)) if missing > 0 else True
            how = "requestExecutors(+%d) after requestTotalExecutors failed: %s" % (missing, err)
        if ok:
            self.requested_total = int(target)
        return {"ok": ok, "detail": how, "before": current, "target": target}

    def _pending(self, current):
        return max(0, (self.requested_total or current) - current)

    def _scale_down(self, target, executors):
        def idleness(e):
            # idle first, then fewest running tasks, then the newest (highest numeric id)
            eid = e.get("id", "")
            return (e.get("activeTasks", 0), -(int(eid) if str(eid).isdigit() else 0))

        victims = [str(e["id"]) for e in sorted(executors, key=idleness)[: len(executors) - int(target)]]
        ok = bool(self._scala_sc().killExecutors(self._scala_seq(victims)))
        if ok:
            self.requested_total = int(target)
        return {"ok": ok, "detail": "killExecutors(%s)" % ",".join(victims), "before": len(executors), "target": target}
