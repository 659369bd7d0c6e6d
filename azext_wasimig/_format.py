"""Table transformers for `-o table`. They receive the serialized records (camelCase dicts)."""

from collections import OrderedDict


def _state(record):
    power, provisioning = record.get("powerState"), record.get("provisioningState")
    if provisioning and provisioning != "Succeeded":
        return f"{power} ({provisioning})" if power else provisioning
    return power or provisioning or ""


def _count(record):
    if record.get("enableAutoScaling"):
        return f"{record.get('count')} ({record.get('minCount')}-{record.get('maxCount')})"
    return record.get("count")


def pool_row(record):
    return OrderedDict([
        ("ResourceGroup", record.get("resourceGroup")),
        ("Cluster", record.get("clusterName")),
        ("NodePool", record.get("name")),
        ("VmSize", record.get("vmSize")),
        ("Count", _count(record)),
        ("KubernetesVersion", record.get("orchestratorVersion") or record.get("clusterKubernetesVersion")),
        ("State", _state(record)),
    ])


def pool_list_table_format(result):
    return [pool_row(record) for record in result or []]


def pool_show_table_format(result):
    return [pool_row(result)] if result else []
