"""The replacement for a WASI node pool, as the body of the agent-pool PUT (pure, no SDK).

Input is the old pool as the REST API returns it (``{name, id, properties}``, or a flat
``agentPoolProfiles[]`` entry) and the managed cluster; output is ``{"properties": {...}}``
shaped like the request of ``AgentPoolsCreate_Update.json``, ready for
``agent_pools.begin_create_or_update`` (the SDK accepts the dict as is).

Carried: every property the old pool has, except those listed below. That is a deny-list on
purpose: a settable field that a newer API adds (and we have never heard of) is carried rather
than silently lost. Among them: vmSize; count, enableAutoScaling/minCount/maxCount,
scaleDownMode; availabilityZones; vnetSubnetID, podSubnetID, podIPAllocationMode; maxPods;
osType, osSKU, osDiskSizeGB, osDiskType, kubeletDiskType; nodeLabels and nodeTaints (minus
the WASI ones); scaleSetPriority, scaleSetEvictionPolicy, spotMaxPrice; upgradeSettings;
kubeletConfig, linuxOSConfig; enableNodePublicIP, nodePublicIPPrefixID; enableEncryptionAtHost,
enableFIPS, enableUltraSSD; gpuInstanceProfile, gpuProfile; proximityPlacementGroupID,
capacityReservationGroupID, hostGroupID; networkProfile, securityProfile, windowsProfile;
messageOfTheDay; type; tags (plus the provenance tag).

Set: ``mode`` User (WASI pools always were), ``workloadRuntime`` OCIContainer, the provenance
tag ``wasimig.migratedFrom`` = the old pool's ARM id, ``orchestratorVersion`` = the control
plane's when the old pool lags behind (a new pool cannot usefully start on an old version).

Dropped, and why:
- read-only or status fields, which a PUT rejects or ignores: eTag, provisioningState,
  powerState (a stopped old pool must not make a stopped new one), currentOrchestratorVersion,
  status, virtualMachineNodesStatus;
- nodeImageVersion and creationData (a snapshot): both would pin the WASI-era node image, the
  very thing being retired;
- WASI specifics: workloadRuntime WasmWasi; node labels ``kubernetes.azure.com/wasmtime-*`` and
  ``kubernetes.io/arch=wasm32-wagi``; the Krustlet taints ``kubernetes.io/arch=wasm32-wagi:*``.
  They only steered Wasm pods onto nodes that had the shims; on the new pool they would
  attract pods to nodes that lack them (SpinKube labels its nodes ``spin=true`` instead).
"""

import re
from dataclasses import dataclass
from typing import Optional, Tuple

from azext_wasimig.evaluate import inventory
from azext_wasimig.errors import MigrationError
from azext_wasimig.vocabulary.kubernetes import DNS_SUBDOMAIN, DNS_SUBDOMAIN_MAX, LABEL_NAME
from azext_wasimig.vocabulary.wasi import PROVENANCE_TAG, STANDARD_RUNTIME, is_wasi_label, is_wasi_taint

# The label runtime-class-manager's Shim sample selects on (spinframework/runtime-class-manager
# config/samples/sample_shim_spin.yaml: spec.nodeSelector {spin: "true"}).
SPIN_SHIM_LABEL = ("spin", "true")

# The agentPoolName path parameter of AKS's REST spec (Microsoft.ContainerService, agentPools): 1-12 characters,
# lowercase letters and digits, a letter first. (Windows pools are limited to 6, but a WASI pool is always Linux.)
POOL_NAME_RULE = re.compile(r"^[a-z][a-z0-9]{0,11}$")
MAX_POOL_NAME = 12
MAX_NODES = 1000
_VM_SIZE_SHAPE = re.compile(r"^standard_[a-z0-9]+(?:[_-][a-z0-9]+)*$", re.IGNORECASE)
# AKS places nodes in availability zones 1, 2 and 3 (availabilityZones in the agent-pool spec).
AKS_ZONES = ("1", "2", "3")

READ_ONLY_FIELDS = frozenset({
    "eTag", "provisioningState", "powerState", "currentOrchestratorVersion", "status",
    "virtualMachineNodesStatus",
})
OLD_IMAGE_FIELDS = frozenset({"nodeImageVersion", "creationData"})
DROPPED_FIELDS = READ_ONLY_FIELDS | OLD_IMAGE_FIELDS | frozenset({"name", "workloadRuntime"})


class PoolSpecError(MigrationError):
    """Bad input for the replacement pool; the message says how to fix it."""
    kind = "invalid"


class InvalidPoolName(PoolSpecError):
    pass


class PoolNameClash(PoolSpecError):
    pass


class InvalidOverride(PoolSpecError):
    pass


def validate_pool_name(name, old_name=None):
    """Raise ``InvalidPoolName`` unless ``name`` is a valid agent-pool name other than ``old_name`` (in any case:
    ARM pool names are case-insensitive)."""
    if not POOL_NAME_RULE.match(name or ""):
        raise InvalidPoolName(
            f"Node pool name {name!r} is not valid: use 1-12 characters, lowercase letters and digits, "
            f"starting with a letter (e.g. {derive_pool_name(old_name or 'pool', [])!r}).")
    if old_name and name == old_name.lower():
        raise InvalidPoolName(
            f"The new node pool name {name!r} is the old pool's own name: choose another "
            "--new-nodepool-name, or omit it to get a derived one.")


def _pool_name(pool):
    return pool if isinstance(pool, str) else (pool or {}).get("name")


def derive_pool_name(old, existing_names, source_id=None):
    """A valid replacement name: an existing pool already made from ``source_id``, else
    ``old`` with its trailing number raised (``wasi`` -> ``wasi2``, ``wasipool1`` -> ``wasipool2``).

    ``existing_names`` may hold names or pool dicts; given dicts and ``source_id``, a re-run
    finds the pool the first run created instead of deriving yet another name.
    """
    if source_id:
        for pool in existing_names or ():
            if not isinstance(pool, str) and compare_existing(pool, source_id) == "same":
                return pool.get("name")
    taken = {str(_pool_name(p) or "").lower() for p in existing_names or ()} | {old}
    stem = re.sub(r"[^a-z0-9]", "", (old or "").lower())
    digits = re.search(r"[0-9]*$", stem).group()
    stem = stem[:len(stem) - len(digits)] if digits else stem
    if not stem or not stem[0].isalpha():
        stem = "pool" + stem
    for number in range(int(digits or 1) + 1, 10 ** 6):
        suffix = str(number)
        candidate = stem[:MAX_POOL_NAME - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
    raise InvalidPoolName("No free node pool name could be derived: give one with --new-nodepool-name.")


def source_pool_id(old_pool, cluster):
    """The old pool's ARM id (the provenance value): its own id, else the cluster's id + name."""
    if (old_pool or {}).get("id"):
        return old_pool["id"]
    return f"{(cluster or {}).get('id', '')}/agentPools/{_pool_name(old_pool)}"


def _tags_of(pool):
    pool = pool or {}
    return (pool.get("properties") or pool).get("tags") or {}


def compare_existing(existing_pool, source_id):
    """``"same"`` when ``existing_pool`` carries our provenance tag for ``source_id``, else
    ``"different"``. ARM ids are case-insensitive, so the comparison is too."""
    value = _tags_of(existing_pool).get(PROVENANCE_TAG)
    return "same" if value and str(value).lower() == str(source_id or "").lower() else "different"


# What create-pool does about a pool already under the name (see existing_action).
CREATE, UNCHANGED, WAIT, RESEND = "create", "unchanged", "wait", "resend"
_DONE_STATES = {"succeeded"}
_RESEND_STATES = {"failed", "canceled"}   # AKS's own advice for a Failed pool: send the same PUT again


def existing_action(existing_pool, source_id, new_name):
    """What to do about ``existing_pool`` (None: there is none) when creating ``new_name`` from ``source_id``:
    ``CREATE``; ``UNCHANGED`` only for a pool made from it that AKS says is Succeeded; ``WAIT`` for one still being
    made or changed (Creating, Updating, Scaling...); ``RESEND`` for one that Failed or was Canceled (the PUT is
    idempotent). ``PoolNameClash`` when another pool holds the name."""
    if not existing_pool:
        return CREATE
    if compare_existing(existing_pool, source_id) != "same":
        raise PoolNameClash(
            f"A node pool named {new_name!r} already exists and was not made from {source_id}: "
            "choose another --new-nodepool-name (or omit it to get a free derived one).")
    state = inventory.provisioning_state(existing_pool).lower()
    if state in _DONE_STATES:
        return UNCHANGED
    return RESEND if state in _RESEND_STATES else WAIT


def is_settled(pool):
    """Whether AKS has finished with the pool (successfully or not): nothing is running on it."""
    return inventory.provisioning_state(pool).lower() in _DONE_STATES | _RESEND_STATES


def _version(text):
    return tuple(int(p) for p in re.findall(r"[0-9]+", str(text or ""))[:3])


def _kubernetes_version(pool, cluster, notes):
    """The pool's version, or the control plane's when the pool lags behind it (with a note)."""
    props = (cluster or {}).get("properties") or cluster or {}
    control_plane = props.get("kubernetesVersion") or props.get("currentKubernetesVersion")
    current = pool.get("currentOrchestratorVersion") or pool.get("orchestratorVersion")
    mine, theirs = _version(current), _version(control_plane)
    width = min(len(mine), len(theirs))
    if width and mine[:width] < theirs[:width]:
        notes.append(f"The old pool runs Kubernetes {current}, behind the control plane's {control_plane}: "
                     f"the new pool gets {control_plane}.")
        return control_plane
    return pool.get("orchestratorVersion") or None


def _carried(pool, notes):
    props = {k: v for k, v in pool.items() if k not in DROPPED_FIELDS and v is not None}
    if pool.get("creationData"):  # nodeImageVersion is always there and dropped silently; a snapshot was a choice
        notes.append("creationData (the node-image snapshot) is not carried: it would pin the WASI-era node image.")
    state = (pool.get("powerState") or {}).get("code") if isinstance(pool.get("powerState"), dict) else None
    if state and state.lower() == "stopped":
        notes.append("The old pool is stopped; the new pool is created running.")
    labels = {k: v for k, v in (pool.get("nodeLabels") or {}).items() if not is_wasi_label(k, v)}
    taints = [t for t in pool.get("nodeTaints") or [] if not is_wasi_taint(t)]
    dropped = len(pool.get("nodeLabels") or {}) - len(labels) + len(pool.get("nodeTaints") or []) - len(taints)
    if dropped:
        notes.append(f"Dropped {dropped} WASI-specific node label(s)/taint(s).")
    for key, value in (("nodeLabels", labels), ("nodeTaints", taints)):
        if key in props:
            props[key] = value
    return props


def label_problem(key, value):
    """Why ``key=value`` is not a Kubernetes node label, or '' when it is one."""
    prefix, slash, name = key.rpartition("/")
    if slash and ("/" in prefix or len(prefix) > DNS_SUBDOMAIN_MAX or not DNS_SUBDOMAIN.match(prefix)):
        return (f"the key's prefix {prefix!r} is not a DNS subdomain (lowercase letters, digits, '-' and '.', "
                "up to 253 characters, e.g. example.com/team)")
    if not LABEL_NAME.match(name):
        return (f"the key {name!r} is not a label name (up to 63 letters, digits, '-', '_' and '.', starting and "
                "ending with a letter or digit)")
    if value and not LABEL_NAME.match(value):
        return (f"the value {value!r} is not a label value (empty, or up to 63 letters, digits, '-', '_' and '.', "
                "starting and ending with a letter or digit)")
    return ""


def _vm_size(value):
    if not _VM_SIZE_SHAPE.match(value):
        raise InvalidOverride(f"--vm-size {value!r} is not a VM size name: use a name such as "
                              "Standard_D4s_v5 (list them with 'az vm list-sizes -l LOCATION -o table').")
    return value


def _labels(pairs):
    """["k=v", ...] -> {"k": "v"}; None stays None."""
    if pairs is None:
        return None
    labels = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InvalidOverride(f"--labels {pair!r} is not key=value: write e.g. --labels team=payments")
        problem = label_problem(key, value)
        if problem:
            raise InvalidOverride(f"--labels {pair!r} is not a Kubernetes node label: {problem}. "
                                  "Write e.g. --labels team=payments example.com/tier=web")
        labels[key] = value
    return labels


@dataclass(frozen=True)
class PoolOverrides:
    """What the user changes in the replacement pool, checked (None: the old pool's). Made once, by ``parse``, from
    the flags as typed; what also needs the old pool (autoscaling ranges) is checked by ``replacement``."""
    vm_size: Optional[str] = None
    node_count: Optional[int] = None
    min_count: Optional[int] = None
    max_count: Optional[int] = None
    zones: Optional[Tuple[str, ...]] = None
    labels: Optional[dict] = None

    @classmethod
    def parse(cls, *, vm_size=None, node_count=None, min_count=None, max_count=None, zones=None, labels=None):
        """The overrides from the flags' values (counts as int or digit string, zones as a list or "1 2 3", labels
        as ``key=value`` strings); ``InvalidOverride`` naming the flag for a mistyped one."""
        labels = _labels(labels)
        vm_size = _vm_size(vm_size) if vm_size else None
        zones = None if zones is None else tuple(_zones(zones))
        count, low, high = (_count(node_count, "--node-count"), _count(min_count, "--min-count"),
                            _count(max_count, "--max-count"))
        if low is not None and high is not None and low > high:
            raise InvalidOverride(f"--min-count {low} is above --max-count {high}: swap them.")
        return cls(vm_size=vm_size, node_count=count, min_count=low, max_count=high, zones=zones, labels=labels)


def _apply_simple_overrides(props, overrides):
    if overrides.vm_size:
        props["vmSize"] = overrides.vm_size
    if overrides.zones is not None:
        props["availabilityZones"] = list(overrides.zones)
    if overrides.labels:
        props["nodeLabels"] = {**(props.get("nodeLabels") or {}), **overrides.labels}


def _count(value, what):
    """A node count: a whole number 0..1000 (AKS's per-pool ceiling), as int or digit string."""
    if value is None:
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or not 0 <= int(text) <= MAX_NODES:
        raise InvalidOverride(f"{what} {value!r} is not valid: give a whole number from 0 to {MAX_NODES}.")
    return int(text)


def _zones(value):
    zones = value.replace(",", " ").split() if isinstance(value, str) else [str(z) for z in value]
    bad = [z for z in zones if z not in AKS_ZONES]
    if bad or not zones:
        raise InvalidOverride(f"--zones {' '.join(bad)} is not valid: AKS zones are 1, 2 and 3 "
                              "(e.g. --zones 1 2 3).")
    return zones


def _apply_scale(props, overrides, notes):
    count, low, high = overrides.node_count, overrides.min_count, overrides.max_count
    if (low is not None or high is not None) and not props.get("enableAutoScaling") and None in (low, high):
        raise InvalidOverride("Give both --min-count and --max-count to turn on autoscaling.")
    if low is not None or high is not None:
        props["enableAutoScaling"] = True
    props.update({k: v for k, v in (("count", count), ("minCount", low), ("maxCount", high)) if v is not None})
    if not props.get("enableAutoScaling"):
        return
    low, high = props.get("minCount"), props.get("maxCount")
    if low is None or high is None or low > high:
        raise InvalidOverride(f"Autoscaling needs --min-count <= --max-count (got {low} and {high}).")
    current = props.get("count")
    if current is not None and not low <= current <= high:
        if count is not None:
            raise InvalidOverride(f"--node-count {count} is outside the autoscaling range {low}..{high}.")
        props["count"] = min(max(current, low), high)
        notes.append(f"The node count {current} is outside {low}..{high}; the new pool starts with {props['count']}.")


def replacement(old_pool, cluster, overrides=None, spin_shim=False):
    """``(body, notes)``: the PUT body of the replacement for ``old_pool`` and what to tell the user.

    ``overrides`` (a ``PoolOverrides``; None: none) change the carried settings, its ``labels`` merged over the
    carried labels. ``spin_shim`` adds ``spin=true`` so the SpinKube Shim lands on these nodes. The new pool's
    name is not in the body (it is the PUT's URL); ``validate_pool_name`` checks it, once.
    """
    overrides = overrides or PoolOverrides()
    pool = old_pool.get("properties") if "properties" in (old_pool or {}) else dict(old_pool or {})
    notes = []
    props = _carried(pool or {}, notes)
    _apply_simple_overrides(props, overrides)
    _apply_scale(props, overrides, notes)
    props["mode"], props["workloadRuntime"] = "User", STANDARD_RUNTIME
    version = _kubernetes_version(pool or {}, cluster, notes)
    props.pop("orchestratorVersion", None)
    if version:
        props["orchestratorVersion"] = version
    if spin_shim:
        props["nodeLabels"] = {**(props.get("nodeLabels") or {}), SPIN_SHIM_LABEL[0]: SPIN_SHIM_LABEL[1]}
    props["tags"] = {**(props.get("tags") or {}), PROVENANCE_TAG: source_pool_id(old_pool, cluster)}
    return {"properties": props}, notes
