"""retarget.patch against the real kube-apiserver v1.20.2: merge patches that carry the resourceVersion, a conflict
retried from the fresh object, and nothing the scan's slimmed copy lacks removed by a patch."""

import pytest

from azext_wasimig.kube import rest
from azext_wasimig.retarget import patch, rewrite
from azext_wasimig.kube.snapshot import LAST_APPLIED
from tests.k8s.harness import create_when_ready as _create
from azext_wasimig.vocabulary.kubernetes import MERGE_PATCH_CONTENT_TYPE
from tests.k8s.harness import wait_for

pytestmark = pytest.mark.k8s

OLD, NEW = "wasipool", "wasipool2"


def _statefulset(api, namespace, annotations=None):
    body = {"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "db", "annotations": annotations or {}},
            "spec": {"replicas": 0, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
                     "template": {"metadata": {"labels": {"app": "db"}}, "spec": {
                         "nodeSelector": {"agentpool": OLD},
                         "containers": [{"name": "db", "image": "example.azurecr.io/db:1"}]}}}}
    created = _create(api, f"/apis/apps/v1/namespaces/{namespace}/statefulsets", body)
    return _settled(api, created)


def _settled(api, obj):
    """The StatefulSet once its controller has written its status: that write bumps the resourceVersion, and
    landing between a test's read and its patch it would add a conflict the test did not make."""
    path = patch.object_path(obj)

    def settled():
        live = rest.call(api, "GET", path)
        status = live.get("status") or {}
        return status.get("observedGeneration") == live["metadata"]["generation"] and status.get("updateRevision")
    wait_for(settled, 30, "the StatefulSet controller's status write")
    return rest.call(api, "GET", path)


def _touch(api, obj, value):
    rest.call(api, "PATCH", patch.object_path(obj), body={"metadata": {"labels": {"touched": value}}},
              content_type=MERGE_PATCH_CONTENT_TYPE)


def test_a_conflict_is_retried_from_the_fresh_object(k8s_api, namespace):
    obj = _statefulset(k8s_api, namespace)
    seen = []

    def compute(live):
        seen.append(live["metadata"]["resourceVersion"])
        desired = rewrite.retarget(live, OLD, NEW, "cutover")
        if len(seen) == 1:   # another writer changes the object between our read and our patch
            _touch(k8s_api, obj, "meanwhile")
        return desired

    assert patch.patch_to(k8s_api, obj, compute) == "patched"
    assert len(seen) == 2 and seen[0] != seen[1], "the 409 made it read the object again"
    after = rest.call(k8s_api, "GET", patch.object_path(obj))
    assert after["metadata"]["labels"] == {"touched": "meanwhile"}, "the other writer's change is kept"
    assert after["spec"]["template"]["spec"]["nodeSelector"] == {rewrite.POOL_LABEL: NEW}
    assert patch.patch_to(k8s_api, after, lambda live: rewrite.retarget(live, OLD, NEW, "cutover")) == "unchanged"


def test_conflicts_without_end_give_up_with_the_409(k8s_api, namespace):
    obj = _statefulset(k8s_api, namespace)
    count = []

    def compute(live):
        count.append(1)
        _touch(k8s_api, obj, str(len(count)))
        return rewrite.retarget(live, OLD, NEW, "cutover")

    with pytest.raises(rest.KubeApiError) as raised:
        patch.patch_to(k8s_api, obj, compute, attempts=3)
    assert raised.value.status == 409 and len(count) == 3


def test_rollback_keeps_annotations_the_scan_dropped(k8s_api, namespace):
    obj = _statefulset(k8s_api, namespace, annotations={LAST_APPLIED: '{"kind":"StatefulSet"}'})
    assert patch.patch_to(k8s_api, obj, lambda live: rewrite.retarget(live, OLD, NEW, "cutover")) == "patched"
    assert patch.patch_to(k8s_api, obj, rewrite.rollback) == "patched"
    after = rest.call(k8s_api, "GET", patch.object_path(obj))
    assert after["metadata"]["annotations"] == {LAST_APPLIED: '{"kind":"StatefulSet"}'}
    assert after["spec"]["template"] == obj["spec"]["template"]
