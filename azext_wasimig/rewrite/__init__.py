"""``az aks wasi-migrate rewrite``: retarget's placement rewrite applied to files (see ``run``)."""

from azext_wasimig.rewrite.run import Move, RewriteRequest, run

__all__ = ["Move", "RewriteRequest", "run"]
