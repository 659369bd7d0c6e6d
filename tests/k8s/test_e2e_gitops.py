"""Workloads managed by Helm, Flux and Argo CD, through the real az: scan names who manages each and how that was
known, retarget refuses before any write to patch what a controller would revert (naming the manager, the owner and
the exact commands), and patches once the controllers are suspended and --allow-managed is given.

The controllers are not running: their objects (Kustomization, HelmRelease, Application, from minimal CRDs the module
installs; tests/k8s/gitops_estate.py) and the labels they leave are what wasimig reads, as it would on a real
cluster. The first test runs before the CRDs exist, so the owners are "not readable".
"""

import json

import pytest

from tests.k8s.faultproxy import status
from tests.k8s.gitops_estate import (create_owner, gitops_crds, helm_annotations, helmrelease_labels,  # noqa: F401
                                     kustomization_labels, patch_owner, remove_crds, tracking_id)
from tests.k8s.harness import aks_owner, embedded_kubeconfig, pool_name
from tests.k8s.helpers import TEST_LABEL, _create
from tests.k8s.retarget_estate import (CLUSTER, DEPLOYMENTS, POOL_LABEL, RG, SUB, WASI_LABEL, _deployment, _get,
                                       estate, retarget, retarget_subscription)

pytestmark = [pytest.mark.e2e, pytest.mark.k8s]
__all__ = ["retarget_subscription", "gitops_crds"]   # fixtures

NAMES = ("flux-web", "hr-web", "argo-web", "helm-web")


@pytest.fixture(name="pools")
def pools_fixture(arm, retarget_subscription, namespace, kubelet, k8s_env):
    """The test's WASI pool (2 nodes whose providerIDs name the ARM cluster, so --kubeconfig binds) and the standard
    pool in ARM; no node of the new pool yet, so a parallel run patches and the pods stay."""
    old, new = pool_name(namespace, "w"), pool_name(namespace, "s")
    kubelet.add_pool(old, 2, labels={TEST_LABEL: namespace, WASI_LABEL: "true"}, owner=aks_owner(SUB, RG, CLUSTER))
    arm.set_estate(estate(old, new))
    arm.set_kubeconfig(SUB, RG, CLUSTER, embedded_kubeconfig(k8s_env.kubeconfig))
    return old, new


def managed_workloads(api, ns, old):
    """Four Deployments pinned to the old pool: applied by a Flux Kustomization, by a Flux HelmRelease (with the Helm
    labels its chart carries), by an Argo CD Application (annotation tracking), and by plain Helm."""
    meta = {"flux-web": (kustomization_labels(ns), {}),
            "hr-web": (helmrelease_labels(ns), helm_annotations(ns, "web")),
            "argo-web": ({}, tracking_id(ns, "shop", ns, "argo-web")),
            "helm-web": ({"app.kubernetes.io/managed-by": "Helm", "app.kubernetes.io/instance": "plain"},
                         helm_annotations(ns, "plain"))}
    for name, (labels, annotations) in meta.items():
        body = _deployment(name, {"nodeSelector": {POOL_LABEL: old, TEST_LABEL: ns}})
        body["metadata"].update(labels=labels, annotations=annotations)
        _create(api, DEPLOYMENTS.format(ns=ns), body)


def owners(api, ns, suspended):
    create_owner(api, "Kustomization", ns, "apps", {"interval": "10m", "suspend": suspended, "path": "./apps"})
    create_owner(api, "HelmRelease", ns, "web", {"interval": "5m", "suspend": suspended})
    create_owner(api, "Application", ns, "shop", {"syncPolicy": {"automated": {"prune": True, "selfHeal": True}}
                                                  if not suspended else {}})


def scan(az, old, *args, expect=0):
    return az("aks", "wasi-migrate", "scan", "--subscription", SUB, "-g", RG, "-n", CLUSTER, "--nodepool-name", old,
              *args, expect=expect)


def managed_by(result, ns):
    return {f["name"]: f["managedBy"] for f in result.json if f["namespace"] == ns}


def versions(api, ns):
    return {name: _get(api, ns, name)["metadata"]["resourceVersion"] for name in NAMES}


def test_without_the_crds_the_owners_are_not_readable_and_retarget_refuses(az, k8s_api, k8s_env, namespace, pools):
    remove_crds(k8s_api)   # another module's run may have left them
    old, new = pools
    managed_workloads(k8s_api, namespace, old)
    found = managed_by(scan(az, old), namespace)
    flux = found["flux-web"]
    assert (flux["tool"], flux["owner"], flux["reverts"]) == (
        "flux", {"kind": "Kustomization", "namespace": namespace, "name": "apps"}, None)
    assert flux["state"] == (f"Kustomization {namespace}/apps not readable: its CRD is not served by this cluster "
                             "(no API group kustomize.toolkit.fluxcd.io)")
    assert flux["evidence"] == ["label kustomize.toolkit.fluxcd.io/name=apps"]
    assert "not readable: its CRD is not served" in found["argo-web"]["state"]
    assert found["argo-web"]["owner"] == {"kind": "Application", "namespace": namespace, "name": "shop"}
    assert found["hr-web"]["tool"] == "flux" and found["hr-web"]["owner"]["kind"] == "HelmRelease"
    helm = found["helm-web"]
    assert (helm["tool"], helm["owner"]["name"], helm["reverts"]) == ("helm", "plain", False)

    mark, before = k8s_env.audit.mark(), versions(k8s_api, namespace)
    refused = retarget(az, old, new, "parallel", "--yes", expect=1)
    assert f"{namespace}/Deployment/flux-web: managed by Flux Kustomization {namespace}/apps" in refused.err
    assert "cannot be told" in refused.err and "Nothing was changed." in refused.err
    assert k8s_env.audit.writes_since(mark) == [] and versions(k8s_api, namespace) == before

    dry = retarget(az, old, new, "parallel", "--allow-managed", "--dry-run")
    assert {r["name"]: r["action"] for r in dry.json if r["namespace"] == namespace} == dict.fromkeys(
        NAMES, "wouldPatch")
    assert "make sure its controller is suspended" in dry.err
    assert k8s_env.audit.writes_since(mark) == []


def test_running_controllers_refuse_retarget_before_any_write(az, k8s_api, k8s_env, namespace, pools, gitops_crds,
                                                             tmp_path):
    old, new = pools
    managed_workloads(k8s_api, namespace, old)
    owners(k8s_api, namespace, suspended=False)
    result = scan(az, old, "--report", str(tmp_path / "report.md"))
    found = managed_by(result, namespace)
    assert found["flux-web"]["reverts"] is True and found["flux-web"]["state"].startswith(
        "not suspended: reconciles every 10m")
    assert found["argo-web"]["reverts"] is True and "selfHeal" in found["argo-web"]["state"]
    assert found["hr-web"]["reverts"] is True
    steps = {f["name"]: f["actions"] for f in result.json if f["namespace"] == namespace}
    assert steps["flux-web"][-2].startswith("Change the placement in its source, not live: it is managed by Flux "
                                            f"Kustomization {namespace}/apps")
    assert steps["flux-web"][-1].startswith("Then cordon and drain"), "the source first, then the drain"
    assert steps["helm-web"][-2].startswith(f"It is installed by Helm (release {namespace}/plain)")
    table = scan(az, old, "-o", "table").out
    assert "ManagedBy" in table.splitlines()[0] and "flux Kustomization/apps: reverts" in table
    assert f"- Managed by: Flux Kustomization {namespace}/apps: not suspended" in (tmp_path / "report.md").read_text()

    mark, before = k8s_env.audit.mark(), versions(k8s_api, namespace)
    for extra in ([], ["--allow-managed"]):
        refused = retarget(az, old, new, "parallel", "--yes", *extra, expect=1)
        err = refused.err
        assert "3 workload(s) are managed by a GitOps controller" in err
        for line in (f"{namespace}/Deployment/flux-web: managed by Flux Kustomization {namespace}/apps",
                     f"{namespace}/Deployment/hr-web: managed by Flux HelmRelease {namespace}/web",
                     f"{namespace}/Deployment/argo-web: managed by Argo CD Application {namespace}/shop",
                     f"flux suspend kustomization apps -n {namespace}", f"flux suspend helmrelease web -n {namespace}",
                     f"kubectl patch application shop -n {namespace} --type merge -p "
                     + "'" + json.dumps({"spec": {"syncPolicy": {"automated": None}}}, separators=(",", ":")) + "'",
                     f"argocd app set {namespace}/shop --sync-policy none",
                     f"az aks wasi-migrate rewrite --manifests PATH --nodepool-name {old} --new-nodepool-name {new} "
                     "--phase parallel --in-place", "Nothing was changed."):
            assert line in err, line
        assert "helm-web" not in err, "plain Helm is no refusal, and the refused run patches nothing to warn about"
        assert ("--allow-managed does not override a controller that still reconciles" in err) is bool(extra)
    assert k8s_env.audit.writes_since(mark) == [], "refused before any write"
    assert versions(k8s_api, namespace) == before


def test_suspended_controllers_are_patched_with_allow_managed(az, k8s_api, namespace, pools, gitops_crds):
    old, new = pools
    managed_workloads(k8s_api, namespace, old)
    owners(k8s_api, namespace, suspended=False)
    patch_owner(k8s_api, "Kustomization", namespace, "apps", {"suspend": True})
    patch_owner(k8s_api, "HelmRelease", namespace, "web", {"suspend": True})
    patch_owner(k8s_api, "Application", namespace, "shop", {"syncPolicy": {"automated": None}})
    found = managed_by(scan(az, old), namespace)
    assert {n: r["reverts"] for n, r in found.items()} == dict.fromkeys(NAMES, False)
    assert found["flux-web"]["state"] == "suspended (spec.suspend: true)"

    refused = retarget(az, old, new, "parallel", "--yes", expect=1)
    assert "its controller is paused, and puts the source's placement back when it resumes" in refused.err
    assert "--allow-managed" in refused.err

    done = retarget(az, old, new, "parallel", "--yes", "--allow-managed")
    assert {r["name"]: r["action"] for r in done.json if r["namespace"] == namespace} == dict.fromkeys(
        NAMES, "patched")
    for name in NAMES:
        terms = _get(k8s_api, namespace, name)["spec"]["template"]["spec"]["affinity"]["nodeAffinity"][
            "requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
        assert terms == [{"matchExpressions": [{"key": POOL_LABEL, "operator": "In", "values": [old, new]}]}]
    assert f"{namespace}/Deployment/flux-web is managed by Flux Kustomization {namespace}/apps" in done.err
    assert "patched live because of --allow-managed: change its source" in done.err
    assert (f"{namespace}/Deployment/helm-web is managed by Helm (release {namespace}/plain): it is patched live, "
            "and the next helm upgrade puts the old placement back") in done.err


def test_an_owner_the_identity_may_not_list_is_not_readable_and_says_why(az, k8s_api, namespace, pools, gitops_crds,
                                                                        fault_proxy):
    old, _ = pools
    managed_workloads(k8s_api, namespace, old)
    owners(k8s_api, namespace, suspended=False)
    fault_proxy.add_rule("GET", r"^/apis/kustomize\.toolkit\.fluxcd\.io/v1/kustomizations$",
                         status(403, message="kustomizations.kustomize.toolkit.fluxcd.io is forbidden"), times=-1)
    found = managed_by(scan(az, old, "--kubeconfig", str(fault_proxy.kubeconfig_path)), namespace)
    assert found["flux-web"]["reverts"] is None
    assert found["flux-web"]["state"] == (f"Kustomization {namespace}/apps not readable: forbidden (it needs "
                                          "permission to list kustomizations.kustomize.toolkit.fluxcd.io in all "
                                          "namespaces)")
    assert found["argo-web"]["reverts"] is True, "the other kinds are still read"
