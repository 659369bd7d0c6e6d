"""`create-aci`: cluster workloads as Azure Container Instances container groups, one per replica.

The pure parts (which workloads, their build context, re-run comparison) take plain dicts; the ACI edge
(``create_all``) reads and creates container groups through the SDK. Order per workload, so that a workload
that cannot be moved creates nothing: build every group's body (``aci_spec``), read the groups already there,
refuse clashes, then create what is missing and wait. One workload's failure never stops the others.

Secrets: bodies hold Secret values as ``secureValue``/``password``. They are sent through
``_client_factory.call_unlogged`` (no network trace: ``az --debug`` and az's log file would hold the bodies
otherwise), printed only through ``aci_spec.redact``, and never put in a message.
"""

from dataclasses import dataclass

from knack.log import get_logger

from azext_wasimig.targets import aci_spec
from azext_wasimig.vocabulary.kubernetes import namespace_of, object_key
from azext_wasimig.vocabulary.wasi import PROVENANCE_TAG

logger = get_logger(__name__)

RUNNABLE_BY_SPIN = ("spin", "container")
_SECRET_KEYS = ("secureValue", "password", "storageAccountKey", "workspaceKey")


@dataclass
class Options:
    location: str
    resource_group: str
    cluster_id: str = None
    subnet_id: str = None
    dns_name_label: str = None
    spin_image: str = None
    image: str = None
    dry_run: bool = False
    no_wait: bool = False


def ref_text(key):
    return "/".join(key)


def resolve(refs, snapshot, findings, pool=None):
    """``[(key, object, finding)]`` for the parsed references ``(namespace, Kind, name)``, in the order given;
    an azclierror naming every reference that does not exist (exit code 3) or is not tied to a WASI pool (to
    ``pool`` when given)."""
    from azure.cli.core.azclierror import InvalidArgumentValueError, ResourceNotFoundError
    objects = {object_key(o): o for o in snapshot.workloads + snapshot.pods}
    tied = {(f["namespace"], f["kind"], f["name"]): f for f in findings if not pool or pool in f.get("pools", [])}
    refs = list(dict.fromkeys(tuple(r) for r in refs))
    missing = [f"  {ref_text(k)}: namespace '{k[0]}' has no {k[1]} named '{k[2]}'" for k in refs if k not in objects]
    scope = f"WASI pool '{pool}'" if pool else "a WASI node pool"
    untied = [f"  {ref_text(k)}: not tied to {scope} of the cluster" for k in refs if k in objects and k not in tied]
    if missing or untied:
        error = ResourceNotFoundError if missing else InvalidArgumentValueError
        raise error("Nothing was created: these --workload references cannot be moved:\n" + "\n".join(missing + untied),
                    recommendation="Run 'az aks wasi-migrate scan -g RG -n CLUSTER' to list the workloads tied to "
                                   "WASI pools, as NAMESPACE/KIND/NAME.")
    return [(k, objects[k], tied[k]) for k in refs]


def build_context(obj, finding, sources, options):
    """The ``aci_spec.build`` context for one workload; ``UnsupportedWorkload`` for a Wasm payload that the Spin
    runtime cannot run and that no --image replaces."""
    aci_spec.check_kind(obj)   # before the payload: no --image makes a DaemonSet expressible
    payload = finding.get("payload")
    if payload not in RUNNABLE_BY_SPIN and not options.image:
        raise aci_spec.UnsupportedWorkload(
            f"its payload is {payload}, which the Spin runtime cannot run and ACI has no Wasm runtime: rebuild it as "
            "a container image and pass that with --image")
    namespace = namespace_of(obj)
    found = sources.get(namespace) or {}
    context = {"location": options.location, "namespace": namespace, "configmaps": found.get("configmaps"),
               "secrets": found.get("secrets"), "services": found.get("services"), "is_wasm": payload != "container",
               "spin_image": options.spin_image, "image": options.image, "subnet_id": options.subnet_id,
               "dns_name_label": options.dns_name_label, "cluster_id": options.cluster_id}
    return context


def comparable(body):
    """``body`` as the service answers it: secret values dropped (it never returns them)."""
    if isinstance(body, list):
        return [comparable(item) for item in body]
    if not isinstance(body, dict):
        return body
    return {k: ({} if k == "secret" and isinstance(v, dict) else comparable(v))
            for k, v in body.items() if k not in _SECRET_KEYS}


def first_difference(want, have, path=""):
    """The path of the first value of ``want`` that ``have`` lacks or holds otherwise (``have`` may hold more:
    read-only fields), or None. An empty value wanted matches one the service left out."""
    if isinstance(want, dict):
        if not isinstance(have, dict):
            return None if not want and have is None else path or "(body)"
        for key, value in want.items():
            found = first_difference(value, have.get(key), f"{path}.{key}" if path else key)
            if found:
                return found
        return None
    if isinstance(want, list):
        if not isinstance(have, list) or len(want) != len(have):
            return None if not want and have is None else path
        return next((d for d in (first_difference(w, h, f"{path}[{i}]") for i, (w, h) in enumerate(zip(want, have)))
                     if d), None)
    return None if want == have else path


def clash(name, body, existing, options):
    """Why an existing group blocks this one (None when it is this replica, made the same way)."""
    source = (body.get("tags") or {}).get(PROVENANCE_TAG)
    if aci_spec.compare_existing(existing, body) != "same":
        theirs = (existing.get("tags") or {}).get(PROVENANCE_TAG)
        made = f"was made from {theirs}" if theirs else "was not made by wasimig"
        return (f"container group '{name}' already exists in resource group '{options.resource_group}' and {made}, "
                f"not from {source}: pass another --aci-resource-group, or delete that group")
    where = first_difference(comparable(body), existing)
    if where:
        return (f"container group '{name}' exists (made from {source}) but differs from what the workload gives now "
                f"at {where}: delete it with 'az container delete -g {options.resource_group} -n {name} --yes' and "
                "run this command again")
    return None


def result(key, action, groups, options, reason="", notes=()):
    return {"workload": ref_text(key), "action": action, "resourceGroup": options.resource_group,
            "groups": list(groups), "reason": reason, "notes": list(notes)}


# --- the ACI edge ------------------------------------------------------------------------------

def create_all(cmd, resolved, sources, options):
    """One result per workload (see ``result``): created, unchanged, wouldCreate or failed."""
    from azext_wasimig._client_factory import cf_container_groups
    client = cf_container_groups(cmd.cli_ctx)
    return [_one(cmd, client, key, obj, finding, sources, options) for key, obj, finding in resolved]


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


def _one(cmd, client, key, obj, finding, sources, options):  # pylint: disable=too-many-return-statements
    from azure.cli.core.azclierror import AzCLIError
    try:
        groups, notes = aci_spec.build(obj, build_context(obj, finding, sources, options))
    except aci_spec.UnsupportedWorkload as ex:
        return result(key, "failed", [], options, f"ACI cannot run it: {ex.reason}. Nothing was created for it.")
    for note in notes:
        logger.warning("%s: %s", ref_text(key), note)
    names = [name for name, _ in groups]
    try:
        existing = {name: _get(client, options.resource_group, name) for name in names}
    except AzCLIError as ex:   # e.g. no read access to the resource group: this workload fails, the others go on
        return result(key, "failed", names, options, f"{ex.error_msg} Nothing was created for it.", notes)
    clashes = [c for c in (clash(n, b, existing[n], options) for n, b in groups if existing[n]) if c]
    if clashes:
        return result(key, "failed", names, options, "; ".join(clashes) + ". Nothing was created for it.", notes)
    todo = [(n, b) for n, b in groups if existing[n] is None or _state(existing[n]) == "Failed"]
    if options.dry_run:
        shown = [{"name": n, **aci_spec.redact(b)} for n, b in groups]
        return {**result(key, "wouldCreate" if todo else "unchanged", names, options, notes=notes),
                "containerGroups": shown}
    if not todo:
        return result(key, "unchanged", names, options, notes=notes)
    failure = _create(cmd, client, [n for n, _ in todo], [b for _, b in todo], options)
    if failure:
        return result(key, "failed", names, options, f"{failure} {_what_exists(client, names, options)}", notes)
    return result(key, "created", names, options, notes=notes)


def _state(group):
    return (group.get("properties") or {}).get("provisioningState")


def _get(client, resource_group, name):
    """The container group as the REST API serves it (camelCase JSON), or None when there is none."""
    from azure.core.exceptions import AzureError, ResourceNotFoundError
    from azext_wasimig._errors import cli_error_for
    try:
        return client.get(resource_group, name, cls=lambda response, _model, _headers: response.http_response.json())
    except ResourceNotFoundError:
        return None
    except AzureError as ex:
        raise cli_error_for(ex, f"reading container group '{name}' in resource group '{resource_group}'") from ex


def _create(cmd, client, names, bodies, options):
    """Start every PUT, then wait for each (unless --no-wait); the failure, worded, or None."""
    from azure.cli.core.util import sdk_no_wait
    from azure.core.exceptions import AzureError
    from azext_wasimig._client_factory import call_unlogged
    from azext_wasimig._errors import service_message
    from azext_wasimig._progress import wait_for
    logger.warning("Creating container group(s) %s in resource group '%s'...", ", ".join(names),
                   options.resource_group)
    pollers, current = [], names[0]
    try:
        for current, body in zip(names, bodies):
            # the body holds Secret values: never in the --debug trace or az's log file
            pollers.append((current, call_unlogged(sdk_no_wait, options.no_wait, client.begin_create_or_update,
                                                   options.resource_group, current, body)))
        if options.no_wait:
            return None
        for current, poller in pollers:
            wait_for(poller, cmd.cli_ctx, f"Creating container group '{current}'")
    except AzureError as ex:
        return f"Creating container group '{current}' failed: {service_message(ex).rstrip('.')}."
    return None


def _what_exists(client, names, options):
    """Exactly what exists now of a workload's groups, and the way out."""
    states, found = [], False
    for name in names:
        try:
            group = _get(client, options.resource_group, name)
            found = found or group is not None
            states.append(f"'{name}' exists ({_state(group)})" if group else f"'{name}' does not exist")
        except Exception:  # pylint: disable=broad-except  # already failing: say what is known
            found = True
            states.append(f"'{name}' could not be read")
    if not found:
        return "Nothing was created for it."
    return (f"Now in resource group '{options.resource_group}': {', '.join(states)}. Run this command again to "
            "retry (it re-sends groups left in state Failed), or delete them with "
            f"'az container delete -g {options.resource_group} -n NAME --yes'.")


def failures_error(results):
    """An azclierror naming each failed workload and why, and what was done for the others; None if none failed."""
    failed = [r for r in results if r["action"] == "failed"]
    if not failed:
        return None
    from azure.cli.core.azclierror import UnclassifiedUserFault
    lines = "\n".join(f"  {r['workload']}: {r['reason']}" for r in failed)
    done = [f"  {r['workload']}: {r['action']} ({', '.join(r['groups'])})" for r in results if r["action"] != "failed"]
    return UnclassifiedUserFault(
        f"{len(failed)} of {len(results)} workload(s) could not be moved to Azure Container Instances:\n{lines}"
        + ("\nThe others:\n" + "\n".join(done) if done else ""),
        recommendation="Fix or leave out the failed workloads and run the command again: what exists is kept.")


def options_for(cluster, location, resource_group, **flags):
    """Options for ``create_all``: the region given or the cluster's (checked now, before anything is made)."""
    from azext_wasimig._errors import user_errors
    with user_errors(aci_spec.InvalidTarget):
        region = aci_spec.validate_target(location or cluster.get("location") or "")
    return Options(location=region, resource_group=resource_group, cluster_id=cluster.get("id"), **flags)
