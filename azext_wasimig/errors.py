"""The migration's own errors: what every phase package raises, free of the CLI.

A phase never imports ``azure.cli`` or ``knack``. It raises a subclass of ``MigrationError`` (or of
``MigrationInterrupted`` for Ctrl-C with something to report) whose message says what is wrong and whose
``recommendation`` names the fix. The CLI boundary (``commands.py`` wraps every command) turns them into
azclierror types in one place, ``_errors.to_cli_error``, by the ``kind`` each class declares:

=============  ===========================  =========
kind           azclierror                   exit code
=============  ===========================  =========
invalid        InvalidArgumentValueError    1
validation     ValidationError              1
not_found      ResourceNotFoundError        3
forbidden      ForbiddenError               1
unauthorized   UnauthorizedError            1  (credentials refused, or the plugin making them failed)
file           FileOperationError           1
service        AzureResponseError           1
internal       AzureInternalError           1  (Azure answered HTTP 5xx)
connection     AzureConnectionError         1
incomplete     AzureResponseError           1  (the work stopped part-way: say what was done)
interrupted    ManualInterrupt              1
=============  ===========================  =========
"""


class MigrationError(Exception):
    """Base of the domain's errors. Subclass it per reason, set ``kind``; never raise it bare."""
    kind = "validation"

    def __init__(self, message, recommendation=None):
        super().__init__(message)
        self.recommendation = recommendation


class MigrationInterrupted(KeyboardInterrupt):
    """Ctrl-C that has something to say (what was done, how to resume): still a KeyboardInterrupt to code that
    does not know it, so nothing swallows it by accident."""
    kind = "interrupted"

    def __init__(self, message, recommendation=None):
        super().__init__(message)
        self.recommendation = recommendation


class AzureCallFailed(MigrationError):
    """A call to Azure failed: it answered an error (``kind`` from the HTTP status) or could not be reached. Made by
    ``azure_call_failed``, which an Azure edge (a module handed an SDK client) raises for any azure-core error."""

    def __init__(self, message, recommendation=None, *, kind="service"):
        super().__init__(message, recommendation)
        self.kind = kind


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


def azure_call_failed(error, what):
    """The ``AzureCallFailed`` for an azure-core error while doing ``what`` (e.g. "listing clusters in subscription
    X"): 404 is not_found (exit code 3), 401/403 forbidden, 5xx internal, no answer at all a connection error."""
    status, detail = status_of(error), service_message(error)
    if status == 404:
        return AzureCallFailed(f"Not found while {what}: {detail}", kind="not_found")
    if status in (401, 403):
        return AzureCallFailed(
            f"Access denied while {what}: {detail}", kind="forbidden",
            recommendation="Check that the signed-in identity has at least the Reader role on the scope "
                           "(az role assignment list --assignee <id>), or pick another with --subscription.")
    if status == 429:
        return AzureCallFailed(
            f"Azure Resource Manager kept throttling requests (HTTP 429) while {what}, even after the SDK's "
            f"retries: {detail}", recommendation="Wait a minute and run the command again.")
    if status is not None and status >= 500:
        return AzureCallFailed(f"Azure answered HTTP {status} while {what}: {detail}", kind="internal")
    if status is not None:
        return AzureCallFailed(f"Azure answered HTTP {status} while {what}: {detail}")
    return AzureCallFailed(f"Could not reach Azure while {what}: {detail}", kind="connection")
