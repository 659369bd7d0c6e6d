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
    The first request carries If-None-Match: *, so a pool someone else made meanwhile is never overwritten.
    Running it again when the pool exists with the same provenance changes nothing once AKS says Succeeded; a
    pool it made that Failed is sent again; one still being made (say after Ctrl-C) is waited for. Another pool
    under the name is an error. Nothing is done to the old pool.
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
short-summary: Wait for a node pool or a container group (made by create-pool or create-aci with --no-wait) to reach a state.
long-summary: >
    The conditions of az's generic wait, except that when --timeout passes the command fails (exit code 1,
    naming the state) and no pause between reads runs past the timeout. A pool or group that Failed fails at once.
    --container-group waits for a group create-aci made from this cluster's workloads: its provenance tags
    (wasimig.migratedFrom, wasimig.cluster) must say so, never the name alone; a group of that name made by
    someone else, or for another cluster, is refused.
examples:
  - name: Wait until the replacement pool is created.
    text: az aks wasi-migrate wait -g MyResourceGroup -n MyCluster --nodepool-name spinpool --created
  - name: Wait until a container group create-aci made is created.
    text: az aks wasi-migrate wait -g MyResourceGroup -n MyCluster --container-group spin-web-0 --created
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
    kind once per cluster. Credentials come from Azure (user credentials; --admin for admin ones) and stay in
    memory, or from --kubeconfig, accepted only when it reaches the cluster that -g/-n names; a kubeconfig's
    exec credential plugin runs, as with kubectl. --report writes a file of mode 0600 and keeps one already there
    unless --overwrite. --manifests reads regular files only, up to 32 MiB each; reading no manifest at all is an
    error. Each finding's managedBy says who manages the workload and how that was known (Helm's labels and
    release annotations, Flux's kustomize.toolkit.fluxcd.io and helm.toolkit.fluxcd.io labels, Argo CD's
    tracking annotation or label, the managedFields managers) and, from the owning Kustomization, HelmRelease or
    Application when their CRDs are served and readable, whether its controller would revert a live change
    (reverts true, false, or null with the reason it cannot be told). app.kubernetes.io/instance alone is weak
    evidence: Helm charts set it too.
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
    is left as it is and not reported as changed. Asks first unless --yes (--dry-run never asks). Refuses a
    pool that is not a WASI pool unless --force, and a System pool always.
examples:
  - name: Cordon the WASI pool, after checking what would change.
    text: |
        az aks wasi-migrate cordon -g MyResourceGroup -n MyCluster --nodepool-name wasipool --dry-run
        az aks wasi-migrate cordon -g MyResourceGroup -n MyCluster --nodepool-name wasipool --yes
"""

helps["aks wasi-migrate uncordon"] = """
type: command
short-summary: Make every node of a WASI pool schedulable again (the way back after a cordon).
long-summary: >
    Asks first unless --yes (--dry-run never asks). Refuses a pool that is not a WASI pool unless --force, and a
    System pool always.
examples:
  - name: Undo a cordon.
    text: az aks wasi-migrate uncordon -g MyResourceGroup -n MyCluster --nodepool-name wasipool --yes
"""

helps["aks wasi-migrate drain"] = """
type: command
short-summary: Cordon a WASI pool and evict its pods without dropping below any PodDisruptionBudget.
long-summary: >
    The semantics of `kubectl drain`: cordon first; DaemonSet and mirror pods are skipped; bare pods are
    refused unless --force, which deletes them for good (nothing recreates a bare pod); pods with emptyDir need
    --delete-emptydir-data, which loses that data. Asks first, naming what those flags delete, unless --yes. Pods are evicted through the
    Eviction API (policy/v1, or policy/v1beta1 where the server has no v1), never deleted behind a
    PodDisruptionBudget's back; a 429 from a budget is retried with backoff until --drain-timeout runs out.
    Evictions run concurrently, and the command waits until each evicted pod is gone. It ends with a summary
    (evicted, skipped and why, blocked and by which budget) and exits with code 1 naming every pod it could not
    evict in time. Run it again after an interruption: it carries on where it stopped. Ctrl-C says what was done
    (the nodes stay cordoned; uncordon undoes that).
    Before anything changes, it checks that every pod it would evict has somewhere to go: a Ready, uncordoned
    node outside the pool that the pod's nodeSelector, required node affinity, tolerations and RuntimeClass
    (its scheduling, as the API server merges it) admit. Pods still pinned to the pool (by its labels, or by
    AKS's own RuntimeClass wasmtime-spin-v2, which selects only WASI nodes) refuse the drain, each named with
    the reason, and --dry-run lists them: retarget them first. --force evicts them anyway (their replacements
    stay Pending) and deletes bare pods for good.
examples:
  - name: See what a drain would do, then drain without a prompt (runbooks).
    text: |
        az aks wasi-migrate drain -g MyResourceGroup -n MyCluster --nodepool-name wasipool --dry-run
        az aks wasi-migrate drain -g MyResourceGroup -n MyCluster --nodepool-name wasipool --drain-timeout 20 --yes
  - name: Per-node progress as a table.
    text: az aks wasi-migrate drain -g MyResourceGroup -n MyCluster --nodepool-name wasipool --yes -o table
"""

helps["aks wasi-migrate create-aci"] = """
type: command
short-summary: Run workloads of a WASI pool as Azure Container Instances container groups, one per replica.
long-summary: >
    Each --workload (NAMESPACE/KIND/NAME, tied to a WASI pool as scan reports it) becomes one container group
    per replica, named `<workload>-<replica>`, with a Linux container per container of the pod: image, command
    and args, environment (ConfigMap values resolved; Secret values read from the cluster and sent as secure
    values, never printed or logged), the container's and its Services' ports, CPU and memory from requests and
    limits rounded up to what ACI accepts, liveness and readiness probes, the restart policy, and registry
    credentials from imagePullSecrets. ACI has no Wasm runtime: a Spin app runs in a container of the Spin
    runtime (--spin-image) as `spin up --listen 0.0.0.0:PORT -f <the original image>`; --image runs a container
    image you rebuilt instead. `spin up -f` pulls that image itself, which ACI's registry credentials do not
    cover: the imagePullSecrets' login for its registry is given to Spin as a Docker config.json in a
    read-only secret volume, with DOCKER_CONFIG pointing at it. Networking: a public IP (--dns-name-label) or
    private IPs in --subnet-id. A workload ACI cannot run (persistent volumes, hostPath, sidecar init
    containers, GPUs, a CronJob's schedule, a DaemonSet's one pod per node) fails with the reason and nothing is made for it; the others go on, and the command then exits
    with code 1 naming each failure. Every group carries provenance tags (wasimig.migratedFrom,
    wasimig.cluster, wasimig.replica): running the command again leaves groups made the same way alone
    ("unchanged"), re-sends groups left in state Failed, and refuses any other group under the name.
    Exit codes: 0 done, 1 a workload failed or bad input, 3 a workload, cluster or pool that does not exist.
examples:
  - name: See the container groups a Spin Deployment would become (Secret values shown as ***).
    text: az aks wasi-migrate create-aci -g MyResourceGroup -n MyCluster --workload demo/deployment/spin-web --dry-run
  - name: Create them with a public DNS name, in another resource group.
    text: az aks wasi-migrate create-aci -g MyResourceGroup -n MyCluster --workload demo/deployment/spin-web --dns-name-label spinweb --aci-resource-group MyAciGroup
  - name: Move two workloads into a delegated subnet, with the Spin runtime from your own registry.
    text: az aks wasi-migrate create-aci -g MyResourceGroup -n MyCluster --workload demo/deployment/web demo/job/report --subnet-id /subscriptions/SUB/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/aci --spin-image myregistry.azurecr.io/fermyon/spin:v2.7.0 -o table
  - name: Run a Wasm workload that you rebuilt as a container image.
    text: az aks wasi-migrate create-aci -g MyResourceGroup -n MyCluster --workload demo/deployment/wagi-app --image myregistry.azurecr.io/wagi-app:2.0
"""

helps["aks wasi-migrate retarget"] = """
type: command
short-summary: Point the workloads of a WASI pool at the replacement pool, in phases, with a way back.
long-summary: >
    Changes the pod template of every workload that scan ties to --nodepool-name (Deployments, StatefulSets,
    DaemonSets, standalone ReplicaSets, CronJobs): node selectors and node affinity on the pool labels, the
    WASI-era RuntimeClasses (wasmtime-spin-v1, wasmtime-spin-v0-*, the AKS-made wasmtime-spin-v2) mapped to
    --runtime-class, the Krustlet tolerations and the WAGI annotations dropped. --phase parallel lets pods run
    on both pools, so both serve while the new one is compared; --phase cutover pins them to the new pool;
    --phase rollback restores exactly the placement saved (in the annotation
    wasimig.azure.com/original-placement) before the first change. Changed templates roll out as their
    controllers do. Running it again changes nothing; each change is a merge patch that carries the object's
    resourceVersion and is retried on a conflict. Bare pods and Jobs cannot be changed in place: they are
    reported as skipped (--export-dir writes manifests to recreate them, without the pod's nodeName). The
    --export-dir folder is checked before anything changes; its files get mode 0600, and a file already there is
    kept unless --overwrite. Every phase asks for confirmation before it changes a workload, unless --yes
    (--dry-run never asks). The old pool must be a WASI pool and the new one a standard pool, as Azure says.
    Before any change, every workload it would change must be able to run on a Ready, uncordoned node of the new
    pool, judged by its new nodeSelector, node affinity, tolerations and RuntimeClass; otherwise nothing is
    changed and each such workload is named with the reason (a dry run only warns). The default --runtime-class
    is refused this way while wasmtime-spin-v2 is still AKS's own (it selects only the WASI nodes): create
    SpinKube's RuntimeClass under another name and pass that. A parallel run onto a pool that has no nodes yet
    goes ahead (the pods stay on the old pool).
    A workload that Flux or Argo CD reconciles is refused before any change, naming the manager, its Kustomization,
    HelmRelease or Application and the commands: change the source (az aks wasi-migrate rewrite) and let the
    controller roll it out, or suspend the controller (flux suspend, or turn off the Application's automated sync)
    and pass --allow-managed. A controller that still reconciles is refused even with --allow-managed; one whose
    state cannot be read here needs it. Workloads installed with Helm alone are patched with a warning: the next
    helm upgrade reverts them unless the chart's values change.
    After patching it waits for the rollouts it started, by kubectl rollout status rules, up to --timeout
    seconds (a Deployment past its progress deadline fails at once), and fails naming each workload that did not
    become available and why (a pod Pending with the scheduler's reason, a container in CrashLoopBackOff or
    ImagePullBackOff); --no-wait returns once patched and, as az does for every --no-wait, prints nothing.
    Exit codes: 0 done, 1 an object could not be patched, a rollout did not finish, or bad input, 3 a cluster or
    pool that does not exist.
examples:
  - name: See the change as diffs, then let pods run on both pools.
    text: |
        az aks wasi-migrate retarget -g MyResourceGroup -n MyCluster --nodepool-name wasipool --new-nodepool-name wasipool2 --phase parallel --dry-run --query "[].diff" -o tsv
        az aks wasi-migrate retarget -g MyResourceGroup -n MyCluster --nodepool-name wasipool --new-nodepool-name wasipool2 --phase parallel --yes -o table
  - name: Pin the workloads to the new pool, without a prompt (runbooks).
    text: az aks wasi-migrate retarget -g MyResourceGroup -n MyCluster --nodepool-name wasipool --new-nodepool-name wasipool2 --phase cutover --yes
  - name: Cut over, giving the new pods up to 20 minutes to become available.
    text: az aks wasi-migrate retarget -g MyResourceGroup -n MyCluster --nodepool-name wasipool --new-nodepool-name wasipool2 --phase cutover --yes --timeout 1200
  - name: Go back to the original placement, without waiting for the rollouts.
    text: az aks wasi-migrate retarget -g MyResourceGroup -n MyCluster --nodepool-name wasipool --new-nodepool-name wasipool2 --phase rollback --yes --no-wait
  - name: Only write the retargeted manifests, for a Git repository that is the source of truth.
    text: az aks wasi-migrate retarget -g MyResourceGroup -n MyCluster --nodepool-name wasipool --new-nodepool-name wasipool2 --phase cutover --dry-run --export-dir k8s/retargeted
"""

helps["aks wasi-migrate rewrite"] = """
type: command
short-summary: Apply retarget's placement change to the manifests in a repository, so Git stays the source of truth.
long-summary: >
    Works on files only (no Azure call, no cluster), as scan --manifests reads them: plain and multi-document
    manifests, List documents, kustomize bases and strategic-merge patches, and Helm charts: the
    nodeSelector, tolerations, affinity and runtimeClassName keys of values.yaml that the chart's templates map
    are rewritten; a pin a template hard-codes is reported with its file:line and left alone, as are kustomize
    JSON 6902 patches. Each workload that
    the old pool ties by its placement (a pin on the pool's name, a WASI RuntimeClass, WASI node labels, Krustlet
    tolerations, WAGI annotations) or that an earlier run moved (the annotation
    wasimig.azure.com/original-placement) is changed exactly as retarget changes it live, and the
    --nodepool-name and --new-nodepool-name spelled as their node labels are. Only the lines of the placement
    change: comments, key order, quoting, indentation, anchors, document markers, a BOM and CRLF line ends stay,
    and files not changed stay byte for byte. --phase rollback restores the placement saved by the first
    rewrite, and the file's bytes. JSON manifests are reported, not rewritten.
    Without --in-place or --out-dir nothing is written: each file's unified diff is in the output
    (--query "[].diff" -o tsv prints them). --in-place replaces the changed files atomically, keeping their mode;
    --out-dir writes them to another folder. A symbolic link, a binary file, a path that does not exist or a file
    that is not valid YAML (named with its line) stops the command before anything is written.
    --check writes nothing and exits 1 naming the files that would change, with their diffs: a CI gate.
    Exit codes: 0 done (or nothing to change), 1 a file would change (--check) or bad input.
examples:
  - name: See what the cutover changes in a repository's manifests.
    text: az aks wasi-migrate rewrite --manifests k8s/ --nodepool-name wasipool --new-nodepool-name wasipool2 --phase cutover --query "[].diff" -o tsv
  - name: Rewrite the files in place, for a pull request.
    text: az aks wasi-migrate rewrite --manifests k8s/ --nodepool-name wasipool --new-nodepool-name wasipool2 --phase cutover --in-place -o table
  - name: In CI, fail while any file still holds the old placement.
    text: az aks wasi-migrate rewrite --manifests k8s/ --nodepool-name wasipool --new-nodepool-name wasipool2 --phase cutover --check
  - name: Go back to the original files.
    text: az aks wasi-migrate rewrite --manifests k8s/ --nodepool-name wasipool --new-nodepool-name wasipool2 --phase rollback --in-place
"""

helps["aks wasi-migrate compare"] = """
type: command
short-summary: Compare the parallel run's two sides, old WASI pool against the new pool or ACI, with figures.
long-summary: >
    For each workload running on both sides (or each --workload): start-up per pod from its conditions
    (creation -> PodScheduled -> ContainersReady -> Ready; median and p95 per side; for ACI groups from the
    instance view), stability (restarts, OOMKilled, last termination reasons), and CPU and memory working set
    from metrics.k8s.io sampled over --duration (median and peak; a cluster without metrics-server is said so
    and the rest goes on). With --url-old/--url-new or --pod-proxy, a bounded load runs on both sides at once
    (--duration, --concurrency, --max-requests; no request is retried): requests/s, p50/p90/p95/p99 latency and
    error rate per side. A URL outside private address space is warned about and asked for unless --yes.
    Every figure comes as old, new and new/old. --max-regression PCT exits 1 naming each of p95 latency, peak
    memory or p95 start-up that is more than PCT percent worse on the new side. --report FILE writes Markdown
    with SVG charts next to it. Exit codes: 0 compared, 1 regression or error, 3 cluster or pool not found.
examples:
  - name: Compare start-up and stability of the workloads running on both pools.
    text: az aks wasi-migrate compare -g MyResourceGroup -n MyCluster --nodepool-name wasipool --new-nodepool-name wasipool2 -o table
  - name: Compare a workload on the old pool with its ACI container groups, and write a report.
    text: az aks wasi-migrate compare -g MyResourceGroup -n MyCluster --nodepool-name wasipool --aci --workload demo/deployment/spin-web --report compare.md
  - name: Load both sides (here through local port-forwards) for 20 seconds; fail if the new side is more than 10% worse.
    text: az aks wasi-migrate compare -g MyResourceGroup -n MyCluster --nodepool-name wasipool --new-nodepool-name wasipool2 --workload demo/deployment/spin-api --url-old http://127.0.0.1:47181/ --url-new http://127.0.0.1:47182/ --duration 20 --concurrency 4 --max-regression 10
"""

helps["aks wasi-migrate verify"] = """
type: command
short-summary: Check that the new home of a move is ready to take over for good, gate by gate.
long-summary: >
    Reads the cluster once, its Warning events once, then Azure, and holds the move off --nodepool-name to gates,
    each reported with its evidence. new-pool: ARM says the pool is Succeeded and Running; its nodes (label
    kubernetes.azure.com/agentpool) are Ready and schedulable, as many as its count (or autoscale minimum).
    For every workload scan ties to the old pool and every one retarget moved off it (its saved placement):
    rollouts (kubectl rollout status rules; a Deployment past its progress deadline fails; a CronJob's last
    finished run succeeded), off-old-pool (no pod left on the old pool's nodes; DaemonSets aside), on-new-pool
    (every pod on the new pool's nodes; a Pending pod says why), containers (none waiting in CrashLoopBackOff,
    ImagePullBackOff, ErrImagePull or CreateContainerConfigError, none OOMKilled), restarts (at most
    --max-restarts per pod), events (no Warning FailedScheduling, FailedCreatePodSandBox, BackOff or Unhealthy
    about their pods; a FailedScheduling the pod got past is not counted), runtime-classes (each RuntimeClass
    they use exists, admits the new pool's nodes and selects none of the old pool's), managed-sources (none
    managed by Flux or Argo CD whose controller is suspended, or cannot be read, while retarget's saved placement
    of this move is on it: the source may still pin the old pool, and resuming would put it back; change the
    source, resume the controller, verify again). With --aci instead of a
    pool: aci-groups (each container group create-aci made for this cluster, found by its provenance tags, is
    Succeeded and Running, each container Running with no restart and no Warning or Failed event, and every
    workload has one). --soak repeats the checks every --interval seconds for that many minutes; the first failing
    check ends it. It changes nothing. Exit codes: 0 every gate passed (the gates are printed); 1 a gate failed
    (the error names each failed gate and object and nothing is printed on stdout, as az does on an error:
    --report keeps every gate's evidence) or bad input; 3 a cluster, pool or container group that does not exist.
examples:
  - name: Check the new pool and the workloads moved to it, once.
    text: az aks wasi-migrate verify -g MyResourceGroup -n MyCluster --nodepool-name wasipool --new-nodepool-name wasipool2 -o table
  - name: A soak of one minute, a check every 20 seconds, one restart allowed per pod, with a report for the change ticket (a real final soak is longer, e.g. --soak 60).
    text: az aks wasi-migrate verify -g MyResourceGroup -n MyCluster --nodepool-name wasipool --new-nodepool-name wasipool2 --soak 1 --interval 20 --max-restarts 1 --report verify-wasipool.md
  - name: Check the container groups made by create-aci for the workloads of a WASI pool.
    text: az aks wasi-migrate verify -g MyResourceGroup -n MyCluster --nodepool-name wasipool --aci --aci-resource-group MyAciGroup
"""

helps["aks wasi-migrate delete-pool"] = """
type: command
short-summary: Delete a WASI node pool once its replacement is verified (the guarded decommission).
long-summary: >
    The one step that cannot be undone: AKS creates no WASI pool any more. It refuses unless Azure says the pool
    is a WASI pool and not the cluster's last System pool, the replacement named is a pool wasimig made from it
    (--new-nodepool-name, its wasimig.migratedFrom tag; or --aci for the container groups create-aci made for this
    move), and verify passes at that moment: the same gates, --soak MINUTES holding them over a window (as verify
    --soak). No flag skips verification: a failed gate is fixed, not forced. Pods other than DaemonSet and mirror
    pods still on the pool refuse the deletion (drain first), unless --drain, which drains as the drain command
    does and then verifies. The DELETE honours PodDisruptionBudgets unless --ignore-pdb. It asks first unless
    --yes (with no terminal and no --yes it refuses); --dry-run checks the gates once and shows what would be
    deleted; --no-wait returns once AKS has accepted the deletion (follow it with wait --deleted). It prints a
    decommission record (what, when, the gates' evidence) for a change ticket.
    Exit codes: 0 deleted (or accepted, or a dry run), 1 a gate failed, pods are in the way or bad input,
    3 the cluster, the pool (already deleted) or the move's container groups do not exist.
examples:
  - name: See the gates and what would be deleted, then delete the old pool (it asks first unless --yes).
    text: |
        az aks wasi-migrate delete-pool -g MyResourceGroup -n MyCluster --nodepool-name wasipool --new-nodepool-name wasipool2 --dry-run -o table
        az aks wasi-migrate delete-pool -g MyResourceGroup -n MyCluster --nodepool-name wasipool --new-nodepool-name wasipool2 --yes
"""

helps["aks wasi-migrate rollback"] = """
type: command
short-summary: Go back to the WASI pool, the whole way, in the reverse order of the migration.
long-summary: >
    Uncordons the old pool; restores every workload of this move (old -> new pool) to the placement saved before
    the first change (as retarget --phase rollback does, which remains the placement step on its own); waits
    until they are available again on the old pool (kubectl's rollout-status rules) or --timeout passes; then,
    only when asked, deletes the new pool (--delete-new-pool: only if its provenance tag says wasimig made it
    from the old pool, and once nothing but DaemonSet pods runs there) and the container groups create-aci made
    for this move (--delete-aci, found by their provenance tags, never by name). The companion copies a cutover's
    parallel phase left on the new pool are deleted once the workloads are back (step removeCompanions: only
    Deployments with every companion mark naming this cluster and old pool). Each step is reported and
    idempotent: a second run changes nothing. Asks first unless --yes; --dry-run shows what each step would do.
    Once the old pool has been deleted there is nothing to go back to (a WASI pool cannot be created again): the
    rollback is refused, saying what can still be done. With --aci instead of --new-nodepool-name (a move made by
    cutover --aci): the workloads whose in-cluster copies its switch scaled to 0 get their saved replicas back
    (step restoreReplicas), then the wait on the old pool as above; --delete-aci deletes the move's groups.
    Exit codes: 0 done, 1 a step failed or bad input, 3 the cluster or the old pool does not exist.
examples:
  - name: See what a rollback would do, then go back to the old pool.
    text: |
        az aks wasi-migrate rollback -g MyResourceGroup -n MyCluster --nodepool-name wasipool --new-nodepool-name wasipool2 --dry-run -o table
        az aks wasi-migrate rollback -g MyResourceGroup -n MyCluster --nodepool-name wasipool --new-nodepool-name wasipool2 --yes -o table
  - name: Give up a replacement pool that is not wanted after all, and delete it (only if wasimig made it).
    text: az aks wasi-migrate rollback -g MyResourceGroup -n MyCluster --nodepool-name wasipool --new-nodepool-name spinpool --delete-new-pool --yes -o table
  - name: See what undoing a cutover --aci would do (its in-cluster copies scaled back, its container groups deleted).
    text: az aks wasi-migrate rollback -g MyResourceGroup -n MyCluster --nodepool-name wasipool --aci --delete-aci --dry-run -o table
"""

helps["aks wasi-migrate cutover"] = """
type: command
short-summary: The whole migration of a WASI pool as one resumable run, for runbooks and Cloud Shell.
long-summary: >
    Runs the phases in order, each with the phase command's own code: preflight (scan; a blocker stops the run
    before any change; the plan is recorded: what moves and how, the new pool's body, the gates; with
    --freeze-old-pool the old pool's autoscaler goes off at its current count first), prepare (create-pool and its
    nodes Ready), parallel (retarget --phase parallel; verify's gates on the new pool, off-old-pool and on-new-pool
    aside, for --parallel-soak minutes; a Deployment whose new placement admits no node of the old pool is left
    there as it is, and a companion copy of it, NAME-wasimig-companion with its pod labels and --parallel-replicas
    replicas, runs on the new pool and is checked in its stead), switch (retarget --phase cutover; its rollouts;
    then each companion deleted once its original is available on the new pool), drain (cordon the whole
    old pool, then drain --drain-batch-size nodes at a time, --batch-soak minutes between batches, PDBs
    honoured), verify (every gate held for --final-soak minutes), decommission (delete-pool's own run: the pair
    proven from ARM, no pods left, every gate checked once more, one DELETE of the old pool; only after the final
    verify passed under this plan; --until verify keeps the old pool). The DELETE is sent at most once: a re-run
    after an interruption waits for the one AKS is carrying out, or sends it again after AKS failed it; once the
    pool is gone the same command and --status still say where the cutover stands.
    With --aci (not with --new-nodepool-name) the new home is Azure Container Instances: preflight also stops on
    what create-aci refuses (found by its dry run; the plan names the groups it would make), prepare runs
    create-aci for every workload of the plan and waits until each group is Succeeded and Running (as wait
    --container-group), parallel leaves the in-cluster copies serving and holds verify --aci's gates, and switch
    stops the in-cluster copies taking traffic by scaling each Deployment, StatefulSet and ReplicaSet to 0, its
    replicas saved in the annotation wasimig.azure.com/original-replicas (rollback --aci scales them back);
    drain and verify (verify --aci's gates) follow as for a pool. --aci-resource-group: where the groups go
    (default: the cluster's).
    The run keeps a record in the cluster (ConfigMap in namespace wasimig-system, one per cluster and old pool:
    the plan, each phase's state, times and evidence, what was created, the faults seen; never a secret), which is
    also a lease: a second run on the same pool refuses while the first is alive. Running the same command again,
    from any machine, resumes at the first unfinished phase; a run with other flags or other workloads is refused
    with the difference unless --replan. SIGINT/SIGTERM let the request in flight finish, stop at the next safe
    point, write the record and exit 1 with the command that resumes; a second Ctrl-C stops at once.
    Output: JSON on stdout (phase, completed, nextPhase, gates, created, durationSeconds, phases, faults, plan),
    also when a gate failed; progress on stderr, a line per step with the elapsed time. Exit codes: 0 done or
    --until reached; 1 a gate failed, the run was aborted or interrupted (the JSON names the gate and nextCommand),
    or bad input; 2 usage; 3 a cluster, pool or record that does not exist.
examples:
  - name: See the plan and where a run would start, changing nothing.
    text: az aks wasi-migrate cutover -g MyResourceGroup -n MyCluster --nodepool-name wasipool --new-nodepool-name wasipool2 --dry-run
  - name: See which Deployments the parallel phase would give a companion copy on the new pool (the plan's companions), one replica each.
    text: az aks wasi-migrate cutover -g MyResourceGroup -n MyCluster --nodepool-name wasipool --new-nodepool-name wasipool2 --parallel-replicas 1 --dry-run
  - name: Run preflight to switch on Monday (the record remembers where it stopped) ...
    text: az aks wasi-migrate cutover -g MyResourceGroup -n MyCluster --nodepool-name wasipool --new-nodepool-name wasipool2 --until switch --yes
  - name: ... and the rest on Tuesday, old pool deleted last, two nodes at a time with a minute between batches and half a minute of final soak, checked every 10 seconds (a real final soak is longer, e.g. the default 10); --replan because these flags differ from Monday's.
    text: az aks wasi-migrate cutover -g MyResourceGroup -n MyCluster --nodepool-name wasipool --new-nodepool-name wasipool2 --drain-batch-size 2 --batch-soak 1 --final-soak 0.5 --interval 10 --replan --yes
  - name: Where does the cutover stand?
    text: az aks wasi-migrate cutover -g MyResourceGroup -n MyCluster --nodepool-name wasipool --status -o table
  - name: Stop the running cutover at its next safe point.
    text: az aks wasi-migrate cutover -g MyResourceGroup -n MyCluster --nodepool-name wasipool --abort
  - name: See the plan of a move to Azure Container Instances instead (the groups it would make, what create-aci refuses).
    text: az aks wasi-migrate cutover -g MyResourceGroup -n MyCluster --nodepool-name wasipool --aci --dry-run
"""
