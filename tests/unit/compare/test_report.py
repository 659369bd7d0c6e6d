"""The Markdown report and its SVG charts, from a compare result."""

import xml.etree.ElementTree as ET

from azext_wasimig.compare import report, verdict

RESULT = {
    "cluster": "aks-prod", "resourceGroup": "rg", "old": {"nodepool": "wasipool"}, "new": {"nodepool": "std"},
    "metrics": "notServed", "windowSeconds": 10.0, "maxRegressionPercent": 10.0,
    "workloads": [{"workload": "shop/Deployment/web", "figures": [
        {"figure": "startupP95Seconds", "unit": "s", "old": 2, "new": 5, "ratio": 2.5, "workload": "shop/Deployment/web"}],
        "old": {"pods": [{"pod": "web-a", "scheduledSeconds": 0, "readySeconds": 2, "restarts": 0,
                          "lastTerminationReasons": []}], "startup": {"median": 2, "p95": 2}},
        "new": {"pods": [{"pod": "web-b", "scheduledSeconds": 1, "readySeconds": 5, "restarts": 3,
                          "lastTerminationReasons": ["OOMKilled"]}], "startup": {"median": 5, "p95": 5}}}],
    "load": {side: {"target": f"--url-{side} http://10.0.0.{i}/", "requests": 100, "stoppedBy": "duration",
                    "latencyDistributionMs": [float(i * p) for p in range(21)]}
             for i, side in ((1, "old"), (2, "new"))},
    "figures": [{"figure": "latencyP95Ms", "unit": "ms", "old": 19.0, "new": 38.0, "ratio": 2.0, "workload": None}],
    "notes": ["metrics.k8s.io is not served"]}
RESULT["regressions"] = verdict.regressions(RESULT["figures"] + RESULT["workloads"][0]["figures"], 10)


def test_report_names_the_verdict_tables_and_links_its_charts():
    files = report.render(RESULT, "cmp", generated="2026-12-01 10:00 UTC")
    assert sorted(files) == ["cmp-latency.svg", "cmp-startup.svg", "cmp.md"]
    text = files["cmp.md"]
    assert text.startswith("# Parallel run: wasipool against std\n")
    assert "**2 regression(s)** beyond 10%" in text and "latencyP95Ms of the load: 19 -> 38 (2.0x" in text
    assert "| latencyP95Ms | ms | 19 | 38 | 2 |" in text
    assert "| new | web-b | 1 | 5 | 3 | OOMKilled |" in text
    assert "![Latency distribution per side](cmp-latency.svg)" in text and "(cmp-startup.svg)" in text
    assert "- metrics.k8s.io is not served" in text


def test_charts_are_svg_with_the_figures_in_them():
    files = report.render(RESULT, "cmp", generated="x")
    latency = ET.fromstring(files["cmp-latency.svg"])
    titles = [t.text for t in latency.iter("{http://www.w3.org/2000/svg}title")]
    assert "new p100: 40 ms" in titles and "old p50: 10 ms" in titles
    startup = ET.fromstring(files["cmp-startup.svg"])
    titles = [t.text for t in startup.iter("{http://www.w3.org/2000/svg}title")]
    assert "new median 5 s" in titles and "old p95 2 s" in titles


def test_without_load_or_threshold_there_is_no_latency_chart_and_no_verdict():
    bare = {**RESULT, "load": None, "maxRegressionPercent": None, "regressions": [], "notes": []}
    files = report.render(bare, "cmp", generated="x")
    assert sorted(files) == ["cmp-startup.svg", "cmp.md"]
    assert "No threshold was set" in files["cmp.md"]


def test_write_puts_the_report_and_its_charts_together_privately(tmp_path):
    import stat
    import pytest
    from azext_wasimig import files
    path = tmp_path / "out" / "cmp.md"
    report.check_writable(str(path))
    written = report.write(str(path), RESULT)
    assert sorted(p.rsplit("/", 1)[1] for p in written) == ["cmp-latency.svg", "cmp-startup.svg", "cmp.md"]
    assert all(stat.S_IMODE((tmp_path / "out" / n).stat().st_mode) == 0o600 for n in ("cmp.md", "cmp-latency.svg"))
    with pytest.raises(files.FileError):
        report.check_writable(str(path))
