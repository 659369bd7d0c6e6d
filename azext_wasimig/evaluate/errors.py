"""What the evaluate phase fails with (``errors.MigrationError``; the CLI boundary words them as azclierror types).
``manifests.ManifestError`` (a manifest that cannot be read) lives with the reader, ``files.FileError`` (a report
that cannot be written) with the files."""

from azext_wasimig.errors import MigrationError

MAX_LISTED_FINDINGS = 200   # --fail-on-findings lists this many on stderr, then counts the rest


class NoSubscriptionSearched(MigrationError):
    """``list --all-subscriptions``: every subscription failed, so an empty list would be a lie."""
    kind = "service"

    def __init__(self, reasons):
        super().__init__("No subscription could be searched:\n  " + "\n  ".join(reasons),
                         recommendation="Fix the cause named for each (access, throttling), or search one "
                                        "subscription with --subscription.")


class FindingsFound(MigrationError):
    """``scan --fail-on-findings``: a non-zero exit that lists, on stderr, what still ties workloads to WASI (the
    first MAX_LISTED_FINDINGS: a CI log of 300,000 lines helps nobody)."""
    kind = "validation"

    def __init__(self, findings):
        lines = [f"  {f['namespace'] or '-'}/{f['kind']}/{f['name']}"
                 + (f" ({f['source']})" if f.get("source") else "")
                 + f": {f['payload']}, {len(f['blockers'])} blocker(s), {len(f['warnings'])} warning(s)"
                 for f in findings[:MAX_LISTED_FINDINGS]]
        if len(findings) > MAX_LISTED_FINDINGS:
            lines.append(f"  ... and {len(findings) - MAX_LISTED_FINDINGS} more")
        super().__init__(f"{len(findings)} workload(s) still have WASI-specific settings or findings:\n"
                         + "\n".join(lines),
                         recommendation="Run without --fail-on-findings (or with --report FILE) for the details.")
        self.findings = findings
