"""Where the cutover record lives: one ConfigMap, read and written through ``kube.rest`` (the transport).

``get()`` -> the ConfigMap or None; ``create(body)`` makes the namespace first when absent; ``replace(body)`` is a
PUT carrying the resourceVersion last read, so the API server refuses it (409) when someone wrote in between:
``RecordConflict``, and the record decides again on a fresh read.
"""

from azext_wasimig.cutover.record import NAMESPACE, RecordConflict

CONFIG_MAPS = f"/api/v1/namespaces/{NAMESPACE}/configmaps"


class ConfigMapStore:
    def __init__(self, api, name):
        self.api, self.name = api, name

    @property
    def path(self):
        return f"{CONFIG_MAPS}/{self.name}"

    def get(self):
        from azext_wasimig.kube import rest
        try:
            return rest.call(self.api, "GET", self.path)
        except rest.KubeApiError as ex:
            if ex.status == 404:
                return None
            return self._fail(ex, "reading the cutover record", f"get configmaps in namespace {NAMESPACE}")
        except Exception as ex:  # pylint: disable=broad-except  # _fail re-raises anything but API errors
            return self._fail(ex, "reading the cutover record", f"get configmaps in namespace {NAMESPACE}")

    def create(self, body):
        from azext_wasimig.kube import rest
        self._ensure_namespace()
        try:
            return rest.call(self.api, "POST", CONFIG_MAPS, body=body)
        except rest.KubeApiError as ex:
            if ex.status == 409:
                raise RecordConflict(str(ex)) from ex
            return self._fail(ex, "creating the cutover record", f"create configmaps in namespace {NAMESPACE}")
        except Exception as ex:  # pylint: disable=broad-except
            return self._fail(ex, "creating the cutover record", f"create configmaps in namespace {NAMESPACE}")

    def replace(self, body):
        """PUT with the body's resourceVersion: retried on 429/5xx (a PUT that landed and is sent again is
        refused with 409, never applied twice)."""
        from azext_wasimig.kube import rest
        try:
            return rest.call(self.api, "PUT", self.path, body=body, idempotent=True)
        except rest.KubeApiError as ex:
            if ex.status in (409, 404):
                raise RecordConflict(str(ex)) from ex
            return self._fail(ex, "writing the cutover record", f"update configmaps in namespace {NAMESPACE}")
        except Exception as ex:  # pylint: disable=broad-except
            return self._fail(ex, "writing the cutover record", f"update configmaps in namespace {NAMESPACE}")

    def _ensure_namespace(self):
        from azext_wasimig.kube import rest
        try:
            rest.call(self.api, "POST", "/api/v1/namespaces", body={"apiVersion": "v1", "kind": "Namespace",
                                                                    "metadata": {"name": NAMESPACE}})
        except rest.KubeApiError as ex:
            if ex.status != 409:   # 409: it exists already
                self._fail(ex, f"creating namespace {NAMESPACE} for the cutover record", "create namespaces")
        except Exception as ex:  # pylint: disable=broad-except
            self._fail(ex, f"creating namespace {NAMESPACE} for the cutover record", "create namespaces")

    def _fail(self, error, what, permission):
        from azext_wasimig.kube import rest
        rest.raise_api_error(error, what, self.api.configuration.host, permission)
