"""The decommission (issue 9): `delete-pool`, the guarded deletion of a WASI pool once verified, and `rollback`,
the whole way back to it. No CLI here: the glue hands in clients and callbacks; the entry is ``run.py``.

  run.py          the public entry: delete_pool(...), Clients, the requests
  pair.py         which pools they act on, proven from ARM (exists, WASI, not the last System pool, provenance)
  delete_pool.py  delete-pool's order: prove -> pods in the way -> (drain) -> verify -> one DELETE
  record.py       the pods in the way, the question, the decommission record (pure)
  cluster.py      pods on a pool's nodes; waiting for workloads to be back on a pool
  pool_delete.py  the AgentPools edge: read, delete (one DELETE, ignore-pod-disruption-budget only when asked)
  aci_groups.py   container groups wasimig made, by their provenance tags; the ContainerGroups edge
"""
