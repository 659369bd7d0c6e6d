"""What retarget refuses or could not finish, as the migration's own errors (``errors.MigrationError``): the CLI
boundary maps each ``kind`` to its azclierror type and exit code (``_errors.to_cli_error``)."""

from azext_wasimig.errors import MigrationError


class RetargetError(MigrationError):
    """This object cannot be retargeted in place; the message says why and what to do."""
    kind = "invalid"


class ForeignMove(RetargetError):
    """The object's original placement was saved by another old -> new move: this one leaves it alone."""


class MissingRuntimeClass(MigrationError):
    """The changed templates name a RuntimeClass the cluster does not have: their pods would be refused."""
    kind = "invalid"


class NowhereToLand(MigrationError):
    """No node of the new pool would take the new pods of some workloads: their rollouts would stall."""
    kind = "validation"


class ManagedByController(MigrationError):
    """A workload it would patch is reconciled by Flux or Argo CD, which would put the old placement back."""
    kind = "validation"


class RetargetIncomplete(MigrationError):
    """Some objects could not be patched (the others were)."""
    kind = "incomplete"


class ExportUnwritable(MigrationError):
    """--export-dir cannot be written: found before any change, or (rarely) when writing after the patches."""
    kind = "file"
