"""Arguments of `az aks wasi-migrate` commands (loaded only when an `az aks` command is parsed)."""

# Flag spellings follow `az aks` / `az aks nodepool` so that AKS users find what they know:
# -n/--name is the cluster (as in `az aks show`), --nodepool-name the pool.


def load_arguments(self, _):
    from azure.cli.core.commands.parameters import resource_group_name_type

    cluster_options = ["--name", "-n", "--cluster-name"]

    with self.argument_context("aks wasi-migrate") as c:
        c.argument("resource_group_name", resource_group_name_type)
        c.argument("cluster_name", options_list=cluster_options, help="Name of the AKS managed cluster.")
        c.argument("nodepool_name", options_list=["--nodepool-name"],
                   help="Name of the WASI node pool (the old pool being migrated).")

    with self.argument_context("aks wasi-migrate list") as c:
        c.argument("resource_group_name", resource_group_name_type, required=False,
                   help="Only clusters in this resource group. Default: the whole subscription.")
        c.argument("cluster_name", options_list=cluster_options, required=False,
                   help="Only this cluster (needs --resource-group). Its pools are read one by one.")
        c.argument("all_subscriptions", options_list=["--all-subscriptions"], action="store_true",
                   help="Search every subscription the signed-in identity can see, several at a time. "
                        "A subscription that cannot be read is reported as a warning; the rest are listed.")

    with self.argument_context("aks wasi-migrate create-pool") as c:
        c.argument("new_nodepool_name", options_list=["--new-nodepool-name"],
                   help="Name of the replacement pool: a lowercase letter, then up to 11 lowercase letters or "
                        "digits. Default: derived from the old name (wasi -> wasi2).")
        c.argument("vm_size", options_list=["--vm-size"], help="VM size of the new pool. Default: the old pool's.")
        c.argument("node_count", options_list=["--node-count", "-c"], type=int,
                   help="Node count of the new pool. Default: the old pool's.")
        c.argument("min_count", options_list=["--min-count"], type=int,
                   help="Autoscaler minimum (with --max-count). Default: the old pool's.")
        c.argument("max_count", options_list=["--max-count"], type=int,
                   help="Autoscaler maximum (with --min-count). Default: the old pool's.")
        c.argument("zones", options_list=["--zones", "-z"], nargs="+",
                   help="Availability zones, space-separated (1 2 3). Default: the old pool's.")
        c.argument("labels", nargs="*",
                   help="Extra node labels, space-separated key=value, merged over the old pool's "
                        "(its WASI-specific labels are never carried).")
        c.argument("spin_shim", options_list=["--spin-shim"], action="store_true",
                   help="Label the new nodes spin=true, the label the SpinKube runtime-class-manager Shim "
                        "selects on, so the Spin shim is installed on exactly these nodes.")
        c.argument("dry_run", options_list=["--dry-run"], action="store_true",
                   help="Print the body that would be sent and change nothing.")

    with self.argument_context("aks wasi-migrate wait") as c:
        c.argument("nodepool_name", options_list=["--nodepool-name"],
                   help="Name of the node pool to wait for (usually the new pool).")
