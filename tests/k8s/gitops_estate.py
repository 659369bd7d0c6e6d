"""Flux and Argo CD on the loopback API server, as far as wasimig sees them: minimal CRDs for Kustomization
(kustomize.toolkit.fluxcd.io/v1), HelmRelease (helm.toolkit.fluxcd.io/v2) and Application (argoproj.io/v1alpha1),
objects of them, and the labels and annotations their controllers put on what they apply. No controller runs: the
tests play it (suspend, resume). Not a test module itself."""

import pytest

from azext_wasimig.kube import rest
from tests.k8s.harness import exists, wait_for

CRDS = (("kustomize.toolkit.fluxcd.io", "v1", "kustomizations", "Kustomization"),
        ("helm.toolkit.fluxcd.io", "v2", "helmreleases", "HelmRelease"),
        ("argoproj.io", "v1alpha1", "applications", "Application"))
CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
MERGE = "application/merge-patch+json"


def _crd(group, version, plural, kind):
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"{plural}.{group}"},
            "spec": {"group": group, "scope": "Namespaced",
                     "names": {"plural": plural, "singular": kind.lower(), "kind": kind, "listKind": f"{kind}List"},
                     "versions": [{"name": version, "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                         "type": "object", "x-kubernetes-preserve-unknown-fields": True}}}]}}


def _served(api, group, version, plural):
    try:
        rest.call(api, "GET", f"/apis/{group}/{version}/{plural}", query={"limit": 1})
        return True
    except rest.KubeApiError as ex:
        if ex.status == 404:
            return False
        raise


def install_crds(api):
    for group, version, plural, kind in CRDS:
        if not exists(api, f"{CRD_PATH}/{plural}.{group}"):
            rest.call(api, "POST", CRD_PATH, body=_crd(group, version, plural, kind))
    for group, version, plural, _ in CRDS:
        wait_for(lambda g=group, v=version, p=plural: _served(api, g, v, p), 30, f"{plural}.{group} served")


def remove_crds(api):
    for group, _, plural, _ in CRDS:
        if exists(api, f"{CRD_PATH}/{plural}.{group}"):
            rest.call(api, "DELETE", f"{CRD_PATH}/{plural}.{group}")
    for group, version, _, _ in CRDS:
        wait_for(lambda g=group, v=version: not exists(api, f"/apis/{g}/{v}"), 60, f"{group} no longer served")


@pytest.fixture(scope="module")
def gitops_crds(k8s_api):
    """The three CRDs, served for the module's tests that ask for them, and removed after the module."""
    install_crds(k8s_api)
    yield
    remove_crds(k8s_api)


def owner_path(kind, namespace, name=None):
    group, version, plural, _ = next(c for c in CRDS if c[3] == kind)
    path = f"/apis/{group}/{version}/namespaces/{namespace}/{plural}"
    return f"{path}/{name}" if name else path


def create_owner(api, kind, namespace, name, spec):
    group, version, _, _ = next(c for c in CRDS if c[3] == kind)
    rest.call(api, "POST", owner_path(kind, namespace),
              body={"apiVersion": f"{group}/{version}", "kind": kind, "metadata": {"name": name}, "spec": spec})


def patch_owner(api, kind, namespace, name, spec):
    rest.call(api, "PATCH", owner_path(kind, namespace, name), body={"spec": spec}, content_type=MERGE)


def kustomization_labels(namespace, name="apps"):
    return {"kustomize.toolkit.fluxcd.io/name": name, "kustomize.toolkit.fluxcd.io/namespace": namespace}


def helmrelease_labels(namespace, name="web"):
    return {"helm.toolkit.fluxcd.io/name": name, "helm.toolkit.fluxcd.io/namespace": namespace,
            "app.kubernetes.io/managed-by": "Helm"}


def helm_annotations(namespace, release):
    return {"meta.helm.sh/release-name": release, "meta.helm.sh/release-namespace": namespace}


def tracking_id(app_namespace, app, namespace, workload):
    return {"argocd.argoproj.io/tracking-id": f"{app_namespace}_{app}:apps/Deployment:{namespace}/{workload}"}
