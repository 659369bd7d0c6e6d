"""Names and values shared across the extension (no imports, cheap to load)."""

WASI_RUNTIME = "WasmWasi"
STANDARD_RUNTIME = "OCIContainer"

# How many subscriptions `list --all-subscriptions` queries at once: enough to hide ARM latency,
# few enough to stay far from ARM's per-principal read throttling.
MAX_PARALLEL_SUBSCRIPTIONS = 8

# Node pool labels: AKS puts both on every node; the first is the documented one, the second the older short form.
POOL_LABEL = "kubernetes.azure.com/agentpool"
POOL_LABELS = (POOL_LABEL, "agentpool")

# What AKS's WASI node pools carried (AKS docs on WASI node pools; see the docstrings of scan,
# retarget and targets.pool_spec): the wasmtime shim node labels, the RuntimeClasses AKS named
# wasmtime-*, the Krustlet-era arch label/taint and the Krustlet WAGI pod annotations.
WASMTIME_LABEL_PREFIX = "kubernetes.azure.com/wasmtime-"
AKS_RUNTIME_CLASS_PREFIX = "wasmtime-"
ARCH_LABEL, KRUSTLET_ARCH = "kubernetes.io/arch", "wasm32-wagi"
WAGI_ANNOTATION_PREFIX = "alpha.wagi.krustlet.dev/"
