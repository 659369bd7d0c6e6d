"""The figures' maths: percentiles by linear interpolation, summaries, ratios, and the regression gate."""

import pytest

from azext_wasimig.compare import stats, verdict
from azext_wasimig.compare.errors import Regressed


@pytest.mark.parametrize("values, pct, expected", [
    ([], 50, None),
    ([7], 95, 7),
    ([1, 2, 3, 4], 50, 2.5),
    ([4, 1, 3, 2], 0, 1),
    ([4, 1, 3, 2], 100, 4),
    (list(range(1, 101)), 95, 95.05),      # numpy.percentile(range(1, 101), 95)
    (list(range(1, 101)), 99, 99.01),
    ([10, 20], 90, 19),
])
def test_percentile_interpolates_between_closest_ranks(values, pct, expected):
    found = stats.percentile(values, pct)
    assert found is None if expected is None else found == pytest.approx(expected)


def test_summary_skips_missing_values_and_counts_the_rest():
    assert stats.summary([3, None, 1, 2]) == {"count": 3, "median": 2, "p95": 2.9, "peak": 3}
    assert stats.summary([None]) == {"count": 0, "median": None, "p95": None, "peak": None}


@pytest.mark.parametrize("old, new, expected", [
    (10, 20, 2.0), (20, 10, 0.5), (3, 1, 0.333), (0, 0, 1.0), (0, 5, None), (None, 5, None), (5, None, None)])
def test_ratio_is_new_over_old_and_none_when_it_cannot_be_said(old, new, expected):
    assert stats.ratio(old, new) == expected


def _fig(name, old, new, workload="ns/Deployment/web"):
    return {**stats.figure(name, old, new, "x"), "workload": workload}


def test_regressions_are_the_gated_figures_worse_than_the_limit():
    figures = [_fig("startupP95Seconds", 10, 11), _fig("memoryPeakBytes", 100, 111),
               _fig("latencyP95Ms", 20, 40, None), _fig("restarts", 0, 9), _fig("cpuPeakMillicores", 1, 99)]
    found = verdict.regressions(figures, 10)
    assert [(r["figure"], r["workload"]) for r in found] == [("memoryPeakBytes", "ns/Deployment/web"),
                                                            ("latencyP95Ms", None)]
    assert found[1]["ratio"] == 2.0 and found[1]["limit"] == 1.1


def test_exactly_at_the_limit_is_no_regression_and_no_threshold_gates_nothing():
    assert verdict.regressions([_fig("startupP95Seconds", 10, 11)], 10) == []
    assert verdict.regressions([_fig("latencyP95Ms", 10, 1000)], None) == []


def test_missing_figures_never_regress_but_from_zero_to_more_does():
    assert verdict.regressions([_fig("memoryPeakBytes", None, 5), _fig("memoryPeakBytes", 5, None)], 0) == []
    assert verdict.regressions([_fig("memoryPeakBytes", 0, 1)], 0)
    (found,) = verdict.regressions([_fig("startupP95Seconds", 0, 2)], 50)
    assert found["ratio"] is None and "old was 0" in verdict.describe(found)


def test_start_ups_within_their_one_second_resolution_never_regress():
    assert verdict.regressions([_fig("startupP95Seconds", 0, 1), _fig("startupP95Seconds", 2, 3)], 10) == []
    assert [r["new"] for r in verdict.regressions([_fig("startupP95Seconds", 2, 3.5)], 10)] == [3.5]


def test_gate_names_each_regressed_figure():
    result = {"maxRegressionPercent": 10.0, "regressions": verdict.regressions([_fig("latencyP95Ms", 5, 9, None)], 10)}
    with pytest.raises(Regressed) as raised:
        verdict.gate(result)
    assert "latencyP95Ms of the load: 5 -> 9 (1.8x, limit 1.1x)" in str(raised.value)
    verdict.gate({"maxRegressionPercent": 10.0, "regressions": []})


def test_workload_and_load_figures_pair_old_with_new():
    old = {"startup": {"median": 2, "p95": 4}, "stability": {"restarts": 0, "oomKilled": 0},
           "resources": {"cpuMillicores": {"median": 5, "peak": 10}, "memoryBytes": {"median": 100, "peak": 200}}}
    new = {"startup": {"median": 3, "p95": 8}, "stability": {"restarts": 2, "oomKilled": 1}, "resources": None}
    rows = {r["figure"]: (r["old"], r["new"], r["ratio"]) for r in verdict.workload_figures(old, new)}
    assert rows["startupP95Seconds"] == (4, 8, 2.0) and rows["memoryPeakBytes"] == (200, None, None)
    assert rows["oomKilled"] == (0, 1, None)
    loaded = verdict.load_figures({"requestsPerSecond": 100, "errorRate": 0.0, "latencyMs": {"p95": 10}},
                                  {"requestsPerSecond": 50, "errorRate": 0.2, "latencyMs": {"p95": 25}})
    assert {r["figure"]: r["ratio"] for r in loaded}["latencyP95Ms"] == 2.5
    assert {r["figure"]: r["ratio"] for r in loaded}["requestsPerSecond"] == 0.5
