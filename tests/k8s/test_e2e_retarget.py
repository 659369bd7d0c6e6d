"""`az aks wasi-migrate retarget` end to end: the real az with the wheel -> emulated ARM (which proves the old pool
is a WASI pool and the new one a standard pool, and hands out the kubeconfig) -> the real kube-apiserver,
controllers and scheduler v1.20.2, with the harness playing kubelet.

Each test gets its own namespace and pools (``pool_name(ns, "w")`` WASI, ``pool_name(ns, "s")`` standard);
a label ``wasimig.test/ns`` on both keeps the test's pods on its own nodes. The RuntimeClasses are cluster-wide:
the WASI-era ``wasmtime-spin-v1`` (scheduled on the nodes labelled ``kubernetes.azure.com/wasmtime-spin-v1``, as
AKS made it) and the replacement ``wasimig-test-spin`` passed as ``--runtime-class``.
"""

import copy
import json
import os
import stat

import pytest
import yaml

from tests.k8s.harness import AKS_SPIN_CLASS, aks_spin_runtime_class, embedded_kubeconfig, pool_name, wait_for
from tests.k8s.helpers import TEST_LABEL, _create, _pods, _ready
from tests.k8s.retarget_estate import (CLUSTER, DEPLOYMENTS, NEW_CLASS, OLD_CLASS, ORIGINAL, POOL_LABEL, RG, SUB,
                                       WASI_LABEL, _deployment, _get, estate, retarget, retarget_subscription)

pytestmark = [pytest.mark.e2e, pytest.mark.k8s]
__all__ = ["retarget_subscription"]   # the fixture: RuntimeClasses and the subscription


@pytest.fixture(name="pools")
def pools_fixture(arm, retarget_subscription, namespace, kubelet, k8s_env):
    """The test's WASI pool with 2 nodes (labelled as AKS labelled its Spin nodes) in ARM and in the cluster; the
    standard pool is in ARM, and ``add_new`` puts its 2 nodes in the cluster."""
    old, new = pool_name(namespace, "w"), pool_name(namespace, "s")
    kubelet.add_pool(old, 2, labels={TEST_LABEL: namespace, WASI_LABEL: "true"})
    arm.set_estate(estate(old, new))
    arm.set_kubeconfig(SUB, RG, CLUSTER, embedded_kubeconfig(k8s_env.kubeconfig))

    def add_new():
        kubelet.add_pool(new, 2, labels={TEST_LABEL: namespace})
    return old, new, add_new


def workloads(api, ns, old):
    """A Deployment pinned to the old pool with Krustlet leftovers, and a Spin one with the WASI-era class."""
    pinned = _deployment("pinned", {
        "nodeSelector": {POOL_LABEL: old, TEST_LABEL: ns},
        "tolerations": [{"key": "kubernetes.io/arch", "operator": "Equal", "value": "wasm32-wagi",
                         "effect": "NoSchedule"}]},
        annotations={"alpha.wagi.krustlet.dev/modules": "{}", "team": "edge"})
    spin = _deployment("spin", {"runtimeClassName": OLD_CLASS, "nodeSelector": {TEST_LABEL: ns}})
    for body in (pinned, spin):
        _create(api, DEPLOYMENTS.format(ns=ns), body)
    wait_for(lambda: sum(map(_ready, _pods(api, ns))) == 4, 30, "4 ready pods on the old pool")
    return {name: _get(api, ns, name) for name in ("pinned", "spin")}


def _template(api, ns, name):
    return _get(api, ns, name)["spec"]["template"]


def _all_on(api, ns, pool, count):
    ready = [p for p in _pods(api, ns) if _ready(p)]
    return len(ready) == count and all(p["spec"]["nodeName"].startswith(pool + "-") for p in ready)


def _rows(result, namespace):
    """This test's rows. (A namespace of an earlier test may still be going away: its pods and ReplicaSets are
    tied to this pool by the shared RuntimeClass until they are gone, and are reported as skipped.)"""
    return {row["name"]: row for row in result.json if row["namespace"] == namespace}


def test_parallel_cutover_rollback_moves_pods_and_restores_exactly(az, k8s_api, namespace, pools):
    old, new, add_new = pools
    original = workloads(k8s_api, namespace, old)

    result = retarget(az, old, new, "parallel", "--runtime-class", NEW_CLASS, "--yes")
    assert {r["namespace"] for r in result.json if r["action"] != "skipped"} == {namespace}, "nothing else changed"
    rows = _rows(result, namespace)
    assert {n: r["action"] for n, r in rows.items()} == {"pinned": "patched", "spin": "patched"}
    pinned, spin = (_template(k8s_api, namespace, n)["spec"] for n in ("pinned", "spin"))
    both = {"key": POOL_LABEL, "operator": "In", "values": [old, new]}
    for spec in (pinned, spin):
        terms = spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
        assert terms == [{"matchExpressions": [both]}]
        assert spec["nodeSelector"] == {TEST_LABEL: namespace}
    assert "tolerations" not in pinned and spin["runtimeClassName"] == NEW_CLASS
    assert _template(k8s_api, namespace, "pinned")["metadata"]["annotations"] == {"team": "edge"}
    saved = json.loads(_get(k8s_api, namespace, "pinned")["metadata"]["annotations"][ORIGINAL])
    before = original["pinned"]["spec"]["template"]["spec"]
    assert saved == {"from": old, "to": new, "placement": {   # the move, and the placement as it was
        "nodeSelector": {POOL_LABEL: old, TEST_LABEL: namespace}, "tolerations": before["tolerations"],
        "annotations": {"alpha.wagi.krustlet.dev/modules": "{}"}}}

    versions = {n: _get(k8s_api, namespace, n)["metadata"]["generation"] for n in rows}   # spec changes only
    again = retarget(az, old, new, "parallel", "--runtime-class", NEW_CLASS, "-o", "table").out
    assert again.split()[:5] == ["Namespace", "Kind", "Name", "Action", "Reason"] and "patched" not in again
    assert {n: _get(k8s_api, namespace, n)["metadata"]["generation"] for n in rows} == versions, "no PATCH"

    add_new()
    assert "--yes" in retarget(az, old, new, "cutover", "--runtime-class", NEW_CLASS, expect=1).err
    rows = _rows(retarget(az, old, new, "cutover", "--runtime-class", NEW_CLASS, "--yes"), namespace)
    assert {r["action"] for r in rows.values()} == {"patched"}
    assert _template(k8s_api, namespace, "pinned")["spec"]["nodeSelector"] == {TEST_LABEL: namespace, POOL_LABEL: new}
    wait_for(lambda: _all_on(k8s_api, namespace, new, 4), 60, "the scheduler to move every pod to the new pool")
    rows = _rows(retarget(az, old, new, "cutover", "--runtime-class", NEW_CLASS, "--yes"), namespace)
    assert {r["action"] for r in rows.values()} == {"unchanged"}, "still found after its pods left the old pool"

    rows = _rows(retarget(az, old, new, "rollback", "--yes"), namespace)
    assert {r["action"] for r in rows.values()} == {"patched"}
    for name, before in original.items():
        after = _get(k8s_api, namespace, name)
        assert after["spec"]["template"] == before["spec"]["template"], name
        assert ORIGINAL not in (after["metadata"].get("annotations") or {})
    wait_for(lambda: _all_on(k8s_api, namespace, old, 4), 60, "the pods to go back to the old pool")
    assert {r["action"] for r in _rows(retarget(az, old, new, "rollback", "--yes"), namespace).values()} == \
        {"unchanged"}


def test_dry_run_prints_diffs_and_export_dir_writes_manifests(az, k8s_api, namespace, pools, tmp_path):
    old, new, _ = pools
    original = workloads(k8s_api, namespace, old)
    rows = _rows(retarget(az, old, new, "cutover", "--runtime-class", NEW_CLASS, "--dry-run", "--export-dir",
                          str(tmp_path)), namespace)
    assert {r["action"] for r in rows.values()} == {"wouldPatch"}
    diff = rows["spin"]["diff"]
    assert diff.startswith(f"--- a/{namespace}/Deployment/spin\n+++ b/{namespace}/Deployment/spin\n")
    assert f"-      runtimeClassName: {OLD_CLASS}\n" in diff and f"+      runtimeClassName: {NEW_CLASS}\n" in diff
    assert f"+        {POOL_LABEL}: {new}\n" in diff
    tsv = retarget(az, old, new, "cutover", "--runtime-class", NEW_CLASS, "--dry-run", "--query", "[].diff",
                   "-o", "tsv").out
    assert tsv.startswith(f"--- a/{namespace}/Deployment/pinned\n") and diff in tsv
    for name in original:
        assert _get(k8s_api, namespace, name)["metadata"]["generation"] == original[name]["metadata"]["generation"]
        manifest = yaml.safe_load((tmp_path / f"{namespace}_deployment_{name}.yaml").read_text())
        assert rows[name]["file"] == str(tmp_path / f"{namespace}_deployment_{name}.yaml")
        assert manifest["spec"]["template"]["spec"]["nodeSelector"][POOL_LABEL] == new
        assert "status" not in manifest and "resourceVersion" not in manifest["metadata"]
        assert ORIGINAL in manifest["metadata"]["annotations"]


def test_bare_pods_and_jobs_are_skipped_with_the_reason(az, k8s_api, namespace, pools, tmp_path):
    old, new, _ = pools
    spec = {"nodeSelector": {POOL_LABEL: old, TEST_LABEL: namespace}, "terminationGracePeriodSeconds": 1,
            "containers": [{"name": "app", "image": "example.azurecr.io/app:1"}]}
    _create(k8s_api, f"/api/v1/namespaces/{namespace}/pods", {"metadata": {"name": "lonely"}, "spec": spec})
    _create(k8s_api, f"/apis/batch/v1/namespaces/{namespace}/jobs", {"metadata": {"name": "once"}, "spec": {
        "template": {"spec": {**copy.deepcopy(spec), "restartPolicy": "Never"}}}})
    wait_for(lambda: sum(map(_ready, _pods(k8s_api, namespace))) == 2, 30, "the pod and the Job's pod")
    rows = _rows(retarget(az, old, new, "parallel", "--runtime-class", NEW_CLASS, "--yes", "--export-dir",
                          str(tmp_path)), namespace)
    assert rows["lonely"]["action"] == "skipped" and "recreate it" in rows["lonely"]["reason"]
    assert rows["once"]["action"] == "skipped" and "Job's pod template" in rows["once"]["reason"]
    assert not any(r["kind"] == "Pod" and r["name"] != "lonely" for r in rows.values()), "the Job's pod is the Job's"
    pod = yaml.safe_load((tmp_path / f"{namespace}_pod_lonely.yaml").read_text())
    assert POOL_LABEL not in pod["spec"]["nodeSelector"] and pod["spec"]["affinity"]["nodeAffinity"]
    assert "nodeName" not in pod["spec"] and "status" not in pod, "recreated, it would bind to the old node again"


def _generations(api, ns, names):
    return {name: _get(api, ns, name)["metadata"]["generation"] for name in names}


def test_export_dir_that_cannot_be_written_stops_before_any_patch(az, k8s_api, namespace, pools, tmp_path):
    old, new, _ = pools
    before = _generations(k8s_api, namespace, workloads(k8s_api, namespace, old))
    (tmp_path / "file").write_text("not a folder")
    result = retarget(az, old, new, "parallel", "--runtime-class", NEW_CLASS, "--yes", "--export-dir",
                      str(tmp_path / "file" / "out"), expect=1)
    assert f"{tmp_path / 'file'}: is not a folder" in result.err and "Traceback" not in result.err
    assert _generations(k8s_api, namespace, before) == before, "nothing was patched"


def test_export_conflicts_stop_before_any_patch_and_never_go_through_a_symlink(az, k8s_api, namespace, pools,
                                                                               tmp_path):
    old, new, _ = pools
    before = _generations(k8s_api, namespace, workloads(k8s_api, namespace, old))
    mine, elsewhere = tmp_path / f"{namespace}_deployment_pinned.yaml", tmp_path.parent / f"{namespace}-target"
    mine.write_text("mine")
    elsewhere.write_text("keep")
    linked = tmp_path / f"{namespace}_deployment_spin.yaml"
    linked.symlink_to(elsewhere)
    export = ("--runtime-class", NEW_CLASS, "--yes", "--export-dir", str(tmp_path))
    for overwrite in ([], ["--overwrite"]):
        result = retarget(az, old, new, "parallel", *export, *overwrite, expect=1)
        assert f"{linked}: is a symbolic link: wasimig never writes through one" in result.err
    linked.unlink()
    result = retarget(az, old, new, "parallel", *export, expect=1)
    assert f"{mine}: already exists: pass --overwrite to replace it" in result.err
    assert _generations(k8s_api, namespace, before) == before and mine.read_text() == "mine"
    assert elsewhere.read_text() == "keep"
    rows = _rows(retarget(az, old, new, "parallel", *export, "--overwrite"), namespace)
    assert {r["action"] for r in rows.values()} == {"patched"}
    assert yaml.safe_load(mine.read_text())["metadata"]["name"] == "pinned"
    assert {stat.S_IMODE(os.lstat(p).st_mode) for p in tmp_path.iterdir()} == {0o600}, "exports hold pod specs"


def test_help_examples_with_the_default_runtime_class_write_exports_and_diffs(az, k8s_api, namespace, pools,
                                                                             tmp_path):
    """_help.py's `--dry-run --export-dir k8s/retargeted` and README's `--dry-run --query "[].diff" -o tsv`, with
    --runtime-class left to its default (which the CLI hands over as its own str subclass)."""
    old, new, _ = pools
    before = _generations(k8s_api, namespace, workloads(k8s_api, namespace, old))
    out = tmp_path / "k8s" / "retargeted"
    result = retarget(az, old, new, "cutover", "--dry-run", "--export-dir", str(out))
    assert "RuntimeClass wasmtime-spin-v2 does not exist" in result.err and "Traceback" not in result.err
    spin = yaml.safe_load((out / f"{namespace}_deployment_spin.yaml").read_text())
    assert spin["spec"]["template"]["spec"]["runtimeClassName"] == "wasmtime-spin-v2"
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o700
    tsv = retarget(az, old, new, "parallel", "--dry-run", "--query", "[].diff", "-o", "tsv").out   # README's
    assert "+      runtimeClassName: wasmtime-spin-v2\n" in tsv
    assert _generations(k8s_api, namespace, before) == before


def test_missing_runtime_class_stops_before_any_change(az, k8s_api, namespace, pools):
    old, new, _ = pools
    original = workloads(k8s_api, namespace, old)
    result = retarget(az, old, new, "parallel", "--runtime-class", f"absent-{namespace}", expect=1)
    assert f"absent-{namespace} does not exist" in result.err and "Nothing was changed" in result.err
    for name, before in original.items():
        assert _get(k8s_api, namespace, name)["metadata"]["generation"] == before["metadata"]["generation"]


@pytest.mark.parametrize("which, expect, words", [
    ("absent-new", 3, "has no node pool 'absent'"),
    ("wasi-new", 1, "is itself a WASI node pool"),
    ("std-old", 1, "is not a WASI node pool"),
])
def test_pools_are_proven_by_azure_before_anything_is_read(az, arm, pools, which, expect, words):
    old, new, _ = pools
    old, new = {"absent-new": (old, "absent"), "wasi-new": (old, "otherwasi"), "std-old": (new, "otherwasi")}[which]
    arm.clear_requests()
    result = retarget(az, old, new, "parallel", "--yes", expect=expect)
    assert words in result.err and "Traceback" not in result.err
    assert not [e for e in arm.requests() if "listClusterUserCredential" in e["path"]], "the cluster was not reached"


def test_default_runtime_class_while_it_is_still_aks_is_refused_before_any_patch(az, k8s_api, namespace, pools):
    old, new, add_new = pools
    original = workloads(k8s_api, namespace, old)
    add_new()
    with aks_spin_runtime_class(k8s_api):   # the default --runtime-class, as AKS made it: only WASI nodes
        for phase in ("parallel", "cutover"):
            result = retarget(az, old, new, phase, "--yes", expect=1)
            assert f"{namespace}/Deployment/spin: 0/2 nodes are available" in result.err, phase
            assert f"RuntimeClass {AKS_SPIN_CLASS}" in result.err and "--runtime-class" in result.err
            assert f"{namespace}/Deployment/pinned" not in result.err, "the pinned one can move"
            assert "Nothing was changed" in result.err
        dry = retarget(az, old, new, "cutover", "--dry-run")   # a dry run warns
        assert f"{namespace}/Deployment/spin: 0/2 nodes are available" in dry.err
    for name, before in original.items():
        assert _get(k8s_api, namespace, name)["metadata"]["generation"] == before["metadata"]["generation"], name
