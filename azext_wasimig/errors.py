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
