"""Who manages a Kubernetes object: the labels, annotations and field managers Helm, Flux and Argo CD leave on
what they apply, and the objects (group, version, kind, fields) that say whether their controller reverts a live
change (pure).

Sources: Helm 3 (``app.kubernetes.io/managed-by: Helm`` and ``meta.helm.sh/release-*`` on every object of a
release, field manager ``helm``); Flux's kustomize-controller and helm-controller (the ``*.toolkit.fluxcd.io/name``
and ``-namespace`` labels they put on what they apply, field managers ``kustomize-controller`` and
``helm-controller``, ``spec.suspend`` of a ``kustomize.toolkit.fluxcd.io/v1`` Kustomization or a
``helm.toolkit.fluxcd.io/v2`` HelmRelease, the per-object ``kustomize.toolkit.fluxcd.io/reconcile: disabled``);
Argo CD (the tracking label, ``app.kubernetes.io/instance`` by default before 3.0 and often set to
``argocd.argoproj.io/instance``, the ``argocd.argoproj.io/tracking-id`` annotation of annotation tracking, field
manager ``argocd-controller`` for server-side apply; ``argoproj.io/v1alpha1`` Application
``spec.syncPolicy.automated`` with ``selfHeal``, ``prune`` and, since 3.1, ``enabled``).
"""

HELM, FLUX, ARGOCD = "helm", "flux", "argocd"
TOOL_NAMES = {HELM: "Helm", FLUX: "Flux", ARGOCD: "Argo CD"}

# Helm 3
MANAGED_BY_LABEL, HELM_MANAGED_BY = "app.kubernetes.io/managed-by", "Helm"
HELM_RELEASE_NAME, HELM_RELEASE_NAMESPACE = "meta.helm.sh/release-name", "meta.helm.sh/release-namespace"

# Flux
KUSTOMIZATION_NAME = "kustomize.toolkit.fluxcd.io/name"
KUSTOMIZATION_NAMESPACE = "kustomize.toolkit.fluxcd.io/namespace"
HELMRELEASE_NAME, HELMRELEASE_NAMESPACE = "helm.toolkit.fluxcd.io/name", "helm.toolkit.fluxcd.io/namespace"
FLUX_RECONCILE, FLUX_RECONCILE_DISABLED = "kustomize.toolkit.fluxcd.io/reconcile", "disabled"

# Argo CD. ``app.kubernetes.io/instance`` is Argo CD's default tracking label, but Helm charts set it to the release
# name too: alone it is weak evidence.
ARGOCD_INSTANCE_LABEL = "argocd.argoproj.io/instance"
ARGOCD_TRACKING_ID = "argocd.argoproj.io/tracking-id"
INSTANCE_LABEL = "app.kubernetes.io/instance"

# metadata.managedFields[].manager -> the tool that wrote with it.
FIELD_MANAGERS = {
    "helm": HELM,
    "kustomize-controller": FLUX,
    "helm-controller": FLUX,
    "argocd-controller": ARGOCD,
    "argocd-application-controller": ARGOCD,
}


# The objects that own what Helm, Flux and Argo CD apply (a Helm release is a Secret of Helm's, not read here).
KUSTOMIZATION, HELMRELEASE, APPLICATION, HELM_RELEASE = "Kustomization", "HelmRelease", "Application", "Release"

# The custom resources among them: plural and the group/versions to read, newest first.
OWNER_RESOURCES = {
    KUSTOMIZATION: ("kustomizations", ("kustomize.toolkit.fluxcd.io/v1", "kustomize.toolkit.fluxcd.io/v1beta2")),
    HELMRELEASE: ("helmreleases", ("helm.toolkit.fluxcd.io/v2", "helm.toolkit.fluxcd.io/v2beta2",
                                   "helm.toolkit.fluxcd.io/v2beta1")),
    APPLICATION: ("applications", ("argoproj.io/v1alpha1",)),
}
