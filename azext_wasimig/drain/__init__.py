"""Drain a WASI node pool, modelled on kubectl's k8s.io/kubectl/pkg/drain:

  filters.py      which pods to evict, skip, wait for or refuse, one small filter per reason (filters.go)
  options.py      DrainOptions (what the user asked for, checked once) and the questions asked before a change
  cordon.py       a pool's nodes: find them, cordon/uncordon them idempotently, check RBAC up front (cordon.go)
  landing.py      whether a drained pod's replacement has a node to go to outside the pool
  evict.py        the Evictor: the Eviction API, PodDisruptionBudgets, waiting until pods are gone (drain.go)
  evict_state.py  the Evictor's bookkeeping (pure)
  run.py          the order of a drain: plan -> permission check -> cordon -> re-plan -> evict (default.go)
  errors.py       what they raise (DrainIncomplete, PoolHasNoNodes, Forbidden, DrainInterrupted, ...)

The public entry is below: plain inputs and an API client in, plain dicts out (or an error); no CLI.
"""

from azext_wasimig.drain.options import DrainOptions, EvictionTuning, cordon_question, drain_question
from azext_wasimig.drain.run import cordon_pool, drain_pool

__all__ = ["DrainOptions", "EvictionTuning", "cordon_pool", "cordon_question", "drain_pool", "drain_question"]
