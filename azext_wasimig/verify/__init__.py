"""verify: is the new home of a move ready to take over for good? (issue 9; no azure.cli/knack in here)

The public, stable entry (delete-pool runs the same gates through it)::

    from azext_wasimig.verify.run import run_verify, raise_unless_passed
    summary = run_verify(api, *, old_pool, new_pool=None, read_pool=None, read_groups=None,
                         aci_resource_group=None, max_restarts=0, soak_minutes=0, interval=30, progress=None)
    raise_unless_passed(summary)     # VerifyFailed (kind "validation", exit 1) naming each failed gate and object

- ``api``: a kubernetes ApiClient (``_client_factory.kube_client``); ``old_pool``/``new_pool``: Azure's spelling of
  the pools (``MigrationTarget.wasi_pool_name``/``new_pool_name``);
- ``read_pool()``: the new pool as ARM returns it now (dict, None when gone); called once per check;
- ``read_groups()``: instead of a new pool, the container groups the tool made for this cluster (ARM GET bodies,
  with instance views); none -> ``NoGroupsForMove`` (kind "not_found");
- returns ``{"passed": bool, "checks": n, "failedCheck": n | None, "oldPool", "newPool", "aci", "soakMinutes",
  "interval", "startedAt", "finishedAt", "gates": [{"name", "passed", "evidence", "failures": [{"object",
  "reason"}]}]}``.

Modules: ``rollout`` (kubectl's rollout-status rules), ``scope`` (the move's workloads, pods and nodes), ``gates``
(one function per gate), ``run`` (read, check, soak), ``report`` (Markdown for --report).
"""
