"""_validators: what is refused after parsing, before any call to Azure, naming the flag."""

import logging
from types import SimpleNamespace

import pytest
from azure.cli.core import azclierror

from azext_wasimig import _validators
from azext_wasimig.errors import MigrationError
from azext_wasimig.prepare import pool_spec


def namespace(**kw):
    base = dict(resource_group_name=None, cluster_name=None, all_subscriptions=False)
    return SimpleNamespace(**{**base, **kw})


def test_cluster_without_resource_group_is_refused():
    with pytest.raises(azclierror.RequiredArgumentMissingError, match="--resource-group/-g"):
        _validators.validate_list_scope(namespace(cluster_name="c"))


@pytest.mark.parametrize("scope", [dict(resource_group_name="rg"), dict(resource_group_name="rg", cluster_name="c")])
def test_all_subscriptions_excludes_narrower_scopes(scope):
    with pytest.raises(azclierror.MutuallyExclusiveArgumentError, match="--all-subscriptions"):
        _validators.validate_list_scope(namespace(all_subscriptions=True, **scope))


@pytest.mark.parametrize("scope", [{}, dict(resource_group_name="rg"), dict(resource_group_name="rg", cluster_name="c"),
                                   dict(all_subscriptions=True)])
def test_valid_scopes_pass(scope):
    _validators.validate_list_scope(namespace(**scope))


def test_all_subscriptions_with_a_subscription_on_the_command_line_is_refused():
    cmd = SimpleNamespace(cli_ctx=SimpleNamespace(data={"safe_params": ["--all-subscriptions", "--subscription"]}))
    with pytest.raises(azclierror.MutuallyExclusiveArgumentError, match="--subscription would be ignored"):
        _validators.validate_list_scope(namespace(all_subscriptions=True, cmd=cmd))


@pytest.mark.parametrize("names", [dict(resource_group_name="rg-apps.(x)_1", cluster_name="a", nodepool_name="WASI"),
                                   dict(cluster_name="aks_prod-1", nodepool_name="w" * 12, new_nodepool_name="Std2")])
def test_names_aks_accepts_pass_in_any_case(names):
    _validators.validate_names(SimpleNamespace(**names))


@pytest.mark.parametrize("attr, value, flag", [
    ("nodepool_name", "../../x", "--nodepool-name"), ("nodepool_name", "", "--nodepool-name"),
    ("nodepool_name", "1pool", "--nodepool-name"), ("nodepool_name", "w" * 13, "--nodepool-name"),
    ("new_nodepool_name", "std-2", "--new-nodepool-name"), ("cluster_name", "aks/x", "--name/-n"),
    ("cluster_name", "-aks", "--name/-n"), ("cluster_name", "a" * 64, "--name/-n"),
    ("resource_group_name", "rg/x", "--resource-group/-g"), ("resource_group_name", "rg.", "--resource-group/-g"),
    ("aci_resource_group", "a b", "--aci-resource-group"),
])
def test_names_aks_cannot_hold_are_refused_naming_the_flag(attr, value, flag):
    with pytest.raises(azclierror.InvalidArgumentValueError, match=f"{flag} '.*' is not a valid name"):
        _validators.validate_names(SimpleNamespace(**{attr: value}))


def test_dry_run_wins_over_no_wait():
    args = SimpleNamespace(resource_group_name="rg", cluster_name="c", nodepool_name="wasi", new_nodepool_name=None,
                           labels=None, vm_size=None, zones=None, node_count=None, min_count=None, max_count=None,
                           dry_run=True, no_wait=True)
    _validators.validate_create_pool(args)
    assert args.no_wait is False


def test_create_pool_flags_become_one_checked_overrides_value():
    args = SimpleNamespace(resource_group_name="rg", cluster_name="c", nodepool_name="wasi", new_nodepool_name=None,
                           labels=["team=web"], vm_size="Standard_D4s_v5", zones=["1", "2"], node_count=2,
                           min_count=None, max_count=None, dry_run=False, no_wait=False)
    _validators.validate_create_pool(args)
    assert args.overrides == pool_spec.PoolOverrides(vm_size="Standard_D4s_v5", node_count=2, zones=("1", "2"),
                                                     labels={"team": "web"})
    assert not any(hasattr(args, flag) for flag in ("labels", "vm_size", "zones", "node_count", "min_count"))


def aci_args(**kw):
    base = dict(workloads=["demo/deploy/web"], aci_location=None, subnet_id=None, dns_name_label=None,
                aci_resource_group=None, image=None, spin_image=None)
    return SimpleNamespace(**{**base, **kw})


def test_create_aci_arguments_are_parsed_and_checked():
    args = aci_args(aci_location="West Europe")
    _validators.validate_create_aci(args)
    assert args.workloads == [("demo", "Deployment", "web")] and args.aci_location == "westeurope"
    for bad, error in ((dict(workloads=["a/deploy/c", "a/deploy/d"], image="x"), "--image applies to one workload"),
                       (dict(dns_name_label="-bad"), "--dns-name-label"),
                       (dict(aci_resource_group="rg."), "--aci-resource-group"),
                       (dict(spin_image=" "), "--spin-image"),
                       (dict(workloads=["a/b"]), "NAMESPACE/KIND/NAME")):
        with pytest.raises((azclierror.AzCLIError, MigrationError), match=error):
            _validators.validate_create_aci(aci_args(**bad))


def test_retarget_arguments_are_checked(tmp_path):
    ok = SimpleNamespace(nodepool_name="wasi", new_nodepool_name="wasi2", runtime_class="wasmtime-spin-v2",
                         export_dir=str(tmp_path / "out"), timeout=600, no_wait=False, dry_run=False)
    _validators.validate_retarget(ok)
    previewed = SimpleNamespace(**{**vars(ok), "dry_run": True, "no_wait": True})
    _validators.validate_retarget(previewed)
    assert previewed.no_wait is False                     # a dry run's output is what was asked for
    file = tmp_path / "file"
    file.write_text("x")
    for bad, error in ((dict(new_nodepool_name="WASI"), "another pool"), (dict(runtime_class="Bad_Class"), "Runtime"),
                       (dict(export_dir=str(file)), "not a folder"), (dict(timeout=-1), "--timeout -1 is not valid")):
        with pytest.raises(azclierror.InvalidArgumentValueError, match=error):
            _validators.validate_retarget(SimpleNamespace(**{**vars(ok), **bad}))


@pytest.mark.parametrize("data, handler_level, refused", [
    ({"_acquire_policy_token": True}, logging.DEBUG, True),      # --debug, or az's log file
    ({"_change_reference": "CR1"}, logging.INFO, True),          # --verbose: the raw-request helper logs at INFO
    ({"_acquire_policy_token": True}, logging.WARNING, False),   # the default console, logger still at DEBUG
    ({}, logging.DEBUG, False)])
def test_policy_tokens_are_refused_when_request_bodies_would_be_logged(data, handler_level, refused):
    logger = logging.getLogger(_validators.RAW_REQUEST_LOGGER)
    saved = logger.level, logger.propagate, logger.handlers[:]
    handler = logging.NullHandler()
    handler.setLevel(handler_level)
    logger.setLevel(logging.DEBUG)          # as knack sets every CLI logger, whatever the verbosity
    logger.propagate, logger.handlers[:] = False, [handler]
    try:
        if refused:
            with pytest.raises(azclierror.MutuallyExclusiveArgumentError, match="--verbose/--debug"):
                _validators.refuse_logged_policy_requests(SimpleNamespace(data=data))
        else:
            _validators.refuse_logged_policy_requests(SimpleNamespace(data=data))
    finally:
        logger.setLevel(saved[0])
        logger.propagate, logger.handlers[:] = saved[1], saved[2]
