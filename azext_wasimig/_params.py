"""Arguments of `az aks wasi-migrate` commands (loaded only when an `az aks` command is parsed)."""

# Flag spellings follow `az aks` / `az aks nodepool` so that AKS users find what they know:
# -n/--name is the cluster (as in `az aks show`), --nodepool-name the pool.

CLUSTER_OPTIONS = ["--name", "-n", "--cluster-name"]


def load_arguments(self, _):
    for load in (_every_command, _list, _create_pool, _wait, _cluster_access,
                 _scan, _cordon_uncordon, _drain, _create_aci, _retarget, _rewrite, _compare_arguments,
                 _delete_pool, _rollback, _cutover):
        load(self)


def _every_command(loader):
    """The names every command shares: -g, -n (the cluster), --nodepool-name."""
    from azure.cli.core.commands.parameters import resource_group_name_type
    with loader.argument_context("aks wasi-migrate") as c:
        c.argument("resource_group_name", resource_group_name_type)
        c.argument("cluster_name", options_list=CLUSTER_OPTIONS, help="Name of the AKS managed cluster.")
        c.argument("nodepool_name", options_list=["--nodepool-name"],
                   help="Name of the WASI node pool (the old pool being migrated).")


def _list(loader):
    from azure.cli.core.commands.parameters import resource_group_name_type
    with loader.argument_context("aks wasi-migrate list") as c:
        c.argument("resource_group_name", resource_group_name_type, required=False,
                   help="Only clusters in this resource group. Default: the whole subscription.")
        c.argument("cluster_name", options_list=CLUSTER_OPTIONS, required=False,
                   help="Only this cluster (needs --resource-group). Its pools are read one by one.")
        c.argument("all_subscriptions", options_list=["--all-subscriptions"], action="store_true",
                   help="Search every subscription the signed-in identity can see, several at a time. "
                        "A subscription that cannot be read is reported as a warning; the rest are listed.")


def _create_pool(loader):
    with loader.argument_context("aks wasi-migrate create-pool") as c:
        c.argument("new_nodepool_name", options_list=["--new-nodepool-name"],
                   help="Name of the replacement pool: a lowercase letter, then up to 11 lowercase letters or "
                        "digits. Default: derived from the old name (wasi -> wasi2).")
        # The overrides reach wasi_create_pool as one checked pool_spec.PoolOverrides (validate_create_pool).
        c.ignore("overrides")
        c.extra("vm_size", options_list=["--vm-size"], help="VM size of the new pool. Default: the old pool's.")
        c.extra("node_count", options_list=["--node-count", "-c"], type=int,
                help="Node count of the new pool. Default: the old pool's.")
        c.extra("min_count", options_list=["--min-count"], type=int,
                help="Autoscaler minimum (with --max-count). Default: the old pool's.")
        c.extra("max_count", options_list=["--max-count"], type=int,
                help="Autoscaler maximum (with --min-count). Default: the old pool's.")
        c.extra("zones", options_list=["--zones", "-z"], nargs="+",
                help="Availability zones, space-separated (1 2 3). Default: the old pool's.")
        c.extra("labels", options_list=["--labels"], nargs="*",
                help="Extra node labels, space-separated key=value, merged over the old pool's "
                     "(its WASI-specific labels are never carried).")
        c.argument("spin_shim", options_list=["--spin-shim"], action="store_true",
                   help="Label the new nodes spin=true, the label the SpinKube runtime-class-manager Shim "
                        "selects on, so the Spin shim is installed on exactly these nodes.")
        c.argument("dry_run", options_list=["--dry-run"], action="store_true",
                   help="Print the body that would be sent and change nothing.")


def _wait(loader):
    with loader.argument_context("aks wasi-migrate wait") as c:
        c.argument("nodepool_name", options_list=["--nodepool-name"],
                   help="Name of the node pool to wait for (usually the new pool). Not with --container-group.")
        c.argument("container_group", options_list=["--container-group"],
                   help="Name of a container group create-aci made from this cluster's workloads (its provenance "
                        "tags must say so) to wait for, instead of a node pool.")
        c.argument("aci_resource_group", options_list=["--aci-resource-group"],
                   help="Resource group of the --container-group. Default: the cluster's.")
        # The flags of azure-cli's generic wait, so that runbooks read the same; see waiting.py for what differs.
        group = "Wait Condition"
        for flag, what in (("created", "created, with provisioningState Succeeded"),
                           ("updated", "updated, with provisioningState Succeeded"),
                           ("deleted", "deleted"), ("exists", "it exists")):
            c.argument(flag, options_list=[f"--{flag}"], action="store_true", arg_group=group,
                       help=f"Wait until {what}.")
        c.argument("custom", options_list=["--custom"], arg_group=group,
                   help="Wait until this JMESPath query on the pool (as az aks nodepool show prints it) or the "
                        "container group (as az container show prints it) is true, e.g. "
                        "\"provisioningState!='Creating'\".")
        c.argument("interval", options_list=["--interval"], type=int, arg_group=group,
                   help="Seconds between reads (never past the timeout).")
        c.argument("timeout", options_list=["--timeout"], type=int, arg_group=group,
                   help="Most seconds to wait; when they pass the command fails with exit code 1.")


def _cluster_access(loader):
    """How the commands that talk to the cluster reach it."""
    for scope in ("scan", "cordon", "uncordon", "drain", "create-aci", "retarget", "compare", "verify",
                  "delete-pool", "rollback", "cutover"):
        with loader.argument_context(f"aks wasi-migrate {scope}") as c:
            c.argument("admin", options_list=["--admin"], action="store_true",
                       help="Use the cluster's admin credentials instead of your user credentials.")
            c.argument("kubeconfig", options_list=["--kubeconfig"],
                       help="Use this kubeconfig file instead of fetching credentials from Azure (not with --admin). "
                            "It must reach the cluster -g/-n names: its server is the cluster's FQDN, or the pool's "
                            "nodes have providerIDs in the cluster's subscription and node resource group. Its exec "
                            "credential plugin, if any, runs as with kubectl (stdin closed, stopped after 60 s).")
            c.argument("context", options_list=["--context"],
                       help="The kubeconfig context to use (default: its current-context).")


def _scan(loader):
    from azure.cli.core.commands.parameters import resource_group_name_type
    with loader.argument_context("aks wasi-migrate scan") as c:
        c.argument("resource_group_name", resource_group_name_type, required=False)
        c.argument("cluster_name", options_list=CLUSTER_OPTIONS, required=False,
                   help="Name of the AKS managed cluster to scan (with -g).")
        c.argument("nodepool_name", options_list=["--nodepool-name"],
                   help="Only workloads tied to this WASI pool. With --manifests: also count selectors on this "
                        "pool's name.")
        c.argument("manifests", options_list=["--manifests"], nargs="+",
                   help="Scan these YAML/JSON files or folders (multi-document, Helm or kustomize output) "
                        "instead of a cluster.")
        c.argument("report", options_list=["--report"],
                   help="Also write a Markdown report for people to this file (mode 0600; an existing file is kept "
                        "unless --overwrite).")
        c.argument("overwrite", options_list=["--overwrite"], action="store_true",
                   help="Replace the --report file if it exists (never through a symbolic link).")
        c.argument("fail_on_findings", options_list=["--fail-on-findings"], action="store_true",
                   help="Exit with code 1, listing them, when any workload still has WASI-specific settings, "
                        "blockers or warnings (for CI pipelines).")


def _cordon_uncordon(loader):
    for verb in ("cordon", "uncordon"):
        with loader.argument_context(f"aks wasi-migrate {verb}") as c:
            c.argument("force", options_list=["--force"], action="store_true",
                       help="Also act on a User pool that is not a WASI pool (never on a System pool).")
            c.argument("dry_run", options_list=["--dry-run"], action="store_true",
                       help="Show which nodes would change and change nothing (never asks).")
            c.argument("yes", options_list=["--yes", "-y"], action="store_true",
                       help="Do not prompt for confirmation.")


def _drain(loader):
    with loader.argument_context("aks wasi-migrate drain") as c:
        # Not parameters of wasi_drain: validate_drain makes them one DrainOptions value (drain_options).
        c.extra("drain_timeout", options_list=["--drain-timeout"], type=int, default=30,
                help="Minutes to keep trying (PodDisruptionBudgets answer 429 until replacements are Ready) "
                     "before giving up and naming every pod left.")
        c.extra("grace_period", options_list=["--grace-period"], type=int,
                help="Seconds each pod gets to terminate. Default: the pod's own terminationGracePeriodSeconds.")
        c.extra("force", options_list=["--force"], action="store_true",
                help="Also evict pods that no controller manages (bare pods: they are deleted for good) and pods "
                     "whose replacements no node outside the pool would take (they stay Pending).")
        c.extra("delete_emptydir_data", options_list=["--delete-emptydir-data"], action="store_true",
                help="Also evict pods that use emptyDir volumes; that data is lost.")
        c.extra("dry_run", options_list=["--dry-run"], action="store_true",
                help="List what would be evicted and what blocks, and change nothing.")
        c.ignore("drain_options")
        c.argument("yes", options_list=["--yes", "-y"], action="store_true",
                   help="Do not prompt for confirmation.")


def _create_aci(loader):
    with loader.argument_context("aks wasi-migrate create-aci") as c:
        c.argument("workloads", options_list=["--workload"], nargs="+",
                   help="Workloads to move, space-separated NAMESPACE/KIND/NAME (e.g. demo/deployment/web; kinds: "
                        "deployment, statefulset, daemonset, replicaset, job, pod and their short names). Each must "
                        "be tied to a WASI pool, as scan reports it.")
        c.argument("nodepool_name", options_list=["--nodepool-name"],
                   help="Only accept workloads tied to this WASI pool. Default: any WASI pool of the cluster.")
        c.argument("aci_resource_group", options_list=["--aci-resource-group"],
                   help="Resource group for the container groups (it must exist). Default: the cluster's.")
        # Not `location`: the CLI's global location argument type would take `az configure --defaults location`
        # over the cluster's region, and look display names up in ARM while parsing.
        c.argument("aci_location", options_list=["--location", "-l"],
                   help="Azure region of the container groups, e.g. westeurope. Default: the cluster's.")
        c.argument("subnet_id", options_list=["--subnet-id"],
                   help="Resource id of a subnet delegated to ACI: the groups get private IPs there. "
                        "Default: a public IP.")
        c.argument("dns_name_label", options_list=["--dns-name-label"],
                   help="DNS name label of the public IP (LABEL.REGION.azurecontainer.io); with several replicas "
                        "each group gets `LABEL-<replica>`. One workload only; not with --subnet-id.")
        c.argument("spin_image", options_list=["--spin-image"],
                   help="Container image of the Spin runtime that runs a Spin app in ACI (a mirror in your registry, "
                        "say). Default: the pinned ghcr.io/fermyon/spin image.")
        c.argument("image", options_list=["--image"],
                   help="Run this container image instead (a Wasm workload you rebuilt as a container); its own "
                        "entrypoint runs. One workload only.")
        c.argument("dry_run", options_list=["--dry-run"], action="store_true",
                   help="Print the container-group bodies (Secret values as ***) and create nothing.")


def _retarget(loader):
    from azure.cli.core.commands.parameters import get_enum_type
    with loader.argument_context("aks wasi-migrate retarget") as c:
        c.argument("nodepool_name", options_list=["--nodepool-name"],
                   help="Name of the WASI node pool the workloads are moved off.")
        c.argument("new_nodepool_name", options_list=["--new-nodepool-name"],
                   help="Name of the replacement pool (a standard pool, e.g. made by create-pool).")
        c.argument("phase", options_list=["--phase"], arg_type=get_enum_type(["parallel", "cutover", "rollback"]),
                   help="Where the pods may run. parallel: on both pools (compare them side by side); cutover: "
                        "only on the new pool; rollback: where they ran before the first change (the saved "
                        "placement).")
        c.argument("runtime_class", options_list=["--runtime-class"],
                   help="RuntimeClass that replaces the WASI-era ones (wasmtime-spin-v1, wasmtime-spin-v0-*, the "
                        "AKS-made wasmtime-spin-v2), e.g. SpinKube's wasmtime-spin-v2.")
        c.argument("dry_run", options_list=["--dry-run"], action="store_true",
                   help="Print a unified diff per object and change nothing.")
        c.argument("export_dir", options_list=["--export-dir"],
                   help="Also write the retargeted manifests as YAML to this folder (for a Git source of truth), "
                        "mode 0600, checked before anything changes. With --dry-run, only the files are written.")
        c.argument("overwrite", options_list=["--overwrite"], action="store_true",
                   help="Replace manifests already in the --export-dir folder (never through a symbolic link).")
        c.argument("yes", options_list=["--yes", "-y"], action="store_true",
                   help="Do not prompt for confirmation (every phase asks before it changes a workload).")
        c.argument("allow_managed", options_list=["--allow-managed"], action="store_true",
                   help="Patch workloads that Flux or Argo CD manage, once their controller is suspended (or its "
                        "state cannot be read here). A controller that still reconciles is refused even so.")
        c.argument("timeout", options_list=["--timeout"], type=int,
                   help="Seconds to wait for the rollouts the patches started (kubectl rollout status rules) before "
                        "failing with exit code 1, naming each that did not become available and why.")


def _rewrite(loader):
    from azure.cli.core.commands.parameters import get_enum_type
    with loader.argument_context("aks wasi-migrate rewrite") as c:
        c.argument("manifests", options_list=["--manifests"], nargs="+",
                   help="YAML files or folders to rewrite: plain and multi-document manifests, kustomize bases and "
                        "patches, Helm charts (their values.yaml). Folders are searched for *.yaml, *.yml, *.json.")
        c.argument("nodepool_name", options_list=["--nodepool-name"],
                   help="Name of the WASI node pool the workloads are moved off.")
        c.argument("new_nodepool_name", options_list=["--new-nodepool-name"],
                   help="Name of the replacement pool the files should place the workloads on.")
        c.argument("phase", options_list=["--phase"], arg_type=get_enum_type(["parallel", "cutover", "rollback"]),
                   help="As retarget: parallel (both pools), cutover (only the new pool), rollback (the placement "
                        "saved by the first rewrite, and the file's original bytes).")
        c.argument("runtime_class", options_list=["--runtime-class"],
                   help="RuntimeClass that replaces the WASI-era ones, e.g. SpinKube's wasmtime-spin-v2.")
        c.argument("out_dir", options_list=["--out-dir"],
                   help="Write the changed files to this folder (at their paths below the path named) instead of "
                        "only printing the diffs. Not inside a --manifests path.")
        c.argument("in_place", options_list=["--in-place"], action="store_true",
                   help="Rewrite the changed files where they are (atomically, keeping their mode).")
        c.argument("overwrite", options_list=["--overwrite"], action="store_true",
                   help="Replace files already in the --out-dir folder (never through a symbolic link).")
        c.argument("check", options_list=["--check"], action="store_true",
                   help="Write nothing; exit with code 1, naming the files and their diffs, when any would change "
                        "(a CI gate).")
        c.argument("dry_run", options_list=["--dry-run"], action="store_true",
                   help="Print the diffs and write nothing, even with --in-place or --out-dir.")


def _new_home(c):
    """Where the workloads moved, as compare and verify name it: a pool, or the ACI groups create-aci made."""
    c.argument("new_nodepool_name", options_list=["--new-nodepool-name"],
               help="Name of the pool the workloads moved to, a standard pool (not with --aci).")
    c.argument("aci", options_list=["--aci"], action="store_true",
               help="The workloads moved to Azure Container Instances: the container groups create-aci made for "
                    "this cluster (found by their provenance tags) instead of a pool.")
    c.argument("aci_resource_group", options_list=["--aci-resource-group"],
               help="With --aci: the resource group of the container groups. Default: the cluster's.")


def _compare_arguments(self):
    from azext_wasimig.compare.options import MAX_CONCURRENCY, MAX_DURATION, MAX_REQUESTS
    with self.argument_context("aks wasi-migrate compare") as c:
        c.argument("nodepool_name", options_list=["--nodepool-name"],
                   help="Name of the WASI node pool: the old side of the parallel run.")
        _new_home(c)
        c.argument("workloads", options_list=["--workload"], nargs="+",
                   help="Only these workloads, space-separated NAMESPACE/KIND/NAME (e.g. demo/deployment/web); each "
                        "must run on both sides. Default: every workload that does.")
        c.argument("duration", options_list=["--duration"], type=int,
                   help=f"Seconds to load (and sample CPU and memory), 1 to {MAX_DURATION}.")
        c.argument("concurrency", options_list=["--concurrency"], type=int,
                   help=f"Connections per side during the load, 1 to {MAX_CONCURRENCY}.")
        c.argument("max_requests", options_list=["--max-requests"], type=int,
                   help=f"At most this many requests per side, 1 to {MAX_REQUESTS}.")
        c.argument("url_old", options_list=["--url-old"], arg_group="Load",
                   help="http(s) URL of the old side (an ingress, a LoadBalancer): loaded with --url-new.")
        c.argument("url_new", options_list=["--url-new"], arg_group="Load",
                   help="http(s) URL of the new side (an ingress, a LoadBalancer, the ACI group's FQDN).")
        c.argument("pod_proxy", options_list=["--pod-proxy"], arg_group="Load",
                   help="PORT[/PATH]: load one pod per side through the API server's pod proxy (one workload).")
        c.argument("max_regression", options_list=["--max-regression"],
                   help="Percent the new side may be worse (p95 latency, peak memory, p95 start-up) before the "
                        "command exits 1 naming the figure, e.g. 10.")
        c.argument("report", options_list=["--report"],
                   help="Also write a Markdown report to this file (mode 0600), with its SVG charts next to it "
                        "(FILE-latency.svg, FILE-startup.svg).")
        c.argument("overwrite", options_list=["--overwrite"], action="store_true",
                   help="Replace the report and its charts if they exist (never through a symbolic link).")
        c.argument("yes", options_list=["--yes", "-y"], action="store_true",
                   help="Do not ask before loading a URL outside private address space.")

    with self.argument_context("aks wasi-migrate verify") as c:
        c.argument("nodepool_name", options_list=["--nodepool-name"],
                   help="Name of the WASI node pool the workloads were moved off.")
        _new_home(c)
        c.argument("soak", options_list=["--soak"], type=int,
                   help="Minutes the gates must keep holding, checked every --interval; the first failing check "
                        "ends it. Default: 0 (one check).")
        c.argument("interval", options_list=["--interval"], type=int,
                   help="Seconds between checks during --soak.")
        c.argument("max_restarts", options_list=["--max-restarts"], type=int,
                   help="Container restarts allowed per pod since it moved. Default: 0.")
        c.argument("report", options_list=["--report"],
                   help="Also write the gates and their evidence as Markdown to this file, pass or fail (mode 0600; "
                        "an existing file is kept unless --overwrite).")
        c.argument("overwrite", options_list=["--overwrite"], action="store_true",
                   help="Replace the --report file if it exists (never through a symbolic link).")


def _delete_pool(loader):
    with loader.argument_context("aks wasi-migrate delete-pool") as c:
        # Not parameters of wasi_delete_pool: validate_delete_pool makes them one DeletePoolRequest (request).
        c.ignore("request")
        c.extra("nodepool_name", options_list=["--nodepool-name"], required=True,
                help="Name of the WASI node pool to delete (the old pool, once its workloads have moved).")
        c.extra("new_nodepool_name", options_list=["--new-nodepool-name"],
                help="The pool that replaced it: one wasimig made from it (its wasimig.migratedFrom tag names the "
                     "old pool). Not with --aci.")
        c.extra("aci", options_list=["--aci"], action="store_true",
                help="The workloads moved to Azure Container Instances (the groups create-aci made for this move).")
        c.extra("aci_resource_group", options_list=["--aci-resource-group"],
                help="Resource group of the container groups (with --aci). Default: the cluster's.")
        c.extra("soak", options_list=["--soak"], type=int, default=0,
                help="Minutes verify's gates must keep passing before the pool is deleted (checked every "
                     "--interval seconds; the first failing check stops it); 0 is one check.")
        c.extra("interval", options_list=["--interval"], type=int, default=30,
                help="Seconds between checks during --soak.")
        c.extra("max_restarts", options_list=["--max-restarts"], type=int, default=0,
                help="Container restarts allowed per pod since it moved.")
        c.extra("drain", options_list=["--drain"], action="store_true",
                help="Drain pods still on the pool first (as the drain command does: evictions honouring "
                     "PodDisruptionBudgets), then verify. Without it such pods refuse the deletion.")
        c.extra("drain_timeout", options_list=["--drain-timeout"], type=int, default=30,
                help="With --drain: minutes to keep evicting before giving up.")
        c.extra("grace_period", options_list=["--grace-period"], type=int,
                help="With --drain: seconds each pod gets to terminate. Default: the pod's own.")
        c.extra("delete_emptydir_data", options_list=["--delete-emptydir-data"], action="store_true",
                help="With --drain: also evict pods that use emptyDir volumes; that data is lost.")
        c.extra("ignore_pdb", options_list=["--ignore-pdb"], action="store_true",
                help="Ask AKS to delete the nodes without honouring PodDisruptionBudgets "
                     "(ignore-pod-disruption-budget=true). Default: they are honoured.")
        c.extra("dry_run", options_list=["--dry-run"], action="store_true",
                help="Check the gates once and show what would be deleted (or drained); change nothing.")
        # Its own flag, not az's supports_no_wait (which would print nothing): the record still prints.
        c.extra("no_wait", options_list=["--no-wait"], action="store_true",
                help="Do not wait for AKS to finish the deletion (the record still prints); follow it with "
                     "'az aks wasi-migrate wait --nodepool-name OLD --deleted'.")
        c.argument("yes", options_list=["--yes", "-y"], action="store_true",
                   help="Do not prompt for confirmation.")


def _rollback(loader):
    with loader.argument_context("aks wasi-migrate rollback") as c:
        # Not parameters of wasi_rollback: validate_rollback makes them one RollbackRequest (request).
        c.ignore("request")
        c.extra("nodepool_name", options_list=["--nodepool-name"], required=True,
                help="Name of the WASI node pool to go back to (it must still exist).")
        c.extra("new_nodepool_name", options_list=["--new-nodepool-name"],
                help="Name of the pool the workloads were moved to (it may be gone already). Or --aci.")
        c.extra("aci", options_list=["--aci"], action="store_true",
                help="The workloads were moved to container groups by 'cutover --aci': scale their in-cluster "
                     "copies back to the replicas it saved (instead of --new-nodepool-name).")
        c.extra("delete_new_pool", options_list=["--delete-new-pool"], action="store_true",
                help="Then delete the new pool: only if wasimig made it from the old pool (its provenance tag) "
                     "and once nothing but DaemonSet pods runs there.")
        c.extra("delete_aci", options_list=["--delete-aci"], action="store_true",
                help="Then delete the container groups create-aci made for this move (found by their provenance "
                     "tags, never by name).")
        c.extra("aci_resource_group", options_list=["--aci-resource-group"],
                help="Resource group of the container groups (with --delete-aci). Default: the cluster's.")
        c.extra("timeout", options_list=["--timeout"], type=int, default=600,
                help="Seconds to wait for the workloads to be available again on the old pool (and for the new "
                     "pool to be empty).")
        c.extra("dry_run", options_list=["--dry-run"], action="store_true",
                help="Show each step and what it would change, and change nothing.")
        c.argument("yes", options_list=["--yes", "-y"], action="store_true",
                   help="Do not prompt for confirmation.")


CUTOVER_FLAGS = ("new_nodepool_name", "runtime_class", "drain_batch_size", "batch_soak", "parallel_soak",
                 "parallel_replicas", "final_soak", "interval", "max_restarts", "grace_period", "drain_timeout",
                 "freeze_old_pool", "aci", "aci_resource_group")   # -> cutover_options


def _cutover(loader):
    from azure.cli.core.commands.parameters import get_enum_type
    with loader.argument_context("aks wasi-migrate cutover") as c:
        c.extra("new_nodepool_name", options_list=["--new-nodepool-name"],
                help="Name of the replacement pool (made by the prepare phase). Default: derived from the old "
                     "name (wasi -> wasi2), or the one an earlier run of this cutover made.")
        c.argument("until", options_list=["--until"],
                   arg_type=get_enum_type(["preflight", "prepare", "parallel", "switch", "drain", "verify",
                                           "decommission"]),
                   help="Stop after this phase (a later run of the same command resumes at the next one).")
        # Not parameters of wasi_cutover: validate_cutover makes them one CutoverOptions value (cutover_options).
        c.extra("runtime_class", options_list=["--runtime-class"],
                help="RuntimeClass the moved Spin workloads use on the new pool (as retarget). "
                     "Default: wasmtime-spin-v2.")
        c.extra("drain_batch_size", options_list=["--drain-batch-size"],
                help="Nodes of the old pool drained at a time: a count (2) or a percentage of its nodes (25%). "
                     "Default: 1.")
        c.extra("batch_soak", options_list=["--batch-soak"], type=float,
                help="Minutes to wait between drain batches, the run held at a safe point. Default: 0.")
        c.extra("parallel_soak", options_list=["--parallel-soak"], type=float,
                help="Minutes verify's gates must hold on the new pool while both pools serve. Default: 0.")
        c.extra("parallel_replicas", options_list=["--parallel-replicas"], type=int,
                help="Replicas of each companion copy: the parallel phase runs one on the new pool for a Deployment "
                     "whose new placement admits no node of the old pool (its original stays as it is until the "
                     "switch). Default: the original's replicas.")
        c.extra("final_soak", options_list=["--final-soak"], type=float,
                help="Minutes every verify gate must hold after the drain, before the old pool may go. "
                     "Default: 10.")
        c.extra("interval", options_list=["--interval"], type=int,
                help="Seconds between checks during a soak. Default: 30.")
        c.extra("max_restarts", options_list=["--max-restarts"], type=int,
                help="Container restarts allowed per moved pod (the restarts gate). Default: 0.")
        c.extra("grace_period", options_list=["--grace-period"], type=int,
                help="Seconds each drained pod gets to terminate. Default: the pod's own.")
        c.extra("drain_timeout", options_list=["--drain-timeout"], type=float,
                help="Minutes one drain batch may take before it stops naming every pod left. Default: 30.")
        c.extra("freeze_old_pool", options_list=["--freeze-old-pool"], action="store_true",
                help="Turn the old pool's cluster autoscaler off at its current node count before anything else "
                     "(a node AKS adds to a WASI pool has no Wasm shim). What AKS does with a write to a retired "
                     "WASI pool is unverified.")
        c.extra("aci", options_list=["--aci"], action="store_true",
                help="Move the workloads to Azure Container Instances (create-aci's container groups) instead of a "
                     "new node pool; switch then scales their in-cluster copies to 0 (replicas saved: 'rollback "
                     "--aci' scales them back). Not with --new-nodepool-name.")
        c.extra("aci_resource_group", options_list=["--aci-resource-group"],
                help="Resource group of the container groups (with --aci). Default: the cluster's.")
        c.ignore("cutover_options")
        c.argument("dry_run", options_list=["--dry-run"], action="store_true",
                   help="Print the plan and where a run would start, and change nothing.")
        c.argument("replan", options_list=["--replan"], action="store_true",
                   help="Go on with a plan that differs from the recorded one (other flags, other workloads).")
        c.argument("show_status", options_list=["--status"], action="store_true",
                   help="Print where the cutover stands (from its record in the cluster) and change nothing.")
        c.argument("abort", options_list=["--abort"], action="store_true",
                   help="Ask the running cutover to stop at its next safe point (it writes why in the record).")
        c.argument("yes", options_list=["--yes", "-y"], action="store_true",
                   help="Do not prompt for confirmation.")
