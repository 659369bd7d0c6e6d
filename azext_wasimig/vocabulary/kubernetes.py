"""Kubernetes object vocabulary, one definition each: the key of an object, its controller, the pod template of a
workload, the pod constants kubectl's drain uses, the merge-patch content type and the name rules (pure).

Objects are the plain dicts the REST API returns (and the snapshot or a manifest file holds). The items of a LIST
carry no ``kind``, so an object without one is a Pod (the only kind the snapshot leaves unset), and an object
without a namespace is in ``default`` (what the API server assumes for a manifest that names none).
"""

import re

# The pod template of each workload kind, as a path of keys (a Pod is its own template).
TEMPLATE_PATHS = {
    "Deployment": ("spec", "template"), "StatefulSet": ("spec", "template"), "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"), "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}

# kubectl's drain: a static pod's API mirror carries this annotation (the kubelet owns it), and a pod in a finished
# phase has nothing running left to move.
MIRROR_ANNOTATION = "kubernetes.io/config.mirror"
FINISHED_PHASES = ("Succeeded", "Failed")

# RFC 7386 JSON merge patch, the PATCH body kind every change of wasimig sends.
MERGE_PATCH_CONTENT_TYPE = "application/merge-patch+json"

# AKS's node pool labels: the first is the documented one, the second the older short form; AKS puts both on nodes.
POOL_LABEL = "kubernetes.azure.com/agentpool"
POOL_LABELS = (POOL_LABEL, "agentpool")

# Object names (k8s.io/apimachinery validation): most kinds' names and label-key prefixes are DNS-1123 subdomains
# (lowercase alphanumeric labels joined by dots, each starting and ending alphanumeric, 253 characters in all);
# a label name or value is up to 63 alphanumerics, '-', '_' and '.', starting and ending alphanumeric.
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
DNS_SUBDOMAIN_MAX = 253
LABEL_NAME = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$")


def namespace_of(obj):
    return (obj.get("metadata") or {}).get("namespace") or "default"


def object_key(obj):
    """``(namespace, kind, name)``: how wasimig names one object everywhere (``kind`` Pod when absent)."""
    return namespace_of(obj), obj.get("kind") or "Pod", (obj.get("metadata") or {}).get("name")


def controller_of(obj):
    """The ownerReference with ``controller: true`` (what kubectl's ``metav1.GetControllerOf`` returns), or None."""
    return next((r for r in (obj.get("metadata") or {}).get("ownerReferences") or [] if r.get("controller")), None)


def controller_key(obj):
    """The ``object_key`` of the object's controller (owners live in the object's namespace), or None."""
    ref = controller_of(obj)
    return (namespace_of(obj), ref.get("kind"), ref.get("name")) if ref else None


def has_pod_template(kind):
    """Whether objects of ``kind`` are a Pod or carry a pod template (``kind`` None: a Pod, see above)."""
    return kind in (None, "Pod") or kind in TEMPLATE_PATHS


def pod_spec_path(kind):
    """Where the pod spec of a ``kind`` object is, dotted: ``spec.jobTemplate.spec.template.spec`` for a CronJob,
    ``spec`` for a Pod (and any kind without a pod template)."""
    path = TEMPLATE_PATHS.get(kind)
    return ".".join(path) + ".spec" if path else "spec"


def pod_template(obj):
    """The pod template (``{"metadata", "spec"}``) of a workload, the object itself for a Pod, None for a kind with
    no pod template. A workload whose template is missing gives ``{}``. The dict returned is the object's own, so
    a change to it changes the object (the retarget rewrites it in place)."""
    kind = obj.get("kind")
    if kind in (None, "Pod"):
        return obj
    path = TEMPLATE_PATHS.get(kind)
    if path is None:
        return None
    template = obj
    for part in path:
        template = (template or {}).get(part) or {}
    return template


def is_mirror_pod(pod):
    """A static pod's API mirror: the node's kubelet owns it, nothing can move it."""
    return MIRROR_ANNOTATION in ((pod.get("metadata") or {}).get("annotations") or {})


def phase_of(pod):
    return (pod.get("status") or {}).get("phase")


def is_finished(pod):
    """Succeeded or Failed: nothing of it runs any more."""
    return phase_of(pod) in FINISHED_PHASES


def is_dns_subdomain(name):
    """Whether ``name`` is a valid name for most kinds (Deployments, RuntimeClasses, ...) and a label-key prefix."""
    return isinstance(name, str) and len(name) <= DNS_SUBDOMAIN_MAX and bool(DNS_SUBDOMAIN.match(name))
