import unittest

from edgepilot_agent.executors import ExecutorScaler
from tests.fakes import FakeSparkContext, executors


class ExecutorScalerTest(unittest.TestCase):
    def test_scale_up_sets_the_total_not_an_increment(self):
        sc = FakeSparkContext()
        s = ExecutorScaler(sc, list_executors=lambda: executors(1, 0))
        r = s.apply(5)
        self.assertTrue(r["ok"])
        self.assertEqual(sc.scala.calls, [("requestTotalExecutors", 5, 0, ("map", ()))])
        # the same decision again (executors still starting): the same total, never 3 more
        s.apply(5)
        self.assertEqual(sc.scala.calls[-1][:2], ("requestTotalExecutors", 5))
        self.assertEqual(len([c for c in sc.scala.calls if c[0] == "requestExecutors"]), 0)

    def test_scale_down_kills_the_idlest_executors(self):
        sc = FakeSparkContext()
        s = ExecutorScaler(sc, list_executors=lambda: executors(3, 0, 2, 0))
        r = s.apply(2)
        self.assertTrue(r["ok"])
        self.assertEqual(sc.scala.calls, [("killExecutors", ("seq", ("4", "2")))])

    def test_no_change_makes_no_call(self):
        sc = FakeSparkContext()
        r = ExecutorScaler(sc, list_executors=lambda: executors(0, 0)).apply(2)
        self.assertTrue(r["ok"])
        self.assertEqual(sc.scala.calls, [])

    def test_lowering_a_pending_request_resets_the_total(self):
        sc = FakeSparkContext()
        running = [executors(0, 0)]
        s = ExecutorScaler(sc, list_executors=lambda: running[0])
        s.apply(6)  # 4 more requested, still starting
        s.apply(2)  # the burst passed before they came up: cancel them
        self.assertEqual(sc.scala.calls[-1][:2], ("requestTotalExecutors", 2))

    def test_falls_back_to_additive_request(self):
        sc = FakeSparkContext(fail_request_total=True)
        r = ExecutorScaler(sc, list_executors=lambda: executors(0)).apply(4)
        self.assertTrue(r["ok"])
        self.assertEqual(sc.scala.calls, [("requestExecutors", 3)])
        self.assertIn("requestExecutors(+3)", r["detail"])

    def test_bad_target(self):
        with self.assertRaises(ValueError):
            ExecutorScaler(FakeSparkContext(), list_executors=lambda: []).apply(-1)


if __name__ == "__main__":
    unittest.main()
