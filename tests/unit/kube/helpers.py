"""Kubeconfigs for the kube/ unit tests (not a test module)."""

import base64

TOKEN = "s3cr3t-t0k3n-value"


def b64(data):
    return base64.b64encode(data).decode()


def kubeconfig(server="https://10.0.0.1:443", user=None, ca=None, contexts=None, current="main"):
    cluster = {"server": server}
    if ca:
        cluster["certificate-authority-data"] = b64(ca)
    return {"apiVersion": "v1", "kind": "Config", "current-context": current,
            "clusters": [{"name": "aks", "cluster": cluster}],
            "users": [{"name": "u", "user": user if user is not None else {"token": TOKEN}}],
            "contexts": contexts or [{"name": "main", "context": {"cluster": "aks", "user": "u"}}]}
