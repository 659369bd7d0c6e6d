"""compare's entry: read both sides, load them (optionally) while sampling their resources, and give the verdict.

``compare(api, target, options, ...)`` takes the cluster's ApiClient, the ``MigrationTarget`` ARM proved and the
checked ``CompareOptions``; callbacks ``confirm(question)`` (raises to refuse), ``progress(text)`` and
``note(text)`` come from the CLI. It returns the plain result dict the CLI prints (stable keys, see README).
"""

import threading
import time

from azext_wasimig.compare import load, resources, sides, stability, startup, stats, urls, verdict
from azext_wasimig.compare.errors import ClusterReadError

SAMPLE_INTERVAL = 5.0     # seconds between metrics readings (metrics-server itself refreshes every 15-60 s)
NOT_SERVED = ("metrics.k8s.io is not served by this cluster (no metrics-server): CPU and memory are not "
              "compared.")
ACI_RESOURCES = ("ACI container groups report CPU and memory to Azure Monitor, not to metrics.k8s.io: the ACI side "
                 "has no resource figures here (az monitor metrics list --resource GROUP_ID --metric MemoryUsage).")


def aci_resource_group(target, options):
    """Where the ACI side's container groups are: --aci-resource-group, else the cluster's (None without --aci)."""
    return (options.aci_resource_group or target.resource_group) if options.aci else None


def _new_label(target, options):
    if target.new_pool_name:
        return f"pool '{target.new_pool_name}'"
    return f"ACI (resource group '{aci_resource_group(target, options)}')"


def compare(api, target, options, *, aci_groups=None, confirm=None, progress=None, note=None,
            pool_manager=load.pool_manager):
    notes = []

    def noted(text):
        notes.append(text)
        if note:
            note(text)
    progress = progress or (lambda _: None)
    _confirm_public(options, confirm, noted)
    found = _read(api, target, options, aci_groups)
    keys = sides.on_both_sides(found, options.workloads, _new_label(target, options))
    targets = _targets(api, options, found, keys, pool_manager)
    for load_target in targets:
        load.probe(load_target)
    served = _metrics_served(api)
    if not served:
        noted(NOT_SERVED)
    if options.aci:
        noted(ACI_RESOURCES)
    namespaces = {key[0] for key in keys}
    samples, loaded, window = _observe(api, options, targets, namespaces if served else None,
                                       progress)
    return {**_result(target, options, found, keys, samples=samples if served else None, loaded=loaded, window=window),
            "notes": notes}


def _confirm_public(options, confirm, note):
    """A load sent outside private address space is said, and asked about (``confirm`` raises to refuse)."""
    for flag, url in (("--url-old", options.load.url_old), ("--url-new", options.load.url_new)):
        public = urls.public_addresses(url) if url else []
        if public:
            note(f"{flag} {url} leaves private address space ({', '.join(public)}): the load goes over the "
                 "internet to whoever answers there.")
            if confirm:
                confirm(f"Send up to {options.load.max_requests} requests over {options.load.duration} s with "
                        f"{options.load.concurrency} connections to the public address {url}?")


def _read(api, target, options, aci_groups):
    from azext_wasimig.kube import rest
    namespaces = {key[0] for key in options.workloads}
    scope = f"/namespaces/{next(iter(namespaces))}" if len(namespaces) == 1 else ""
    try:
        nodes = rest.list_all(api, "/api/v1/nodes")
        pods = rest.list_all(api, f"/api/v1{scope}/pods")
        owners = {(o["metadata"].get("namespace"), kind, o["metadata"]["name"]): o
                  for kind, path in (("ReplicaSet", f"/apis/apps/v1{scope}/replicasets"),
                                     ("Job", f"/apis/batch/v1{scope}/jobs"))
                  for o in rest.list_all(api, path)}   # a list's items carry no kind: the path says it
    except Exception as ex:  # pylint: disable=broad-except  # ClusterReadError.of re-raises what is not the API's
        raise ClusterReadError.of(ex, "listing the nodes, pods, ReplicaSets and Jobs", api) from ex
    found = sides.pods_by_side(pods, owners, nodes, target.wasi_pool_name, target.new_pool_name)
    if options.aci:
        sides.add_aci_groups(found, aci_groups() if aci_groups else [], target.cluster.get("id"))
    return found


def _metrics_served(api):
    try:
        return resources.served(api)
    except Exception as ex:  # pylint: disable=broad-except  # ClusterReadError.of re-raises what is not the API's
        raise ClusterReadError.of(ex, "asking whether metrics.k8s.io is served", api) from ex


def _targets(api, options, found, keys, pool_manager):
    wanted = options.load
    if wanted.url_old:
        return [load.Target(side, f"--url-{side} {url}", url, pool_manager(wanted.concurrency))
                for side, url in (("old", wanted.url_old), ("new", wanted.url_new))]
    if not wanted.pod_proxy:
        return []
    from azext_wasimig.compare import pod_proxy
    return [pod_proxy.target(api, side, _one_pod(found, keys, side), wanted.pod_proxy, wanted.concurrency)
            for side in ("old", "new")]


def _one_pod(found, keys, side):
    from azext_wasimig.compare.errors import CompareInputError
    if len(keys) != 1:
        raise CompareInputError(f"--pod-proxy loads one pod per side of one workload, and {len(keys)} workloads run "
                                "on both sides: name one with --workload NAMESPACE/KIND/NAME.")
    pods = sorted(found[keys[0]][side], key=lambda p: (not _ready(p), p["metadata"]["name"]))
    return pods[0]


def _ready(pod):
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions") or [])


def _observe(api, options, targets, namespaces, progress):
    """Run the load (if any) and sample metrics meanwhile (if served): (samples, load results, seconds)."""
    if not targets and not namespaces:
        return [], None, 0.0
    started, loaded = time.monotonic(), {}
    worker = None
    if targets:
        progress(f"Loading both sides for up to {options.load.duration} s ({options.load.concurrency} connections "
                 f"each, at most {options.load.max_requests} requests each)...")
        worker = threading.Thread(target=lambda: loaded.update(load.run(targets, _spec(options))), daemon=True)
        worker.start()
    else:
        progress(f"Sampling CPU and memory for {options.load.duration} s...")
    samples = _sample_until(api, namespaces, worker, started + options.load.duration) if namespaces else []
    if worker:
        worker.join()
    return samples, loaded or None, round(time.monotonic() - started, 3)


def _spec(options):
    return load.LoadSpec(options.load.duration, options.load.concurrency, options.load.max_requests)


def _sample_until(api, namespaces, worker, deadline):
    samples = []
    while True:
        try:
            samples.append(resources.sample(api, namespaces))
        except Exception as ex:  # pylint: disable=broad-except  # ClusterReadError.of re-raises what is not the API's
            raise ClusterReadError.of(ex, "reading PodMetrics from metrics.k8s.io", api) from ex
        remaining = deadline - time.monotonic()
        if remaining <= 0 or (worker and not worker.is_alive()):
            return samples
        time.sleep(min(SAMPLE_INTERVAL, remaining))


def side_summary(members, samples, is_aci=False):
    """One side of one workload: per-pod start-up and stability, their summaries, and the resources."""
    rows = []
    for member in members:
        restarts, reasons = (stability.aci_terminations if is_aci else stability.pod_terminations)(member)
        row = (startup.aci_startup if is_aci else startup.pod_startup)(member)
        rows.append({**row, "restarts": restarts, "lastTerminationReasons": reasons})
    keys = [] if is_aci else [(m["metadata"].get("namespace"), m["metadata"]["name"]) for m in members]
    return {"pods": sorted(rows, key=lambda r: r["pod"] or ""),
            "startup": stats.summary([r["readySeconds"] for r in rows]),
            "stability": stability.side_stability([(r["restarts"], r["lastTerminationReasons"]) for r in rows]),
            "resources": resources.side_resources(samples, keys) if samples is not None and not is_aci else None}


def _result(target, options, found, keys, *, samples, loaded, window):
    workloads, figures = [], []
    for key in keys:
        old = side_summary(found[key]["old"], samples)
        new = side_summary(found[key]["new"], samples, is_aci=options.aci)
        rows = [{**row, "workload": sides.ref_text(key)} for row in verdict.workload_figures(old, new)]
        workloads.append({"workload": sides.ref_text(key), "old": old, "new": new, "figures": rows})
        figures += rows
    if loaded:
        figures += [{**row, "workload": None} for row in verdict.load_figures(loaded["old"], loaded["new"])]
    new = target.new_pool_name
    return {"cluster": target.cluster_name, "resourceGroup": target.resource_group,
            "old": {"nodepool": target.wasi_pool_name},
            "new": {"nodepool": new} if new else {"aciResourceGroup": aci_resource_group(target, options)},
            "metrics": "notServed" if samples is None else "served", "windowSeconds": window,
            "workloads": workloads, "load": loaded, "figures": figures,
            "maxRegressionPercent": options.max_regression,
            "regressions": verdict.regressions(figures, options.max_regression)}
