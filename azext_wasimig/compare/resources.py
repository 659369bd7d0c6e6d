"""CPU and memory working set per pod from ``metrics.k8s.io`` (metrics-server's PodMetrics), sampled.

metrics-server reports, per container, ``usage.cpu`` (a rate over its window, e.g. ``12m`` or ``1234567n``) and
``usage.memory`` (the working set, e.g. ``24Mi``). A pod's figure is the sum over its containers; a side's
median and peak are over every sample of every pod on that side. A cluster that does not serve the API (no
metrics-server, or the aggregated API down) is said so, and compare goes on without these figures.
"""

from decimal import Decimal, InvalidOperation

from azext_wasimig.compare import stats
from azext_wasimig.kube import rest

GROUP_VERSION = "/apis/metrics.k8s.io/v1beta1"
_SUFFIX = {"n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": Decimal(1),
           "k": Decimal(10) ** 3, "M": Decimal(10) ** 6, "G": Decimal(10) ** 9, "T": Decimal(10) ** 12,
           "P": Decimal(10) ** 15, "E": Decimal(10) ** 18,
           "Ki": Decimal(2) ** 10, "Mi": Decimal(2) ** 20, "Gi": Decimal(2) ** 30, "Ti": Decimal(2) ** 40,
           "Pi": Decimal(2) ** 50, "Ei": Decimal(2) ** 60}


def quantity(text):
    """A Kubernetes quantity (``250m``, ``1.5Gi``, ``12e3``) as a Decimal; None when it is not one."""
    text = str(text or "").strip()
    for suffix in sorted(_SUFFIX, key=len, reverse=True):
        if suffix and text.endswith(suffix):
            number, factor = text[:-len(suffix)], _SUFFIX[suffix]
            break
    else:
        number, factor = text, Decimal(1)
    try:
        value = Decimal(number) * factor
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def pod_usage(pod_metrics):
    """(millicores, bytes) of one PodMetrics item, summed over its containers; None for a part it lacks."""
    cpu = memory = Decimal(0)
    containers = pod_metrics.get("containers") or []
    for container in containers:
        usage = container.get("usage") or {}
        cpu_part, memory_part = quantity(usage.get("cpu")), quantity(usage.get("memory"))
        if cpu_part is None or memory_part is None:
            return None
        cpu, memory = cpu + cpu_part, memory + memory_part
    return (round(float(cpu * 1000), 3), int(memory)) if containers else None


def side_resources(samples, pods):
    """{cpuMillicores, memoryBytes} summaries over ``samples`` ([{(ns, pod): (cpu, mem)}]) of ``pods``."""
    usages = [sample[key] for sample in samples for key in pods if key in sample]
    return {"samples": len(usages),
            "cpuMillicores": _median_peak(u[0] for u in usages), "memoryBytes": _median_peak(u[1] for u in usages)}


def _median_peak(values):
    found = stats.summary(list(values))
    return {"median": found["median"], "peak": found["peak"]}


def served(api):
    """Whether the API server serves metrics.k8s.io (discovery of its group version; 404/503 say no)."""
    try:
        rest.call(api, "GET", GROUP_VERSION)
    except rest.KubeApiError as ex:
        if ex.status in (404, 503):
            return False
        raise
    return True


def sample(api, namespaces):
    """One reading: {(namespace, pod): (millicores, bytes)} of every pod metrics-server reports there."""
    found = {}
    for namespace in sorted(namespaces):
        for item in rest.list_all(api, f"{GROUP_VERSION}/namespaces/{namespace}/pods"):
            meta = item.get("metadata") or {}
            usage = pod_usage(item)
            if usage is not None:
                found[(meta.get("namespace") or namespace, meta.get("name"))] = usage
    return found
