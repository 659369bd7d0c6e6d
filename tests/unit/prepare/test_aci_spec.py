"""The ACI container-group core: k8s objects in, REST PUT bodies (ContainerGroupsCreateOrUpdate shape) out."""

import base64
import copy
import json
import pathlib

import pytest

from azext_wasimig.prepare import aci_pull_login, aci_spec, kube_values
from azext_wasimig.prepare.aci_spec import UnsupportedWorkload
from tests.unit.prepare.aci_objects import (CLUSTER_ID, CONFIGMAPS, SECRETS, SUBNET, b64, context, pull_secret,
                                            secret, spin_deployment)

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "fixtures" / "arm-examples"


def test_spin_deployment_with_two_replicas_becomes_two_groups_with_secure_values():
    groups, notes = aci_spec.build(spin_deployment(), context())
    assert [name for name, _ in groups] == ["web-0", "web-1"]
    name, body = groups[1]
    container = body["properties"]["containers"][0]["properties"]
    assert body["location"] == "westeurope" and body["properties"]["osType"] == "Linux"
    assert container["image"] == aci_spec.SPIN_IMAGE
    assert container["command"] == ["spin", "up", "--listen", "0.0.0.0:80", "-f", "myreg.azurecr.io/spin-web:1.0"]
    assert container["environmentVariables"] == [{"name": "TOKEN", "secureValue": "s3cr3t-token"},
                                                 {"name": "MODE", "value": "prod"},
                                                 {"name": "POD_NAME", "value": "web-1"},
                                                 {"name": "DOCKER_CONFIG", "value": aci_pull_login.DIRECTORY}]
    assert container["resources"] == {"requests": {"cpu": 0.25, "memoryInGB": 0.2}}  # limits capped at the group's
    assert container["livenessProbe"] == {"periodSeconds": 10, "httpGet": {"path": "/healthz", "port": 80,
                                                                            "scheme": "http"}}
    assert "readinessProbe" not in container and any("tcpSocket" in n for n in notes)
    assert body["properties"]["ipAddress"] == {"type": "Public", "ports": [{"port": 80, "protocol": "TCP"}],
                                               "dnsNameLabel": "spinweb-1"}
    assert body["tags"] == {"wasimig.migratedFrom": "demo/Deployment/web", "wasimig.replica": "1",
                            "wasimig.cluster": CLUSTER_ID}
    # the Spin image is public: the pull secret's registry is not one the group pulls from
    assert "imageRegistryCredentials" not in body["properties"]
    assert any("port 8080 is reached on 80" in n for n in notes)


def test_rebuilt_image_uses_the_pull_secret_and_drops_the_shim_command():
    [(_, body)], _ = aci_spec.build(spin_deployment(), context(image="myreg.azurecr.io/web-container:1.0", replicas=1))
    props = body["properties"]
    assert props["containers"][0]["properties"]["image"] == "myreg.azurecr.io/web-container:1.0"
    assert props["containers"][0]["properties"]["command"] == []  # the shim-era "/" would not start a container
    assert props["imageRegistryCredentials"] == [{"server": "myreg.azurecr.io", "username": "puller",
                                                  "password": "pull-pass"}]
    assert props["ipAddress"]["dnsNameLabel"] == "spinweb"


def test_plain_container_keeps_command_and_args_with_variables_expanded():
    work = spin_deployment()
    work["spec"]["template"]["spec"]["containers"][0].update(command=["/app/server"], args=["--mode", "$(MODE)"])
    [(_, body)], _ = aci_spec.build(work, context(is_wasm=False, replicas=1))
    container = body["properties"]["containers"][0]["properties"]
    assert container["image"] == "myreg.azurecr.io/spin-web:1.0"
    assert container["command"] == ["/app/server", "--mode", "prod"]
    assert body["properties"]["imageRegistryCredentials"][0]["server"] == "myreg.azurecr.io"
    work["spec"]["template"]["spec"]["containers"][0]["args"] = ["--token", "$(TOKEN)"]
    with pytest.raises(UnsupportedWorkload, match="Secret value in its command"):
        aci_spec.build(work, context(is_wasm=False, replicas=1))


def test_redact_hides_every_secret_and_leaves_the_body_alone():
    work = spin_deployment(volumes=[{"name": "certs", "secret": {"secretName": "app"}}])
    [(_, body)], _ = aci_spec.build(work, context(image="myreg.azurecr.io/c:1", replicas=1))
    shown = json.dumps(aci_spec.redact(body))
    for value in ("s3cr3t-token", "pull-pass", b64("s3cr3t-token")):
        assert value not in shown
    assert shown.count('"***"') == 3
    assert "s3cr3t-token" in json.dumps(body)


def test_pvc_workload_fails_alone_with_a_clear_reason():
    good = spin_deployment()
    bad = spin_deployment(volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": "d"}}])
    results = {}
    for name, work in (("good", good), ("bad", bad)):
        try:
            results[name] = aci_spec.build(work, context())[0]
        except UnsupportedWorkload as ex:
            results[name] = ex.reason
    assert len(results["good"]) == 2
    assert results["bad"] == "volume 'data' is a persistentVolumeClaim volume, which ACI cannot mount"


@pytest.mark.parametrize("spec_extra, reason", [
    ({"volumes": [{"name": "h", "hostPath": {"path": "/var"}}]}, "hostPath volume"),
    ({"initContainers": [{"name": "proxy", "image": "envoy", "restartPolicy": "Always"}]}, "sidecar"),
])
def test_other_inexpressible_pods(spec_extra, reason):
    with pytest.raises(UnsupportedWorkload, match=reason):
        aci_spec.build(spin_deployment(**spec_extra), context())[0]


def test_args_without_command_and_unknown_field_refs_fail_with_reasons():
    work = spin_deployment()
    work["spec"]["template"]["spec"]["containers"][0].update(args=["serve"], command=[])
    with pytest.raises(UnsupportedWorkload, match="args without a command"):
        aci_spec.build(work, context(is_wasm=False))[0]
    work = spin_deployment()
    work["spec"]["template"]["spec"]["containers"][0]["env"].append(
        {"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}})
    with pytest.raises(UnsupportedWorkload, match="status.podIP"):
        aci_spec.build(work, context())[0]


def test_cronjob_is_refused_and_job_keeps_its_restart_policy():
    pod = spin_deployment()["spec"]["template"]
    pod["spec"]["restartPolicy"] = "OnFailure"
    with pytest.raises(UnsupportedWorkload, match="schedule"):
        aci_spec.build({"kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {}}}, context())[0]
    groups = aci_spec.build({"kind": "Job", "metadata": {"name": "j"}, "spec": {"template": pod}}, context())[0]
    assert [n for n, _ in groups] == ["j-0"] and groups[0][1]["properties"]["restartPolicy"] == "OnFailure"


def test_body_round_trips_through_the_sdk_model():
    from azure.mgmt.containerinstance.models import ContainerGroup
    work = spin_deployment(volumes=[{"name": "cfg", "configMap": {"name": "cfg"}}, {"name": "tmp", "emptyDir": {}}],
                           initContainers=[{"name": "init", "image": "busybox", "command": ["true"]}])
    for _, body in aci_spec.build(work, context(subnet_id=SUBNET, dns_name_label=None))[0]:
        wire = ContainerGroup.from_dict(copy.deepcopy(body)).serialize()
        assert_contained(body, wire)
        assert body["properties"]["subnetIds"] == [{"id": SUBNET}]
        assert body["properties"]["ipAddress"]["type"] == "Private"


def assert_contained(expected, actual, path="body"):
    """Every key and value of ``expected`` is in ``actual`` (the SDK may add defaults)."""
    if isinstance(expected, dict):
        for key, value in expected.items():
            assert key in actual, f"{path}.{key} lost"
            assert_contained(value, actual[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert len(expected) == len(actual), path
        for i, (want, have) in enumerate(zip(expected, actual)):
            assert_contained(want, have, f"{path}[{i}]")
    else:
        assert expected == actual, path


def test_example_request_has_the_shape_we_build():
    request = json.loads((EXAMPLES / "ContainerGroupsCreateOrUpdate.json").read_text())["parameters"]["containerGroup"]
    [(_, body)], _ = aci_spec.build(spin_deployment(), context(replicas=1))
    assert set(body) <= set(request) | {"tags"}
    assert set(body["properties"]) <= set(request["properties"]) | {"restartPolicy"}
    container_keys = set(request["properties"]["containers"][0]["properties"]) | {"livenessProbe", "readinessProbe"}
    assert set(body["properties"]["containers"][0]["properties"]) <= container_keys


@pytest.mark.parametrize("ref, expected", [
    ("demo/deployment/web", ("demo", "Deployment", "web")), ("demo/Deploy/web", ("demo", "Deployment", "web")),
    ("kube-system/STS/db", ("kube-system", "StatefulSet", "db")), ("a/ds/x", ("a", "DaemonSet", "x")),
    ("a/rs/x", ("a", "ReplicaSet", "x")), ("a/po/x", ("a", "Pod", "x")), ("a/jobs/x", ("a", "Job", "x")),
    ("a/cronjob/x.y", ("a", "CronJob", "x.y")),
])
def test_parse_workload_ref(ref, expected):
    assert aci_spec.parse_workload_ref(ref) == expected


@pytest.mark.parametrize("ref", ["web", "demo/web", "demo/service/web", "Demo/deployment/web", "a/b/c/d", ""])
def test_parse_workload_ref_rejects(ref):
    with pytest.raises(aci_spec.InvalidTarget, match="NAMESPACE/KIND/NAME"):
        aci_spec.parse_workload_ref(ref)


@pytest.mark.parametrize("location, subnet, message", [
    ("west-europe!", None, "--location"), ("", None, "--location"),
    ("westeurope", "/subscriptions/x/subnets/y", "--subnet-id"),
    ("westeurope", "subnet1", "--subnet-id"),
])
def test_malformed_location_or_subnet(location, subnet, message):
    with pytest.raises(aci_spec.InvalidTarget, match=message):
        aci_spec.validate_target(location, subnet)


def test_a_location_is_normalised_and_none_means_the_clusters():
    assert aci_spec.validate_target("West Europe", SUBNET) == "westeurope"
    assert aci_spec.validate_target(None) is None
    with pytest.raises(aci_spec.InvalidTarget, match="needs a public IP"):
        aci_spec.validate_target(None, SUBNET, "web")


def test_resources_round_up_to_what_aci_accepts_and_default_like_az():
    work = spin_deployment()
    container = work["spec"]["template"]["spec"]["containers"][0]
    container["resources"] = {"requests": {"cpu": "1234m", "memory": "1.05G"}}
    [(_, body)], _ = aci_spec.build(work, context(replicas=1))
    assert body["properties"]["containers"][0]["properties"]["resources"] == {
        "requests": {"cpu": 1.24, "memoryInGB": 1.1}}
    container["resources"] = {}
    [(_, body)], _ = aci_spec.build(work, context(replicas=1))
    assert body["properties"]["containers"][0]["properties"]["resources"] == {
        "requests": {"cpu": 1.0, "memoryInGB": 1.5}}


def test_limits_above_the_request_are_kept_up_to_the_group_total():
    work = spin_deployment()
    spec = work["spec"]["template"]["spec"]
    spec["containers"].append({"name": "side", "image": "busybox", "command": ["sleep", "inf"],
                               "resources": {"requests": {"cpu": "1", "memory": "1Gi"}}})
    [(_, body)], _ = aci_spec.build(work, context(replicas=1, image=None, is_wasm=False))
    assert body["properties"]["containers"][0]["properties"]["resources"]["limits"] == {"cpu": 1.0, "memoryInGB": 1.1}


def test_group_names_are_valid_deterministic_and_distinct_when_shortened():
    long_a, long_b = "a" * 70 + "x", "a" * 70 + "y"
    names = {aci_spec.group_name(long_a, 3), aci_spec.group_name(long_b, 3)}
    assert len(names) == 2 and all(len(n) <= 63 and n.endswith("-3") for n in names)
    assert aci_spec.group_name(long_a, 3) == aci_spec.group_name(long_a, 3)
    assert aci_spec.group_name("My.App--v2", 0) == "my-app-v2-0"


def test_env_from_expansion_and_optional_refs():
    container = {"name": "c", "envFrom": [{"configMapRef": {"name": "cfg"}, "prefix": "CFG_"},
                                          {"secretRef": {"name": "missing", "optional": True}}],
                 "env": [{"name": "MSG", "value": "$(CFG_GREETING) world $$(CFG_MODE)"},
                         {"name": "OPT",
                          "valueFrom": {"secretKeyRef": {"name": "app", "key": "nope", "optional": True}}}]}
    env = aci_spec.resolve_env(container, "demo", CONFIGMAPS, SECRETS)
    assert env == [{"name": "CFG_GREETING", "value": "hello"}, {"name": "CFG_MODE", "value": "prod"},
                   {"name": "MSG", "value": "hello world $(CFG_MODE)"}]
    container["env"].append({"name": "LEAK", "value": "x$(token)"})
    container["envFrom"].append({"secretRef": {"name": "app"}, "prefix": ""})
    with pytest.raises(UnsupportedWorkload, match="embeds a Secret"):
        aci_spec.resolve_env(container, "demo", CONFIGMAPS, {s["metadata"]["name"]: s for s in SECRETS})


def test_registry_credentials_from_docker_config_and_legacy_dockercfg():
    legacy = {"metadata": {"name": "old"}, "type": "kubernetes.io/dockercfg",
              "data": {".dockercfg": b64(json.dumps({"https://index.docker.io/v1/": {"auth": b64("me:pw")}}))}}
    assert aci_spec.registry_credentials([SECRETS[1], legacy]) == [
        {"server": "myreg.azurecr.io", "username": "puller", "password": "pull-pass"},
        {"server": "index.docker.io", "username": "me", "password": "pw"}]
    with pytest.raises(UnsupportedWorkload, match="no readable docker config"):
        aci_spec.registry_credentials([secret("broken", **{".dockerconfigjson": "not json"})])


def test_same_source_is_recognised_for_reruns():
    [(_, body)], _ = aci_spec.build(spin_deployment(), context(replicas=1))
    assert aci_spec.compare_existing({"tags": dict(body["tags"])}, body) == "same"
    assert aci_spec.compare_existing({"tags": {"owner": "someone"}}, body) == "different"


def docker_credential_lookup(config, server):
    """What Spin's fallback does with the file (docker_credential: exact key, then after stripping a scheme and
    path; ``auth`` is base64 user:password)."""
    auths = config.get("auths") or {}
    entry = auths.get(server) or next((v for k, v in auths.items()
                                       if k.split("://")[-1].split("/")[0] == server), None)
    return tuple(base64.b64decode(entry["auth"]).decode().split(":", 1)) if entry else None


def pull_login(body):
    """(config.json as a dict, the volume mount) of a group's first container."""
    props = body["properties"]
    volume = next(v for v in props["volumes"] if v["name"] == aci_pull_login.VOLUME)
    mount = next(m for m in props["containers"][0]["properties"]["volumeMounts"] if m["name"] == volume["name"])
    return json.loads(base64.b64decode(volume["secret"]["config.json"])), mount


def test_spin_artifact_login_goes_to_a_docker_config_volume_for_its_registry_only():
    other = pull_secret("ghcr", "ghcr.io", "someone", "ghcr-pass")
    [(_, body)], notes = aci_spec.build(spin_deployment(), context(replicas=1, secrets=SECRETS + [other]))
    config, mount = pull_login(body)
    assert config == {"auths": {"myreg.azurecr.io": {"auth": b64("puller:pull-pass")}}}
    assert docker_credential_lookup(config, "myreg.azurecr.io") == ("puller", "pull-pass")
    assert mount == {"name": aci_pull_login.VOLUME, "mountPath": aci_pull_login.DIRECTORY, "readOnly": True}
    env = body["properties"]["containers"][0]["properties"]["environmentVariables"]
    assert {"name": "DOCKER_CONFIG", "value": mount["mountPath"]} in env
    assert not any("pull-pass" in json.dumps(e) for e in env), "never an env value"
    assert "pull-pass" not in json.dumps(body["properties"]["containers"][0]["properties"]["command"])
    assert not any("spin up -f" in n for n in notes)


def test_docker_hub_artifact_from_a_legacy_dockercfg_is_keyed_by_every_hub_name():
    legacy = {"metadata": {"name": "hub"}, "type": "kubernetes.io/dockercfg",
              "data": {".dockercfg": b64(json.dumps({"https://index.docker.io/v1/": {"auth": b64("me:pw")}}))}}
    work = spin_deployment()
    work["spec"]["template"]["spec"].update(imagePullSecrets=[{"name": "hub"}])
    work["spec"]["template"]["spec"]["containers"][0]["image"] = "someone/spin-app:1"
    [(_, body)], _ = aci_spec.build(work, context(replicas=1, secrets=SECRETS + [legacy]))
    config, _ = pull_login(body)
    assert sorted(config["auths"]) == ["docker.io", "index.docker.io", "registry-1.docker.io"]
    for server in ("index.docker.io", "registry-1.docker.io"):   # oci-client's names for Docker Hub, new and old
        assert docker_credential_lookup(config, server) == ("me", "pw")


def test_no_login_for_the_artifact_registry_gives_a_note_and_no_volume():
    work = spin_deployment()
    work["spec"]["template"]["spec"]["containers"][0]["image"] = "ghcr.io/someone/app:1"
    [(_, body)], notes = aci_spec.build(work, context(replicas=1))
    assert "volumes" not in body["properties"]
    assert any("no login for the registry of ghcr.io/someone/app:1" in n for n in notes)
    del work["spec"]["template"]["spec"]["imagePullSecrets"]
    [(_, body)], notes = aci_spec.build(work, context(replicas=1))
    assert "volumes" not in body["properties"] and not any("login" in n for n in notes)


def test_a_rebuilt_image_or_a_plain_container_gets_no_pull_login_volume():
    for extra in ({"image": "myreg.azurecr.io/web-container:1.0"}, {"is_wasm": False}):
        work = spin_deployment()
        work["spec"]["template"]["spec"]["containers"][0]["command"] = ["/app"]
        [(_, body)], _ = aci_spec.build(work, context(replicas=1, **extra))
        assert "volumes" not in body["properties"]
        assert "DOCKER_CONFIG" not in json.dumps(body)


def test_identity_token_only_entries_are_no_login():
    token_only = {"metadata": {"name": "t"}, "type": "kubernetes.io/dockerconfigjson",
                  "data": {".dockerconfigjson": b64(json.dumps({"auths": {"myreg.azurecr.io": {
                      "identitytoken": "tok"}}}))}}
    assert kube_values.docker_config([token_only], ["myreg.azurecr.io/app:1"]) == (None, ["myreg.azurecr.io/app:1"])


def test_redact_shows_the_pull_login_volume_as_stars_and_keeps_docker_config():
    [(_, body)], _ = aci_spec.build(spin_deployment(), context(replicas=1))
    shown = aci_spec.redact(body)
    assert next(v for v in shown["properties"]["volumes"] if v["name"] == aci_pull_login.VOLUME)["secret"] == \
        {"config.json": "***"}
    text = json.dumps(shown)
    for value in ("pull-pass", b64("pull-pass"), b64("puller:pull-pass")):
        assert value not in text
    assert aci_pull_login.DIRECTORY in text


def test_a_pod_volume_with_the_login_volume_name_fails_the_workload():
    work = spin_deployment(volumes=[{"name": aci_pull_login.VOLUME, "emptyDir": {}}])
    with pytest.raises(UnsupportedWorkload, match=aci_pull_login.VOLUME):
        aci_spec.build(work, context(replicas=1))


def test_daemonset_is_refused_one_per_node_has_no_aci_meaning():
    pod = spin_deployment()["spec"]["template"]
    with pytest.raises(UnsupportedWorkload, match="DaemonSet runs one pod on every node"):
        aci_spec.build({"kind": "DaemonSet", "metadata": {"name": "d"}, "spec": {"template": pod}}, context())


def test_each_group_names_the_wasi_pools_its_workload_moved_off():
    [(_, body)], _ = aci_spec.build(spin_deployment(), context(replicas=1, pools=["wasi"]))
    assert body["tags"]["wasimig.nodepool"] == "wasi" and body["tags"]["wasimig.cluster"] == CLUSTER_ID
    [(_, body)], _ = aci_spec.build(spin_deployment(), context(replicas=1, pools=["wasi", "wasi2"]))
    assert body["tags"]["wasimig.nodepool"] == "wasi,wasi2"
