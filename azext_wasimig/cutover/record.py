"""The cutover's record, kept in the cluster so that a run survives the machine it started on: one ConfigMap in
namespace ``wasimig-system`` per cluster and old pool, holding the plan, the phase reached, timestamps, each
gate's evidence, what was created, and the faults and interrupts seen. It is also the lease that keeps two runs
apart: an owner, a renew time and a duration, written only with the resourceVersion last read (a 409 means
someone else wrote: read again and decide again). Never a secret in it: plan, states, names and messages only.

Lease rules (``lease_state``, pure): no holder, or our own id -> ours; a holder whose renew time is older than its
duration -> stale, anyone may take it over; a holder on this host whose process is gone (SIGKILL) -> dead, taken
over at once; anything else -> held, and a second run refuses (``CutoverBusy``).

The Kubernetes calls go through ``kube.rest`` (``ConfigMapStore``); ``CutoverRecord`` holds the logic on top of a
store with ``get() / create(body) / replace(body)``, which is what the unit tests fake.
"""

import json
import os
import socket
import threading
import time
import uuid
from datetime import datetime, timezone

from azext_wasimig.errors import MigrationError
from azext_wasimig.vocabulary.wasi import CLUSTER_ANNOTATION

NAMESPACE = "wasimig-system"
RECORD_KEY, LEASE_KEY = "record", "lease"
MANAGED_BY = {"app.kubernetes.io/managed-by": "wasimig", "wasimig.azure.com/record": "cutover"}
LEASE_SECONDS = 60            # a holder that has not renewed for this long is gone (renewed every third of it)
MAX_FAULTS = 50               # the faults kept, newest last (a record stays small)
MESSAGE_LIMIT = 500
PHASES_UNDONE = ("parallel", "switch", "drain", "verify")   # what a rollback undoes (after decommission it refuses)


class CutoverBusy(MigrationError):
    """Another live run holds the record's lease."""
    kind = "validation"


class LeaseLost(MigrationError):
    """Someone else took the lease while this run held it (it had stopped renewing long enough to look gone)."""
    kind = "validation"


class RecordConflict(Exception):
    """The store's answer to a write against an old resourceVersion (HTTP 409), or a create of one that exists."""


def now_stamp(clock=time.time):
    return datetime.fromtimestamp(clock(), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_stamp(stamp):
    try:
        return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()
    except (TypeError, ValueError):
        return None


def record_name(cluster_id, old_pool):
    """A DNS name that is the same from any machine for this cluster and pool (the cluster's ARM id, hashed:
    names of clusters and resource groups may be longer than a ConfigMap name allows)."""
    import hashlib
    digest = hashlib.sha256(str(cluster_id).lower().encode("utf-8")).hexdigest()[:12]
    return f"cutover-{old_pool.lower()}-{digest}"


def new_holder():
    """Who this run is: a random id, plus the host and process that let a re-run on this host take over at once
    from a process that was killed."""
    return {"id": uuid.uuid4().hex, "host": socket.gethostname(), "pid": os.getpid()}


def pid_alive(pid):
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError, TypeError, OverflowError):
        return True   # someone else's process, or nothing we can judge: assume alive
    return True


OURS, FREE, STALE, DEAD, HELD = "ours", "free", "stale", "dead", "held"


def lease_state(lease, me, now, alive=pid_alive):
    """What ``lease`` (the record's lease dict, or None) means for ``me`` (``new_holder()``) at ``now`` (epoch s)."""
    holder = (lease or {}).get("holder")
    if not holder:
        return FREE
    if holder.get("id") == me["id"]:
        return OURS
    renewed = parse_stamp(lease.get("renewedAt"))
    duration = float(lease.get("durationSeconds") or LEASE_SECONDS)
    if renewed is None or now - renewed > duration:
        return STALE
    if holder.get("host") == me["host"] and not alive(holder.get("pid")):
        return DEAD
    return HELD


def describe_holder(lease, now):
    holder = (lease or {}).get("holder") or {}
    renewed = parse_stamp((lease or {}).get("renewedAt"))
    ago = f"{int(now - renewed)} s ago" if renewed is not None else "at an unknown time"
    return f"process {holder.get('pid')} on host {holder.get('host')} (renewed {ago})"


def empty_document(cluster_id, old_pool, clock=time.time):
    return {"version": 1, "cluster": cluster_id, "oldPool": old_pool, "createdAt": now_stamp(clock),
            "updatedAt": now_stamp(clock), "plan": None, "fingerprint": None, "phases": {}, "created": [],
            "faults": [], "abort": None, "runs": 0}


def add_fault(doc, phase, kind, message, clock=time.time):
    """Note a fault or an interrupt (newest last, the oldest dropped past MAX_FAULTS)."""
    doc["faults"] = (doc.get("faults") or []) + [
        {"at": now_stamp(clock), "phase": phase, "kind": kind, "message": str(message)[:MESSAGE_LIMIT]}]
    del doc["faults"][:-MAX_FAULTS]


def roll_back(doc, keep_prepare=True):
    """``rollback`` undid the move: the phases it undid are to be run again by a later cutover (``prepare`` too when
    the new home was deleted). Returns their names; the record keeps a note of it."""
    undone = [name for name in PHASES_UNDONE + (() if keep_prepare else ("prepare",))
              if name in (doc.get("phases") or {})]
    for name in undone:
        del doc["phases"][name]
    if undone:
        add_fault(doc, None, "rollback", f"rolled back: {', '.join(undone)} to be run again")
    return undone


def add_created(doc, kind, resource_id, phase):
    """Note what the run created (once per id)."""
    created = doc.setdefault("created", [])
    if not any(item["id"] == resource_id for item in created):
        created.append({"kind": kind, "id": resource_id, "phase": phase})


def config_map(name, cluster_id, doc, lease, resource_version=None):
    metadata = {"name": name, "namespace": NAMESPACE, "labels": dict(MANAGED_BY),
                "annotations": {CLUSTER_ANNOTATION: str(cluster_id)}}
    if resource_version:
        metadata["resourceVersion"] = resource_version
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata,
            "data": {RECORD_KEY: json.dumps(doc, sort_keys=True), LEASE_KEY: json.dumps(lease or {}, sort_keys=True)}}


def read_config_map(body):
    """(document, lease, resourceVersion) of a record ConfigMap; a record that is no JSON reads as empty."""
    data = (body or {}).get("data") or {}
    return (_json(data.get(RECORD_KEY)), _json(data.get(LEASE_KEY)),
            ((body or {}).get("metadata") or {}).get("resourceVersion"))


def _json(text):
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


class CutoverRecord:  # pylint: disable=too-many-instance-attributes  # what it holds and how it judges leases
    """The record of one cluster and old pool, as this run sees it (``doc``), and the lease it holds.

    ``acquire`` takes the lease (creating the record when absent); ``update(change)`` applies ``change(doc)`` and
    writes it with the last resourceVersion, re-reading and re-applying on a 409 (refusing when another owner took
    the lease meanwhile); ``renew`` writes only the lease; ``release`` gives it up. Writes are serialised (a renewal
    thread and the run share it)."""

    def __init__(self, store, cluster_id, old_pool, *, me=None, clock=time.time, duration=LEASE_SECONDS,
                 alive=pid_alive):
        self.store, self.cluster_id, self.old_pool = store, cluster_id, old_pool
        self.me, self.clock, self.duration, self.alive = me or new_holder(), clock, duration, alive
        self.doc, self.lease, self.version = None, None, None
        self.lock = threading.RLock()

    @property
    def name(self):
        return record_name(self.cluster_id, self.old_pool)

    def read(self):
        """The record as stored now, without taking the lease: ``(doc, lease)``, or ``(None, None)``."""
        body = self.store.get()
        if body is None:
            return None, None
        doc, lease, _ = read_config_map(body)
        return doc, lease

    def acquire(self, attempts=5):
        """Take the lease: CutoverBusy when another live run holds it. Returns the document."""
        with self.lock:
            for _ in range(attempts):
                body = self.store.get()
                try:
                    if body is None:
                        return self._create()
                    return self._take_over(body)
                except RecordConflict:
                    continue   # someone wrote between our read and our write: decide again on what is there now
            raise CutoverBusy("The cutover record kept changing under this run: another run is writing it.",
                              recommendation="Wait for the other run, or see where it stands with --status.")

    def _create(self):
        doc = empty_document(self.cluster_id, self.old_pool, self.clock)
        doc["runs"] = 1
        lease = self._my_lease(acquired=True)
        created = self.store.create(config_map(self.name, self.cluster_id, doc, lease))
        self._keep(doc, lease, created)
        return doc

    def _take_over(self, body):
        doc, lease, version = read_config_map(body)
        state = lease_state(lease, self.me, self.clock(), self.alive)
        if state == HELD:
            raise CutoverBusy(
                f"Another cutover of pool '{self.old_pool}' is running: {describe_holder(lease, self.clock())}.",
                recommendation="Wait for it to finish, see where it stands with --status, or stop it with --abort. "
                               f"A run that died is taken over once its lease is {int(self.duration)} s old.")
        doc = doc or empty_document(self.cluster_id, self.old_pool, self.clock)
        doc["runs"] = int(doc.get("runs") or 0) + 1
        if state in (STALE, DEAD):
            add_fault(doc, _phase_running(doc), "takeover",
                      f"took over from {describe_holder(lease, self.clock())}, whose lease was {state}", self.clock)
        mine = self._my_lease(acquired=True)
        written = self.store.replace(config_map(self.name, self.cluster_id, doc, mine, version))
        self._keep(doc, mine, written)
        return doc

    def _my_lease(self, acquired=False):
        stamp = now_stamp(self.clock)
        lease = {"holder": dict(self.me), "renewedAt": stamp, "durationSeconds": self.duration}
        lease["acquiredAt"] = stamp if acquired else (self.lease or {}).get("acquiredAt", stamp)
        return lease

    def _keep(self, doc, lease, written):
        self.doc, self.lease = doc, lease
        self.version = ((written or {}).get("metadata") or {}).get("resourceVersion")

    def update(self, change=None, attempts=5):
        """Apply ``change(doc)`` (it must be safe to apply again to a fresh copy) and write; returns the doc."""
        with self.lock:
            doc = json.loads(json.dumps(self.doc))
            for _ in range(attempts):
                if change:
                    change(doc)
                doc["updatedAt"] = now_stamp(self.clock)
                lease = self._my_lease()
                try:
                    written = self.store.replace(config_map(self.name, self.cluster_id, doc, lease, self.version))
                except RecordConflict:
                    doc = self._reread()
                    continue
                self._keep(doc, lease, written)
                return doc
            raise LeaseLost("The cutover record kept changing under this run.",
                            recommendation="See where the cutover stands with --status, then run it again.")

    def _reread(self):
        """After a 409: the record as it is now, if the lease is still ours (an abort request may have come)."""
        body = self.store.get()
        doc, lease, version = read_config_map(body)
        if body is None or lease_state(lease, self.me, self.clock(), self.alive) != OURS:
            raise LeaseLost(
                f"Another run took over the cutover record of pool '{self.old_pool}': "
                f"{describe_holder(lease, self.clock()) if lease else 'the record was deleted'}. This run stops.",
                recommendation="See where the cutover stands with --status.")
        self.version = version
        return doc

    def renew(self):
        return self.update()

    def refresh(self):
        """Read the record again (e.g. to see an --abort) while keeping the lease; returns the doc."""
        with self.lock:
            self.doc = self._reread()
            return self.doc

    def release(self):
        """Give the lease up (the record stays: it is the history, and what --status reads)."""
        with self.lock:
            for _ in range(3):
                try:
                    self.store.replace(config_map(self.name, self.cluster_id, self.doc, {}, self.version))
                    return
                except RecordConflict:
                    try:
                        self.doc = self._reread()
                    except LeaseLost:
                        return


def _phase_running(doc):
    return next((name for name, phase in (doc.get("phases") or {}).items() if phase.get("status") == "running"),
                None)


def request_abort(store, by, clock=time.time, attempts=5):
    """``--abort``: set the abort flag in the record (a conditional write, without the lease): the running one
    stops at its next safe point. Returns the document, or None when there is no record."""
    for _ in range(attempts):
        body = store.get()
        if body is None:
            return None
        doc, lease, version = read_config_map(body)
        doc["abort"] = {"requestedAt": now_stamp(clock), "by": by}
        add_fault(doc, _phase_running(doc), "abort", f"abort requested by {by}", clock)
        name = body["metadata"]["name"]
        try:
            store.replace(config_map(name, doc.get("cluster"), doc, lease, version))
            return doc
        except RecordConflict:
            continue
    raise CutoverBusy("The cutover record kept changing: the abort was not written.",
                      recommendation="Run --abort again.")


class RenewingLease:
    """A thread that renews the lease every third of its duration while a long phase runs (a drain, a soak)."""

    def __init__(self, record, on_error=None):
        self.record, self.on_error = record, on_error
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wasimig-lease", daemon=True)
        self.error = None

    def _run(self):
        while not self._stop.wait(self.record.duration / 3):
            try:
                self.record.renew()
            except Exception as ex:  # pylint: disable=broad-except  # kept; the run checks it at its next step
                self.error = ex
                if self.on_error:
                    self.on_error(ex)
                if isinstance(ex, LeaseLost):
                    return

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
