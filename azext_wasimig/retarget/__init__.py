"""retarget: point the workloads tied to a WASI pool at the new pool (parallel, cutover) and back (rollback).

run.py      the entry: ``run(api_client, RetargetRequest(...), confirm=, note=, progress=)`` -> rows
rewrite.py  one object's placement moved or restored, its original saved in an annotation (pure)
plan.py     which objects, into what; what is worth a note, the question to ask (pure)
patch.py    the changes made on the API server: merge patches, retried on conflict
export.py   the --export-dir manifests and the dry run's diffs (clean YAML)
errors.py   what retarget refuses or could not finish (errors.MigrationError kinds)
"""
