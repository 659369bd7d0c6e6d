"""Internal records -> ARM JSON, shaped like the real examples in tests/fixtures/arm-examples.

Clusters keep their pools in one place; `agentPoolProfiles[]` is rendered from the same pool records as the
agentPools API, so the two views can never disagree (on the real service they are one resource, too).
"""
from __future__ import annotations

import copy
import hashlib
import uuid

AKS_TYPE = "Microsoft.ContainerService/managedClusters"
POOL_TYPE = "Microsoft.ContainerService/managedClusters/agentPools"
ACI_TYPE = "Microsoft.ContainerInstance/containerGroups"
NODE_IMAGE = "AKSUbuntu-2204gen2containerd-202507.21.0"

# Pool fields only the service writes; a PUT body cannot set them and an update keeps them.
POOL_SERVER_FIELDS = ("currentOrchestratorVersion", "nodeImageVersion", "eTag", "provisioningState", "powerState")


def short_hash(*parts) -> str:
    return hashlib.sha256("/".join(str(p) for p in parts).encode()).hexdigest()[:8]


def etag(*parts) -> str:
    return short_hash("etag", *parts) + short_hash("etag2", *parts)[:4]


def cluster_id(cluster: dict, sub: str) -> str:
    # The real AKS RP answers with lower-case `resourcegroups` in ids; consumers must compare ids case-insensitively.
    return f"/subscriptions/{sub}/resourcegroups/{cluster['resourceGroup']}/providers/{AKS_TYPE}/{cluster['name']}"


def pool_id(cluster: dict, sub: str, pool_name: str) -> str:
    return f"{cluster_id(cluster, sub)}/agentPools/{pool_name}"


def fill_pool_defaults(props: dict, cluster: dict, name: str, existing: dict | None = None) -> dict:
    """Server-side defaults, like the RP fills them in AgentPoolsCreate_*.json. Explicit values (even null) win;
    `orchestratorVersion: ""` means "the cluster's version" (as in the examples)."""
    cluster_version = cluster.get("kubernetesVersion")
    version = props.get("orchestratorVersion", cluster_version)
    if version == "":
        version = cluster_version
    auto = props.get("enableAutoScaling") is True
    defaults = {
        "count": props.get("minCount") if auto and props.get("minCount") is not None else 3,
        "vmSize": "Standard_D2s_v5",
        "osType": "Linux",
        "osSKU": "Ubuntu",
        "osDiskSizeGB": 128,
        "type": "VirtualMachineScaleSets",
        "mode": "User",
        "maxPods": 110,
        "enableAutoScaling": False,
        "upgradeSettings": {"maxSurge": "10%"},
        "provisioningState": "Succeeded",
        "powerState": {"code": "Stopped" if cluster.get("powerState") == "Stopped" else "Running"},
    }
    out = {**defaults, **props, "orchestratorVersion": version}
    previous = existing or {}
    server = {
        "currentOrchestratorVersion": version,
        "nodeImageVersion": previous.get("nodeImageVersion", NODE_IMAGE),
        # A new eTag per write (If-Match users need it to change); estate loads stay deterministic.
        "eTag": uuid.uuid4().hex[:12] if existing else etag(cluster["name"], name, version, out.get("count")),
    }
    if "powerState" in previous:
        server["powerState"] = previous["powerState"]
    for key, value in server.items():
        # Estate entries may pin server fields (e.g. an old nodeImageVersion); PUT bodies have them stripped.
        if existing or key not in props:
            out[key] = value
    return out


def pool_resource(cluster: dict, sub: str, pool: dict) -> dict:
    # AgentPoolsCreate_*.json carries `type`; AgentPoolsGet.json omits it. The live RP sends it (SDK model field).
    return {
        "id": pool_id(cluster, sub, pool["name"]),
        "name": pool["name"],
        "type": POOL_TYPE,
        "properties": copy.deepcopy(pool["properties"]),
    }


def pool_profile(pool: dict) -> dict:
    return {"name": pool["name"], **copy.deepcopy(pool["properties"])}


def cluster_resource(cluster: dict, sub: str) -> dict:
    name, rg = cluster["name"], cluster["resourceGroup"]
    location = cluster.get("location")
    version = cluster.get("kubernetesVersion")
    dns_prefix = f"{name[:10]}-{rg[:16]}-{sub[:6]}"
    fqdn_host = f"{dns_prefix}-{short_hash(sub, rg, name)}"
    region = (location or "unknown").replace(" ", "").lower()
    power = cluster.get("powerState")
    props = {
        "provisioningState": cluster.get("provisioningState"),
        # `powerState: null` is what the live API returned for a while after `az aks stop` (azure-docs#63152).
        "powerState": {"code": power} if power is not None else None,
        "kubernetesVersion": version,
        "currentKubernetesVersion": version,
        "dnsPrefix": dns_prefix,
        "fqdn": f"{fqdn_host}.hcp.{region}.azmk8s.io",
        "azurePortalFQDN": f"{fqdn_host}.portal.hcp.{region}.azmk8s.io",
        "enableRBAC": True,
        "maxAgentPools": 100,
        "networkProfile": _network_profile(sub, rg, name, region),
        "nodeResourceGroup": node_resource_group(rg, name, region),
        "servicePrincipalProfile": {"clientId": "msi"},
        "disableLocalAccounts": cluster.get("disableLocalAccounts"),
    }
    if cluster.get("pools") is not None:
        props["agentPoolProfiles"] = [pool_profile(p) for p in cluster["pools"].values()]
    deep_merge(props, cluster.get("properties") or {})
    return {
        "id": cluster_id(cluster, sub),
        "location": location,
        "name": name,
        "type": AKS_TYPE,
        "eTag": cluster.get("eTag") or etag(sub, rg, name),
        "tags": copy.deepcopy(cluster.get("tags")),
        "properties": props,
    }


def node_resource_group(rg: str, name: str, region: str) -> str:
    """AKS's default name of the resource group holding a cluster's nodes."""
    return f"MC_{rg}_{name}_{region}"


def deep_merge(base: dict, extra: dict) -> dict:
    """Estate cluster `properties` refine the defaults (e.g. add networkProfile.loadBalancerProfile.outboundIPs)
    instead of replacing whole sub-objects; a non-dict value (or null) replaces."""
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            deep_merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def _network_profile(sub: str, rg: str, name: str, region: str) -> dict:
    node_rg = f"MC_{rg}_{name}_{region}"
    outbound = f"/subscriptions/{sub}/resourceGroups/{node_rg}/providers/Microsoft.Network/publicIPAddresses"
    return {
        "networkPlugin": "kubenet",
        "podCidr": "10.244.0.0/16",
        "serviceCidr": "10.0.0.0/16",
        "dnsServiceIP": "10.0.0.10",
        "outboundType": "loadBalancer",
        "loadBalancerSku": "standard",
        "loadBalancerProfile": {
            "managedOutboundIPs": {"count": 1},
            "effectiveOutboundIPs": [{"id": f"{outbound}/{short_hash(node_rg)}-outbound"}],
            "allocatedOutboundPorts": 0,
            "idleTimeoutInMinutes": 30,
        },
        "podCidrs": ["10.244.0.0/16"],
        "serviceCidrs": ["10.0.0.0/16"],
        "ipFamilies": ["IPv4"],
    }


def subscription_resource(sub: dict, tenant_id: str) -> dict:
    return {
        "id": f"/subscriptions/{sub['subscriptionId']}",
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": sub["subscriptionId"],
        "tenantId": tenant_id,
        "displayName": sub["displayName"],
        "state": sub["state"],
        "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01", "quotaId": "PayAsYouGo_2014-09-01",
                                 "spendingLimit": "Off"},
    }


def tenant_resource(tenant_id: str) -> dict:
    return {"id": f"/tenants/{tenant_id}", "tenantId": tenant_id, "countryCode": "US", "displayName": "LocalArm",
            "domains": ["localarm.example"], "tenantCategory": "Home", "defaultDomain": "localarm.example",
            "tenantType": "AAD"}


def resource_group_resource(sub: str, rg: dict) -> dict:
    return {
        "id": f"/subscriptions/{sub}/resourceGroups/{rg['name']}",
        "name": rg["name"],
        "type": "Microsoft.Resources/resourceGroups",
        "location": rg["location"],
        "tags": copy.deepcopy(rg.get("tags") or {}),
        "properties": {"provisioningState": "Succeeded"},
    }
