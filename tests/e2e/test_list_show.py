"""`az aks wasi-migrate list` and `show` through the real az, the installed wheel and the emulated Azure."""

import math
import re

import pytest
import yaml

from tests.conftest import ESTATES, arm_calls
from tests.e2e.helpers import PROD

pytestmark = pytest.mark.e2e

TRICKY, LOCKED, EMPTY = ("33333333-3333-3333-3333-333333333333", "44444444-4444-4444-4444-444444444444",
                         "55555555-5555-5555-5555-555555555555")


def expected_wasi_pools(estate_path, subscription_id):
    """(cluster, pool) pairs the estate file itself says are WASI: an oracle written from the file, not the code."""
    estate = yaml.safe_load(estate_path.read_text())
    sub = next(s for s in estate["subscriptions"] if s["subscriptionId"] == subscription_id)
    return sorted((c["name"], p["name"]) for c in sub.get("clusters") or [] for p in c.get("agentPools") or []
                  if (p.get("workloadRuntime") or "").lower() == "wasmwasi")


def pairs(records):
    return sorted((r["clusterName"], r["name"]) for r in records)


def test_list_returns_exactly_the_wasi_pools_in_one_paged_call(az, estate, arm_log):
    estate(ESTATES / "tricky.yaml")
    records = az("aks", "wasi-migrate", "list", "--subscription", TRICKY).json
    assert pairs(records) == expected_wasi_pools(ESTATES / "tricky.yaml", TRICKY)
    calls = arm_calls(arm_log())
    clusters = len(yaml.safe_load((ESTATES / "tricky.yaml").read_text())["subscriptions"][0]["clusters"])
    assert all("/managedclusters" in c["path"].lower() and c["method"] == "GET" for c in calls), calls
    assert len(calls) == math.ceil(clusters / 2), "one list call per page of 2, following nextLink"
    assert not [c for c in calls if "agentpools" in c["path"].lower()]


def test_list_record_fields_and_odd_values_survive(az, estate):
    estate(ESTATES / "tricky.yaml")
    records = {(r["clusterName"], r["name"]): r for r in
               az("aks", "wasi-migrate", "list", "--subscription", TRICKY).json}
    assert records[("c-upper", "wasimixed")]["workloadRuntime"] == "wAsMwAsI"
    assert records[("c-stopped", "wasi")]["powerState"] == "Stopped"
    assert records[("c-failed", "wasi")]["provisioningState"] == "Failed"
    nulls = records[("c-nulls", "wasi")]
    assert nulls["vmSize"] is None and nulls["count"] is None and nulls["resourceGroup"] == "rg-b"
    assert set(nulls) >= {"id", "subscriptionId", "resourceGroup", "clusterName", "clusterLocation",
                          "clusterKubernetesVersion", "name", "mode", "vmSize", "count", "enableAutoScaling",
                          "minCount", "maxCount", "availabilityZones", "osType", "osSku", "orchestratorVersion",
                          "maxPods", "vnetSubnetId", "nodeLabels", "nodeTaints", "provisioningState", "powerState"}


def test_list_in_sample_subscription_with_table_and_query(az):
    records = az("aks", "wasi-migrate", "list", "--subscription", PROD).json
    assert pairs(records) == expected_wasi_pools(ESTATES / "sample.yaml", PROD)
    wasi = next(r for r in records if r["clusterName"] == "aks-prod")
    assert (wasi["minCount"], wasi["maxCount"], wasi["availabilityZones"]) == (1, 5, ["1", "2"])
    assert wasi["nodeTaints"] == ["workload=wasm:NoSchedule"] and wasi["maxPods"] == 50

    table = az("aks", "wasi-migrate", "list", "--subscription", PROD, "-o", "table").out
    header = table.splitlines()[0].split()
    assert header == ["ResourceGroup", "Cluster", "NodePool", "VmSize", "Count", "KubernetesVersion", "State"]
    assert re.search(r"rg-apps\s+aks-prod\s+wasi\s+Standard_D4s_v5\s+3 \(1-5\)", table)

    tsv = az("aks", "wasi-migrate", "list", "--subscription", PROD, "--query", "[].name", "-o", "tsv").out
    assert sorted(tsv.split()) == sorted(p for _, p in expected_wasi_pools(ESTATES / "sample.yaml", PROD))


def test_list_by_resource_group_and_cluster(az, arm_log):
    by_group = az("aks", "wasi-migrate", "list", "--subscription", PROD, "-g", "rg-edge").json
    assert pairs(by_group) == [("aks-edge", "wasi2"), ("aks-edge", "wasmpool")]
    by_cluster = az("aks", "wasi-migrate", "list", "--subscription", PROD, "-g", "rg-apps", "-n", "aks-prod").json
    assert pairs(by_cluster) == [("aks-prod", "wasi")]
    assert arm_calls(arm_log(), contains="/managedClusters/aks-prod/agentPools"), "-n reads the cluster's pools"


def test_list_all_subscriptions_warns_about_a_forbidden_one_and_lists_the_rest(az, estate, arm_log):
    estate(ESTATES / "tricky.yaml")
    result = az("aks", "wasi-migrate", "list", "--all-subscriptions")
    assert pairs(result.json) == expected_wasi_pools(ESTATES / "tricky.yaml", TRICKY)
    assert LOCKED in result.err and "Locked Down" in result.err and "AuthorizationFailed" in result.err
    listed = {c["path"].split("/")[2] for c in arm_calls(arm_log(), contains="managedclusters")}
    assert listed == {TRICKY, LOCKED, EMPTY}


def test_list_all_subscriptions_fails_naming_each_when_every_subscription_failed(az, estate, arm):
    estate(ESTATES / "tricky.yaml")
    arm.add_faults({"method": "GET", "path": "/managedClusters$", "status": 403, "times": -1})
    result = az("aks", "wasi-migrate", "list", "--all-subscriptions", expect=1)
    assert "No subscription could be searched" in result.err
    assert all(sub in result.err for sub in (TRICKY, LOCKED, EMPTY)) and "Traceback" not in result.err


def test_list_all_subscriptions_does_not_pass_a_bug_off_as_a_skipped_subscription(az, estate, arm):
    estate(ESTATES / "tricky.yaml")
    cluster = {"id": f"/subscriptions/{TRICKY}/resourceGroups/rg/providers/Microsoft.ContainerService/"
                     "managedClusters/odd", "name": "odd", "location": "westeurope",
               "properties": {"agentPoolProfiles": "not a list"}}   # a shape the inventory code trips over
    arm.add_faults({"method": "GET", "path": f"/subscriptions/{TRICKY}/providers/.*/managedClusters$",
                    "status": 200, "body": {"value": [cluster]}, "times": -1})
    result = az("aks", "wasi-migrate", "list", "--all-subscriptions", expect=None)
    assert result.rc != 0 and "Skipped subscription" not in result.err
    assert "AttributeError" in result.err, "a bug shows as az's unexpected error, with its traceback"


def test_a_single_forbidden_subscription_is_an_error(az, estate):
    estate(ESTATES / "tricky.yaml")
    result = az("aks", "wasi-migrate", "list", "--subscription", LOCKED, expect=1)
    assert "Access denied while listing the AKS clusters" in result.err and "AuthorizationFailed" in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize("args, words", [
    (["-g", "no-such-group"], "no-such-group"),
    (["-g", "rg-apps", "-n", "no-such-cluster"], "no-such-cluster"),
])
def test_unknown_group_or_cluster_exits_3(az, args, words):
    result = az("aks", "wasi-migrate", "list", "--subscription", PROD, *args, expect=3)
    assert words in result.err and "Not found" in result.err


def test_name_without_group_is_a_usage_error_and_calls_nothing(az, arm_log):
    result = az("aks", "wasi-migrate", "list", "-n", "aks-prod", expect=None)
    assert result.rc != 0 and "--resource-group/-g" in result.err
    assert arm_calls(arm_log()) == []


def test_throttling_is_retried_then_succeeds(az, arm, arm_log):
    arm.add_faults([{"method": "GET", "path": "/managedClusters$", "status": 429, "times": 1, "retryAfter": 1}])
    records = az("aks", "wasi-migrate", "list", "--subscription", PROD).json
    assert pairs(records) == expected_wasi_pools(ESTATES / "sample.yaml", PROD)
    assert len(arm_calls(arm_log(), contains="managedclusters")) == 2


def test_persistent_throttling_surfaces_cleanly(az, arm):
    arm.add_faults([{"method": "GET", "path": "/managedClusters$", "status": 429, "times": -1, "retryAfter": 1}])
    try:
        result = az("aks", "wasi-migrate", "list", "--subscription", PROD, expect=1)
    finally:
        arm.clear_faults()
    assert "throttling" in result.err and "Traceback" not in result.err


def test_show_a_wasi_pool(az):
    shown = az("aks", "wasi-migrate", "show", "--subscription", PROD, "-g", "rg-edge", "-n", "aks-edge",
               "--nodepool-name", "wasmpool").json
    assert shown["name"] == "wasmpool" and shown["workloadRuntime"] == "wasmwasi"
    assert shown["agentPool"]["properties"]["osDiskSizeGB"] == 64
    table = az("aks", "wasi-migrate", "show", "--subscription", PROD, "-g", "rg-edge", "-n", "aks-edge",
               "--nodepool-name", "wasmpool", "-o", "table").out
    assert "wasmpool" in table and "Standard_D2s_v5" in table


def test_show_a_pool_that_is_not_wasi_says_what_it_is(az):
    result = az("aks", "wasi-migrate", "show", "--subscription", PROD, "-g", "rg-apps", "-n", "aks-prod",
                "--nodepool-name", "web", expect=1)
    assert "'web'" in result.err and "not a WASI node pool" in result.err and "OCIContainer" in result.err


@pytest.mark.parametrize("cluster, pool", [("aks-prod", "nosuchpool"), ("nosuchcluster", "wasi")])
def test_show_missing_cluster_or_pool_exits_3(az, cluster, pool):
    result = az("aks", "wasi-migrate", "show", "--subscription", PROD, "-g", "rg-apps", "-n", cluster,
                "--nodepool-name", pool, expect=3)
    assert ("has no node pool 'nosuchpool'" if cluster == "aks-prod" else "Not found") in result.err


def test_not_signed_in_is_a_clear_error(az, tmp_path):
    result = az("aks", "wasi-migrate", "list", expect=1, env={"AZURE_CONFIG_DIR": str(tmp_path)})
    assert "az login" in result.err


def test_every_request_stays_on_this_machine(az, arm):
    result = az("aks", "wasi-migrate", "list", "--all-subscriptions", "--debug")
    urls = re.findall(r"Request URL: '([^']+)'", result.err)
    assert urls, "the debug log names the requests made"
    assert all(u.startswith(arm.url) for u in urls), [u for u in urls if not u.startswith(arm.url)]
