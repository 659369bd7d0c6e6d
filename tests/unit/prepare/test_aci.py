"""create-aci's own logic: references, build context, re-run comparison, failure wording."""

import pytest

from azext_wasimig import _format
from azext_wasimig.kube.snapshot import ClusterSnapshot
from azext_wasimig.prepare import aci, aci_spec
from tests.unit.prepare.aci_objects import context, spin_deployment

OPTIONS = aci.Options(location="westeurope", resource_group="rg")


def body():
    [(_, made)], _ = aci_spec.build(spin_deployment(), context(replicas=1))
    return made


def served(made):
    """What the service answers for a body: secrets gone, read-only fields added."""
    answer = aci.comparable(made)
    answer["properties"]["provisioningState"] = "Succeeded"
    answer["properties"]["containers"][0]["properties"]["instanceView"] = {"restartCount": 0}
    return answer


def test_the_same_group_as_served_is_no_clash_and_any_difference_is_named():
    made = body()
    assert aci.clash("web-0", made, served(made), OPTIONS) is None
    changed = served(made)
    changed["properties"]["containers"][0]["properties"]["image"] = "other"
    assert "differs from what the workload gives now at properties.containers[0].properties.image" in \
        aci.clash("web-0", made, changed, OPTIONS)
    foreign = {**served(made), "tags": {"owner": "x"}}
    assert "was not made by wasimig" in aci.clash("web-0", made, foreign, OPTIONS)


def test_comparable_drops_every_secret():
    made = body()
    text = str(aci.comparable(made))
    assert "s3cr3t-token" not in text and "pull-pass" not in text and "'name': 'TOKEN'" in text


def test_first_difference_accepts_what_the_service_adds_or_leaves_empty():
    assert aci.first_difference({"a": {}, "b": [1]}, {"b": [1], "c": 2}) is None
    assert aci.first_difference({"b": [1, 2]}, {"b": [1]}) == "b"
    assert aci.first_difference({"b": [{"x": 1}]}, {"b": [{"x": 2}]}) == "b[0].x"


def test_payloads_the_spin_runtime_cannot_run_need_an_image():
    wagi = {"payload": "wagi"}
    with pytest.raises(aci_spec.UnsupportedWorkload, match="--image"):
        aci.build_context(spin_deployment(), wagi, {}, OPTIONS)
    rebuilt = aci.build_context(spin_deployment(), wagi, {}, aci.Options(location="westeurope", resource_group="rg", image="my/app:2"))
    assert rebuilt["is_wasm"] and rebuilt["image"] == "my/app:2"
    daemon = {**spin_deployment(), "kind": "DaemonSet"}   # refused before its payload: no --image helps
    with pytest.raises(aci_spec.UnsupportedWorkload, match="DaemonSet"):
        aci.build_context(daemon, wagi, {}, aci.Options(location="westeurope", resource_group="rg", image="my/app:2"))
    assert not aci.build_context(spin_deployment(), {"payload": "container"}, {}, OPTIONS)["is_wasm"]


def test_references_that_do_not_exist_or_are_not_tied_fail_together():
    web = spin_deployment()
    snapshot = ClusterSnapshot(workloads=[web])
    tied = [{"namespace": "demo", "kind": "Deployment", "name": "web", "pools": ["wasi"]}]
    assert aci.resolve([("demo", "Deployment", "web")] * 2, snapshot, tied) == [(("demo", "Deployment", "web"), web,
                                                                                  tied[0])]
    with pytest.raises(aci.WorkloadNotFound, match="demo/Deployment/nope: namespace 'demo' has no"):
        aci.resolve([("demo", "Deployment", "web"), ("demo", "Deployment", "nope")], snapshot, tied)
    with pytest.raises(aci.WorkloadNotTied, match="not tied to WASI pool 'other'"):
        aci.resolve([("demo", "Deployment", "web")], snapshot, tied, pool="other")


def test_failures_name_each_workload_and_what_was_done_for_the_others():
    results = [aci.result(("demo", "Deployment", "web"), "created", ["web-0"], OPTIONS),
               aci.result(("demo", "Deployment", "db"), "failed", [], OPTIONS, reason="ACI cannot run it: a PVC.")]
    error = aci.failures_error(results)
    assert "1 of 2 workload(s)" in str(error) and "demo/Deployment/db: ACI cannot run it: a PVC." in str(error)
    assert "demo/Deployment/web: created (web-0)" in str(error)
    assert aci.failures_error(results[:1]) is None
    (row,) = _format.create_aci_table_format(results[:1])
    assert list(row) == ["Workload", "Action", "ResourceGroup", "Groups", "Reason"]
