"""Names and values shared across the extension (no imports, cheap to load)."""

WASI_RUNTIME = "WasmWasi"
STANDARD_RUNTIME = "OCIContainer"

# How many subscriptions `list --all-subscriptions` queries at once: enough to hide ARM latency,
# few enough to stay far from ARM's per-principal read throttling.
MAX_PARALLEL_SUBSCRIPTIONS = 8
