"""The ACI side: the container groups create-aci made in a resource group, with their instance views.

An edge module: it is handed an azure-mgmt-containerinstance ``container_groups`` client. The list call gives
names and tags; each group create-aci made (provenance tag) is then read raw, as the REST API returns it, for
its instance view (the list omits it).
"""

from azext_wasimig.errors import MigrationError
from azext_wasimig.vocabulary.wasi import PROVENANCE_TAG


class AciReadError(MigrationError):
    kind = "service"


def groups(client, resource_group):
    """Raw JSON of every container group in ``resource_group`` that carries create-aci's provenance tag."""
    from azure.core.exceptions import AzureError
    try:
        names = [g.name for g in client.list_by_resource_group(resource_group)
                 if (g.tags or {}).get(PROVENANCE_TAG)]
        return [client.get(resource_group, name, cls=lambda response, _model, _headers: response.http_response.json())
                for name in sorted(names)]
    except AzureError as ex:
        error = AciReadError(f"Reading the container groups of resource group '{resource_group}' failed: "
                             f"{str(getattr(ex, 'message', None) or ex).splitlines()[0]}",
                             recommendation="Check the resource group (--aci-resource-group) and that you may read "
                                            "its container groups (Reader role).")
        if getattr(ex, "status_code", None) == 404:
            error.kind = "not_found"
        raise error from ex
