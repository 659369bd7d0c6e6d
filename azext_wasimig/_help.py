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

helps["aks wasi-migrate scan"] = """
type: command
short-summary: Assess every workload tied to a WASI pool, in a cluster or in manifest files.
long-summary: >
    Finds the nodes of each WASI pool and every Deployment, StatefulSet, DaemonSet, standalone ReplicaSet, Job,
    CronJob and bare Pod that runs there now or would be scheduled there (runtimeClassName and the
    RuntimeClass's scheduling, nodeSelector or node affinity on the pool's labels, tolerations of the
    Krustlet-era taints). For each: the evidence, the kind of payload (spin, slight, wws, wagi, container),
    replicas, the PodDisruptionBudgets that cover it, blockers, warnings and the recommended target. Reads each
    kind once per cluster. Credentials come from Azure (user credentials; --admin for admin ones) or from
    --kubeconfig, and stay in memory.
examples:
  - name: Scan a cluster and read the result as a table.
    text: az aks wasi-migrate scan -g MyResourceGroup -n MyCluster -o table
  - name: Scan one pool and write a Markdown report for stakeholders.
    text: az aks wasi-migrate scan -g MyResourceGroup -n MyCluster --nodepool-name wasipool --report wasi-report.md
  - name: In a CI pipeline, fail when rendered manifests still carry WASI-specific settings.
    text: |
        helm template ./chart > rendered.yaml
        az aks wasi-migrate scan --manifests rendered.yaml k8s/ --fail-on-findings
"""

helps["aks wasi-migrate cordon"] = """
type: command
short-summary: Mark every node of a WASI pool unschedulable, so no new pod lands there.
long-summary: >
    Nodes are found by their pool label (kubernetes.azure.com/agentpool). Idempotent: a node already cordoned
    is left as it is and not reported as changed. Refuses a pool that is not a WASI pool unless --force.
examples:
  - name: Cordon the WASI pool, after checking what would change.
    text: |
        az aks wasi-migrate cordon -g MyResourceGroup -n MyCluster --nodepool-name wasipool --dry-run
        az aks wasi-migrate cordon -g MyResourceGroup -n MyCluster --nodepool-name wasipool
"""

helps["aks wasi-migrate uncordon"] = """
type: command
short-summary: Make every node of a WASI pool schedulable again (the way back after a cordon).
examples:
  - name: Undo a cordon.
    text: az aks wasi-migrate uncordon -g MyResourceGroup -n MyCluster --nodepool-name wasipool
"""

helps["aks wasi-migrate drain"] = """
type: command
short-summary: Cordon a WASI pool and evict its pods without dropping below any PodDisruptionBudget.
long-summary: >
    The semantics of `kubectl drain`: cordon first; DaemonSet and mirror pods are skipped; bare pods are
    refused unless --force; pods with emptyDir need --delete-emptydir-data. Pods are evicted through the
    Eviction API (policy/v1, or policy/v1beta1 where the server has no v1), never deleted behind a
    PodDisruptionBudget's back; a 429 from a budget is retried with backoff until --drain-timeout runs out.
    Evictions run concurrently, and the command waits until each evicted pod is gone. It ends with a summary
    (evicted, skipped and why, blocked and by which budget) and exits with code 1 naming every pod it could not
    evict in time. Run it again after an interruption: it carries on where it stopped.
examples:
  - name: See what a drain would do, then drain without a prompt (runbooks).
    text: |
        az aks wasi-migrate drain -g MyResourceGroup -n MyCluster --nodepool-name wasipool --dry-run
        az aks wasi-migrate drain -g MyResourceGroup -n MyCluster --nodepool-name wasipool --drain-timeout 20 --yes
  - name: Per-node progress as a table.
    text: az aks wasi-migrate drain -g MyResourceGroup -n MyCluster --nodepool-name wasipool --yes -o table
"""
