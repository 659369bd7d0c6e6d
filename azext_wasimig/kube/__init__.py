"""Kubernetes side: read a cluster into plain dicts (no SDK models)."""
