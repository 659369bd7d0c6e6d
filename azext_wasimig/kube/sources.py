"""What a namespace's pods draw on outside their own spec: ConfigMaps, Secrets and Services.

One paged LIST per kind per namespace, only for the namespaces asked for. Secret values stay in memory, in the
dicts returned here, and are never logged: callers pass them on as ACI ``secureValue``s only.
"""

from azext_wasimig.kube import rest

KINDS = (("configmaps", "ConfigMaps"), ("secrets", "Secrets"), ("services", "Services"))


def read(api_client, namespaces):
    """{namespace: {"configmaps": [...], "secrets": [...], "services": [...]}}; failures raise ``kube.errors``."""
    found = {}
    for namespace in sorted(set(namespaces)):
        found[namespace] = {}
        for plural, shown in KINDS:
            try:
                found[namespace][plural] = rest.list_all(api_client, f"/api/v1/namespaces/{namespace}/{plural}")
            except Exception as ex:  # pylint: disable=broad-except
                error = rest.api_error(ex, f"reading the {shown} of namespace '{namespace}'",
                                       api_client.configuration.host,
                                       f"list configmaps, secrets and services in namespace '{namespace}'")
                raise error from ex
    return found
