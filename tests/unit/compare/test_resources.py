"""metrics.k8s.io figures: quantities as metrics-server writes them, PodMetrics summed, sides summarised."""

import pytest

from azext_wasimig.compare import resources

POD_METRICS = {"kind": "PodMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
               "metadata": {"name": "web-1", "namespace": "shop", "creationTimestamp": "2026-11-30T10:00:00Z"},
               "timestamp": "2026-11-30T09:59:45Z", "window": "15.022s",
               "containers": [{"name": "app", "usage": {"cpu": "4123456n", "memory": "24308Ki"}},
                              {"name": "sidecar", "usage": {"cpu": "1m", "memory": "1Mi"}}]}


@pytest.mark.parametrize("text, expected", [("250m", "0.25"), ("1", "1"), ("1500000n", "0.0015"), ("2u", "0.000002"),
                                            ("1Ki", "1024"), ("1.5Gi", "1610612736"), ("12e3", "12000"),
                                            ("1M", "1000000")])
def test_quantities(text, expected):
    from decimal import Decimal
    assert resources.quantity(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "1Xi", "nan", "inf"])
def test_not_quantities(text):
    assert resources.quantity(text) is None


def test_pod_usage_sums_its_containers():
    assert resources.pod_usage(POD_METRICS) == (5.123, 24308 * 1024 + 1024 * 1024)
    assert resources.pod_usage({"containers": []}) is None


def test_side_resources_take_median_and_peak_over_every_sample_of_its_pods():
    samples = [{("shop", "a"): (10, 100), ("shop", "b"): (30, 300), ("shop", "other"): (999, 999)},
               {("shop", "a"): (20, 200)}]
    found = resources.side_resources(samples, [("shop", "a"), ("shop", "b")])
    assert found == {"samples": 3, "cpuMillicores": {"median": 20, "peak": 30},
                     "memoryBytes": {"median": 200, "peak": 300}}
