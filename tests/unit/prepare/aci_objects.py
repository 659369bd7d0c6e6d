"""Kubernetes objects shaped like the API's answers, for the ACI tests (not a test module)."""

import base64
import json

SUBNET = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.Network/"
          "virtualNetworks/vnet1/subnets/aci")
CLUSTER_ID = "/subscriptions/0000/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/c1"


def b64(text):
    return base64.b64encode(text.encode()).decode()


def secret(name, **data):
    return {"metadata": {"name": name, "namespace": "demo"}, "type": "Opaque",
            "data": {k: b64(v) for k, v in data.items()}}


def pull_secret(name, server, user, password):
    config = {"auths": {server: {"username": user, "password": password, "auth": b64(f"{user}:{password}")}}}
    return {"metadata": {"name": name}, "type": "kubernetes.io/dockerconfigjson",
            "data": {".dockerconfigjson": b64(json.dumps(config))}}


SECRETS = [secret("app", token="s3cr3t-token"), pull_secret("acr", "https://myreg.azurecr.io", "puller", "pull-pass")]
CONFIGMAPS = [{"metadata": {"name": "cfg"}, "data": {"MODE": "prod", "GREETING": "hello"}}]
SERVICES = [{"metadata": {"name": "web"}, "spec": {"selector": {"app": "web"},
                                                   "ports": [{"port": 8080, "targetPort": "http"}]}}]


def spin_deployment(**spec_extra):
    container = {"name": "web", "image": "myreg.azurecr.io/spin-web:1.0", "command": ["/"],
                 "ports": [{"name": "http", "containerPort": 80}],
                 "env": [{"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "app", "key": "token"}}},
                         {"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "MODE"}}},
                         {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
                 "resources": {"requests": {"cpu": "250m", "memory": "128Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}},
                 "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 10},
                 "readinessProbe": {"tcpSocket": {"port": 80}}}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "demo"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"runtimeClassName": "wasmtime-spin-v2",
                                           "imagePullSecrets": [{"name": "acr"}],
                                           "containers": [container], **spec_extra}}}}


def context(**extra):
    return {"location": "westeurope", "secrets": SECRETS, "configmaps": CONFIGMAPS, "services": SERVICES,
            "is_wasm": True, "dns_name_label": "spinweb", "cluster_id": CLUSTER_ID, **extra}
