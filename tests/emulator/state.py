"""The emulator's mutable world: resources, operations, settings, faults, request log.

Resources are keyed by lower-cased names (ARM ids are case-insensitive and az mixes `resourceGroups`/`resourcegroups`)
while records keep the casing they were created with, which is what the service echoes. One re-entrant lock guards
everything except the request log; handlers hold it for the whole read-modify-write of a request.
"""
from __future__ import annotations

import copy
import datetime
import threading
from pathlib import Path

from . import aci, errors, resources
from .estate import load_estate
from .faults import Faults
from .lro import Operations
from .requestlog import RequestLog

DEFAULT_SETTINGS = {"latencyMs": 0, "lroPolls": 2, "pageSize": 50, "retryAfterMs": 50}
PLACEHOLDER_KUBECONFIG = """apiVersion: v1
kind: Config
clusters:
- name: {name}
  cluster:
    server: https://127.0.0.1:1
    insecure-skip-tls-verify: true
contexts:
- name: {name}
  context: {{cluster: {name}, user: clusterUser_{rg}_{name}}}
current-context: {name}
users:
- name: clusterUser_{rg}_{name}
  user: {{token: emulator-placeholder-token}}
"""


def _key(*parts) -> tuple:
    return tuple(str(p).lower() for p in parts)


class EmulatorState:
    def __init__(self, estate=None, *, latency_ms: int = 0, lro_polls: int = 2):
        self.lock = threading.RLock()
        self.settings = dict(DEFAULT_SETTINGS, latencyMs=int(latency_ms), lroPolls=int(lro_polls))
        self.faults = Faults()
        self.log = RequestLog()
        self.load(estate)

    # ---------------------------------------------------------------------------------------------- loading
    def load(self, estate) -> None:
        """Replace the whole world from an estate (path, dict or normalised); settings/faults/log survive."""
        estate = load_estate(estate)
        with self.lock:
            self.tenant_id = estate["tenantId"]
            self.settings["pageSize"] = estate["pageSize"]
            self.subscriptions: dict[tuple, dict] = {}
            self.groups: dict[tuple, dict] = {}
            self.clusters: dict[tuple, dict] = {}
            self.container_groups: dict[tuple, dict] = {}
            self.ops = Operations()
            self.records = {"credentialRequests": [], "poolDeletes": []}
            for sub in estate["subscriptions"]:
                self._load_subscription(sub)

    def _load_subscription(self, sub: dict) -> None:
        sid = sub["subscriptionId"]
        self.subscriptions[_key(sid)] = {k: sub[k] for k in ("subscriptionId", "displayName", "state", "forbidden")}
        for rg in sub["resourceGroups"]:
            self.groups[_key(sid, rg["name"])] = dict(rg)
        for cluster in sub["clusters"]:
            self.add_cluster(sid, cluster)
        for group in sub["containerGroups"]:
            body = {k: v for k, v in group.items() if k not in ("name", "resourceGroup", "instanceView")}
            record = self.put_container_group(sid, group["resourceGroup"], group["name"], aci.strip_secrets(body),
                                              "Succeeded")
            if group.get("instanceView"):
                view = aci.check_view(group["instanceView"])
                record["provisioningState"] = view.pop("provisioningState", "Succeeded")
                record["view"] = view

    def add_cluster(self, sub: str, raw: dict) -> dict:
        record = {k: copy.deepcopy(v) for k, v in raw.items() if k != "agentPools"}
        record["subscriptionId"] = sub
        record["pools"] = None
        if raw.get("agentPools") is not None:
            record["pools"] = {}
            for pool in raw["agentPools"]:
                props = resources.fill_pool_defaults(pool["properties"], record, pool["name"])
                record["pools"][pool["name"].lower()] = {"name": pool["name"], "properties": props, "op": None}
        self.clusters[_key(sub, raw["resourceGroup"], raw["name"])] = record
        self.groups.setdefault(_key(sub, raw["resourceGroup"]),
                               {"name": raw["resourceGroup"], "location": raw.get("location") or "westeurope",
                                "tags": {}})
        return record

    def put_container_group(self, sub, rg, name, body, provisioning_state) -> dict:
        key = _key(sub, rg, name)
        record = self.container_groups.get(key) or {"name": name, "resourceGroup": self.group(sub, rg)["name"],
                                                    "subscriptionId": sub, "op": None, "startTime": _now()}
        record.update(body=body, provisioningState=provisioning_state)
        self.container_groups[key] = record
        return record

    # ---------------------------------------------------------------------------------------------- lookups
    def subscription(self, sub: str) -> dict:
        found = self.subscriptions.get(_key(sub))
        if not found:
            raise errors.subscription_not_found(sub)
        return found

    def group(self, sub: str, rg: str) -> dict:
        found = self.groups.get(_key(sub, rg))
        if not found:
            raise errors.resource_group_not_found(rg)
        return found

    def _one(self, store: dict, resource_type: str, sub: str, rg: str, name: str) -> dict:
        """A resource of ``store`` (keyed by lower-cased sub, rg, name); ARM's 404s for a missing group or it."""
        self.group(sub, rg)
        found = store.get(_key(sub, rg, name))
        if not found:
            raise errors.resource_not_found(resource_type, name, rg)
        return found

    def _all(self, store: dict, sub: str, rg: str | None) -> list[dict]:
        """The resources of ``store`` in a subscription, or in one (existing) resource group of it."""
        if rg is not None:
            self.group(sub, rg)
        return [r for k, r in store.items() if k[0] == sub.lower() and (rg is None or k[1] == rg.lower())]

    def cluster(self, sub: str, rg: str, name: str) -> dict:
        return self._one(self.clusters, resources.AKS_TYPE, sub, rg, name)

    def clusters_in(self, sub: str, rg: str | None = None) -> list[dict]:
        return self._all(self.clusters, sub, rg)

    def container_group(self, sub: str, rg: str, name: str) -> dict:
        return self._one(self.container_groups, aci.ACI_TYPE, sub, rg, name)

    def container_groups_in(self, sub: str, rg: str | None = None) -> list[dict]:
        return self._all(self.container_groups, sub, rg)

    def render_group(self, record: dict) -> dict:
        return aci.render(record["subscriptionId"], record["resourceGroup"], record["name"], record["body"],
                          record["provisioningState"], record["startTime"], record.get("view"))

    def set_group_view(self, sub: str, rg: str, name: str, view: dict) -> None:
        """What a container group reports from now on (aci.check_view); ``provisioningState`` in it sets that."""
        view = aci.check_view(view)
        with self.lock:
            record = self.container_group(sub, rg, name)
            if "provisioningState" in view:
                record["provisioningState"] = view.pop("provisioningState")
            record["view"] = view

    def kubeconfig_text(self, cluster: dict) -> str:
        if cluster.get("kubeconfigText"):
            return cluster["kubeconfigText"]
        if cluster.get("kubeconfig"):
            return Path(cluster["kubeconfig"]).read_text(encoding="utf-8")  # read late: files may appear later
        return PLACEHOLDER_KUBECONFIG.format(name=cluster["name"], rg=cluster["resourceGroup"])

    # ---------------------------------------------------------------------------------------------- admin views
    def update_settings(self, changes: dict) -> dict:
        unknown = set(changes) - set(DEFAULT_SETTINGS)
        if unknown:
            raise ValueError(f"unknown settings {sorted(unknown)}; known: {sorted(DEFAULT_SETTINGS)}")
        with self.lock:
            self.settings.update({k: int(v) for k, v in changes.items()})
            return dict(self.settings)

    def dump(self) -> dict:
        with self.lock:
            clusters = [resources.cluster_resource(c, c["subscriptionId"]) for c in self.clusters.values()]
            pools = [resources.pool_resource(c, c["subscriptionId"], p)
                     for c in self.clusters.values() for p in (c["pools"] or {}).values()]
            return {
                "tenantId": self.tenant_id,
                "settings": dict(self.settings),
                "subscriptions": [dict(s) for s in self.subscriptions.values()],
                "resourceGroups": [dict(g) for g in self.groups.values()],
                "managedClusters": clusters,
                "agentPools": pools,
                "containerGroups": [self.render_group(g) for g in self.container_groups.values()],
                "operations": [op.summary() for op in self.ops.all()],
                "faults": [r.to_json() for r in self.faults.rules],
                **copy.deepcopy(self.records),
            }


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
