"""_validators: what is refused after parsing, before any call to Azure, naming the flag."""

from types import SimpleNamespace

import pytest
from azure.cli.core import azclierror

from azext_wasimig import _validators


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
