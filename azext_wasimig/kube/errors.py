"""What talking to a cluster can fail with, as the migration's own errors (``errors.MigrationError``): the
kinds the CLI boundary maps to azclierror types (``_errors.to_cli_error``), so ``kube/`` never imports the CLI.

``rest.api_error`` words a failed call as one of the ``Kube*`` errors; ``connect`` raises the ``Kubeconfig*``
ones for credentials it cannot use.
"""

from azext_wasimig.errors import MigrationError


class KubeServiceError(MigrationError):
    """The API server answered with an error that is neither 401, 403 nor 404, or a list could not be finished."""
    kind = "service"


class KubeUnreachable(MigrationError):
    """No answer at all: the server does not resolve, refuses, times out or fails TLS."""
    kind = "connection"


class KubeUnauthorized(MigrationError):
    """The credentials were refused (HTTP 401), or the credential plugin that makes them failed."""
    kind = "unauthorized"


class KubeForbidden(MigrationError):
    """The identity may not do what the command needs (HTTP 403)."""
    kind = "forbidden"


class KubeNotFound(MigrationError):
    kind = "not_found"


class KubeconfigUnreadable(MigrationError):
    """A kubeconfig file that cannot be read or is no kubeconfig."""
    kind = "file"


class KubeconfigUnusable(MigrationError):
    """A kubeconfig that parses but cannot be used as given (unknown context, missing fields, an auth-provider
    the Python client lacks, local accounts disabled for --admin)."""
    kind = "validation"
