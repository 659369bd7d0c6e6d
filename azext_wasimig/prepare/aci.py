"""`create-aci`: cluster workloads as Azure Container Instances container groups, one per replica.

This module is the pure part (which workloads, their build context, re-run comparison, result rows) on plain
dicts; the ACI edge, ``aci_create``, reads and creates container groups through the SDK. Order per workload, so
that a workload that cannot be moved creates nothing: build every group's body (``aci_spec``), read the groups
already there, refuse clashes, then create what is missing and wait. One workload's failure never stops the others.

Secrets: bodies hold Secret values as ``secureValue``/``password``. They are sent through
``_client_factory.call_unlogged`` (no network trace: ``az --debug`` and az's log file would hold the bodies
otherwise), printed only through ``aci_spec.redact``, and never put in a message.
"""

import dataclasses
from typing import NamedTuple, Optional

from azext_wasimig.errors import MigrationError
from azext_wasimig.prepare import aci_spec
from azext_wasimig.vocabulary.kubernetes import namespace_of, object_key
from azext_wasimig.vocabulary.wasi import PROVENANCE_TAG

RUNNABLE_BY_SPIN = ("spin", "container")
_SECRET_KEYS = ("secureValue", "password", "storageAccountKey", "workspaceKey")


class WorkloadNotFound(MigrationError):
    kind = "not_found"


class WorkloadNotTied(MigrationError):
    kind = "invalid"


class WorkloadsFailed(MigrationError):
    """Some workloads could not be moved; the others were (the message names both). ``results``: every workload's
    row (a cutover's preflight turns the failed ones of a dry run into blockers)."""
    kind = "incomplete"

    def __init__(self, message, recommendation=None, results=()):
        super().__init__(message, recommendation)
        self.results = list(results)


@dataclasses.dataclass(frozen=True)
class Options:
    """What the container groups are made as, and where (checked by the CLI's validator). ``location`` None: the
    cluster's region; ``cluster_id`` (a provenance tag) is filled in from the cluster (``for_cluster``)."""
    resource_group: str
    location: Optional[str] = None
    subnet_id: Optional[str] = None
    dns_name_label: Optional[str] = None
    spin_image: Optional[str] = None
    image: Optional[str] = None
    cluster_id: Optional[str] = None

    def for_cluster(self, cluster):
        """These options with the cluster's region (unless one was given) and id."""
        return dataclasses.replace(self, cluster_id=cluster.get("id"),
                                   location=self.location or aci_spec.region_name(cluster.get("location") or ""))


class Workload(NamedTuple):
    """A --workload reference resolved: its key ``(namespace, Kind, name)``, the object, and scan's finding."""
    key: tuple
    obj: dict
    finding: dict


def ref_text(key):
    return "/".join(key)


def resolve(refs, snapshot, findings, pool=None):
    """``[Workload]`` for the parsed references ``(namespace, Kind, name)``, in the order given; an error naming
    every reference that does not exist (``WorkloadNotFound``, exit code 3) or is not tied to a WASI pool (to
    ``pool`` when given: ``WorkloadNotTied``)."""
    objects = {object_key(o): o for o in snapshot.workloads + snapshot.pods}
    tied = {(f["namespace"], f["kind"], f["name"]): f for f in findings if not pool or pool in f.get("pools", [])}
    refs = list(dict.fromkeys(tuple(r) for r in refs))
    missing = [f"  {ref_text(k)}: namespace '{k[0]}' has no {k[1]} named '{k[2]}'" for k in refs if k not in objects]
    scope = f"WASI pool '{pool}'" if pool else "a WASI node pool"
    untied = [f"  {ref_text(k)}: not tied to {scope} of the cluster" for k in refs if k in objects and k not in tied]
    if missing or untied:
        error = WorkloadNotFound if missing else WorkloadNotTied
        raise error("Nothing was created: these --workload references cannot be moved:\n" + "\n".join(missing + untied),
                    recommendation="Run 'az aks wasi-migrate scan -g RG -n CLUSTER' to list the workloads tied to "
                                   "WASI pools, as NAMESPACE/KIND/NAME.")
    return [Workload(k, objects[k], tied[k]) for k in refs]


def build_context(obj, finding, sources, options):
    """The ``aci_spec.build`` context for one workload; ``UnsupportedWorkload`` for a Wasm payload that the Spin
    runtime cannot run and that no --image replaces."""
    aci_spec.check_kind(obj)   # before the payload: no --image makes a DaemonSet expressible
    payload = finding.get("payload")
    if payload not in RUNNABLE_BY_SPIN and not options.image:
        raise aci_spec.UnsupportedWorkload(
            f"its payload is {payload}, which the Spin runtime cannot run and ACI has no Wasm runtime: rebuild it as "
            "a container image and pass that with --image")
    namespace = namespace_of(obj)
    found = sources.get(namespace) or {}
    context = {"location": options.location, "namespace": namespace, "configmaps": found.get("configmaps"),
               "secrets": found.get("secrets"), "services": found.get("services"), "is_wasm": payload != "container",
               "spin_image": options.spin_image, "image": options.image, "subnet_id": options.subnet_id,
               "dns_name_label": options.dns_name_label, "cluster_id": options.cluster_id,
               "pools": sorted(finding.get("pools") or [])}
    return context


def comparable(body):
    """``body`` as the service answers it: secret values dropped (it never returns them)."""
    if isinstance(body, list):
        return [comparable(item) for item in body]
    if not isinstance(body, dict):
        return body
    return {k: ({} if k == "secret" and isinstance(v, dict) else comparable(v))
            for k, v in body.items() if k not in _SECRET_KEYS}


def first_difference(want, have, path=""):
    """The path of the first value of ``want`` that ``have`` lacks or holds otherwise (``have`` may hold more:
    read-only fields), or None. An empty value wanted matches one the service left out."""
    if isinstance(want, dict):
        if not isinstance(have, dict):
            return None if not want and have is None else path or "(body)"
        for key, value in want.items():
            found = first_difference(value, have.get(key), f"{path}.{key}" if path else key)
            if found:
                return found
        return None
    if isinstance(want, list):
        if not isinstance(have, list) or len(want) != len(have):
            return None if not want and have is None else path
        return next((d for d in (first_difference(w, h, f"{path}[{i}]") for i, (w, h) in enumerate(zip(want, have)))
                     if d), None)
    return None if want == have else path


def clash(name, body, existing, options):
    """Why an existing group blocks this one (None when it is this replica, made the same way)."""
    source = (body.get("tags") or {}).get(PROVENANCE_TAG)
    if aci_spec.compare_existing(existing, body) != "same":
        theirs = (existing.get("tags") or {}).get(PROVENANCE_TAG)
        made = f"was made from {theirs}" if theirs else "was not made by wasimig"
        return (f"container group '{name}' already exists in resource group '{options.resource_group}' and {made}, "
                f"not from {source}: pass another --aci-resource-group, or delete that group")
    where = first_difference(comparable(body), existing)
    if where:
        return (f"container group '{name}' exists (made from {source}) but differs from what the workload gives now "
                f"at {where}: delete it with 'az container delete -g {options.resource_group} -n {name} --yes' and "
                "run this command again")
    return None


def result(key, action, groups, options, *, reason="", notes=()):
    return {"workload": ref_text(key), "action": action, "resourceGroup": options.resource_group,
            "groups": list(groups), "reason": reason, "notes": list(notes)}


def failures_error(results):
    """A ``WorkloadsFailed`` naming each failed workload and why, and what was done for the others; None if none
    failed."""
    failed = [r for r in results if r["action"] == "failed"]
    if not failed:
        return None
    lines = "\n".join(f"  {r['workload']}: {r['reason']}" for r in failed)
    done = [f"  {r['workload']}: {r['action']} ({', '.join(r['groups'])})" for r in results if r["action"] != "failed"]
    return WorkloadsFailed(
        f"{len(failed)} of {len(results)} workload(s) could not be moved to Azure Container Instances:\n{lines}"
        + ("\nThe others:\n" + "\n".join(done) if done else ""),
        recommendation="Fix or leave out the failed workloads and run the command again: what exists is kept.",
        results=results)
