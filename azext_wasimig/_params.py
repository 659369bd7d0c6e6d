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
