"""retarget: point the workloads tied to a WASI pool at the new pool (parallel, cutover) and back (rollback).

rewrite.py  one object's placement rewritten or restored (pure)
plan.py     which objects, into what; the checks and questions before any change (pure)
patch.py    the changes made on the API server: merge patches, retried on conflict
"""
