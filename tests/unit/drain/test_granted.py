"""Which budgets granted an eviction of a pod that was never deleted (drain/granted.py)."""

from azext_wasimig.drain import granted


def _pod(name, labels=None):
    return {"metadata": {"name": name, "namespace": "apps", "uid": f"uid-{name}", "labels": labels or {"app": "web"}}}


def _pdb(name, disrupted=None, app="web", namespace="apps"):
    return {"metadata": {"name": name, "namespace": namespace},
            "spec": {"selector": {"matchLabels": {"app": app}}, "maxUnavailable": 1},
            "status": {"disruptionsAllowed": 0, "disruptedPods": disrupted or {}}}


def test_a_covering_budget_that_lists_the_pod_as_disrupted_granted_its_eviction():
    pdbs = [_pdb("web", {"web-a": "2026-12-02T06:00:00Z"}), _pdb("other", {"web-a": "2026-12-02T06:00:00Z"}, "db")]
    assert granted.granting_budgets(_pod("web-a"), pdbs) == ["web"]


def test_a_budget_listing_another_pod_or_none_granted_nothing():
    assert granted.granting_budgets(_pod("web-b"), [_pdb("web", {"web-a": "2026-12-02T06:00:00Z"})]) == []
    assert granted.granting_budgets(_pod("web-a"), [_pdb("web")]) == []
    assert granted.granting_budgets(_pod("web-a"), [{"metadata": {"name": "web", "namespace": "apps"},
                                                     "spec": {"selector": {"matchLabels": {"app": "web"}}}}]) == []


def test_a_budget_of_another_namespace_does_not_count():
    pdbs = [_pdb("web", {"web-a": "2026-12-02T06:00:00Z"}, namespace="other")]
    assert granted.granting_budgets(_pod("web-a"), pdbs) == []
