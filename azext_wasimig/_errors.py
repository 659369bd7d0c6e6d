"""Turn SDK/HTTP failures and the migration's own errors (``errors.py``) into `azure.cli.core.azclierror`
errors that say what to do.

The CLI maps an azclierror to its exit code (ResourceNotFoundError -> 3, others -> 1) and prints
only the message, not a traceback.
"""

from contextlib import contextmanager


def status_of(error):
    return getattr(error, "status_code", None) or getattr(getattr(error, "response", None), "status_code", None)


def service_message(error):
    """The service's own error code and message, without the SDK's multi-line decoration."""
    inner = getattr(error, "error", None)
    code, message = getattr(inner, "code", None), getattr(inner, "message", None)
    if message:
        return f"({code}) {message}" if code else message
    text = str(getattr(error, "message", None) or error)
    return text.splitlines()[0] if text else type(error).__name__


def cli_error_for(error, what):
    """An azclierror for an HTTP failure while doing ``what`` (e.g. "listing clusters in subscription X")."""
    from azure.cli.core import azclierror
    status, detail = status_of(error), service_message(error)
    if status == 404:
        return azclierror.ResourceNotFoundError(f"Not found while {what}: {detail}")
    if status in (401, 403):
        return azclierror.ForbiddenError(
            f"Access denied while {what}: {detail}",
            recommendation="Check that the signed-in identity has at least the Reader role on the scope "
                           "(az role assignment list --assignee <id>), or pick another with --subscription.")
    if status == 429:
        return azclierror.AzureResponseError(
            f"Azure Resource Manager kept throttling requests (HTTP 429) while {what}, even after the SDK's "
            f"retries: {detail}", recommendation="Wait a minute and run the command again.")
    if status is not None and status >= 500:
        return azclierror.AzureInternalError(f"Azure answered HTTP {status} while {what}: {detail}")
    if status is not None:
        return azclierror.AzureResponseError(f"Azure answered HTTP {status} while {what}: {detail}")
    return azclierror.AzureConnectionError(f"Could not reach Azure while {what}: {detail}")


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
