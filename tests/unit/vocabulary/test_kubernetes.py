"""vocabulary.kubernetes on REST-shaped object dicts."""

import pytest

from azext_wasimig.vocabulary import kubernetes as k8s


def obj(kind="Deployment", name="web", namespace="apps", owners=None, annotations=None, phase=None):
    meta = {"name": name, "namespace": namespace, "ownerReferences": owners or [], "annotations": annotations or {}}
    out = {"kind": kind, "metadata": meta, "spec": {}}
    if phase:
        out["status"] = {"phase": phase}
    return out


def test_object_key_defaults_the_namespace_and_the_kind_of_a_listed_pod():
    assert k8s.object_key(obj()) == ("apps", "Deployment", "web")
    assert k8s.object_key({"metadata": {"name": "p"}}) == ("default", "Pod", "p")
    assert k8s.object_key({}) == ("default", "Pod", None)


def test_controller_is_the_reference_marked_controller_not_the_first_owner():
    owners = [{"kind": "ConfigMap", "name": "cm"}, {"kind": "ReplicaSet", "name": "web-1", "controller": True}]
    pod = obj("Pod", "web-1-x", owners=owners)
    assert k8s.controller_of(pod) == owners[1]
    assert k8s.controller_key(pod) == ("apps", "ReplicaSet", "web-1")
    assert k8s.controller_of(obj("Pod", owners=owners[:1])) is None
    assert k8s.controller_key(obj("Pod")) is None


@pytest.mark.parametrize("kind, path", [
    ("Deployment", "spec.template.spec"), ("StatefulSet", "spec.template.spec"), ("DaemonSet", "spec.template.spec"),
    ("ReplicaSet", "spec.template.spec"), ("Job", "spec.template.spec"),
    ("CronJob", "spec.jobTemplate.spec.template.spec"), ("Pod", "spec"), (None, "spec"), ("Service", "spec"),
])
def test_pod_spec_path(kind, path):
    assert k8s.pod_spec_path(kind) == path


def test_pod_template_of_a_cronjob_is_its_jobs_template_and_the_same_dict():
    template = {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": []}}
    cronjob = {"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": template}}}}
    assert k8s.pod_template(cronjob) is template


def test_pod_template_of_a_pod_is_the_pod_and_of_a_template_less_kind_none():
    pod = obj("Pod")
    assert k8s.pod_template(pod) is pod
    assert k8s.pod_template({"metadata": {"name": "p"}}) == {"metadata": {"name": "p"}}
    assert k8s.pod_template(obj("Service")) is None
    assert k8s.pod_template({"kind": "Deployment", "spec": {}}) == {}
    assert k8s.pod_template({"kind": "CronJob", "spec": {"jobTemplate": None}}) == {}
    assert [k for k in ("Pod", None, "Job", "CronJob", "Service") if k8s.has_pod_template(k)] == \
        ["Pod", None, "Job", "CronJob"]


def test_mirror_and_finished_pods():
    assert k8s.is_mirror_pod(obj("Pod", annotations={k8s.MIRROR_ANNOTATION: "abc"}))
    assert not k8s.is_mirror_pod(obj("Pod"))
    assert [p for p in ("Pending", "Running", "Succeeded", "Failed", "Unknown", None)
            if k8s.is_finished(obj("Pod", phase=p))] == ["Succeeded", "Failed"]
    assert k8s.phase_of(obj("Pod", phase="Running")) == "Running"
    assert k8s.MERGE_PATCH_CONTENT_TYPE == "application/merge-patch+json"


@pytest.mark.parametrize("name, valid", [
    ("web", True), ("wasmtime-spin-v2", True), ("a.b-c.d", True), ("0", True), ("a" * 253, True),
    ("a" * 254, False), ("", False), ("Web", False), ("-web", False), ("web-", False), ("a..b", False),
    ("a.-b", False), ("a_b", False), (None, False),
])
def test_dns_subdomain(name, valid):
    assert k8s.is_dns_subdomain(name) is valid


@pytest.mark.parametrize("name, valid", [
    ("app", True), ("App_1.x-Y", True), ("a" * 63, True), ("a" * 64, False), ("-a", False), ("a_", False),
    ("", False),
])
def test_label_name(name, valid):
    assert bool(k8s.LABEL_NAME.match(name)) is valid
