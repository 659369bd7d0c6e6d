"""Help texts (knack YAML) for `az aks wasi-migrate`. Every command has at least one example."""

from knack.help_files import helps  # pylint: disable=unused-import

helps["aks wasi-migrate"] = """
type: group
short-summary: Move workloads off the retired AKS WASI (WasmWasi) node pools.
long-summary: >
    AKS retired its WASI node pools: none can be created, the Wasm shims left the node images in June 2025,
    and any node AKS recreates in such a pool can no longer run Wasm pods. These commands find the WASI
    pools, assess the workloads tied to them, create supported replacements (a standard node pool for the
    SpinKube shim, or Azure Container Instances), move the workloads and drain the old pool safely.
    Never scale, upgrade or reimage a WASI pool: create the replacement first.
"""

helps["aks wasi-migrate list"] = """
type: command
short-summary: List every WASI node pool in a subscription, resource group, cluster, or all subscriptions.
long-summary: >
    One record per WASI pool (workloadRuntime WasmWasi, in any letter case). A subscription costs one paged
    list of its managed clusters; only --name reads a cluster's pools one by one.
    Exit codes: 0 listed (possibly none), 1 error, 3 resource group or cluster not found.
examples:
  - name: List the WASI pools in the current subscription.
    text: az aks wasi-migrate list -o table
  - name: List the WASI pools of one cluster.
    text: az aks wasi-migrate list -g MyResourceGroup -n MyCluster
  - name: Search every subscription you can see and print cluster/pool pairs.
    text: az aks wasi-migrate list --all-subscriptions --query "[].[clusterName, name]" -o tsv
"""

helps["aks wasi-migrate show"] = """
type: command
short-summary: Show one WASI node pool in full.
long-summary: >
    Fails with a clear message when the pool exists but is not a WASI pool, and with exit code 3 when the
    cluster or the pool does not exist.
examples:
  - name: Show a WASI pool.
    text: az aks wasi-migrate show -g MyResourceGroup -n MyCluster --nodepool-name wasipool
"""

helps["aks wasi-migrate create-pool"] = """
type: command
short-summary: Create the replacement for a WASI node pool, mirrored from its settings.
long-summary: >
    The new pool gets the old pool's VM size, count or autoscaling range, zones, subnets, max pods, OS type,
    SKU and disk, node labels and taints (without the WASI-specific ones), spot and upgrade settings and
    tags, plus a provenance tag (wasimig.migratedFrom) naming the old pool; mode User and workloadRuntime
    OCIContainer. A pool that lags behind the control plane is created at the control plane's version.
    Running it again when the pool exists with the same provenance changes nothing; another pool under the
    name is an error. Nothing is done to the old pool.
examples:
  - name: Create the replacement with the SpinKube shim label, and see the body first.
    text: |
        az aks wasi-migrate create-pool -g MyResourceGroup -n MyCluster --nodepool-name wasipool --spin-shim --dry-run
        az aks wasi-migrate create-pool -g MyResourceGroup -n MyCluster --nodepool-name wasipool --spin-shim
  - name: Choose the name and a bigger VM size, return at once and wait later.
    text: |
        az aks wasi-migrate create-pool -g MyResourceGroup -n MyCluster --nodepool-name wasipool --new-nodepool-name spinpool --vm-size Standard_D8s_v5 --no-wait
        az aks wasi-migrate wait -g MyResourceGroup -n MyCluster --nodepool-name spinpool --created
"""

helps["aks wasi-migrate wait"] = """
type: command
short-summary: Wait for a node pool (typically the one create-pool made with --no-wait) to reach a state.
examples:
  - name: Wait until the replacement pool is created.
    text: az aks wasi-migrate wait -g MyResourceGroup -n MyCluster --nodepool-name spinpool --created
"""
