"""The test API server's audit log (scripts/k8s-test-env/audit-policy.yaml: one Metadata event per request that
could change something, none for reads), read to prove that a command wrote nothing to the cluster.

Events are attributed to the extension by its User-Agent (kube/connect.py sets it on every client it makes); the
harness's own client carries another one (tests/k8s/conftest.py), and the controllers theirs.
"""

import json
from pathlib import Path

from azext_wasimig.kube.connect import USER_AGENT


class AuditLog:
    def __init__(self, path):
        self.path = Path(path)

    def mark(self):
        """Where the log ends now: pass it to ``writes_since`` after the command."""
        return self.path.stat().st_size if self.path.exists() else 0

    def events_since(self, mark):
        with open(self.path, "rb") as f:
            f.seek(mark)
            lines = f.read().splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def writes_since(self, mark, user_agent=USER_AGENT):
        """``VERB URI`` of every write request made with ``user_agent`` since ``mark`` (one per request)."""
        seen, writes = set(), []
        for event in self.events_since(mark):
            if not (event.get("userAgent") or "").startswith(user_agent) or event["auditID"] in seen:
                continue
            seen.add(event["auditID"])
            writes.append(f"{event['verb']} {event['requestURI']}")
        return writes
