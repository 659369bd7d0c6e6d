"""The cutover's plan: options checked once, batches, the fingerprint, and what a re-run may not change."""

import pytest

from azext_wasimig.cutover import plan
from azext_wasimig.cutover.plan import CutoverOptions, InvalidCutoverOption, PlanChanged

FINDING = {"namespace": "shop", "kind": "Deployment", "name": "web", "payload": "spin", "recommendedTarget": "pool",
           "replicas": 3, "pdbs": [{"name": "web"}], "blockers": []}
OLD = {"name": "wasi", "properties": {"count": 3, "enableAutoScaling": True, "minCount": 1, "maxCount": 5}}
NEW_BODY = {"properties": {"vmSize": "Standard_D2s_v5", "count": 3, "nodeLabels": {"spin": "true"},
                           "tags": {"wasimig.sourceNodepool": "x"}}}


def build(options=None, findings=(FINDING,), old=OLD):
    return plan.build(options or CutoverOptions(new_pool="wasi2"), cluster_id="/c", old_pool="wasi",
                      old_pool_body=old, new_pool_body=NEW_BODY, findings=list(findings))


@pytest.mark.parametrize("value, nodes, size", [("1", 6, 1), ("2", 6, 2), ("25%", 6, 2), ("100%", 6, 6),
                                                ("10%", 3, 1), (" 3 ", 2, 3)])
def test_batch_sizes(value, nodes, size):
    assert plan.batch_size(value, nodes) == size


@pytest.mark.parametrize("value", ["0", "-1", "0%", "101%", "x", "1.5", ""])
def test_bad_batch_sizes_name_the_flag(value):
    with pytest.raises(InvalidCutoverOption, match="--drain-batch-size"):
        CutoverOptions.from_cli(new_pool="n", drain_batch=value)


@pytest.mark.parametrize("flag, given", [("--final-soak", {"final_soak": -1}), ("--batch-soak", {"batch_soak": -2}),
                                         ("--interval", {"interval": 0}), ("--drain-timeout", {"drain_timeout": 0}),
                                         ("--grace-period", {"grace_period": -1}),
                                         ("--parallel-replicas", {"parallel_replicas": 0})])
def test_bad_numbers_name_the_flag(flag, given):
    with pytest.raises(InvalidCutoverOption, match=flag):
        CutoverOptions.from_cli(new_pool="n", **given)


def test_none_means_the_default():
    assert CutoverOptions.from_cli(new_pool="n", final_soak=None).final_soak == 10
    assert CutoverOptions.from_cli(new_pool=None).new_pool is None   # derived later, by create-pool


def test_batches_are_stable_and_complete():
    assert plan.batches(["n-2", "n-0", "n-1"], 2) == [["n-0", "n-1"], ["n-2"]]


def test_the_plan_says_what_moves_the_body_the_gates_and_the_autoscaler():
    built = build(CutoverOptions(new_pool="wasi2", freeze_old_pool=True))
    assert built["workloads"] == [{"workload": "shop/Deployment/web", "payload": "spin", "target": "pool",
                                   "replicas": 3, "pdbs": [{"name": "web"}], "blockers": []}]
    assert built["newPoolBody"] == {"vmSize": "Standard_D2s_v5", "count": 3, "nodeLabels": {"spin": "true"}}
    assert built["gates"] == {"parallel": "every verify gate but off-old-pool and on-new-pool (both pools serve)",
                              "verify": "every verify gate"}
    assert built["oldPoolAutoscales"] and built["oldPoolAutoscaler"].startswith("frozen")
    assert "may grow" in build()["oldPoolAutoscaler"]
    assert build(old={"properties": {"count": 2}})["oldPoolAutoscaler"] == "not enabled"
    assert built["companions"] == [] and built["companionsSkipped"] == []


def test_parallel_replicas_is_recorded_and_spelled_in_the_resume_command():
    options = CutoverOptions.from_cli(new_pool="wasi2", parallel_replicas=1)
    assert options.recorded()["parallelReplicas"] == 1 and CutoverOptions().recorded()["parallelReplicas"] is None
    assert "--parallel-replicas 1 --yes" in plan.command("rg", "aks", "wasi", options)


def test_the_fingerprint_ignores_key_order_and_sees_any_change():
    one = build()
    assert plan.fingerprint(one) == plan.fingerprint(dict(reversed(list(one.items()))))
    assert plan.fingerprint(one) != plan.fingerprint(build(CutoverOptions(new_pool="wasi2", final_soak=0)))


def test_a_changed_option_is_refused_with_the_difference():
    with pytest.raises(PlanChanged) as caught:
        plan.check_unchanged(build(), build(CutoverOptions(new_pool="wasi2", final_soak=0)), [],
                             replan=False, resume_command="az ... cutover")
    assert "options.finalSoakMinutes: 10 -> 0" in str(caught.value)
    assert "--replan" in caught.value.recommendation and "az ... cutover" in caught.value.recommendation


def test_replan_accepts_the_change_and_returns_it():
    lines = plan.check_unchanged(build(), build(CutoverOptions(new_pool="wasi2", final_soak=0)), [], replan=True,
                                 resume_command="x")
    assert lines == ["options.finalSoakMinutes: 10 -> 0"]


def test_other_workloads_are_a_change_before_the_pool_is_made():
    other = dict(FINDING, name="api")
    with pytest.raises(PlanChanged, match="now also moves shop/Deployment/api"):
        plan.check_unchanged(build(), build(findings=(FINDING, other)), ["preflight"], replan=False,
                             resume_command="x")


def test_after_the_switch_moved_workloads_are_not_compared():
    assert plan.check_unchanged(build(), build(findings=()), ["preflight", "prepare", "parallel", "switch"],
                                replan=False, resume_command="x") == []


def test_a_first_run_has_nothing_to_compare():
    assert plan.check_unchanged(None, build(), [], replan=False, resume_command="x") == []


def test_the_resume_command_spells_every_option_that_is_not_the_default():
    options = CutoverOptions.from_cli(new_pool="wasi2", final_soak=0.0, drain_batch="25%", freeze_old_pool=True,
                                      batch_soak=0.5)
    assert plan.command("rg", "aks", "wasi", options, subscription="s") == (
        "az aks wasi-migrate cutover --subscription s -g rg -n aks --nodepool-name wasi --new-nodepool-name wasi2 "
        "--drain-batch-size 25% --batch-soak 0.5 --final-soak 0 --freeze-old-pool --yes")
    assert plan.command("rg", "aks", "wasi", CutoverOptions(new_pool="w2")) == (
        "az aks wasi-migrate cutover -g rg -n aks --nodepool-name wasi --new-nodepool-name w2 --yes")
