"""`cutover --aci`: the same resumable run with Azure Container Instances as the new home instead of a node pool,
built on create-aci, `wait --container-group`, verify --aci and the pool path's own phases (no second
implementation). ``phases_for(options)`` is the one place that picks the phase functions by home.

- preflight: the pool path's (scan's blockers), plus what create-aci refuses, found by its dry run while the plan is
  built (``build_plan``): a workload ACI cannot run is a blocker, so the run stops before any write. The plan names
  the groups it would make (``aciGroups``) and where (``aciResourceGroup``).
- prepare: create-aci for every workload of the plan (a re-run leaves groups made the same way alone and re-sends
  failed ones), then the wait of `wait --container-group` until each group is Succeeded and Running; each group is
  recorded in ``created``.
- parallel: both serve (nothing in the cluster is touched); verify --aci's gates for --parallel-soak minutes, the
  in-cluster gates that cannot hold yet ignored as on the pool path.
- switch: the in-cluster copies stop taking traffic: scaled to 0, their replicas saved (``aci_switch``), so that
  ``rollback --aci`` restores them; it waits until their pods are gone.
- drain, verify, decommission: the pool path's (verify's gates are verify --aci's: ``phases`` reads the home from
  ``Azure.aci``).
"""

from dataclasses import dataclass
from typing import Callable

from azext_wasimig.cutover import aci_switch, phases, plan as planning

SCALE_IN_TIMEOUT = 600   # seconds for the in-cluster pods of the moved workloads to be gone after the switch


@dataclass(frozen=True)
class AciAzure:
    """The ACI calls of ``cutover --aci``, made by the CLI glue on the phase commands' own functions:
    ``create(api, workloads, dry_run)``: create-aci's result rows (``prepare.run.create_aci``; it raises
    ``aci.WorkloadsFailed`` carrying ``results`` when some cannot move); ``wait(name)``: `wait --container-group
    NAME` until ``running`` holds, returning the group; ``read_groups()``: the move's groups, each read whole
    (verify --aci's reader)."""
    resource_group: str
    create: Callable
    wait: Callable
    read_groups: Callable

    def verify_home(self):
        """run_verify's arguments for this home."""
        return {"read_groups": self.read_groups, "aci_resource_group": self.resource_group}


def running(group):
    """A group is ready when ARM says Succeeded (a Failed one raises, as `wait --created` does) and it runs."""
    from azext_wasimig import waiting
    created = waiting.condition(created=True)(group)
    return created and ((group.get("properties") or {}).get("instanceView") or {}).get("state") == "Running"


def workload_keys(plan):
    """The plan's workloads as (namespace, Kind, name)."""
    return [tuple(w["workload"].split("/", 2)) for w in plan["workloads"]]


def build_plan(api, target, options, azure, note):
    """The plan of a ``--aci`` run: scan's findings, and create-aci's dry run over them for the groups it would make
    and the workloads it refuses (blockers of the plan)."""
    from azext_wasimig import evaluate
    from azext_wasimig.prepare.aci import WorkloadsFailed
    findings = evaluate.scan_cluster(target, lambda: api, evaluate.ScanOptions(), note=note)
    built = planning.build(options, cluster_id=str(target.cluster.get("id")), old_pool=target.wasi_pool_name,
                           old_pool_body=target.wasi_pool, new_pool_body={}, findings=findings)
    keys = workload_keys(built)
    try:
        results = azure.aci.create(api, keys, True) if keys else []
    except WorkloadsFailed as ex:
        results = ex.results
    return with_groups(built, results, options.aci_resource_group), options


def with_groups(built, results, resource_group):
    """The plan with create-aci's dry run in it: the groups per workload, and its refusals as blockers (pure)."""
    refused = {r["workload"]: r["reason"] for r in results if r["action"] == "failed"}
    for row in built["workloads"]:
        if row["workload"] in refused:
            row["blockers"].append(f"create-aci: {refused[row['workload']]}")
    del built["newPoolBody"]
    built["aciResourceGroup"] = resource_group
    built["aciGroups"] = {r["workload"]: list(r["groups"]) for r in results if r["action"] != "failed"}
    built["gates"] = {"parallel": "every verify --aci gate but off-old-pool (the cluster's copies serve too)",
                      "verify": "every verify --aci gate"}
    return built


def prepare(ctx):
    """create-aci for every workload of the plan, then each group waited for until Succeeded and Running."""
    from azext_wasimig.cutover import record as records
    results = ctx.azure.aci.create(ctx.api, workload_keys(ctx.plan), False) or []
    ready = []
    for name in [name for row in results for name in row["groups"]]:
        ctx.checkpoint()
        group = ctx.azure.aci.wait(name) or {}
        made = group.get("id") or name
        ctx.record.update(lambda doc, made=made: records.add_created(doc, "containerGroup", made, "prepare"))
        ready.append(name)
    return {"actions": phases.count_actions(results), "resourceGroup": ctx.azure.aci.resource_group,
            "containerGroups": ready}


def parallel(ctx):
    """Both serve: the in-cluster copies untouched, verify --aci's gates for --parallel-soak minutes."""
    summary = phases.verify_gates(ctx, "parallel", ctx.options.parallel_soak, planning.PARALLEL_IGNORES)
    return {"verify": phases.gist(summary)}


def switch(ctx):
    """The in-cluster copies scaled to 0 (replicas saved for rollback), then waited for until their pods are gone."""
    keys = workload_keys(ctx.plan)
    rows = aci_switch.scale_in(ctx.api, keys, ctx.old, note=ctx.say)
    _wait_scaled_in(ctx, [(r["namespace"], r["kind"], r["name"]) for r in rows if r["action"] != "skipped"])
    return {"scaledIn": phases.count_actions(rows), "workloads": rows}


def _wait_scaled_in(ctx, keys):
    deadline = ctx.clock() + SCALE_IN_TIMEOUT
    while True:
        left = aci_switch.left_running(ctx.api, keys)
        if not left:
            return
        if ctx.clock() >= deadline:
            names = ", ".join("/".join(key) for key in left)
            raise phases.GateFailed("switch", "scaled-in", f"Still running in the cluster after {SCALE_IN_TIMEOUT} s: "
                                    f"{names}.", {"running": ["/".join(key) for key in left]},
                                    recommendation="See why their pods do not terminate, then run the same command "
                                                   "again.")
        ctx.say(f"Waiting for the in-cluster pods of {len(left)} workload(s) to be gone")
        ctx.checkpoint()
        ctx.sleep(1)


ACI_RUNS = {**phases.RUNS, "prepare": prepare, "parallel": parallel, "switch": switch}


def phases_for(options):
    """The phase functions of a run, by its new home: the pool path's (``phases.RUNS``) or the ACI variants."""
    return ACI_RUNS if getattr(options, "aci", False) else phases.RUNS
