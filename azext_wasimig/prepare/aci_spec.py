"""A workload as Azure Container Instances container groups: REST PUT bodies (pure, no SDK).

One group per replica, named ``<workload>-<index>`` (lowercase, '-' only, <= 63 characters, a
short hash when shortened), each shaped like the request of ``ContainerGroupsCreateOrUpdate.json``.

Decisions (and their sources):
- ACI has no Wasm runtime. A Wasm (Spin) workload runs as a Linux container of the Spin CLI,
  ``spin up --listen 0.0.0.0:<port> -f <original image>``, the way spin-operator's "spintainer"
  executor does. ``SPIN_IMAGE`` pins its image, ``ghcr.io/fermyon/spin:v2.7.0`` (the spintainer
  sample's; Spin 2.x matches the shims AKS shipped, and the Spin 3.x image name is unverified).
  The full argv including ``spin`` is sent, so it works whether ACI's command replaces the
  image's ENTRYPOINT or not (unverified). ``--image`` (a Wasm workload rebuilt as a container)
  replaces the image and drops the shim-era command (``/``): the new image's entrypoint runs.
- ``command`` is the k8s ``command`` + ``args``; args without a command fail the workload, as in
  Microsoft's own ACI provider (virtual-kubelet/azure-aci pkg/provider/aci.go): the image's
  entrypoint is not known here.
- CPU is rounded up to 0.01 cores ("ACI CPU request must be times of 10m", same file) and
  memory up to 0.1 GB with GB = 10^9 bytes (same file); never rounded down. No requests: the
  limits (k8s defaults requests to them), else ``az container create``'s 1 CPU / 1.5 GB. A
  limit above the request is sent, capped at the group's total request (ACI's ceiling).
- Env (``kube_values.resolve_env``): values from ConfigMaps are resolved, values from Secrets
  become ``secureValue`` (never printed: ``redact``); the downward API gives the static facts
  that hold in ACI (``metadata.name`` is the group's name) and fails on the rest (IPs, node
  name). ``$(VAR)`` is expanded as kubelet does; a Secret expanded into a plain value or into
  the command (ACI shows commands in clear) fails the workload.
- Registry credentials from ``imagePullSecrets``, kept for the registries the group's images
  use. A Wasm app's artifact is pulled by ``spin up -f`` inside the container, which ACI's
  credentials do not cover: its registry's login goes in a Docker ``config.json`` in a secret
  volume, with ``DOCKER_CONFIG`` naming the directory (``aci_pull_login``, which says what
  Spin's source does).
- Volumes: emptyDir; Secret and ConfigMap as ACI ``secret`` volumes. PVC, hostPath, projected
  and the rest, subPath mounts, native sidecars (init containers with restartPolicy Always)
  and GPUs fail the workload (``UnsupportedWorkload``); nothing is built for it.
- Probes: exec and httpGet are carried; tcpSocket/grpc are dropped with a note.
"""

import base64
import hashlib
import math
import re

from azext_wasimig.errors import MigrationError
from azext_wasimig.prepare import aci_pull_login
from azext_wasimig.prepare.kube_values import (  # noqa: F401  # resolve_env, registry_credentials: public here too
    UnsupportedWorkload, by_name, expand, image_registry, quantity, registry_credentials, resolve_env,
    same_registry)
from azext_wasimig.vocabulary.kubernetes import is_dns_subdomain, pod_template
from azext_wasimig.vocabulary.wasi import CLUSTER_TAG, POOL_TAG, PROVENANCE_TAG, REPLICA_TAG

SPIN_IMAGE = "ghcr.io/fermyon/spin:v2.7.0"
DEFAULT_CPU, DEFAULT_MEMORY_GB, DEFAULT_WASM_PORT = 1.0, 1.5, 80
MAX_NAME = 63

KINDS = {"deployment": "Deployment", "deploy": "Deployment", "statefulset": "StatefulSet", "sts": "StatefulSet",
         "daemonset": "DaemonSet", "ds": "DaemonSet", "replicaset": "ReplicaSet", "rs": "ReplicaSet",
         "job": "Job", "cronjob": "CronJob", "cj": "CronJob", "pod": "Pod", "po": "Pod"}
_LOCATION = re.compile(r"^[A-Za-z][A-Za-z0-9 ]{1,40}$")
_SUBNET_ID = re.compile(r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Network/"
                        r"virtualNetworks/[^/]+/subnets/[^/]+$", re.IGNORECASE)
_SECRETS_IN_BODY = ("secureValue", "password", "storageAccountKey", "workspaceKey")


class InvalidTarget(MigrationError):
    """A malformed workload reference, location or subnet id (the message names the fix)."""
    kind = "invalid"


def parse_workload_ref(ref):
    """``"ns/kind/name"`` -> ``(namespace, Kind, name)``; kind short names and plurals accepted."""
    parts = (ref or "").split("/")
    word = parts[1].lower() if len(parts) == 3 else ""
    kind = KINDS.get(word) or KINDS.get(word.removesuffix("s"))
    if len(parts) != 3 or not kind or not all(is_dns_subdomain(p) for p in (parts[0], parts[2])):
        raise InvalidTarget(f"--workload {ref!r} is not valid: use NAMESPACE/KIND/NAME, e.g. default/deployment/web "
                            f"(kinds: {', '.join(sorted(set(KINDS.values())))}).")
    return parts[0], kind, parts[2]


def region_name(location):
    """An Azure region as ARM names it: ``West Europe`` -> ``westeurope``."""
    return location.replace(" ", "").lower()


def validate_target(location, subnet_id=None, dns_name_label=None):
    """The normalised location (``region_name``; None when none is given: the cluster's is used); raises
    ``InvalidTarget``. The one check of --location, --subnet-id and --dns-name-label (the CLI's validator)."""
    if location is not None and not _LOCATION.match(location):
        raise InvalidTarget(f"--location {location!r} is not an Azure region name: use e.g. westeurope "
                            "('az account list-locations -o table').")
    if subnet_id and not _SUBNET_ID.match(subnet_id):
        raise InvalidTarget(f"--subnet-id {subnet_id!r} is not a subnet resource id: use /subscriptions/SUB/"
                            "resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/VNET/subnets/SUBNET.")
    if subnet_id and dns_name_label:
        raise InvalidTarget("--dns-name-label needs a public IP: drop it, or drop --subnet-id.")
    return None if location is None else region_name(location)


def _round_up(value, step):
    return round(max(step, math.ceil(round(value / step, 6)) * step), 2)


def _resources(container, what):
    res = container.get("resources") or {}
    requests, limits = res.get("requests") or {}, res.get("limits") or {}
    if any("gpu" in key for key in (*requests, *limits)):
        raise UnsupportedWorkload(f"{what} asks for a GPU, which needs an ACI GPU SKU")

    def pick(key, step, scale, default):
        chosen = requests.get(key, limits.get(key))
        request = _round_up(quantity(chosen) / scale, step) if chosen is not None else default
        limit = _round_up(quantity(limits[key]) / scale, step) if key in limits else request
        return request, limit
    cpu, cpu_limit = pick("cpu", 0.01, 1, DEFAULT_CPU)
    memory, memory_limit = pick("memory", 0.1, 1e9, DEFAULT_MEMORY_GB)
    return {"requests": {"cpu": cpu, "memoryInGB": memory}, "limits": {"cpu": cpu_limit, "memoryInGB": memory_limit}}


def _cap_limits(containers):
    """Limits above the request, capped at the group total; limits equal to the request dropped."""
    totals = {k: round(sum(c["properties"]["resources"]["requests"][k] for c in containers), 2)
              for k in ("cpu", "memoryInGB")}
    for container in containers:
        res = container["properties"]["resources"]
        limits = {k: min(v, totals[k]) for k, v in res.pop("limits").items()}
        if any(limits[k] > res["requests"][k] for k in limits):
            res["limits"] = limits


def _port_number(port, container):
    if isinstance(port, int) or str(port).isdigit():
        return int(port)
    for item in container.get("ports") or []:
        if item.get("name") == port:
            return item["containerPort"]
    return None


def _probe(probe, container, notes, what):
    if not probe:
        return None
    out = {k: probe[k] for k in ("initialDelaySeconds", "periodSeconds", "failureThreshold", "successThreshold",
                                 "timeoutSeconds") if k in probe}
    if probe.get("exec"):
        return {**out, "exec": {"command": list(probe["exec"].get("command") or [])}}
    get = probe.get("httpGet")
    if get and _port_number(get.get("port"), container):
        http = {"path": get.get("path", "/"), "port": _port_number(get["port"], container),
                "scheme": str(get.get("scheme", "HTTP")).lower()}
        if get.get("httpHeaders"):
            http["httpHeaders"] = [{"name": h["name"], "value": h["value"]} for h in get["httpHeaders"]]
        return {**out, "httpGet": http}
    notes.append(f"{what}: the probe ({', '.join(k for k in probe if k not in out)}) has no ACI form; dropped.")
    return None


def check_kind(workload):
    """Raise ``UnsupportedWorkload`` for the kinds whose meaning ACI cannot express, whatever their pods are."""
    kind = workload.get("kind")
    if kind == "CronJob":
        raise UnsupportedWorkload("a CronJob runs on a schedule, which ACI cannot express; migrate the Job it "
                                  "creates instead, or schedule the group from outside (e.g. Logic Apps)")
    if kind == "DaemonSet":
        raise UnsupportedWorkload("a DaemonSet runs one pod on every node, and ACI has no nodes; to run a fixed "
                                  "number of copies in ACI, make it a Deployment with that many replicas and "
                                  "migrate that")


def _pod_template(workload):
    check_kind(workload)
    template = pod_template(workload)
    if not template:
        raise UnsupportedWorkload(f"the {workload.get('kind')} has no pod template")
    return template


def _replica_count(workload, context):
    if context.get("replicas") is not None:
        return int(context["replicas"])
    spec = workload.get("spec") or {}
    if workload.get("kind") in ("Deployment", "StatefulSet", "ReplicaSet"):
        return int(spec.get("replicas", 1))
    return int(spec.get("parallelism", 1)) if workload.get("kind") == "Job" else 1


def _check_expressible(spec):
    for volume in spec.get("volumes") or []:
        kind = next((k for k in volume if k != "name"), "emptyDir")
        if kind not in ("emptyDir", "secret", "configMap"):
            raise UnsupportedWorkload(f"volume {volume.get('name')!r} is a {kind} volume, which ACI cannot mount")
    for init in spec.get("initContainers") or []:
        if init.get("restartPolicy") == "Always":
            raise UnsupportedWorkload(f"init container {init.get('name')!r} is a sidecar (restartPolicy Always); "
                                      "ACI runs init containers to completion before the app starts")
    for container in (spec.get("initContainers") or []) + (spec.get("containers") or []):
        for mount in container.get("volumeMounts") or []:
            if mount.get("subPath") or mount.get("subPathExpr"):
                raise UnsupportedWorkload(f"container {container.get('name')!r} mounts {mount.get('name')!r} "
                                          "with subPath, which ACI cannot do")


def _volume_files(volume, context):
    """A Secret or ConfigMap volume as ACI ``secret`` volume content: file name -> base64."""
    kind = "Secret" if "secret" in volume else "ConfigMap"
    source = volume.get("secret") or volume.get("configMap") or {}
    name = source.get("secretName") if kind == "Secret" else source.get("name")
    obj = by_name(context.get("secrets" if kind == "Secret" else "configmaps")).get(name)
    if obj is None and not source.get("optional"):
        raise UnsupportedWorkload(f"volume {volume.get('name')!r}: {kind} {name!r} does not exist")
    obj = obj or {}
    encoded = {k: (v if kind == "Secret" else base64.b64encode(v.encode()).decode())
               for k, v in (obj.get("data") or {}).items()}
    encoded.update({k: base64.b64encode(v.encode()).decode() for k, v in (obj.get("stringData") or {}).items()})
    encoded.update(obj.get("binaryData") or {})
    paths = {i["key"]: i["path"] for i in source.get("items") or []} or {k: k for k in encoded}
    if any("/" in p for p in paths.values()):
        raise UnsupportedWorkload(f"volume {volume.get('name')!r} maps keys into subfolders, which ACI cannot do")
    return {path: encoded[key] for key, path in paths.items() if key in encoded}


def _volumes(spec, context):
    return [{"name": v["name"], "emptyDir": {}} if "emptyDir" in v or len(v) == 1
            else {"name": v["name"], "secret": _volume_files(v, context)} for v in spec.get("volumes") or []]


def _service_ports(labels, services, containers, notes):
    """Per container index, the ports that Services selecting these pods send traffic to."""
    found = {}
    for service in (by_name(services) or {}).values():
        selector = (service.get("spec") or {}).get("selector") or {}
        if not selector or any(labels.get(k) != v for k, v in selector.items()):
            continue
        for port in service["spec"].get("ports") or []:
            target = port.get("targetPort", port.get("port"))
            index = next((i for i, c in enumerate(containers) if _port_number(target, c)), 0)
            number = _port_number(target, containers[index])
            if number and port.get("protocol", "TCP") in ("TCP", "UDP"):
                found.setdefault(index, []).append({"port": number, "protocol": port.get("protocol", "TCP")})
                if number != port.get("port"):
                    notes.append(f"Service {service['metadata']['name']} port {port.get('port')} is reached on "
                                 f"{number} in ACI (ACI does not remap ports).")
    return found


def _ports(container, extra):
    ports = [{"port": p["containerPort"], "protocol": p.get("protocol", "TCP")}
             for p in container.get("ports") or [] if p.get("protocol", "TCP") in ("TCP", "UDP")]
    return ports + [p for p in extra if p not in ports]


def _command(container, env):
    """k8s ``command`` + ``args`` with ``$(VAR)`` expanded, as ACI's exec-form ``command``."""
    if container.get("args") and not container.get("command"):
        raise UnsupportedWorkload(f"container {container.get('name')!r} gives args without a command; ACI's "
                                  "command replaces the image's entrypoint, which is not known here: add the "
                                  "command to the manifest")
    argv = []
    for word in (container.get("command") or []) + (container.get("args") or []):
        text, secure = expand(word, {e["name"]: e for e in env})
        if secure:
            raise UnsupportedWorkload(f"container {container.get('name')!r} puts a Secret value in its command, "
                                      "which ACI shows in clear")
        argv.append(text)
    return argv


def _mounts(container):
    return [{"name": m["name"], "mountPath": m["mountPath"], "readOnly": bool(m.get("readOnly"))}
            for m in container.get("volumeMounts") or []]


def _container(container, context, facts, extra_ports, notes):
    what = f"container {container.get('name')!r}"
    spin = bool(context.get("is_wasm")) and not context.get("image")
    env = resolve_env(container, facts["namespace"], context.get("configmaps"), context.get("secrets"), facts)
    ports = _ports(container, extra_ports) or ([{"port": DEFAULT_WASM_PORT, "protocol": "TCP"}] if spin else [])
    if spin:  # the Spin CLI runs the original image as an OCI artifact
        image = context.get("spin_image") or SPIN_IMAGE
        command = ["spin", "up", "--listen", f"0.0.0.0:{ports[0]['port']}", "-f", container.get("image")]
    elif context.get("is_wasm"):  # rebuilt as a container (--image): the shim-era command ("/") means nothing
        image, command = context["image"], []
    else:
        image, command = context.get("image") or container.get("image"), _command(container, env)
    props = {"image": image, "command": command, "ports": ports, "environmentVariables": env,
             "resources": _resources(container, what), "volumeMounts": _mounts(container)}
    for key in ("livenessProbe", "readinessProbe"):
        probe = _probe(container.get(key), container, notes, what)
        if probe:
            props[key] = probe
    return {"name": container["name"], "properties": {k: v for k, v in props.items() if v or k == "command"}}


def _init_container(container, context, facts):
    env = resolve_env(container, facts["namespace"], context.get("configmaps"), context.get("secrets"), facts)
    props = {"image": container.get("image"), "command": _command(container, env),
             "environmentVariables": env, "volumeMounts": _mounts(container)}
    return {"name": container["name"], "properties": {k: v for k, v in props.items() if v}}


def group_name(workload_name, index):
    """``<workload>-<index>``, valid for ACI (1-63 of a-z 0-9 '-'); a hash keeps long names apart."""
    base = re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9-]+", "-", workload_name.lower())).strip("-") or "workload"
    suffix = f"-{index}"
    if len(base) + len(suffix) > MAX_NAME:
        digest = hashlib.sha256(workload_name.encode()).hexdigest()[:6]
        base = f"{base[:MAX_NAME - len(suffix) - 7].rstrip('-')}-{digest}"
    return base + suffix


def _network(properties, ports, context, index, replicas):
    if ports:
        address = {"type": "Private" if context.get("subnet_id") else "Public", "ports": ports}
        label = context.get("dns_name_label")
        if label:
            address["dnsNameLabel"] = label if replicas == 1 else f"{label}-{index}"
        properties["ipAddress"] = address
    if context.get("subnet_id"):
        properties["subnetIds"] = [{"id": context["subnet_id"]}]


def _group(workload, template, context, *, index, replicas, notes):
    meta, spec = template.get("metadata") or {}, template.get("spec") or {}
    name = group_name(workload["metadata"]["name"], index)
    facts = {"name": name, "namespace": context["namespace"], "labels": meta.get("labels") or {},
             "annotations": meta.get("annotations") or {}, "serviceAccountName": spec.get("serviceAccountName")}
    service_ports = _service_ports(facts["labels"], context.get("services"), spec["containers"], notes)
    containers = [_container(c, context, facts, service_ports.get(i, []), notes)
                  for i, c in enumerate(spec["containers"])]
    _cap_limits(containers)
    properties = {"containers": containers, "osType": "Linux",
                  "restartPolicy": spec.get("restartPolicy") or "Always"}
    if spec.get("initContainers"):
        properties["initContainers"] = [_init_container(c, context, facts) for c in spec["initContainers"]]
    images = [c["properties"]["image"] for c in containers + properties.get("initContainers", [])]
    secrets = by_name(context.get("secrets"))
    pulls = [secrets[s["name"]] for s in spec.get("imagePullSecrets") or [] if s.get("name") in secrets]
    credentials = [c for c in registry_credentials(pulls)
                   if any(same_registry(c["server"], image_registry(i)) for i in images)]
    if credentials:
        properties["imageRegistryCredentials"] = credentials
    if spec.get("volumes"):
        properties["volumes"] = _volumes(spec, context)
    if context.get("is_wasm") and not context.get("image"):
        aci_pull_login.deliver(properties, [c.get("image") for c in spec["containers"]], pulls, notes)
    _network(properties, [p for c in containers for p in c["properties"].get("ports", [])], context, index, replicas)
    tags = {**(context.get("tags") or {}), PROVENANCE_TAG: context["source"], REPLICA_TAG: str(index)}
    if context.get("cluster_id"):
        tags[CLUSTER_TAG] = context["cluster_id"]
    if context.get("pools"):
        tags[POOL_TAG] = ",".join(context["pools"])
    return name, {"location": context["location"], "tags": tags, "properties": properties}


def build(workload, context):
    """``([(group name, body)], notes)`` for one workload; raises ``UnsupportedWorkload``.

    ``context`` (a dict): ``location`` (required, as ``validate_target`` returns it); ``namespace`` (default: the
    workload's);
    ``replicas`` (default: spec.replicas, a Job's parallelism, else 1);
    ``configmaps``/``secrets``/``services``: the namespace's objects (list or dict by name); ``is_wasm``
    (scan's payload is Spin); ``spin_image`` (default ``SPIN_IMAGE``); ``image`` (--image); ``subnet_id``;
    ``dns_name_label``; ``tags``; ``cluster_id`` and ``pools`` (provenance: the cluster's ARM id, the WASI pools the
    workload is moved off).
    """
    meta = workload.get("metadata") or {}
    context = {**context, "namespace": context.get("namespace") or meta.get("namespace") or "default"}
    context["source"] = f"{context['namespace']}/{workload.get('kind')}/{meta.get('name')}"
    template = _pod_template(workload)
    spec = template.get("spec") or {}
    _check_expressible(spec)
    if context.get("image") and len(spec.get("containers") or []) != 1:
        raise UnsupportedWorkload(f"--image can replace the image of one container; this pod has "
                                  f"{len(spec.get('containers') or [])}")
    notes = ["hostNetwork is ignored: ACI gives each group its own network."] if spec.get("hostNetwork") else []
    replicas = _replica_count(workload, context)
    if replicas < 1:
        notes.append(f"{context['source']} has 0 replicas: no container group to create.")
    groups = [_group(workload, template, context, index=i, replicas=replicas, notes=notes)
              for i in range(replicas)]
    return groups, list(dict.fromkeys(notes))


def compare_existing(existing_group, body):
    """``"same"`` when an existing group was made from the same workload replica, else ``"different"``."""
    have, want = (existing_group or {}).get("tags") or {}, body.get("tags") or {}
    keys = (PROVENANCE_TAG, CLUSTER_TAG, REPLICA_TAG)
    same = all(str(have.get(k, "")).lower() == str(want.get(k, "")).lower() for k in keys)
    return "same" if same and have.get(PROVENANCE_TAG) else "different"


def redact(body):
    """A copy of ``body`` fit to print: secure values, passwords and secret volume files as ``***``."""
    def walk(node):
        if isinstance(node, list):
            return [walk(n) for n in node]
        if not isinstance(node, dict):
            return node
        return {k: ("***" if k in _SECRETS_IN_BODY and v is not None else
                    {f: "***" for f in v} if k == "secret" and isinstance(v, dict) else walk(v))
                for k, v in node.items()}
    return walk(body)  # walk builds new dicts and lists: the body itself is left alone
