"""What rewrite refuses, as the migration's own errors (``errors.MigrationError``): the CLI boundary maps each
``kind`` to its azclierror type and exit code (``_errors.to_cli_error``)."""

from azext_wasimig.errors import MigrationError
from azext_wasimig.evaluate.manifests import ManifestError


class RewriteFileError(ManifestError):
    """A file that cannot be read, parsed or written safely: ``path:line: message`` (line None when unknown).
    Raised before anything is written."""


class RewriteRefused(MigrationError):
    """Paths or flags that cannot go together (an --out-dir inside a given path, a symbolic link, ...)."""
    kind = "invalid"


class WouldChange(MigrationError):
    """``--check``: some file would change (the CI gate fails, exit code 1)."""
    kind = "validation"
