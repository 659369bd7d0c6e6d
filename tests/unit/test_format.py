"""_format: the -o table rows."""

from azext_wasimig import _format


def test_table_row_is_compact_and_shows_autoscale_and_state():
    record = {"resourceGroup": "rg", "clusterName": "c", "name": "wasi", "vmSize": "Standard_D2s_v5", "count": 2,
              "enableAutoScaling": True, "minCount": 1, "maxCount": 4, "orchestratorVersion": "1.29.9",
              "clusterKubernetesVersion": "1.30.1", "powerState": "Running", "provisioningState": "Failed"}
    (row,) = _format.pool_list_table_format([record])
    assert list(row) == ["ResourceGroup", "Cluster", "NodePool", "VmSize", "Count", "KubernetesVersion", "State"]
    assert row["Count"] == "2 (1-4)"
    assert row["KubernetesVersion"] == "1.29.9"
    assert row["State"] == "Running (Failed)"


def test_table_state_is_the_power_state_when_provisioning_succeeded():
    row = _format.pool_row({"powerState": "Stopped", "provisioningState": "Succeeded", "count": 1})
    assert row["State"] == "Stopped" and row["Count"] == 1


def test_show_table_is_one_row_or_none():
    assert len(_format.pool_show_table_format({"name": "p"})) == 1
    assert _format.pool_show_table_format(None) == []
