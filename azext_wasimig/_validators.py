"""Argument validators: they run after parsing, before any call to Azure, and raise azclierror types."""


def validate_list_scope(namespace):
    from azure.cli.core.azclierror import MutuallyExclusiveArgumentError, RequiredArgumentMissingError
    cluster = getattr(namespace, "cluster_name", None)
    group = getattr(namespace, "resource_group_name", None)
    if cluster and not group:
        raise RequiredArgumentMissingError(
            "--name/-n needs --resource-group/-g: a cluster name is only unique inside its resource group. "
            "Add -g <resource group>, or drop -n to list every cluster in the subscription.")
    if getattr(namespace, "all_subscriptions", False) and (cluster or group):
        raise MutuallyExclusiveArgumentError(
            "--all-subscriptions cannot be combined with --resource-group/-g or --name/-n. "
            "Drop --all-subscriptions to look in one resource group, or drop -g/-n to search every subscription.")
