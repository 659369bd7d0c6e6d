"""evaluate.managers: who manages a workload, from its labels, annotations and field managers, and whether the owning
Kustomization / HelmRelease / Application would revert a live change."""

import pytest

from azext_wasimig.evaluate import managers
from azext_wasimig.evaluate.managers import FILES, Owners


def workload(labels=None, annotations=None, field_managers=(), namespace="shop"):
    meta = {"name": "web", "namespace": namespace, "labels": dict(labels or {}),
            "annotations": dict(annotations or {})}
    if field_managers:
        meta["managedFields"] = [{"manager": m} for m in field_managers]
    return {"kind": "Deployment", "apiVersion": "apps/v1", "metadata": meta}


def owner(kind, namespace, name, spec):
    return {"kind": kind, "metadata": {"namespace": namespace, "name": name}, "spec": spec}


def owners(*objects, unreadable=None):
    found = Owners(unreadable=dict(unreadable or {}))
    for kind in ("Kustomization", "HelmRelease", "Application"):
        if kind not in found.unreadable:
            found.objects[kind] = {}
    for obj in objects:
        found.objects[obj["kind"]][(obj["metadata"]["namespace"], obj["metadata"]["name"])] = obj
    return found


FLUX_KS = {"kustomize.toolkit.fluxcd.io/name": "apps", "kustomize.toolkit.fluxcd.io/namespace": "flux-system"}
FLUX_HR = {"helm.toolkit.fluxcd.io/name": "web", "helm.toolkit.fluxcd.io/namespace": "shop"}
HELM_LABELS = {"app.kubernetes.io/managed-by": "Helm", "app.kubernetes.io/instance": "web"}
HELM_ANNOTATIONS = {"meta.helm.sh/release-name": "web", "meta.helm.sh/release-namespace": "shop"}


def test_an_object_nothing_manages_has_no_record():
    assert managers.manager_of(workload({"app": "web"})) is None


@pytest.mark.parametrize("suspend, reverts, state", [
    (False, True, "not suspended: reconciles every 10m"),
    (True, False, "suspended (spec.suspend: true)"),
])
def test_a_flux_kustomization_reverts_unless_suspended(suspend, reverts, state):
    ks = owner("Kustomization", "flux-system", "apps", {"interval": "10m", "suspend": suspend})
    record = managers.manager_of(workload(FLUX_KS, field_managers=("kustomize-controller",)), owners(ks))
    assert record["tool"] == "flux" and record["owner"] == {"kind": "Kustomization", "namespace": "flux-system",
                                                            "name": "apps"}
    assert record["reverts"] is reverts and record["state"].startswith(state)
    assert record["evidence"] == ["label kustomize.toolkit.fluxcd.io/name=apps",
                                  "managedFields manager kustomize-controller"]
    assert record["confidence"] == "strong"


def test_a_flux_helmrelease_beats_the_helm_labels_its_chart_carries():
    hr = owner("HelmRelease", "shop", "web", {"interval": "5m", "driftDetection": {"mode": "enabled"}})
    record = managers.manager_of(workload({**FLUX_HR, **HELM_LABELS}, HELM_ANNOTATIONS), owners(hr))
    assert (record["tool"], record["owner"]["kind"], record["reverts"]) == ("flux", "HelmRelease", True)
    assert "drift detection enabled" in record["state"]
    assert "label app.kubernetes.io/managed-by=Helm" in record["evidence"]


def test_a_kustomization_namespace_label_missing_means_the_objects_own():
    record = managers.manager_of(workload({"kustomize.toolkit.fluxcd.io/name": "apps"}),
                                 owners(owner("Kustomization", "shop", "apps", {})))
    assert record["owner"]["namespace"] == "shop" and record["reverts"] is True


def test_flux_reconcile_disabled_on_the_object_means_no_revert():
    record = managers.manager_of(workload(FLUX_KS, {"kustomize.toolkit.fluxcd.io/reconcile": "disabled"}),
                                 owners(owner("Kustomization", "flux-system", "apps", {})))
    assert record["reverts"] is False and "leaves this object alone" in record["state"]


@pytest.mark.parametrize("sync_policy, reverts, words", [
    ({"automated": {"prune": True, "selfHeal": True}}, True, "selfHeal"),
    ({"automated": {"prune": True}}, True, "the next sync reverts"),
    ({"automated": {"selfHeal": True, "enabled": False}}, False, "no automated sync"),
    ({}, False, "no automated sync"),
])
def test_an_argocd_application_reverts_with_automated_sync(sync_policy, reverts, words):
    app = owner("Application", "argocd", "shop", {"syncPolicy": sync_policy})
    record = managers.manager_of(workload({"argocd.argoproj.io/instance": "shop"}), owners(app))
    assert record["tool"] == "argocd" and record["owner"] == {"kind": "Application", "namespace": "argocd",
                                                              "name": "shop"}
    assert record["reverts"] is reverts and words in record["state"]


def test_the_tracking_id_names_an_application_in_another_namespace():
    tracking = {"argocd.argoproj.io/tracking-id": "team-a_shop:apps/Deployment:shop/web"}
    app = owner("Application", "team-a", "shop", {"syncPolicy": {"automated": {}}})
    other = owner("Application", "argocd", "shop", {})
    record = managers.manager_of(workload(annotations=tracking), owners(app, other))
    assert record["owner"]["namespace"] == "team-a" and record["reverts"] is True
    assert managers.parse_tracking_id("shop:apps/Deployment:shop/web") == (None, "shop")


def test_the_instance_label_alone_is_weak_and_needs_an_application_of_that_name():
    label = {"app.kubernetes.io/instance": "shop"}
    confirmed = managers.manager_of(workload(label), owners(owner("Application", "argocd", "shop", {})))
    assert confirmed["confidence"] == "strong" and "Application argocd/shop exists" in confirmed["evidence"]
    assert "weak" in confirmed["evidence"][0]
    assert managers.manager_of(workload(label), owners()) is None, "no such Application: not Argo CD's"
    unread = managers.manager_of(workload(label), owners(unreadable={"Application": "forbidden (...)"}))
    assert (unread["confidence"], unread["reverts"]) == ("weak", None)
    assert unread["state"] == "Application shop not readable: forbidden (...)"


def test_argocd_rendering_a_chart_has_helms_label_but_no_release_annotation():
    labels = {"app.kubernetes.io/managed-by": "Helm", "app.kubernetes.io/instance": "shop"}
    app = owner("Application", "argocd", "shop", {"syncPolicy": {"automated": {"selfHeal": True}}})
    assert managers.manager_of(workload(labels), owners(app))["tool"] == "argocd"
    assert managers.manager_of(workload(labels), owners())["tool"] == "helm"


def test_helm_alone_is_patched_live_with_the_release_named():
    record = managers.manager_of(workload(HELM_LABELS, HELM_ANNOTATIONS, ("helm",)), owners())
    assert record["tool"] == "helm" and record["owner"] == {"kind": "Release", "namespace": "shop", "name": "web"}
    assert record["reverts"] is False and "next helm upgrade of Helm release shop/web" in record["state"]
    assert "managedFields manager helm" in record["evidence"]


@pytest.mark.parametrize("manager, tool", [("kustomize-controller", "flux"), ("helm-controller", "flux"),
                                           ("argocd-controller", "argocd"),
                                           ("argocd-application-controller", "argocd")])
def test_a_field_manager_alone_names_the_tool_but_not_the_owner(manager, tool):
    record = managers.manager_of(workload(field_managers=("kubectl", manager)), owners())
    assert (record["tool"], record["owner"], record["reverts"]) == (tool, None, None)
    assert record["evidence"] == [f"managedFields manager {manager}"]


def test_not_readable_and_not_found_are_said_with_the_reason():
    crd = managers.manager_of(workload(FLUX_KS), owners(unreadable={
        "Kustomization": "its CRD is not served by this cluster (no API group kustomize.toolkit.fluxcd.io)"}))
    assert crd["reverts"] is None
    assert crd["state"] == ("Kustomization flux-system/apps not readable: its CRD is not served by this cluster "
                            "(no API group kustomize.toolkit.fluxcd.io)")
    gone = managers.manager_of(workload(FLUX_KS), owners())
    assert gone["reverts"] is None and gone["state"] == "Kustomization flux-system/apps not found in the cluster"


def test_manifests_read_nothing_from_a_cluster():
    record = managers.manager_of(workload(FLUX_KS), FILES)
    assert record["reverts"] is None and "scanning files" in record["state"]


def test_only_the_kinds_objects_name_are_read():
    objects = [workload(FLUX_KS), workload(HELM_LABELS, HELM_ANNOTATIONS), workload({"app": "x"})]
    assert managers.owner_kinds_named(objects) == {"Kustomization"}
    assert managers.owner_kinds_named([workload({"app.kubernetes.io/instance": "x"}), workload(FLUX_HR)]) == {
        "Application", "HelmRelease"}


def test_show_and_is_gitops():
    record = managers.manager_of(workload(FLUX_KS), owners(owner("Kustomization", "flux-system", "apps",
                                                                 {"suspend": True})))
    assert managers.show(record) == "Flux Kustomization flux-system/apps: suspended (spec.suspend: true)"
    assert managers.is_gitops(record) and not managers.is_gitops(None)
    assert not managers.is_gitops(managers.manager_of(workload(HELM_LABELS, HELM_ANNOTATIONS), owners()))


def test_the_step_a_managed_finding_gains():
    ks = owner("Kustomization", "flux-system", "apps", {})
    flux = managers.source_step(managers.manager_of(workload(FLUX_KS), owners(ks)))
    assert flux.startswith("Change the placement in its source, not live: it is managed by Flux Kustomization "
                           "flux-system/apps") and "az aks wasi-migrate rewrite" in flux
    helm = managers.source_step(managers.manager_of(workload(HELM_LABELS, HELM_ANNOTATIONS), owners()))
    assert helm.startswith("It is installed by Helm (release shop/web): change the chart's values too")
    weak = managers.manager_of(workload({"app.kubernetes.io/instance": "x"}), owners(unreadable={"Application": "?"}))
    assert managers.source_step(weak) is None and managers.source_step(None) is None
