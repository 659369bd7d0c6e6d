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


def validate_create_pool(namespace):
    """Everything that can be checked without Azure: the new name, counts, zones, VM size, labels."""
    from azext_wasimig._errors import user_errors
    from azext_wasimig.targets import pool_spec
    namespace.labels = parse_labels(getattr(namespace, "labels", None))
    with user_errors(pool_spec.PoolSpecError):
        if namespace.new_nodepool_name:
            pool_spec.validate_pool_name(namespace.new_nodepool_name, namespace.nodepool_name)
        pool_spec.check_overrides(vars(namespace))


def parse_labels(pairs):
    """["k=v", ...] -> {"k": "v"}; None stays None."""
    from azure.cli.core.azclierror import InvalidArgumentValueError
    if pairs is None:
        return None
    labels = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InvalidArgumentValueError(f"--labels {pair!r} is not key=value: write e.g. --labels team=payments")
        labels[key] = value
    return labels


def validate_scan_source(namespace):
    """Either --manifests, or a cluster (-g and -n); never both."""
    from azure.cli.core.azclierror import MutuallyExclusiveArgumentError, RequiredArgumentMissingError
    cluster_given = namespace.resource_group_name or namespace.cluster_name
    if namespace.manifests and (cluster_given or namespace.admin or namespace.kubeconfig):
        raise MutuallyExclusiveArgumentError(
            "--manifests scans files, not a cluster: drop -g/-n/--admin/--kubeconfig, or drop --manifests.")
    if not namespace.manifests and not (namespace.resource_group_name and namespace.cluster_name):
        raise RequiredArgumentMissingError(
            "Say what to scan: a cluster with -g <resource group> -n <cluster>, or files with --manifests PATH.")


def validate_drain(namespace):
    """--drain-timeout and --grace-period make sense before anything is touched."""
    from azext_wasimig import drain
    drain.DrainOptions.from_cli(namespace.drain_timeout, grace_period=namespace.grace_period)
