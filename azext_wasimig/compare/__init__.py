"""`compare`: evidence from the parallel run, the old pool against the new pool (or ACI), per workload.

Plain inputs and results, no CLI: ``run.compare`` is the entry; ``verdict.regressions`` is the threshold check
other gates (verify, cutover) can call on a result's figures.
"""
