"""cutover --aci's plan and phase choice (pure): one home, the resume command, create-aci's dry run in the plan."""

import pytest

from azext_wasimig.cutover import aci_phases, phases, plan
from azext_wasimig.cutover.plan import CutoverOptions, InvalidCutoverOption

FINDING = {"namespace": "shop", "kind": "Deployment", "name": "web", "payload": "spin", "recommendedTarget": "aci",
           "replicas": 2, "pdbs": [], "blockers": []}
DAEMON = {**FINDING, "kind": "DaemonSet", "name": "agent"}


def built(options, findings=(FINDING, DAEMON)):
    return plan.build(options, cluster_id="/c", old_pool="wasi", old_pool_body={}, new_pool_body={},
                      findings=list(findings))


def test_aci_and_a_new_pool_name_are_one_home_too_many():
    with pytest.raises(InvalidCutoverOption, match="--aci and --new-nodepool-name cannot be combined"):
        CutoverOptions.from_cli(new_pool="wasi2", aci=True)
    with pytest.raises(InvalidCutoverOption, match="--aci-resource-group only applies with --aci"):
        CutoverOptions.from_cli(aci_resource_group="rg-aci")


def test_the_home_is_in_the_recorded_options_so_in_the_fingerprint():
    pool, aci = CutoverOptions(), CutoverOptions(aci=True, aci_resource_group="rg")
    assert aci.recorded()["aci"] is True and aci.recorded()["aciResourceGroup"] == "rg"
    assert plan.fingerprint(built(pool)) != plan.fingerprint(built(aci))
    assert plan.differences(built(pool), built(aci), ["options"]) == ["options.aci: false -> true",
                                                                     'options.aciResourceGroup: null -> "rg"']


def test_the_resume_command_names_the_home_and_a_resource_group_other_than_the_clusters():
    same = plan.command("rg", "aks", "wasi", CutoverOptions(aci=True, aci_resource_group="rg"))
    other = plan.command("rg", "aks", "wasi", CutoverOptions(aci=True, aci_resource_group="rg-aci"))
    assert same == "az aks wasi-migrate cutover -g rg -n aks --nodepool-name wasi --aci --yes"
    assert other.endswith("--aci --aci-resource-group rg-aci --yes")


def test_create_acis_refusals_become_blockers_and_its_groups_are_named():
    results = [{"workload": "shop/Deployment/web", "action": "wouldCreate", "groups": ["web-0", "web-1"]},
               {"workload": "shop/DaemonSet/agent", "action": "failed", "groups": [],
                "reason": "ACI cannot run it: a DaemonSet"}]
    plan_ = aci_phases.with_groups(built(CutoverOptions(aci=True, aci_resource_group="rg")), results, "rg")
    rows = {w["workload"]: w["blockers"] for w in plan_["workloads"]}
    assert rows == {"shop/Deployment/web": [], "shop/DaemonSet/agent": ["create-aci: ACI cannot run it: a DaemonSet"]}
    assert plan_["aciGroups"] == {"shop/Deployment/web": ["web-0", "web-1"]} and plan_["aciResourceGroup"] == "rg"
    assert "newPoolBody" not in plan_ and "--aci" in plan_["gates"]["verify"]


def test_the_phases_are_chosen_by_home_in_one_place():
    pool, aci = aci_phases.phases_for(CutoverOptions()), aci_phases.phases_for(CutoverOptions(aci=True))
    assert pool is phases.RUNS and list(aci) == list(plan.PHASES)
    assert {name for name in plan.PHASES if aci[name] is not pool[name]} == {"prepare", "parallel", "switch"}


@pytest.mark.parametrize("group, ready", [
    ({"properties": {"provisioningState": "Succeeded", "instanceView": {"state": "Running"}}}, True),
    ({"properties": {"provisioningState": "Succeeded", "instanceView": {"state": "Pending"}}}, False),
    ({"properties": {"provisioningState": "Creating", "instanceView": {"state": "Running"}}}, False),
    (None, False)])
def test_a_group_is_ready_when_succeeded_and_running(group, ready):
    assert bool(aci_phases.running(group)) is ready
