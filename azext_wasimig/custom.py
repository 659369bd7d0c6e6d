"""Command functions: each joins arguments, clients, a pure core and the output. No logic of its own.

They return plain dicts/lists (the CLI renders them with -o/--query) and never print; progress and
warnings go to stderr through knack's logger.
"""

from knack.log import get_logger

logger = get_logger(__name__)


def wasi_list(cmd, *, resource_group_name=None, cluster_name=None, all_subscriptions=False):
    from azext_wasimig import arm, evaluate
    from azext_wasimig._client_factory import current_subscription_id
    if cluster_name:
        return evaluate.cluster_pools(arm.resolve_target(cmd.cli_ctx, resource_group_name, cluster_name))
    if all_subscriptions:
        return _list_all_subscriptions(cmd)
    subscription_id = current_subscription_id(cmd.cli_ctx)
    return evaluate.wasi_pools(arm.list_clusters(cmd.cli_ctx, subscription_id, resource_group_name), subscription_id)


def _list_all_subscriptions(cmd):
    from azext_wasimig import arm, evaluate
    from azext_wasimig._errors import azure_failures
    from azext_wasimig._progress import progress
    subscriptions = arm.visible_subscriptions(cmd.cli_ctx)
    logger.info("Searching %d subscriptions", len(subscriptions))
    with progress(cmd.cli_ctx) as report:
        found = evaluate.search_subscriptions(subscriptions, lambda sub: arm.list_clusters(cmd.cli_ctx, sub),
                                              azure_failures(), progress=report)
    for reason in found.skipped:   # once the spinner is gone
        logger.warning("Skipped subscription %s", reason)
    return found.records


def wasi_show(cmd, *, resource_group_name, cluster_name, nodepool_name):
    from azext_wasimig import arm, evaluate
    return evaluate.pool_document(arm.resolve_target(cmd.cli_ctx, resource_group_name, cluster_name, nodepool_name))


def wasi_create_pool(cmd, *, resource_group_name, cluster_name, nodepool_name, new_nodepool_name=None,
                     overrides=None, spin_shim=False, dry_run=False, no_wait=False):
    """``overrides``: the validator's pool_spec.PoolOverrides, made from --vm-size, --node-count, --zones..."""
    from azext_wasimig import arm
    from azext_wasimig._client_factory import cf_agent_pools
    from azext_wasimig.prepare import run
    target = arm.resolve_target(cmd.cli_ctx, resource_group_name, cluster_name, nodepool_name)
    return run.create_pool(cf_agent_pools(cmd.cli_ctx), target, overrides, new_name=new_nodepool_name,
                           spin_shim=spin_shim, dry_run=dry_run, no_wait=no_wait, note=logger.warning,
                           progress=_progress_of(cmd))


def _progress_of(cmd):
    from functools import partial
    from azext_wasimig._progress import progress
    return partial(progress, cmd.cli_ctx)


def wasi_pool_wait(cmd, *, resource_group_name, cluster_name, nodepool_name=None, container_group=None,
                   aci_resource_group=None, created=False, updated=False, deleted=False, exists=False, custom=None,
                   interval=30, timeout=3600):
    """`wait`: azure-cli's generic wait conditions, but a timeout fails (exit code 1) and no sleep runs past it; for
    a node pool, or a container group wasimig made from this cluster's workloads (create-aci's pair)."""
    import jmespath
    from azure.cli.core.util import todict
    from azext_wasimig import arm, waiting
    from azext_wasimig._client_factory import cf_agent_pools, cf_container_groups
    from azext_wasimig.decommission import aci_groups
    from azext_wasimig.prepare import pool_create
    done = waiting.condition(created=created, updated=updated, deleted=deleted, exists=exists,
                             custom=jmespath.compile(custom).search if custom else None)
    target, timing = arm.resolve_target(cmd.cli_ctx, resource_group_name, cluster_name), {
        "interval": interval, "timeout": timeout, "to_plain": todict, "progress": _progress_of(cmd)}
    if container_group:   # as `az container show` prints it, which --custom queries
        return aci_groups.wait_for(cf_container_groups(cmd.cli_ctx), aci_resource_group or resource_group_name,
                                   container_group, target.cluster.get("id"), done, **timing)
    name = (target.pool(nodepool_name) or {}).get("name", nodepool_name)
    return pool_create.wait_for_pool(cf_agent_pools(cmd.cli_ctx), target, name, done, **timing)


def wasi_scan(cmd, *, resource_group_name=None, cluster_name=None, nodepool_name=None, manifests=None, report=None,
              fail_on_findings=False, overwrite=False, admin=False, kubeconfig=None, context=None):
    from functools import partial
    from azext_wasimig import arm, evaluate
    from azext_wasimig._client_factory import kube_client
    options = evaluate.ScanOptions(report=report, overwrite=overwrite, fail_on_findings=fail_on_findings)
    evaluate.check_report(options)   # before ARM and the cluster are read: a report that cannot be written fails now
    if manifests:
        return evaluate.scan_manifests(manifests, nodepool_name, options, note=logger.warning)
    target = arm.resolve_target(cmd.cli_ctx, resource_group_name, cluster_name, nodepool_name)
    connect = partial(kube_client, cmd.cli_ctx, target, _access(admin, kubeconfig, context))
    return evaluate.scan_cluster(target, connect, options, note=logger.warning, detail=logger.info)


def _access(admin, kubeconfig, context):
    from azext_wasimig.migration_target import ClusterAccess
    return ClusterAccess(admin=admin, kubeconfig=kubeconfig, context=context)


def _pool_kube_client(cmd, resource_group_name, cluster_name, nodepool_name, *, admin, kubeconfig, context,
                      allow_other_pool=False):
    """The target and the cluster's API client, once ARM has proven that the pool is a WASI pool of that cluster
    (and, whatever --force says, not a System pool)."""
    from azext_wasimig import arm
    from azext_wasimig._client_factory import kube_client
    target = arm.resolve_target(cmd.cli_ctx, resource_group_name, cluster_name, nodepool_name,
                                allow_other_pool=allow_other_pool, acting_on_pool=True)
    return target, kube_client(cmd.cli_ctx, target, _access(admin, kubeconfig, context))


def wasi_cordon(cmd, *, resource_group_name, cluster_name, nodepool_name, force=False, dry_run=False, yes=False,
                admin=False, kubeconfig=None, context=None):
    return _set_unschedulable(cmd, True, resource_group_name, cluster_name, nodepool_name, force=force,
                              dry_run=dry_run, yes=yes, admin=admin, kubeconfig=kubeconfig, context=context)


def wasi_uncordon(cmd, *, resource_group_name, cluster_name, nodepool_name, force=False, dry_run=False, yes=False,
                  admin=False, kubeconfig=None, context=None):
    return _set_unschedulable(cmd, False, resource_group_name, cluster_name, nodepool_name, force=force,
                              dry_run=dry_run, yes=yes, admin=admin, kubeconfig=kubeconfig, context=context)


def _set_unschedulable(cmd, unschedulable, resource_group_name, cluster_name, nodepool_name, *, force, dry_run,
                       yes, admin, kubeconfig, context):
    from azure.cli.core.util import user_confirmation
    from azext_wasimig import drain
    target, api = _pool_kube_client(cmd, resource_group_name, cluster_name, nodepool_name, admin=admin,
                                    kubeconfig=kubeconfig, context=context, allow_other_pool=force)
    if not dry_run:
        user_confirmation(drain.cordon_question(unschedulable, target.wasi_pool_name, target.cluster_name), yes=yes)
    return drain.cordon_pool(api, target.wasi_pool_name, unschedulable=unschedulable, dry_run=dry_run)


def wasi_drain(cmd, *, resource_group_name, cluster_name, nodepool_name, drain_options, yes=False, admin=False,
               kubeconfig=None, context=None):
    """``drain_options``: the drain's flags as one DrainOptions value, made by _validators.validate_drain."""
    from azure.cli.core.util import user_confirmation
    from azext_wasimig import drain
    target, api = _pool_kube_client(cmd, resource_group_name, cluster_name, nodepool_name, admin=admin,
                                    kubeconfig=kubeconfig, context=context)
    if not drain_options.dry_run:
        user_confirmation(drain.drain_question(target.wasi_pool_name, target.cluster_name, drain_options), yes=yes)
    return drain.drain_pool(api, target, drain_options, progress=logger.warning)


def wasi_create_aci(cmd, *, resource_group_name, cluster_name, workloads, nodepool_name=None, aci_resource_group=None,
                    aci_location=None, subnet_id=None, dns_name_label=None, spin_image=None, image=None, dry_run=False,
                    no_wait=False, admin=False, kubeconfig=None, context=None):
    from azext_wasimig import arm
    from azext_wasimig._client_factory import cf_container_groups, kube_client
    from azext_wasimig.prepare import aci, run
    target = arm.resolve_target(cmd.cli_ctx, resource_group_name, cluster_name, nodepool_name)
    options = aci.Options(resource_group=aci_resource_group or resource_group_name, location=aci_location,
                          subnet_id=subnet_id, dns_name_label=dns_name_label, spin_image=spin_image, image=image)
    api = kube_client(cmd.cli_ctx, target, _access(admin, kubeconfig, context))
    return run.create_aci(cf_container_groups(cmd.cli_ctx), api, target, workloads, options, dry_run=dry_run,
                          no_wait=no_wait, note=logger.warning, detail=logger.info, progress=_progress_of(cmd))


def wasi_retarget(cmd, *, resource_group_name, cluster_name, nodepool_name, new_nodepool_name, phase,
                  runtime_class="wasmtime-spin-v2", dry_run=False, export_dir=None, overwrite=False, yes=False,
                  allow_managed=False, timeout=600, no_wait=False, admin=False, kubeconfig=None, context=None):
    from azure.cli.core.util import user_confirmation
    from azext_wasimig import arm
    from azext_wasimig._client_factory import kube_client
    from azext_wasimig.retarget import run as retarget
    target = arm.resolve_target(cmd.cli_ctx, resource_group_name, cluster_name, nodepool_name,
                                new_nodepool_name=new_nodepool_name, new_pool_must_exist=phase != "rollback")
    api = kube_client(cmd.cli_ctx, target, _access(admin, kubeconfig, context))
    request = retarget.RetargetRequest(old=target.wasi_pool_name, new=target.new_pool_name, phase=phase,  # as Azure
                                       runtime_class=runtime_class, dry_run=dry_run, export_dir=export_dir,
                                       overwrite=overwrite, allow_managed=allow_managed)
    return retarget.run(api, request, cluster_name=target.cluster_name, wait_timeout=None if no_wait else timeout,
                        confirm=lambda question: user_confirmation(question, yes=yes), note=logger.warning,
                        progress=logger.warning, info=logger.info)


def wasi_compare(cmd, *, resource_group_name, cluster_name, nodepool_name, new_nodepool_name=None, aci=False,
                 aci_resource_group=None, workloads=None, duration=30, concurrency=4, max_requests=10000, url_old=None,
                 url_new=None, pod_proxy=None, max_regression=None, report=None, overwrite=False, yes=False,
                 admin=False, kubeconfig=None, context=None):
    from azext_wasimig.compare import options, report as compare_report
    checked = options.options(new_nodepool_name=new_nodepool_name, aci=aci, aci_resource_group=aci_resource_group,
                              workloads=workloads, duration=duration, concurrency=concurrency,
                              max_requests=max_requests, url_old=url_old, url_new=url_new, pod_proxy=pod_proxy,
                              max_regression=max_regression)
    if report:   # a report that cannot be written fails before the run
        compare_report.check_writable(report, overwrite)
    target = _arm_target(cmd, resource_group_name, cluster_name, nodepool_name, new_nodepool_name)
    return _compare(cmd, target, checked, _access(admin, kubeconfig, context), report=report, overwrite=overwrite,
                    yes=yes)


def _arm_target(cmd, resource_group_name, cluster_name, nodepool_name, new_nodepool_name=None):
    from azext_wasimig import arm
    return arm.resolve_target(cmd.cli_ctx, resource_group_name, cluster_name, nodepool_name,
                              new_nodepool_name=new_nodepool_name)


def _compare(cmd, target, checked, access, *, report, overwrite, yes):
    from azure.cli.core.util import user_confirmation
    from azext_wasimig._client_factory import kube_client
    from azext_wasimig.compare import report as compare_report, run, verdict
    api = kube_client(cmd.cli_ctx, target, access)
    result = run.compare(api, target, checked, aci_groups=_aci_groups(cmd, target, checked),
                         confirm=lambda question: user_confirmation(question, yes=yes), progress=logger.warning,
                         note=logger.warning)
    if report:
        written = compare_report.write(report, result, overwrite)
        logger.warning("Report written to %s (with %d chart(s) next to it)", report, len(written) - 1)
    verdict.gate(result)
    return result


def _aci_groups(cmd, target, checked):
    """With --aci: a callable that reads the container groups create-aci made (the ACI edge, handed its client)."""
    if not checked.aci:
        return None
    from azext_wasimig._client_factory import cf_container_groups
    from azext_wasimig.compare import aci, run
    return lambda: aci.groups(cf_container_groups(cmd.cli_ctx), run.aci_resource_group(target, checked))


def wasi_verify(cmd, *, resource_group_name, cluster_name, nodepool_name, new_nodepool_name=None, aci=False,
                aci_resource_group=None, soak=0, interval=30, max_restarts=0, report=None, overwrite=False,
                admin=False, kubeconfig=None, context=None):
    from azext_wasimig import arm
    from azext_wasimig._client_factory import kube_client
    from azext_wasimig.verify import report as verify_report, run
    verify_report.check_writable(report, overwrite)   # before the checks, which may take a soak's minutes
    target = arm.resolve_target(cmd.cli_ctx, resource_group_name, cluster_name, nodepool_name,
                                new_nodepool_name=new_nodepool_name, new_pool_must_exist=False)
    home = _verify_home(cmd, target, (aci_resource_group or resource_group_name) if aci else None)
    api = kube_client(cmd.cli_ctx, target, _access(admin, kubeconfig, context))
    summary = run.run_verify(api, old_pool=target.wasi_pool_name, max_restarts=max_restarts, soak_minutes=soak,
                             interval=interval, progress=logger.warning, **home)
    if report:
        verify_report.write(report, summary, target, overwrite)
        logger.warning("Report written to %s", report)
    run.raise_unless_passed(summary)   # after the report: it keeps the evidence of a failed verify
    return summary


def _verify_home(cmd, target, aci_resource_group):
    """run_verify's arguments for the new home: the new pool (proven to be this move's) or the ACI groups."""
    from azext_wasimig import arm
    from azext_wasimig.verify import home
    if aci_resource_group:
        from azext_wasimig._client_factory import cf_container_groups
        from azext_wasimig.decommission import aci_groups
        read = aci_groups.reader(cf_container_groups(cmd.cli_ctx), aci_resource_group, target.cluster.get("id"),
                                 target.wasi_pool_name)
        return {"read_groups": read, "aci_resource_group": aci_resource_group}
    home.check_new_pool(target)
    return {"new_pool": target.new_pool_name,
            "read_pool": arm.pool_reader(cmd.cli_ctx, target, target.new_pool_name)}


def wasi_rewrite(*, manifests, nodepool_name, new_nodepool_name, phase, runtime_class="wasmtime-spin-v2",
                 out_dir=None, in_place=False, overwrite=False, check=False, dry_run=False):
    """Files only: no Azure call, no cluster (like scan --manifests)."""
    from azext_wasimig import rewrite
    move = rewrite.Move(old=nodepool_name, new=new_nodepool_name, phase=phase, runtime_class=runtime_class)
    request = rewrite.RewriteRequest(paths=tuple(manifests), move=move, out_dir=out_dir, in_place=in_place,
                                     overwrite=overwrite, check=check, dry_run=dry_run)
    return rewrite.run(request, note=logger.warning)


def wasi_delete_pool(cmd, *, resource_group_name, cluster_name, request, yes=False, admin=False, kubeconfig=None,
                     context=None):
    """``request``: the flags as one decommission DeletePoolRequest, made by _validators.validate_delete_pool."""
    from azure.cli.core.util import user_confirmation
    from azext_wasimig.decommission import pair, run
    target = _arm_target(cmd, resource_group_name, cluster_name, None, request.home.new)
    target = pair.prove_for_delete(target, request.old)   # the old pool, for --kubeconfig's proof of the cluster
    clients = _decommission_clients(cmd, target, _access(admin, kubeconfig, context), aci=request.home.aci)
    return run.delete_pool(target, clients, request, confirm=lambda question: user_confirmation(question, yes=yes),
                           note=logger.warning, progress=_progress_of(cmd))


def wasi_rollback(cmd, *, resource_group_name, cluster_name, request, yes=False, admin=False, kubeconfig=None,
                  context=None):
    """``request``: the flags as one decommission RollbackRequest, made by _validators.validate_rollback."""
    from azure.cli.core.util import user_confirmation
    from azext_wasimig import arm
    from azext_wasimig.decommission import pair, run
    target = arm.resolve_target(cmd.cli_ctx, resource_group_name, cluster_name, new_nodepool_name=request.new,
                                new_pool_must_exist=False)
    target = pair.prove_for_rollback(target, request.old, delete_new_pool=request.delete_new_pool)
    clients = _decommission_clients(cmd, target, _access(admin, kubeconfig, context), aci=bool(request.delete_aci))
    return run.rollback(target, clients, request, confirm=lambda question: user_confirmation(question, yes=yes),
                        note=logger.warning, info=logger.info, progress=_progress_of(cmd))


def _decommission_clients(cmd, target, access, *, aci):
    from functools import partial
    from azext_wasimig._client_factory import cf_agent_pools, cf_container_groups, kube_client
    from azext_wasimig.decommission.run import Clients
    return Clients(connect=partial(kube_client, cmd.cli_ctx, target, access), agent_pools=cf_agent_pools(cmd.cli_ctx),
                   container_groups=cf_container_groups(cmd.cli_ctx) if aci else None)


def wasi_cutover(cmd, *, resource_group_name, cluster_name, nodepool_name, cutover_options, until=None,
                 dry_run=False, replan=False, show_status=False, abort=False, yes=False, admin=False, kubeconfig=None,
                 context=None):
    """``cutover_options``: the run's flags as one CutoverOptions value, made by _validators.validate_cutover."""
    from azext_wasimig._client_factory import cutover_azure, kube_client
    from azext_wasimig.cutover import run
    target, gone = _cutover_target(cmd, resource_group_name, cluster_name, nodepool_name)
    api = kube_client(cmd.cli_ctx, target, _access(admin, kubeconfig, context))
    if gone:   # a cutover that deleted it says so (exit 0); else the pool is not there (exit code 3)
        document = run.after_deletion(api, target, nodepool_name.lower(), read_only=dry_run or show_status)
        if document is None:
            raise gone
        return document
    if show_status or abort:
        return run.abort(api, target, _who()) if abort else run.status(api, target)
    if not dry_run:
        from azure.cli.core.util import user_confirmation
        from azext_wasimig.cutover.plan import confirmation
        user_confirmation(confirmation(target.cluster_name, target.wasi_pool_name, cutover_options, until), yes=yes)
    azure = cutover_azure(cmd.cli_ctx, target, cutover_options, connect=lambda: api, note=logger.warning,
                          detail=logger.info, progress=_cutover_progress(cmd))
    return _printed_on_stop(lambda: run.run(
        api, target, cutover_options, azure, _cutover_request(target, cutover_options, until, dry_run, replan),
        progress=logger.warning, note=logger.warning))


def _cutover_target(cmd, resource_group_name, cluster_name, nodepool_name):
    """``(target, None)``; once the old pool is gone from ARM, ``(the cluster's target, the not-found error)``: the
    cutover that deleted it can still say where it stands (AKS pool names are lower case)."""
    from azure.cli.core.azclierror import ResourceNotFoundError
    from azext_wasimig import arm
    try:
        return arm.resolve_target(cmd.cli_ctx, resource_group_name, cluster_name, nodepool_name,
                                  acting_on_pool=True), None
    except ResourceNotFoundError as gone:
        cluster = arm.resolve_target(cmd.cli_ctx, resource_group_name, cluster_name)   # not found: the cluster
        return cluster, gone


def _cutover_request(target, options, until, dry_run, replan):
    from azext_wasimig.cutover import plan, run
    resume = plan.command(target.resource_group, target.cluster_name, target.wasi_pool_name, options,
                          subscription=target.subscription_id)
    return run.Request(until=until, dry_run=dry_run, replan=replan, resume_command=resume)


def _cutover_progress(cmd):
    """az's progress for the cutover's Azure waits, each report a safe point for a deferred SIGINT/SIGTERM (else a
    signal during a long-running operation would wait for its end)."""
    from azext_wasimig.cutover import interrupts
    return interrupts.checked(_progress_of(cmd))


def _printed_on_stop(call):
    """A cutover stopped by a gate, an abort or a signal still prints its runbook document on stdout (then the
    error says why, on stderr, and the exit code is 1)."""
    import json
    import sys
    from azext_wasimig.cutover.run import CutoverInterrupted, CutoverStopped
    try:
        return call()
    except (CutoverStopped, CutoverInterrupted) as stopped:
        sys.stdout.write(json.dumps(stopped.result, indent=2, sort_keys=True) + "\n")
        sys.stdout.flush()
        raise


def _who():
    import getpass
    import socket
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}"
