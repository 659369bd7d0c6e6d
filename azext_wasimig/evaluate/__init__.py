"""Evaluate: what the estate holds and what ties its workloads to WASI pools (list, show, scan)."""
