"""Argument validators: they run after parsing, before any call to Azure, and raise azclierror types."""

# Names as AKS's REST spec has them (path parameters of Microsoft.ContainerService managedClusters/agentPools):
# resourceGroupName 1-90 characters (ARM: letters, digits, '-', '_', '.', '(' and ')', not ending with '.');
# resourceName (the cluster) ^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$; the agent pool name is
# pool_spec.POOL_NAME_RULE. ARM matches names case-insensitively, so pools are looked up in any case.
_RESOURCE_GROUP = r"^[-\w._()]{0,89}[-\w_()]$"
_CLUSTER_NAME = r"^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$"


def validate_names(namespace):
    """Every resource name given is one ARM could hold, before it goes into a request's URL path."""
    import re
    from azure.cli.core.azclierror import InvalidArgumentValueError
    from azext_wasimig.prepare import pool_spec
    pool_rule = re.compile(pool_spec.POOL_NAME_RULE.pattern, re.IGNORECASE)
    checks = (("resource_group_name", "--resource-group/-g", re.compile(_RESOURCE_GROUP),
               "up to 90 letters, digits, '-', '_', '.', '(' and ')', not ending with '.'"),
              ("aci_resource_group", "--aci-resource-group", re.compile(_RESOURCE_GROUP),
               "up to 90 letters, digits, '-', '_', '.', '(' and ')', not ending with '.'"),
              ("cluster_name", "--name/-n", re.compile(_CLUSTER_NAME),
               "1 to 63 letters, digits, '-' and '_', starting and ending with a letter or digit"),
              ("nodepool_name", "--nodepool-name", pool_rule,
               "1 to 12 letters and digits, starting with a letter"),
              ("new_nodepool_name", "--new-nodepool-name", pool_rule,
               "1 to 12 letters and digits, starting with a letter"))
    for attr, flag, rule, shape in checks:
        value = getattr(namespace, attr, None)
        if value is not None and not rule.match(value):
            raise InvalidArgumentValueError(
                f"{flag} {value!r} is not a valid name: {shape}. Check the spelling "
                "(az aks list -o table shows the clusters, az aks nodepool list their pools).")


def validate_list_scope(namespace):
    from azure.cli.core.azclierror import MutuallyExclusiveArgumentError, RequiredArgumentMissingError
    validate_names(namespace)
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
    if getattr(namespace, "all_subscriptions", False) and "--subscription" in _given_options(namespace):
        raise MutuallyExclusiveArgumentError(
            "--all-subscriptions searches every subscription, so --subscription would be ignored. "
            "Drop --subscription to search them all, or drop --all-subscriptions to list only that one.")


def _cli_ctx(namespace):
    """The CLI context of the command being validated (None outside az, e.g. in unit tests)."""
    cmd = getattr(namespace, "cmd", None) or getattr(namespace, "_cmd", None)
    return getattr(cmd, "cli_ctx", None)


def _given_options(namespace):
    """The options typed on the command line (az records them for telemetry as safe_params)."""
    cli_ctx = _cli_ctx(namespace)
    return (cli_ctx.data.get("safe_params") or []) if cli_ctx is not None else []


_POOL_OVERRIDES = ("vm_size", "node_count", "min_count", "max_count", "zones", "labels")


def validate_create_pool(namespace):
    """Everything that can be checked without Azure: the names, counts, zones, VM size, labels. The override flags
    become one checked pool_spec.PoolOverrides, ``namespace.overrides`` (what wasi_create_pool gets)."""
    from azext_wasimig.prepare import pool_spec
    validate_names(namespace)
    if namespace.new_nodepool_name is not None:   # '' is a mistake, not "derive one"
        pool_spec.validate_pool_name(namespace.new_nodepool_name, namespace.nodepool_name)
    given = {flag: getattr(namespace, flag, None) for flag in _POOL_OVERRIDES}
    for flag in _POOL_OVERRIDES:
        if hasattr(namespace, flag):
            delattr(namespace, flag)
    namespace.overrides = pool_spec.PoolOverrides.parse(**given)
    _dry_run_wins_over_no_wait(namespace)


def _dry_run_wins_over_no_wait(namespace):
    """--dry-run starts no operation, so there is nothing for --no-wait to skip waiting for; but az discards a
    --no-wait command's output, which would hide the dry run. The preview the user asked for wins."""
    if getattr(namespace, "dry_run", False):
        namespace.no_wait = False


def validate_cluster_access(namespace):
    """--admin picks which credentials Azure hands out; --kubeconfig brings credentials of its own: not both."""
    from azure.cli.core.azclierror import MutuallyExclusiveArgumentError
    if getattr(namespace, "admin", False) and getattr(namespace, "kubeconfig", None):
        raise MutuallyExclusiveArgumentError(
            "--admin and --kubeconfig cannot be combined: --admin fetches the cluster's admin credentials from "
            "Azure, --kubeconfig uses the credentials in that file.",
            recommendation="Drop --admin to use the kubeconfig file, or drop --kubeconfig to use the admin "
                           "credentials.")


def validate_cordon(namespace):
    validate_names(namespace)
    validate_cluster_access(namespace)


def validate_scan_source(namespace):
    """Either --manifests, or a cluster (-g and -n); never both."""
    from azure.cli.core.azclierror import MutuallyExclusiveArgumentError, RequiredArgumentMissingError
    validate_names(namespace)
    validate_cluster_access(namespace)
    cluster_given = namespace.resource_group_name or namespace.cluster_name
    if namespace.manifests and (cluster_given or namespace.admin or namespace.kubeconfig):
        raise MutuallyExclusiveArgumentError(
            "--manifests scans files, not a cluster: drop -g/-n/--admin/--kubeconfig, or drop --manifests.")
    if not namespace.manifests and not (namespace.resource_group_name and namespace.cluster_name):
        raise RequiredArgumentMissingError(
            "Say what to scan: a cluster with -g <resource group> -n <cluster>, or files with --manifests PATH.")


DRAIN_FLAGS = ("drain_timeout", "grace_period", "force", "delete_emptydir_data", "dry_run")   # _params: c.extra


def validate_drain(namespace):
    """The drain's flags become one DrainOptions value (``drain_options``), checked here, before anything is
    touched; the flags themselves are not passed on (wasi_drain takes the value)."""
    from azext_wasimig._errors import user_errors
    from azext_wasimig.drain.errors import InvalidDrainOption
    from azext_wasimig.drain.options import DrainOptions
    validate_names(namespace)
    validate_cluster_access(namespace)
    with user_errors(InvalidDrainOption):
        namespace.drain_options = DrainOptions.from_cli(
            drain_timeout_minutes=namespace.drain_timeout, grace_period=namespace.grace_period,
            force=namespace.force, delete_emptydir_data=namespace.delete_emptydir_data, dry_run=namespace.dry_run)
    for flag in DRAIN_FLAGS:
        delattr(namespace, flag)


_DNS_LABEL = r"^[a-z][a-z0-9-]{1,58}[a-z0-9]$"


def validate_create_aci(namespace):
    """The workload references, location, subnet id, DNS label and resource group, before any call."""
    import re
    from azure.cli.core.azclierror import InvalidArgumentValueError, MutuallyExclusiveArgumentError
    from azext_wasimig.prepare import aci_spec
    validate_names(namespace)
    validate_cluster_access(namespace)
    namespace.workloads = [aci_spec.parse_workload_ref(ref) for ref in namespace.workloads or []]
    # Without --location the cluster's region is used (ARM's name for it: nothing to check).
    namespace.aci_location = aci_spec.validate_target(namespace.aci_location or None, namespace.subnet_id,
                                                      namespace.dns_name_label)
    _dry_run_wins_over_no_wait(namespace)
    if not getattr(namespace, "dry_run", False) and _cli_ctx(namespace) is not None:   # before any request
        refuse_logged_policy_requests(_cli_ctx(namespace))
    several = len(set(namespace.workloads)) > 1
    for flag, value in (("--image", namespace.image), ("--dns-name-label", namespace.dns_name_label)):
        if value and several:
            raise MutuallyExclusiveArgumentError(
                f"{flag} applies to one workload: run the command once per workload that needs it.")
    if namespace.dns_name_label and not re.match(_DNS_LABEL, namespace.dns_name_label):
        raise InvalidArgumentValueError(
            f"--dns-name-label {namespace.dns_name_label!r} is not valid: 3 to 60 lowercase letters, digits and "
            "hyphens, starting with a letter (a replica number is added when there are several replicas).")
    for flag, value in (("--image", namespace.image), ("--spin-image", namespace.spin_image)):
        if value is not None and (not value.strip() or any(c.isspace() for c in value)):
            raise InvalidArgumentValueError(
                f"{flag} {value!r} is not an image reference, e.g. myreg.azurecr.io/app:1.0")


def validate_retarget(namespace):
    """Two different pools, a valid RuntimeClass name, an --export-dir that can be a folder, a --timeout of 0 or
    more."""
    import os
    from azure.cli.core.azclierror import InvalidArgumentValueError
    validate_names(namespace)
    validate_cluster_access(namespace)
    _validate_move(namespace)
    if namespace.export_dir and os.path.exists(namespace.export_dir) and not os.path.isdir(namespace.export_dir):
        raise InvalidArgumentValueError(f"--export-dir {namespace.export_dir} exists and is not a folder.")
    if namespace.timeout is None or namespace.timeout < 0:
        raise InvalidArgumentValueError(f"--timeout {namespace.timeout} is not valid: give the seconds to wait for "
                                        "the rollouts, 0 or more (or --no-wait).")
    _dry_run_wins_over_no_wait(namespace)


def _validate_move(namespace):
    """retarget and rewrite: two different pools, a RuntimeClass name Kubernetes accepts."""
    from azure.cli.core.azclierror import InvalidArgumentValueError
    from azext_wasimig.vocabulary import kubernetes
    if namespace.new_nodepool_name.lower() == namespace.nodepool_name.lower():
        raise InvalidArgumentValueError("--new-nodepool-name must name another pool than --nodepool-name.")
    if not kubernetes.is_dns_subdomain(namespace.runtime_class or ""):
        raise InvalidArgumentValueError(
            f"--runtime-class {namespace.runtime_class!r} is not a RuntimeClass name (lowercase letters, digits, "
            "'-' and '.').")


def validate_rewrite(namespace):
    """Two different pools with valid names, a valid RuntimeClass name, and one place to write at most."""
    from azure.cli.core.azclierror import MutuallyExclusiveArgumentError
    validate_names(namespace)
    _validate_move(namespace)
    if namespace.in_place and namespace.out_dir:
        raise MutuallyExclusiveArgumentError(
            "--in-place and --out-dir cannot be combined: rewrite the files where they are, or write them to "
            "another folder.", recommendation="Drop --out-dir to rewrite in place, or drop --in-place.")
    if namespace.check and (namespace.in_place or namespace.out_dir):
        raise MutuallyExclusiveArgumentError(
            "--check writes nothing: it only fails when a file would change.",
            recommendation="Drop --in-place/--out-dir for the CI gate, or drop --check to write the files.")
    if namespace.overwrite and not namespace.out_dir:
        raise MutuallyExclusiveArgumentError("--overwrite only applies with --out-dir.")


# ACI container group names: 1-63 lowercase letters, digits and '-', not starting or ending with '-' (ACI's rule).
_CONTAINER_GROUP = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"


def _wait_subject(namespace):
    """One thing to wait for: --nodepool-name, or --container-group (with its own --aci-resource-group)."""
    import re
    from azure.cli.core.azclierror import (InvalidArgumentValueError, MutuallyExclusiveArgumentError,
                                           RequiredArgumentMissingError)
    group, pool = namespace.container_group, namespace.nodepool_name
    if (group is None) == (pool is None):
        error = MutuallyExclusiveArgumentError if group is not None else RequiredArgumentMissingError
        raise error("Say what to wait for: --nodepool-name POOL or --container-group NAME, one of them.")
    if namespace.aci_resource_group and group is None:
        raise MutuallyExclusiveArgumentError("--aci-resource-group goes with --container-group: a node pool is in "
                                             "the cluster's resource group.")
    if group is not None and not re.match(_CONTAINER_GROUP, group):
        raise InvalidArgumentValueError(
            f"--container-group {group!r} is not a container group name: 1 to 63 lowercase letters, digits and '-', "
            "not starting or ending with '-' (create-aci prints the names it makes).")


def validate_wait(namespace):
    """One thing to wait for, a condition, an interval of at least a second, a timeout of 0 or more, a JMESPath
    that parses."""
    from azext_wasimig import waiting
    validate_names(namespace)
    _wait_subject(namespace)
    waiting.check_timing(namespace.interval, namespace.timeout)
    waiting.condition(created=namespace.created, updated=namespace.updated, deleted=namespace.deleted,
                      exists=namespace.exists, custom=namespace.custom)
    if namespace.custom:
        import jmespath
        from azure.cli.core.azclierror import InvalidArgumentValueError
        try:
            jmespath.compile(namespace.custom)
        except jmespath.exceptions.JMESPathError as ex:
            raise InvalidArgumentValueError(f"--custom {namespace.custom!r} is not a JMESPath query: {ex}") from ex


def validate_compare(namespace):
    """Names as ARM could hold them, and --kubeconfig/--admin; compare's own values are checked by the phase
    (compare.options), once, before anything is read."""
    validate_names(namespace)
    validate_cluster_access(namespace)


def validate_verify(namespace):
    """One new home (--new-nodepool-name, another pool than the old one, or --aci); a soak, restart budget and
    interval that make sense; a --report that can be a file."""
    import os
    from azure.cli.core.azclierror import InvalidArgumentValueError
    validate_names(namespace)
    validate_cluster_access(namespace)
    _new_home(namespace)
    _gate_values(namespace.soak, namespace.max_restarts, namespace.interval)
    if namespace.report and os.path.isdir(namespace.report):
        raise InvalidArgumentValueError(f"--report {namespace.report} is a folder: give a file name.")


def _new_home(namespace):
    """verify's and delete-pool's: the new home is --new-nodepool-name (another pool than the old one) or --aci."""
    from azure.cli.core.azclierror import (InvalidArgumentValueError, MutuallyExclusiveArgumentError,
                                           RequiredArgumentMissingError)
    if bool(namespace.new_nodepool_name) == bool(namespace.aci):
        raise (MutuallyExclusiveArgumentError if namespace.aci else RequiredArgumentMissingError)(
            "Say where the workloads moved: --new-nodepool-name POOL (a node pool) or --aci (container groups made "
            "by create-aci), one of them.")
    if namespace.new_nodepool_name and namespace.new_nodepool_name.lower() == namespace.nodepool_name.lower():
        raise InvalidArgumentValueError("--new-nodepool-name must name another pool than --nodepool-name: the pool "
                                        "the workloads moved to.")
    if namespace.aci_resource_group and not namespace.aci:
        raise MutuallyExclusiveArgumentError("--aci-resource-group only applies with --aci.")


def _gate_values(soak, max_restarts, interval):
    from azure.cli.core.azclierror import InvalidArgumentValueError
    for flag, value, least in (("--soak", soak, 0), ("--max-restarts", max_restarts, 0), ("--interval", interval, 1)):
        if value is None or value < least:
            raise InvalidArgumentValueError(f"{flag} {value} is not valid: give a whole number of at least {least}.")


DELETE_POOL_FLAGS = ("nodepool_name", "new_nodepool_name", "aci", "aci_resource_group", "soak", "interval",
                     "max_restarts", "drain", "drain_timeout", "grace_period", "delete_emptydir_data", "ignore_pdb",
                     "dry_run", "no_wait")   # _params: c.extra


def validate_delete_pool(namespace):
    """verify's checks of the new home and the gates' values, and the drain's: the flags become one
    DeletePoolRequest (``request``), checked here, before anything is read."""
    from azext_wasimig._errors import user_errors
    from azext_wasimig.decommission.run import DeletePoolRequest, Gates, Home
    from azext_wasimig.drain.errors import InvalidDrainOption
    from azext_wasimig.drain.options import DrainOptions
    validate_names(namespace)
    validate_cluster_access(namespace)
    _new_home(namespace)
    _gate_values(namespace.soak, namespace.max_restarts, namespace.interval)
    with user_errors(InvalidDrainOption):
        drain_options = DrainOptions.from_cli(drain_timeout_minutes=namespace.drain_timeout,
                                              grace_period=namespace.grace_period,
                                              delete_emptydir_data=namespace.delete_emptydir_data)
    home = Home(new=namespace.new_nodepool_name,
                aci_resource_group=(namespace.aci_resource_group or namespace.resource_group_name) if namespace.aci
                else None)
    gates = Gates(soak_minutes=namespace.soak, interval=namespace.interval, max_restarts=namespace.max_restarts)
    namespace.request = DeletePoolRequest(old=namespace.nodepool_name, home=home, gates=gates,
                                          drain=drain_options if namespace.drain else None,
                                          ignore_pdb=bool(namespace.ignore_pdb), dry_run=bool(namespace.dry_run),
                                          no_wait=bool(namespace.no_wait))
    for flag in DELETE_POOL_FLAGS:
        delattr(namespace, flag)


ROLLBACK_FLAGS = ("nodepool_name", "new_nodepool_name", "delete_new_pool", "delete_aci", "aci_resource_group",
                  "timeout", "dry_run", "aci")   # _params: c.extra


def validate_rollback(namespace):
    """Two different pools and a timeout of 0 or more: the flags become one RollbackRequest (``request``)."""
    from azure.cli.core.azclierror import InvalidArgumentValueError, MutuallyExclusiveArgumentError
    from azext_wasimig.decommission.run import RollbackRequest
    validate_names(namespace)
    validate_cluster_access(namespace)
    _rollback_home(namespace)
    if namespace.new_nodepool_name and namespace.new_nodepool_name.lower() == namespace.nodepool_name.lower():
        raise InvalidArgumentValueError("--new-nodepool-name must name another pool than --nodepool-name: the pool "
                                        "the workloads moved to.")
    if namespace.aci_resource_group and not namespace.delete_aci:
        raise MutuallyExclusiveArgumentError("--aci-resource-group only applies with --delete-aci.")
    if namespace.timeout is None or namespace.timeout < 0:
        raise InvalidArgumentValueError(f"--timeout {namespace.timeout} is not valid: give the most seconds to wait, "
                                        "0 or more.")
    delete_aci = (namespace.aci_resource_group or namespace.resource_group_name) if namespace.delete_aci else None
    namespace.request = RollbackRequest(old=namespace.nodepool_name, new=namespace.new_nodepool_name,
                                        delete_new_pool=bool(namespace.delete_new_pool), delete_aci=delete_aci,
                                        dry_run=bool(namespace.dry_run), timeout=namespace.timeout,
                                        aci=bool(namespace.aci))
    for flag in ROLLBACK_FLAGS:
        delattr(namespace, flag)


def _rollback_home(namespace):
    """Where the workloads went: a pool (--new-nodepool-name) or container groups (--aci), one of them."""
    from azure.cli.core.azclierror import MutuallyExclusiveArgumentError, RequiredArgumentMissingError
    if namespace.aci and namespace.new_nodepool_name:
        raise MutuallyExclusiveArgumentError("--aci and --new-nodepool-name cannot be combined: give the pool the "
                                             "workloads moved to, or --aci when 'cutover --aci' moved them.")
    if not namespace.aci and not namespace.new_nodepool_name:
        raise RequiredArgumentMissingError("Give --new-nodepool-name NEW (the pool the workloads moved to), or --aci "
                                           "when 'cutover --aci' moved them to container groups.")
    if namespace.aci and namespace.delete_new_pool:
        raise MutuallyExclusiveArgumentError("--delete-new-pool does not apply with --aci: there is no new pool. "
                                             "--delete-aci deletes the move's container groups.")


def refuse_logged_policy_requests(cli_ctx):
    """--acquire-policy-token/--change-reference make the CLI send each PUT body to acquirePolicyToken through
    its raw-request helper, which logs the body in full (Secret values included) at INFO: refuse that combination
    when the log goes anywhere (--verbose, --debug, or az's log file). Called by the validator, before any
    request."""
    import logging
    policy = cli_ctx.data.get("_acquire_policy_token") or cli_ctx.data.get("_change_reference")
    if policy and written_somewhere(RAW_REQUEST_LOGGER, logging.INFO):
        from azure.cli.core.azclierror import MutuallyExclusiveArgumentError
        raise MutuallyExclusiveArgumentError(
            "With --acquire-policy-token or --change-reference, az logs each container-group body it sends for a "
            "policy token, Secret values included, and logging is on (--verbose, --debug or az's log file). "
            "Nothing was created: drop --verbose/--debug (and turn the log file off with 'az config set "
            "logging.enable_log_file=no') and run the command again.")


RAW_REQUEST_LOGGER = "cli.azure.cli.core.util"   # azure.cli.core.util._log_request


def written_somewhere(logger_name, level):
    """True when a record of ``level`` from ``logger_name`` reaches a handler. knack sets every CLI logger to DEBUG
    and filters in its handlers (the console one by --verbose/--debug, the log file's at DEBUG), so the logger's
    own level, or isEnabledFor, says nothing about whether a record is written."""
    import logging
    current = logging.getLogger(logger_name)
    while current is not None:
        if any(level >= handler.level for handler in current.handlers):
            return True
        if not current.propagate:
            return False
        current = current.parent
    return False


def validate_cutover(namespace):
    """Names, cluster access, one mode (run, --dry-run, --status, --abort), and the run's flags as one
    CutoverOptions value (``cutover_options``), checked here before anything is read."""
    from azure.cli.core.azclierror import InvalidArgumentValueError, MutuallyExclusiveArgumentError
    from azext_wasimig._errors import user_errors
    from azext_wasimig._params import CUTOVER_FLAGS
    from dataclasses import replace
    from azext_wasimig.cutover.plan import CutoverOptions, InvalidCutoverOption
    from azext_wasimig.vocabulary import kubernetes
    validate_names(namespace)
    validate_cluster_access(namespace)
    modes = [flag for flag, on in (("--dry-run", namespace.dry_run), ("--status", namespace.show_status),
                                   ("--abort", namespace.abort)) if on]
    if len(modes) > 1 or (modes and namespace.replan):
        raise MutuallyExclusiveArgumentError(f"{' and '.join(modes + (['--replan'] if namespace.replan else []))} "
                                             "cannot be combined: give one of --dry-run, --status, --abort.")
    new = namespace.new_nodepool_name
    if new and new.lower() == namespace.nodepool_name.lower():
        raise InvalidArgumentValueError("--new-nodepool-name must name another pool than --nodepool-name.")
    if namespace.runtime_class is not None and not kubernetes.is_dns_subdomain(namespace.runtime_class):
        raise InvalidArgumentValueError(
            f"--runtime-class {namespace.runtime_class!r} is not a RuntimeClass name (lowercase letters, digits, "
            "'-' and '.').")
    given = {flag: getattr(namespace, flag) for flag in CUTOVER_FLAGS}
    given["drain_batch"], given["new_pool"] = given.pop("drain_batch_size"), given.pop("new_nodepool_name")
    with user_errors(InvalidCutoverOption):
        namespace.cutover_options = CutoverOptions.from_cli(**given)
    if namespace.cutover_options.aci and not namespace.cutover_options.aci_resource_group:
        namespace.cutover_options = replace(namespace.cutover_options,
                                            aci_resource_group=namespace.resource_group_name)
    for flag in CUTOVER_FLAGS:
        delattr(namespace, flag)
