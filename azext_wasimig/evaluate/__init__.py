"""Evaluate: what the estate holds and what ties its workloads to WASI pools (list, show, scan).

The entry is ``run`` (re-exported here); inventory, scan + rules, manifests + shapes and report are its parts.
"""

from azext_wasimig.evaluate.run import (ScanOptions, SubscriptionSearch, check_report, cluster_pools, pool_document,
                                        read_cluster, scan_cluster, scan_manifests, search_subscriptions, wasi_pools)

__all__ = ["ScanOptions", "SubscriptionSearch", "check_report", "cluster_pools", "pool_document", "read_cluster",
           "scan_cluster", "scan_manifests", "search_subscriptions", "wasi_pools"]
