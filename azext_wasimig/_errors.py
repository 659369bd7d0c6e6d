"""Turn SDK/HTTP failures and the migration's own errors (``errors.py``) into `azure.cli.core.azclierror`
errors that say what to do.

The CLI maps an azclierror to its exit code (ResourceNotFoundError -> 3, others -> 1) and prints
only the message, not a traceback.
"""

from contextlib import contextmanager

from azext_wasimig.errors import azure_call_failed


def cli_error_for(error, what):
    """An azclierror for an HTTP failure while doing ``what`` (e.g. "listing clusters in subscription X")."""
    return to_cli_error(azure_call_failed(error, what))


def azure_failures():
    """What Azure's answers raise: azure-core's errors, and the azclierrors ``raise_cli_error`` makes of them.
    A bug (TypeError, KeyError...) is none of these and must not pass for a service failure."""
    from azure.cli.core.azclierror import AzCLIError
    from azure.core.exceptions import AzureError
    return AzureError, AzCLIError


def raise_cli_error(error, what):
    """Re-raise an azure-core HTTP/connection error as an azclierror; anything else unchanged."""
    from azure.core.exceptions import AzureError
    if isinstance(error, AzureError):
        raise cli_error_for(error, what) from error
    raise error


@contextmanager
def user_errors(*error_types, cli_error=None):
    """Turn a pure core's ValueError subclasses (whose messages name the fix) into an azclierror."""
    from azure.cli.core.azclierror import InvalidArgumentValueError
    try:
        yield
    except error_types as ex:
        raise (cli_error or InvalidArgumentValueError)(str(ex)) from ex


# errors.MigrationError.kind -> the azclierror class name (the table in errors.py says why each).
CLI_ERROR_BY_KIND = {
    "invalid": "InvalidArgumentValueError",
    "validation": "ValidationError",
    "not_found": "ResourceNotFoundError",
    "forbidden": "ForbiddenError",
    "unauthorized": "UnauthorizedError",
    "file": "FileOperationError",
    "service": "AzureResponseError",
    "internal": "AzureInternalError",
    "connection": "AzureConnectionError",
    "incomplete": "AzureResponseError",
    "interrupted": "ManualInterrupt",
}


def to_cli_error(error):
    """The azclierror for a domain error (errors.MigrationError / MigrationInterrupted); None for anything else,
    which passes through unchanged."""
    from azext_wasimig.errors import MigrationError, MigrationInterrupted
    if not isinstance(error, (MigrationError, MigrationInterrupted)):
        return None
    from azure.cli.core import azclierror
    cli_error = getattr(azclierror, CLI_ERROR_BY_KIND[error.kind])
    return cli_error(str(error), recommendation=error.recommendation)
