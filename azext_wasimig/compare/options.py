"""compare's inputs, checked once, before anything is read (pure): the typed ``CompareOptions``."""

import math
import re
from dataclasses import dataclass
from typing import Optional, Tuple

from azext_wasimig.compare.errors import CompareInputError

MAX_DURATION = 3600          # seconds: an hour of load is a soak test, not a comparison
MAX_CONCURRENCY = 64         # connections per side (threads); docs/benchmarks.md: where the figures still hold
MAX_REQUESTS = 1_000_000     # per side
MAX_REGRESSION = 1000        # percent
_POD_PROXY = re.compile(r"^(?P<port>[0-9]{1,5})(?P<path>/[^\s?#]*)?$")


@dataclass(frozen=True)
class LoadOptions:
    """How long (and, with a URL or --pod-proxy, how hard) both sides are observed."""
    duration: int
    concurrency: int
    max_requests: int
    url_old: Optional[str] = None
    url_new: Optional[str] = None
    pod_proxy: Optional[Tuple[int, str]] = None     # (port, path)


@dataclass(frozen=True)
class CompareOptions:
    new_pool: Optional[str]
    aci: bool
    aci_resource_group: Optional[str]
    workloads: Tuple[tuple, ...]          # (namespace, Kind, name)
    load: LoadOptions
    max_regression: Optional[float] = None


def options(*, new_nodepool_name=None, aci=False, aci_resource_group=None, workloads=None, duration=30,
            concurrency=4, max_requests=10000, url_old=None, url_new=None, pod_proxy=None, max_regression=None):
    """The checked options; CompareInputError naming the flag and the fix for anything that does not fit."""
    from azext_wasimig.compare import urls
    _sides(new_nodepool_name, aci, aci_resource_group)
    _load_flags(url_old, url_new, pod_proxy, aci)
    return CompareOptions(
        new_pool=new_nodepool_name, aci=bool(aci), aci_resource_group=aci_resource_group,
        workloads=tuple(dict.fromkeys(_workload_ref(ref) for ref in workloads or [])),
        load=LoadOptions(
            duration=bounded("--duration", duration, MAX_DURATION, "seconds"),
            concurrency=bounded("--concurrency", concurrency, MAX_CONCURRENCY, "connections per side"),
            max_requests=bounded("--max-requests", max_requests, MAX_REQUESTS, "requests per side"),
            url_old=urls.checked("--url-old", url_old) if url_old else None,
            url_new=urls.checked("--url-new", url_new) if url_new else None,
            pod_proxy=parse_pod_proxy(pod_proxy) if pod_proxy else None),
        max_regression=parse_percent(max_regression) if max_regression is not None else None)


def _sides(new_nodepool_name, aci, aci_resource_group):
    if bool(new_nodepool_name) == bool(aci):
        raise CompareInputError("Name the new side: either --new-nodepool-name NEW (the replacement pool) or --aci "
                                "(the container groups create-aci made), not both and not neither.")
    if aci_resource_group and not aci:
        raise CompareInputError("--aci-resource-group goes with --aci.")


def _load_flags(url_old, url_new, pod_proxy, aci):
    if bool(url_old) != bool(url_new):
        raise CompareInputError("--url-old and --url-new go together: give one URL per side.")
    if pod_proxy and url_old:
        raise CompareInputError("Load either through --url-old/--url-new or through --pod-proxy, not both.")
    if pod_proxy and aci:
        raise CompareInputError("--pod-proxy reaches pods through the API server, and ACI container groups are not "
                                "behind it: with --aci, give --url-old and --url-new (e.g. the group's FQDN).")


def bounded(flag, value, maximum, unit):
    """An integer from 1 to ``maximum``."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise CompareInputError(f"{flag} {value} is out of range: give a whole number from 1 to {maximum} ({unit}).")
    return value


def parse_percent(text):
    """'10', '10%' or '12.5' -> 10.0...; the percentage a ratio may worsen by before it is a regression."""
    raw = str(text).strip()
    try:
        value = float(raw[:-1] if raw.endswith("%") else raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not 0 <= value <= MAX_REGRESSION:
        raise CompareInputError(f"--max-regression {text!r} is not a percentage: give a number from 0 to "
                                f"{MAX_REGRESSION}, e.g. --max-regression 10 (new may be up to 10% worse).")
    return value


def parse_pod_proxy(text):
    """'8080' or '8080/healthz' -> (8080, '/healthz')."""
    match = _POD_PROXY.match(str(text).strip())
    port = int(match["port"]) if match else 0
    if not match or not 1 <= port <= 65535:
        raise CompareInputError(f"--pod-proxy {text!r} is not PORT[/PATH]: give the container port and an optional "
                                "path, e.g. --pod-proxy 80/healthz.")
    return port, match["path"] or "/"


def _workload_ref(ref):
    from azext_wasimig.prepare import aci_spec
    try:
        return aci_spec.parse_workload_ref(ref)
    except aci_spec.InvalidTarget as ex:
        raise CompareInputError(str(ex)) from ex
