"""What --export-dir writes and a dry run shows: clean YAML manifests, their file names, unified diffs."""

import copy

import yaml

from azext_wasimig.kube.snapshot import ClusterSnapshot
from azext_wasimig.retarget import export as ex
from azext_wasimig.retarget import plan as rp
from azext_wasimig.retarget import rewrite as rt
from tests.unit.retarget.helpers import NEW, OLD, finding, krustlet_deployment, pod, spin_cronjob


def test_diff_shows_the_changed_lines_only():
    before = krustlet_deployment()
    text = ex.diff(before, rt.retarget(before, OLD, NEW, "cutover"), "demo/Deployment/wagi")
    assert text.startswith("--- a/demo/Deployment/wagi\n+++ b/demo/Deployment/wagi\n")
    assert "-        alpha.wagi.krustlet.dev/default-host: 0.0.0.0:3001\n" in text
    assert "+        kubernetes.azure.com/agentpool: wasipool2\n" in text
    assert "-        agentpool: wasipool\n" in text
    assert "resourceVersion" not in text and "status" not in text
    assert ex.diff(before, copy.deepcopy(before), "x") == ""


def test_export_is_clean_yaml_that_keeps_the_saved_placement():
    text = ex.to_yaml(rt.retarget(krustlet_deployment(), OLD, NEW, "cutover"))
    loaded = yaml.safe_load(text)
    assert "status" not in loaded
    assert not {"managedFields", "resourceVersion", "uid", "creationTimestamp"} & set(loaded["metadata"])
    assert rt.ORIGINAL_PLACEMENT in loaded["metadata"]["annotations"]
    assert rt.rollback(loaded) == ex.clean(krustlet_deployment())


def test_exported_pod_is_not_bound_to_its_old_node():
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p1", "deletionTimestamp": "2026-01-01T00:00:00Z"},
           "spec": {"nodeName": "aks-wasipool-1", "nodeSelector": {"agentpool": OLD},
                    "containers": [{"name": "c", "image": "i"}]}, "status": {"phase": "Running"}}
    loaded = yaml.safe_load(ex.to_yaml(rt.retarget(pod, OLD, NEW, "cutover", allow_pod=True)))
    assert "nodeName" not in loaded["spec"] and "status" not in loaded
    assert "deletionTimestamp" not in loaded["metadata"]
    assert pod["spec"]["nodeName"] == "aks-wasipool-1", "the object read is left as it was"


def test_exports_are_rendered_whole_and_rows_get_their_files():
    snapshot = ClusterSnapshot(workloads=[spin_cronjob()], pods=[pod("lonely")])
    plans = rp.plan_all(snapshot, [finding(spin_cronjob()), finding(pod("lonely"))], OLD, NEW, "cutover")
    contents = ex.render(plans)
    assert sorted(contents) == ["demo_cronjob_tick.yaml", "demo_pod_lonely.yaml"]
    assert all(isinstance(text, str) and "kind:" in text for text in contents.values())
    rows = [rp.row(item, "skipped") for item in plans] + [{"namespace": "x", "kind": "Pod", "name": "y"}]
    ex.add_files(rows, plans, "out")
    assert [r["file"] for r in rows] == ["out/demo_cronjob_tick.yaml", "out/demo_pod_lonely.yaml", None]


def test_file_names_cannot_collide():
    (item,) = rp.plan_all(ClusterSnapshot(workloads=[spin_cronjob()]), [finding(spin_cronjob())], OLD, NEW, "cutover")
    assert ex.file_name(item) == "demo_cronjob_tick.yaml"
