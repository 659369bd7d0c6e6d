"""cutover's companion copy, its pure parts: which workloads get one (``retarget.plan.cannot_share``), its name, its
body (labels, selector, placement, marks) and the marks that alone make it deletable; the phase steps on fakes."""

import copy

import pytest

from azext_wasimig.cutover import companion as cp
from azext_wasimig.kube.snapshot import ClusterSnapshot
from azext_wasimig.retarget import plan as rp
from azext_wasimig.vocabulary.wasi import CLUSTER_ANNOTATION, COMPANION_LABEL, COMPANION_OF, COMPANION_POOL

OLD, NEW, CLUSTER = "wasi", "spin", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c"
WASI_LABEL = "kubernetes.azure.com/wasmtime-spin-v1"


def node(name, pool, **labels):
    return {"metadata": {"name": name, "labels": {"kubernetes.azure.com/agentpool": pool, "agentpool": pool,
                                                  **labels}},
            "spec": {}, "status": {"conditions": [{"type": "Ready", "status": "True"}]}}


def runtime_class(name, selector):
    return {"metadata": {"name": name}, "handler": "spin", "scheduling": {"nodeSelector": selector}}


def spin(name="web", kind="Deployment", runtime="wasmtime-spin-v1", replicas=3):
    template = {"metadata": {"labels": {"app": name}},
                "spec": {"runtimeClassName": runtime, "containers": [{"name": "app", "image": "i"}]}}
    spec = {"replicas": replicas, "selector": {"matchLabels": {"app": name}}, "template": template,
            "strategy": {"type": "RollingUpdate"}, "paused": False}
    return {"apiVersion": "apps/v1", "kind": kind,
            "metadata": {"name": name, "namespace": "demo", "uid": "u-" + name, "resourceVersion": "7",
                         "labels": {"app": name, "kustomize.toolkit.fluxcd.io/name": "apps"},
                         "ownerReferences": []},
            "spec": spec}


def pinned(name="pinned"):
    """A workload pinned to the old pool by its nodeSelector: its parallel placement (both pools) shares."""
    obj = spin(name, runtime=None)
    obj["spec"]["template"]["spec"].pop("runtimeClassName")
    obj["spec"]["template"]["spec"]["nodeSelector"] = {"agentpool": OLD}
    return obj


def snapshot(*workloads, classes=None):
    classes = classes or [runtime_class("wasmtime-spin-v1", {WASI_LABEL: "true"}),
                          runtime_class("spinkube", {"spin": "true"})]
    return ClusterSnapshot(workloads=list(workloads), runtime_classes=classes,
                           nodes=[node("wasi-0", OLD, **{WASI_LABEL: "true"}), node("spin-0", NEW, spin="true")])


def parallel_plans(taken, runtime="spinkube"):
    return [rp.plan(w, "parallel", OLD, NEW, runtime) for w in taken.workloads]


def test_a_runtime_class_only_the_new_nodes_match_cannot_share_a_pool_pin_can():
    taken = snapshot(spin(), pinned(), spin("sts", kind="StatefulSet"))
    chosen, skipped = cp.choose(parallel_plans(taken), taken, OLD)
    assert [p.key for p in chosen] == [("demo", "Deployment", "web")]
    assert [(p.key, why) for p, why in skipped] == [(("demo", "StatefulSet", "sts"), cp.SKIPPED)]
    entries = cp.plan_entries(chosen, skipped)
    assert entries["companions"] == [{"workload": "demo/Deployment/web", "companion": "web-wasimig-companion",
                                      "replicas": 3}]
    assert cp.plan_entries(chosen, skipped, replicas=1)["companions"][0]["replicas"] == 1


def test_cannot_share_judges_labels_not_the_state_of_the_old_nodes_and_needs_a_change():
    taken = snapshot(spin())
    item = parallel_plans(taken)[0]
    old_nodes = [n for n in taken.nodes if n["metadata"]["name"] == "wasi-0"]
    classes = {rc["metadata"]["name"]: rc for rc in taken.runtime_classes}
    assert rp.cannot_share(item, old_nodes, classes)
    # a class that selects the old nodes' label too: the pods may share both pools
    shared = {**classes, "spinkube": runtime_class("spinkube", {})}
    assert not rp.cannot_share(item, old_nodes, shared)
    # a cordoned, NotReady old node still shares by its labels (a drain is no reason to pick a companion)
    down = copy.deepcopy(old_nodes)
    down[0]["spec"]["unschedulable"], down[0]["status"]["conditions"][0]["status"] = True, "False"
    assert not rp.cannot_share(item, down, shared)
    assert not rp.cannot_share(item, [], classes), "no old node: nothing to share"
    unchanged = rp.Plan(item.obj, desired=item.obj)
    assert not rp.cannot_share(unchanged, old_nodes, classes)
    # already moved by this move's switch (a re-run's or a --dry-run's plan after it): no copy, nothing left on OLD
    from azext_wasimig.retarget import rewrite
    moved = rewrite.retarget(item.obj, OLD, NEW, "cutover", runtime_class="spinkube")
    assert not rp.cannot_share(rp.plan(moved, "parallel", OLD, NEW, "spinkube"), old_nodes, classes)


def test_the_name_is_at_most_63_characters_and_long_names_stay_apart():
    assert cp.name_for("web") == "web-wasimig-companion"
    long_a, long_b = "a" * 60 + "-x", "a" * 60 + "-y"
    assert len(cp.name_for(long_a)) <= 63 and cp.name_for(long_a).endswith(cp.SUFFIX)
    assert cp.name_for(long_a) != cp.name_for(long_b)
    assert len(cp.name_for("b" * 45)) == 63 and cp.name_for("b" * 44) == "b" * 44 + cp.SUFFIX


def test_the_body_copies_the_pods_onto_the_cutover_placement_with_the_marks_and_no_owner():
    original = spin()
    body = cp.build(original, old_pool=OLD, new_pool=NEW, runtime_class="spinkube", cluster_id=CLUSTER)
    meta, spec = body["metadata"], body["spec"]
    assert (body["kind"], meta["name"], meta["namespace"]) == ("Deployment", "web-wasimig-companion", "demo")
    assert meta["labels"] == {"app.kubernetes.io/managed-by": "wasimig", COMPANION_LABEL: "true"}, \
        "not the original's labels: Flux or Argo CD would count it as theirs"
    assert meta["annotations"] == {COMPANION_OF: "web", CLUSTER_ANNOTATION: CLUSTER, COMPANION_POOL: OLD}
    assert "ownerReferences" not in meta and "uid" not in meta and "resourceVersion" not in meta
    assert spec["replicas"] == 3 and spec["strategy"] == {"type": "RollingUpdate"} and "paused" not in spec
    # the original's pod labels (its Services select them) and the companion label, which the selector requires
    assert spec["template"]["metadata"]["labels"] == {"app": "web", COMPANION_LABEL: "true"}
    assert spec["selector"] == {"matchLabels": {"app": "web", COMPANION_LABEL: "true"}}
    pod = spec["template"]["spec"]
    assert pod["runtimeClassName"] == "spinkube" and pod["nodeSelector"] == {"kubernetes.azure.com/agentpool": NEW}
    assert original == spin(), "the original is not changed"
    assert not rp.is_companion(original) and rp.is_companion(body)
    assert cp.build(original, old_pool=OLD, new_pool=NEW, runtime_class="spinkube", cluster_id=CLUSTER,
                    replicas=1)["spec"]["replicas"] == 1


def test_only_an_object_with_every_mark_and_this_cluster_is_ours():
    body = cp.build(spin(), old_pool=OLD, new_pool=NEW, runtime_class="spinkube", cluster_id=CLUSTER)
    assert cp.is_ours(body, CLUSTER, OLD, of="web") and cp.is_ours(body, CLUSTER.upper())
    assert not cp.is_ours(body, CLUSTER + "-other") and not cp.is_ours(body, "")
    assert not cp.is_ours(body, CLUSTER, "otherpool") and not cp.is_ours(body, CLUSTER, of="api")
    for remove in (("labels", COMPANION_LABEL), ("annotations", COMPANION_OF), ("annotations", CLUSTER_ANNOTATION)):
        lookalike = copy.deepcopy(body)
        del lookalike["metadata"][remove[0]][remove[1]]
        assert not cp.is_ours(lookalike, CLUSTER), remove
    assert not cp.is_ours({**body, "kind": "StatefulSet"}, CLUSTER)


def test_retarget_leaves_a_companion_alone_and_what_a_companion_stands_in_for():
    original = spin()
    body = cp.build(original, old_pool=OLD, new_pool=NEW, runtime_class="spinkube", cluster_id=CLUSTER)
    taken = snapshot(original, body)
    findings = [{"namespace": "demo", "kind": "Deployment", "name": name, "pools": [OLD],
                 "evidence": [{"field": "spec.template.spec.runtimeClassName"}]}
                for name in ("web", "web-wasimig-companion")]
    plans = rp.plan_all(taken, findings, OLD, NEW, "parallel", runtime_class="spinkube")
    assert [p.key for p in plans] == [("demo", "Deployment", "web")], "a companion is never retargeted"
    left = rp.left_alone(plans, {("demo", "Deployment", "web")})
    assert left[0].desired is None and left[0].reason == rp.COMPANION_REASON


@pytest.mark.parametrize("status, wanted", [
    ({"observedGeneration": 2, "replicas": 3, "updatedReplicas": 3, "availableReplicas": 3}, True),
    ({"observedGeneration": 2, "replicas": 4, "updatedReplicas": 3, "availableReplicas": 3}, False),
    ({"observedGeneration": 1, "replicas": 3, "updatedReplicas": 3, "availableReplicas": 3}, False),
    ({"observedGeneration": 2, "replicas": 3, "updatedReplicas": 3, "availableReplicas": 2}, False),
])
def test_an_original_is_available_only_with_its_rollout_done_and_every_replica(status, wanted):
    deployment = {**spin(), "status": status}
    deployment["metadata"]["generation"] = 2
    assert cp.available(deployment) is wanted
    assert cp.available(None) is False


class FakeApi:
    """``rest.call`` on a dict of Deployments by path; ``fail`` answers the next calls of a method with a status."""

    def __init__(self, monkeypatch, objects=(), fail=None):
        from azext_wasimig.kube import rest
        self.objects = {cp._path(o["metadata"]["namespace"], o["metadata"]["name"]): o for o in objects}
        self.calls, self.fail = [], dict(fail or {})
        self.error = rest.KubeApiError
        monkeypatch.setattr(rest, "call", self.call)

    def call(self, _api, method, path, body=None, **_):
        self.calls.append((method, path))
        status = (self.fail.get(method) or [None]).pop(0) if self.fail.get(method) else None
        if method == "POST":
            path = f"{path}/{body['metadata']['name']}"
            if status == "lost":   # created, but the answer never came (the client retries: 409)
                self.objects[path] = {**body, "metadata": {**body["metadata"], "uid": "u-made"}}
                status = 409
            if status or path in self.objects:
                raise self.error(method, path, status or 409)
            self.objects[path] = {**body, "metadata": {**body["metadata"], "uid": "u-made"}}
            return self.objects[path]
        if status:
            raise self.error(method, path, status)
        if path == "/apis/apps/v1/deployments":   # the LIST across namespaces, by the companion label
            return {"metadata": {}, "items": [copy.deepcopy(o) for o in self.objects.values()
                                              if (o["metadata"].get("labels") or {}).get(COMPANION_LABEL) == "true"]}
        if path not in self.objects:
            raise self.error(method, path, 404)
        if method == "DELETE":
            if body["preconditions"]["uid"] != self.objects[path]["metadata"].get("uid"):
                raise self.error(method, path, 409)
            return self.objects.pop(path)
        return copy.deepcopy(self.objects[path])


def body():
    return cp.build(spin(), old_pool=OLD, new_pool=NEW, runtime_class="spinkube", cluster_id=CLUSTER)


def test_ensure_makes_one_companion_and_a_rerun_finds_it(monkeypatch):
    api = FakeApi(monkeypatch)
    assert cp.ensure("api", body(), CLUSTER, OLD)[0] == "created"
    assert cp.ensure("api", body(), CLUSTER, OLD)[0] == "found"
    assert [m for m, _ in api.calls].count("POST") == 1 and len(api.objects) == 1


def test_a_create_whose_answer_was_lost_is_found_not_made_twice(monkeypatch):
    api = FakeApi(monkeypatch, fail={"POST": ["lost"]})
    assert cp.ensure("api", body(), CLUSTER, OLD)[0] == "found" and len(api.objects) == 1


def test_a_lookalike_holding_the_name_is_never_taken_over(monkeypatch):
    foreign = body()
    foreign["metadata"]["annotations"][CLUSTER_ANNOTATION] = CLUSTER + "-other"
    api = FakeApi(monkeypatch, [foreign])
    with pytest.raises(cp.CompanionNameTaken, match="is not the companion this cutover made"):
        cp.ensure("api", body(), CLUSTER, OLD)
    assert [m for m, _ in api.calls] == ["GET"]


def test_delete_takes_this_very_object_and_gone_is_fine(monkeypatch):
    made = {**body(), "metadata": {**body()["metadata"], "uid": "u-1"}}
    api = FakeApi(monkeypatch, [made])
    assert cp.delete("api", made) == "deleted" and not api.objects
    assert cp.delete("api", made) == "gone"
    api.objects[cp._path("demo", "web-wasimig-companion")] = {**made, "metadata": {**made["metadata"], "uid": "u-2"}}
    assert cp.delete("api", made) == "changed" and api.objects, "another object under the name is left alone"


def context(api_objects, monkeypatch):
    """A cutover phase context on FakeApi: the move OLD -> NEW of cluster CLUSTER."""
    from types import SimpleNamespace
    api = FakeApi(monkeypatch, api_objects)
    said = []
    record = SimpleNamespace(cluster_id=CLUSTER, update=lambda change: None)
    return api, SimpleNamespace(api="api", old=OLD, new=NEW, record=record, plan={}, say=said.append,
                                checkpoint=lambda force=False: None)


def made(name="web", uid="u-1", cluster=CLUSTER):
    obj = cp.build(spin(name), old_pool=OLD, new_pool=NEW, runtime_class="spinkube", cluster_id=cluster)
    obj["metadata"]["uid"] = uid
    return obj


def test_the_switch_deletes_a_companion_only_once_its_original_is_available_on_the_new_pool(monkeypatch):
    from azext_wasimig.cutover.phases import GateFailed
    from azext_wasimig.retarget import rewrite
    foreign = made("api", uid="u-9", cluster=CLUSTER + "-other")
    original = {**spin(), "status": {"observedGeneration": 1, "replicas": 3, "updatedReplicas": 3,
                                     "availableReplicas": 3}}
    api, ctx = context([made(), foreign, original], monkeypatch)
    with pytest.raises(GateFailed, match="not available on node pool 'spin' yet") as stopped:
        cp.finish(ctx)   # the original still pins the old pool: its companion stays
    assert stopped.value.gate == "original-available" and len(api.objects) == 3
    moved = rewrite.retarget(original, OLD, NEW, "cutover", runtime_class="spinkube")
    api.objects[cp._path("demo", "web")] = {**moved, "status": {**original["status"], "updatedReplicas": 2}}
    with pytest.raises(GateFailed):
        cp.finish(ctx)   # pinned, but not every replica updated and available yet
    api.objects[cp._path("demo", "web")] = {**moved, "status": original["status"]}
    assert cp.finish(ctx) == [{"companion": "demo/Deployment/web-wasimig-companion",
                               "workload": "demo/Deployment/web", "action": "deleted"}]
    assert cp._path("demo", "api-wasimig-companion") in api.objects, "another cluster's companion is left alone"
    assert cp.finish(ctx) == [], "gone is fine"
