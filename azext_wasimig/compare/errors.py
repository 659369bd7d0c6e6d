"""What compare refuses or cannot do (see azext_wasimig.errors for how the CLI shows them)."""

from azext_wasimig.errors import MigrationError


class CompareInputError(MigrationError):
    """A value the user gave does not fit (a URL, a bound, a threshold)."""
    kind = "invalid"


class NotOnBothSides(MigrationError):
    """A workload named with --workload does not run on both sides: there is nothing to compare."""
    kind = "validation"


class Unreachable(MigrationError):
    """A load target did not answer its one probe request: nothing was loaded."""
    kind = "connection"


class ClusterReadError(MigrationError):
    """The API server refused or failed a read compare needs."""
    kind = "service"

    @classmethod
    def of(cls, error, what, api):
        """The domain error for an API, paging or connection failure while ``what``; a bug is re-raised as is."""
        from azext_wasimig.kube import rest
        if not isinstance(error, (rest.KubeApiError, rest.ListError)) and not rest.is_connection_error(error):
            raise error
        server = api.configuration.host
        found = cls(f"Failed while {what} on {server}: {rest.describe_error(error)}.",
                    recommendation="compare needs to list nodes, pods, ReplicaSets and Jobs (and read metrics.k8s.io "
                                   "when it is served): check the identity's RBAC with 'kubectl auth can-i --list'.")
        status = getattr(error, "status", None)
        found.kind = {401: "forbidden", 403: "forbidden", 404: "not_found"}.get(status) or (
            "connection" if rest.is_connection_error(error) else "service")
        return found


class Regressed(MigrationError):
    """--max-regression: a gated figure is worse on the new side than the threshold allows."""
    kind = "validation"
