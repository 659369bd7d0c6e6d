"""WASI signals, one definition each: what AKS's WASI node pools (and Krustlet before them) put on nodes, pools and
pods, the tests "is this label/taint/toleration/RuntimeClass WASI-specific" and "is this a WASI pool", and the
marks wasimig leaves on what it creates (pure).

Sources: AKS's docs on WASI node pools (workloadRuntime WasmWasi, the ``kubernetes.azure.com/wasmtime-*`` shim
labels and the RuntimeClasses named ``wasmtime-*``), Krustlet (the ``kubernetes.io/arch=wasm32-wagi`` label and
taint, the WAGI pod annotations).
"""

import re

WASI_RUNTIME = "WasmWasi"
STANDARD_RUNTIME = "OCIContainer"

WASMTIME_LABEL_PREFIX = "kubernetes.azure.com/wasmtime-"
AKS_RUNTIME_CLASS_PREFIX = "wasmtime-"
ARCH_LABEL, KRUSTLET_ARCH = "kubernetes.io/arch", "wasm32-wagi"
WAGI_ANNOTATION_PREFIX = "alpha.wagi.krustlet.dev/"

# The RuntimeClasses made for the WASI pools: wasmtime-spin-v1, wasmtime-spin-v0-*, and AKS's own wasmtime-spin-v2.
_WASI_RUNTIME_CLASS = re.compile(r"^wasmtime-spin-(v1|v2|v0-[0-9][0-9-]*)$")

# What wasimig marks its own work with. Tags (ARM): a new pool or container group names the pool or workload it
# was made from (the provenance every re-run checks before touching it); a container group also its cluster (ARM
# id), the WASI pool its workload was moved off (Azure's spelling; several comma-separated when the workload was
# tied to several) and its replica: ``made_for`` finds the groups of one move by these alone. Annotation
# (Kubernetes): a retargeted object keeps its original placement, for the rollback.
PROVENANCE_TAG, CLUSTER_TAG, REPLICA_TAG = "wasimig.migratedFrom", "wasimig.cluster", "wasimig.replica"
POOL_TAG = "wasimig.nodepool"
ORIGINAL_PLACEMENT = "wasimig.azure.com/original-placement"
# A workload whose in-cluster copy `cutover --aci` scaled to 0 keeps its replicas here, for the rollback.
ORIGINAL_REPLICAS = "wasimig.azure.com/original-replicas"
# The companion copy `cutover` runs on the new pool during its parallel phase (a Deployment whose placement cannot
# share its pods with the old pool): the label (in its labels, selector and pod template), the annotations naming
# the workload it copies, the cluster (ARM id: the one the cutover record's ConfigMap carries too) and the old pool
# of its move. Only an object carrying all of them, with this cluster's id, is ever deleted as a companion.
COMPANION_LABEL, COMPANION_OF = "wasimig.azure.com/companion", "wasimig.azure.com/companion-of"
CLUSTER_ANNOTATION, COMPANION_POOL = "wasimig.azure.com/cluster", "wasimig.azure.com/nodepool"


def is_wasi_pool(pool):
    """True for a pool whose workloadRuntime is WasmWasi in any letter case; ``pool`` is an agent-pool resource
    (``{name, properties}``) or a flat profile (a cluster's agentPoolProfiles item, an inventory record).

    The SDK hands back unknown or oddly-cased enum values as plain strings (and old docs created
    pools with ``wasmwasi``), so the comparison is on the lower-cased string, never on the enum.
    An enum member's ``str()`` is ``WorkloadRuntime.WASM_WASI`` on Python 3.11, hence ``.value``.
    """
    pool = pool or {}
    runtime = (pool.get("properties") or {} if "properties" in pool else pool).get("workloadRuntime")
    runtime = getattr(runtime, "value", runtime)
    return str(runtime or "").lower() == WASI_RUNTIME.lower()


def is_wasi_label(key, value):
    """A node label (or nodeSelector entry) only WASI nodes carry: a shim label or the Krustlet arch."""
    return (key or "").startswith(WASMTIME_LABEL_PREFIX) or (key == ARCH_LABEL and value == KRUSTLET_ARCH)


def is_wasi_requirement(key, operator, values, *, any_operator=False):
    """A node-label requirement (a node-affinity expression) only WASI nodes satisfy: a shim label In/Exists, or
    the Krustlet arch In. ``any_operator``: also one that merely names a shim label (NotIn, DoesNotExist, ...),
    which the retarget drops with the rest because no node of the new pool has such a label."""
    if (key or "").startswith(WASMTIME_LABEL_PREFIX):
        return any_operator or operator in ("In", "Exists")
    return key == ARCH_LABEL and operator == "In" and KRUSTLET_ARCH in (values or [])


def is_wasi_taint(taint):
    """An ARM node taint (``key=value:Effect``) only WASI pools carry: on a shim label key, or the Krustlet arch."""
    key, _, rest = str(taint).partition("=")
    return key.startswith(WASMTIME_LABEL_PREFIX) or (key, rest.split(":")[0]) == (ARCH_LABEL, KRUSTLET_ARCH)


def tolerates_krustlet(toleration):
    """A toleration of the Krustlet arch taint (``kubernetes.io/arch=wasm32-wagi``, or the arch key with Exists)."""
    if toleration.get("key") != ARCH_LABEL:
        return False
    return toleration.get("operator") == "Exists" or toleration.get("value") == KRUSTLET_ARCH


def is_wasi_toleration(toleration):
    """A toleration only WASI nodes call for: of the Krustlet taint, or of a taint on a shim label key."""
    return tolerates_krustlet(toleration) or str(toleration.get("key", "")).startswith(WASMTIME_LABEL_PREFIX)


def is_wasi_runtime_class(name):
    """A RuntimeClass made for the WASI pools (wasmtime-spin-v1, wasmtime-spin-v0-*, AKS's wasmtime-spin-v2)."""
    return bool(_WASI_RUNTIME_CLASS.match(name or ""))


def shim_label_of(runtime_class_name):
    """The node label AKS pairs with a RuntimeClass it named (``wasmtime-slight-v1`` ->
    ``kubernetes.azure.com/wasmtime-slight-v1``), or None for a name AKS did not give."""
    if not (runtime_class_name or "").startswith(AKS_RUNTIME_CLASS_PREFIX):
        return None
    return WASMTIME_LABEL_PREFIX + runtime_class_name[len(AKS_RUNTIME_CLASS_PREFIX):]


def is_wagi_annotation(key):
    return key.startswith(WAGI_ANNOTATION_PREFIX)


def made_for(tags, cluster_id, pool=None):
    """True when ``tags`` (a container group's) say create-aci made it for the cluster whose ARM id is
    ``cluster_id`` and, when ``pool`` is given, from a workload of that WASI pool: names and resource groups
    could be anyone's, these tags are wasimig's (ARM ids and pool names compare case-insensitively)."""
    tags = tags or {}
    if not tags.get(PROVENANCE_TAG) or str(tags.get(CLUSTER_TAG) or "").lower() != str(cluster_id or "").lower():
        return False
    return pool is None or str(pool).lower() in {p.strip().lower() for p in str(tags.get(POOL_TAG) or "").split(",")}
