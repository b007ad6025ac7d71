"""A fake SparkContext exposing just what ExecutorScaler touches (sc._jsc.sc() and sc._jvm)."""


class _JavaList(list):
    def add(self, x):
        self.append(x)


class _PythonUtils:
    @staticmethod
    def toSeq(jlist):
        return ("seq", tuple(jlist))

    @staticmethod
    def toScalaMap(jmap):
        return ("map", tuple(sorted(jmap.items())))


class _Namespace:
    pass


class FakeScalaSparkContext:
    def __init__(self, fail_request_total=False):
        self.calls = []
        self.fail_request_total = fail_request_total

    def requestTotalExecutors(self, n, locality_aware_tasks, host_to_local):
        if self.fail_request_total:
            raise RuntimeError("py4j: method requestTotalExecutors does not exist")
        self.calls.append(("requestTotalExecutors", n, locality_aware_tasks, host_to_local))
        return True

    def requestExecutors(self, n):
        self.calls.append(("requestExecutors", n))
        return True

    def killExecutors(self, seq):
        self.calls.append(("killExecutors", seq))
        return True


class FakeSparkContext:
    applicationId = "spark-c8519a1215934adba443bc7cd1108a1c"
    uiWebUrl = "http://127.0.0.1:4040"

    def __init__(self, fail_request_total=False):
        self.scala = FakeScalaSparkContext(fail_request_total)
        jsc = _Namespace()
        jsc.sc = lambda: self.scala
        self._jsc = jsc
        jvm = _Namespace()
        jvm.java = _Namespace()
        jvm.java.util = _Namespace()
        jvm.java.util.ArrayList = _JavaList
        jvm.java.util.HashMap = dict
        jvm.org = _Namespace()
        jvm.org.apache = _Namespace()
        jvm.org.apache.spark = _Namespace()
        jvm.org.apache.spark.api = _Namespace()
        jvm.org.apache.spark.api.python = _Namespace()
        jvm.org.apache.spark.api.python.PythonUtils = _PythonUtils
        self._jvm = jvm


def executors(*active_tasks):
    """The REST API's executor list (driver included, as Spark returns it) with these activeTasks per executor."""
    out = [{"id": "driver", "isActive": True, "activeTasks": 0}]
    for i, t in enumerate(active_tasks, start=1):
        out.append({"id": str(i), "isActive": True, "activeTasks": t, "totalCores": 4})
    return [e for e in out if e["id"] != "driver"]
