"""The evaluate phase's entry: list and show WASI pools, search subscriptions, read a cluster, scan.

Plain inputs and clients in (a ``MigrationTarget``, a kubernetes ``ApiClient`` or a callable making one, a function
listing a subscription's clusters), plain results out (records, findings). What is worth a word goes to the
callbacks the caller passes: ``note`` (a warning a person should read), ``detail`` (a line for --verbose),
``progress`` (a message that replaces the previous one). Failures are ``errors.MigrationError`` subclasses.
"""

import os
from dataclasses import dataclass

from azext_wasimig import files
from azext_wasimig.evaluate import inventory, manifests, report, scan
from azext_wasimig.evaluate.errors import FindingsFound, NoSubscriptionSearched


def _ignore(_message):
    pass


# --- list, show -------------------------------------------------------------------------------

def wasi_pools(clusters, subscription_id=None):
    """One record per WASI pool of ``clusters`` (cluster dicts of one subscription), in a stable order."""
    return inventory.sort_records(inventory.wasi_records(clusters, subscription_id))


def cluster_pools(target):
    """One record per WASI pool of the cluster ARM proved (``list -g -n``)."""
    return inventory.sort_records(inventory.to_record(target.cluster, target.pool(name))
                                  for name in target.wasi_pool_names)


def pool_document(target):
    """``show``: the WASI pool's record and the agent pool as ARM gave it."""
    return {**inventory.to_record(target.cluster, target.wasi_pool), "agentPool": target.wasi_pool}


@dataclass
class SubscriptionSearch:
    records: list
    skipped: list     # "id (name): reason" of each subscription that could not be searched


def search_subscriptions(subscriptions, list_clusters, recoverable, *, progress=_ignore):
    """``list --all-subscriptions``: every WASI pool in ``subscriptions`` ({id: display name}), read concurrently
    with ``list_clusters(subscription_id)``; ``recoverable`` are the failure types of one subscription (the
    service's answers), anything else is a bug and propagates. Raises NoSubscriptionSearched when none could be.
    The skipped subscriptions are returned, not reported: ``progress`` may be drawing a spinner until this returns."""
    finished = []

    def on_done(subscription_id, _error):
        finished.append(subscription_id)
        progress(f"{len(finished)}/{len(subscriptions)} subscriptions searched")

    records, failures = inventory.find_in_subscriptions(sorted(subscriptions), list_clusters, recoverable,
                                                        on_done=on_done)
    reasons = [f"{sub} ({subscriptions[sub]}): {_first_line(error)}" for sub, error in sorted(failures.items())]
    if subscriptions and len(failures) == len(subscriptions):
        raise NoSubscriptionSearched(reasons)
    return SubscriptionSearch(records, reasons)


def _first_line(error):
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


# --- reading a cluster ------------------------------------------------------------------------

def read_cluster(api, namespace=None, *, detail=_ignore):
    """The cluster read once through ``api`` (``kube.snapshot.take``), and the Flux and Argo CD objects its workloads
    name (``owners.read``): what scan, create-aci and retarget judge. A failed read is the ``kube.rest`` error naming
    what the command needs (list nodes, pods, ...)."""
    from azext_wasimig.evaluate import owners
    from azext_wasimig.kube import rest, snapshot
    try:
        taken = snapshot.take(api, namespace=namespace)
        taken.owners = owners.read(api, taken)   # Flux's and Argo CD's objects: not readable is said, not fatal
    except Exception as ex:  # pylint: disable=broad-except  # raise_api_error re-raises anything but API errors
        scope = f"namespace '{namespace}'" if namespace else "all namespaces"
        rest.raise_api_error(ex, "reading the cluster's workloads", api.configuration.host,
                             f"list nodes, pods, workloads, PodDisruptionBudgets and RuntimeClasses in {scope}")
    detail(f"Read the cluster with {taken.api_calls} API calls")
    return taken


# --- scan -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ScanOptions:
    report: str = None              # a Markdown report to write (files.write_private: 0600, never a symlink)
    overwrite: bool = False         # ... over an existing regular file
    fail_on_findings: bool = False  # raise FindingsFound when scan.has_findings


def check_report(options):
    """Fail now, before a scan that may take a while, when the report cannot be written (changes nothing)."""
    if options.report:
        folder, name = os.path.split(options.report)
        files.check_writable(folder or ".", [name], options.overwrite)


def scan_manifests(paths, nodepool_name, options, *, note=_ignore):
    """Scan rendered manifests (files or folders); ``nodepool_name``: the WASI pool they are meant for, if known."""
    pools = [nodepool_name] if nodepool_name else []
    snapshot = manifests.load(paths, note=note)
    return _assessed(snapshot, pools, options, only_pool=nodepool_name, context={"pools": pools, "source": paths},
                     note=note)


def scan_cluster(target, connect, options, *, note=_ignore, detail=_ignore):
    """Scan the cluster of ``target`` (a MigrationTarget); ``connect()`` gives its ApiClient."""
    if not target.wasi_pool_names:
        note(f"Cluster '{target.cluster_name}' has no WASI node pool; looking only for WASI-specific settings.")
    snapshot = read_cluster(connect(), detail=detail)
    where = {"cluster": target.cluster_name, "resourceGroup": target.resource_group,
             "subscription": target.subscription_id, "pools": target.wasi_pool_names, "source": "cluster"}
    return _assessed(snapshot, target.wasi_pool_names, options, only_pool=target.wasi_pool_name, context=where,
                     note=note)


def _assessed(snapshot, pools, options, *, only_pool, context, note):
    findings = scan.assess(snapshot, pools, only_pool=only_pool)
    if options.report:
        files.write_private(options.report, report.render(findings, context), options.overwrite)
        note(f"Report written to {options.report}")
    if options.fail_on_findings and scan.has_findings(findings):
        raise FindingsFound(findings)
    return findings
