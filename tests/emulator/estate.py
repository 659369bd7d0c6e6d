"""Estates: the Azure world the emulator serves (subscriptions, resource groups, AKS clusters, pools, ACI groups).

An estate file is YAML or JSON (see estates/sample.yaml). `normalise_estate` turns the loose, hand-written form into one
strict shape so the rest of the emulator never guesses; `generate_estate` builds large deterministic estates for benchmarks.
Explicit `null`s in pool or cluster properties are kept on purpose: the extension must cope with them.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

DEFAULT_TENANT = "72f988bf-0000-0000-0000-000000000001"
DEFAULT_PAGE_SIZE = 50
DEFAULT_LOCATION = "westeurope"
DEFAULT_K8S = "1.30.4"

# Cluster keys the estate understands; anything else in a cluster entry is an error (typos must not pass silently).
_CLUSTER_KEYS = {
    "name", "resourceGroup", "location", "kubernetesVersion", "provisioningState", "powerState",
    "disableLocalAccounts", "kubeconfig", "kubeconfigText", "tags", "agentPools", "properties", "eTag",
}


class EstateError(ValueError):
    """The estate file is malformed."""


def load_estate(source=None) -> dict:
    """Load an estate from a path (YAML/JSON), a dict, or None (an empty estate), and normalise it."""
    if source is None:
        return normalise_estate({})
    if isinstance(source, dict):
        return normalise_estate(copy.deepcopy(source))
    path = Path(source)
    text = path.read_text(encoding="utf-8")
    raw = json.loads(text) if path.suffix.lower() == ".json" else _yaml_load(text)
    return normalise_estate(raw or {}, base_dir=path.parent)


def _yaml_load(text: str):
    import yaml  # imported lazily: JSON estates work without PyYAML

    return yaml.safe_load(text)


def normalise_estate(raw: dict, base_dir: Path | None = None) -> dict:
    if not isinstance(raw, dict):
        raise EstateError("an estate must be a mapping")
    subs = [_subscription(s, base_dir) for s in raw.get("subscriptions") or []]
    return {
        "tenantId": raw.get("tenantId") or DEFAULT_TENANT,
        "pageSize": int(raw.get("pageSize") or DEFAULT_PAGE_SIZE),
        "subscriptions": subs,
    }


def _subscription(raw: dict, base_dir) -> dict:
    if not raw.get("subscriptionId"):
        raise EstateError(f"subscription without subscriptionId: {raw!r}")
    clusters = [_cluster(c, base_dir) for c in raw.get("clusters") or []]
    groups = _resource_groups(raw.get("resourceGroups") or [], clusters, raw.get("containerGroups") or [])
    return {
        "subscriptionId": str(raw["subscriptionId"]),
        "displayName": raw.get("displayName") or f"Subscription {raw['subscriptionId'][:8]}",
        "state": raw.get("state") or "Enabled",
        "forbidden": bool(raw.get("forbidden", False)),
        "resourceGroups": groups,
        "clusters": clusters,
        "containerGroups": [_container_group(g) for g in raw.get("containerGroups") or []],
    }


def _resource_groups(declared: list, clusters: list, container_groups: list) -> list:
    """Declared RGs plus those implied by clusters/container groups; location from the first resource in it."""
    groups: dict[str, dict] = {}
    for entry in declared:
        rg = {"name": entry} if isinstance(entry, str) else dict(entry)
        groups.setdefault(rg["name"].lower(), {"name": rg["name"], "location": rg.get("location"),
                                               "tags": rg.get("tags") or {}})
    implied = [(c["resourceGroup"], c.get("location")) for c in clusters]
    implied += [(g["resourceGroup"], g.get("location")) for g in container_groups]
    for name, location in implied:
        rg = groups.setdefault(name.lower(), {"name": name, "location": None, "tags": {}})
        rg["location"] = rg["location"] or location
    for rg in groups.values():
        rg["location"] = rg["location"] or DEFAULT_LOCATION
    return list(groups.values())


def _cluster(raw: dict, base_dir) -> dict:
    unknown = set(raw) - _CLUSTER_KEYS
    if unknown:
        raise EstateError(f"cluster {raw.get('name')!r}: unknown keys {sorted(unknown)}")
    for key in ("name", "resourceGroup"):
        if not raw.get(key):
            raise EstateError(f"cluster without {key}: {raw!r}")
    kubeconfig = raw.get("kubeconfig")
    if kubeconfig and base_dir is not None and not Path(kubeconfig).is_absolute():
        kubeconfig = str((base_dir / kubeconfig).resolve())
    pools = raw.get("agentPools", None)
    return {
        "name": raw["name"],
        "resourceGroup": raw["resourceGroup"],
        # `location: null` is kept (a "null fields" case); only a missing key gets the default.
        "location": raw["location"] if "location" in raw else DEFAULT_LOCATION,
        "kubernetesVersion": raw["kubernetesVersion"] if "kubernetesVersion" in raw else DEFAULT_K8S,
        "provisioningState": raw.get("provisioningState", "Succeeded"),
        "powerState": raw.get("powerState", "Running"),
        "disableLocalAccounts": raw.get("disableLocalAccounts", False),
        "kubeconfig": kubeconfig,
        "kubeconfigText": raw.get("kubeconfigText"),
        "tags": raw.get("tags", {}),
        "eTag": raw.get("eTag"),
        "properties": dict(raw.get("properties") or {}),
        # None = the cluster has no agentPoolProfiles at all (key omitted); [] = an empty list.
        "agentPools": None if pools is None else [_pool(p, raw["name"]) for p in pools],
    }


def _pool(raw: dict, cluster_name: str) -> dict:
    if not isinstance(raw, dict) or not raw.get("name"):
        raise EstateError(f"cluster {cluster_name!r}: agent pool without a name: {raw!r}")
    if isinstance(raw.get("properties"), dict) and set(raw) <= {"name", "properties", "id", "type"}:
        props = dict(raw["properties"])  # ARM form {name, properties}
    else:
        props = {k: v for k, v in raw.items() if k != "name"}
    return {"name": raw["name"], "properties": props}


def _container_group(raw: dict) -> dict:
    if not raw.get("name") or not raw.get("resourceGroup"):
        raise EstateError(f"container group needs name and resourceGroup: {raw!r}")
    return copy.deepcopy(raw)


# --------------------------------------------------------------------------------------------------------------
# Generated estates (benchmarks): deterministic, so two runs with the same arguments serve identical worlds.

_LOCATIONS = ["westeurope", "northeurope", "eastus", "westus2"]
_VERSIONS = ["1.29.9", "1.30.4", "1.31.2"]


def generate_estate(subscriptions: int = 1, clusters: int = 10, wasi_every: int = 3, *,
                    resource_groups: int = 4, pools_per_cluster: int = 3, page_size: int = DEFAULT_PAGE_SIZE,
                    stopped_every: int = 7, failed_every: int = 11, tenant_id: str = DEFAULT_TENANT) -> dict:
    """`clusters` clusters per subscription; every `wasi_every`-th cluster has a WASI pool (every 4th of those
    spelled `wasmwasi`); every `stopped_every`-th is Stopped, every `failed_every`-th Failed (0 disables)."""
    subs = []
    for s in range(subscriptions):
        sub_id = f"{s + 1:08x}-0000-4000-8000-{s + 1:012x}"
        items = [_generated_cluster(s, i, wasi_every, resource_groups, pools_per_cluster, stopped_every,
                                    failed_every) for i in range(clusters)]
        subs.append({"subscriptionId": sub_id, "displayName": f"Bench {s + 1}", "clusters": items})
    return normalise_estate({"tenantId": tenant_id, "pageSize": page_size, "subscriptions": subs})


def _every(i: int, n: int) -> bool:
    return bool(n) and i % n == n - 1


def _generated_cluster(s, i, wasi_every, resource_groups, pools_per_cluster, stopped_every, failed_every) -> dict:
    pools = [{"name": "sys", "mode": "System", "vmSize": "Standard_D2s_v5", "count": 2}]
    user = {"name": "user", "mode": "User", "vmSize": "Standard_D4s_v5", "count": 3}
    if i % 2 == 0:
        user["workloadRuntime"] = "OCIContainer"
    pools.append(user)
    pools += [{"name": f"user{k}", "mode": "User", "vmSize": "Standard_D4s_v5", "count": 1}
              for k in range(2, pools_per_cluster)]
    if wasi_every and i % wasi_every == 0:
        wasi_index = i // wasi_every
        pools.append({
            "name": "wasi", "mode": "User", "vmSize": "Standard_D4s_v5", "count": 2 + i % 3,
            "workloadRuntime": "wasmwasi" if wasi_index % 4 == 3 else "WasmWasi",
            "enableAutoScaling": i % 2 == 0, **({"minCount": 1, "maxCount": 5} if i % 2 == 0 else {}),
            **({"availabilityZones": ["1", "2"]} if i % 3 == 0 else {}),
            "nodeLabels": {"team": f"t{i % 5}"},
        })
    return {
        "name": f"aks-{s:02d}-{i:05d}",
        "resourceGroup": f"rg-bench-{i % max(1, resource_groups):02d}",
        "location": _LOCATIONS[i % len(_LOCATIONS)],
        "kubernetesVersion": _VERSIONS[i % len(_VERSIONS)],
        "provisioningState": "Failed" if _every(i, failed_every) else "Succeeded",
        "powerState": "Stopped" if _every(i, stopped_every) else "Running",
        "disableLocalAccounts": i % 5 == 4,
        "tags": {"env": "bench", "index": str(i)},
        "agentPools": pools,
    }
