"""The CLI glue that has logic of its own: validators, table rows, and HTTP error translation."""

from types import SimpleNamespace

import pytest
from azure.cli.core import azclierror
from azure.core.exceptions import HttpResponseError, ServiceRequestError

from azext_wasimig import _errors, _format, _validators


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


def test_table_row_is_compact_and_shows_autoscale_and_state():
    record = {"resourceGroup": "rg", "clusterName": "c", "name": "wasi", "vmSize": "Standard_D2s_v5", "count": 2,
              "enableAutoScaling": True, "minCount": 1, "maxCount": 4, "orchestratorVersion": "1.29.9",
              "clusterKubernetesVersion": "1.30.1", "powerState": "Running", "provisioningState": "Failed"}
    (row,) = _format.pool_list_table_format([record])
    assert list(row) == ["ResourceGroup", "Cluster", "NodePool", "VmSize", "Count", "KubernetesVersion", "State"]
    assert row["Count"] == "2 (1-4)"
    assert row["KubernetesVersion"] == "1.29.9"
    assert row["State"] == "Running (Failed)"


def test_table_state_is_the_power_state_when_provisioning_succeeded():
    row = _format.pool_row({"powerState": "Stopped", "provisioningState": "Succeeded", "count": 1})
    assert row["State"] == "Stopped" and row["Count"] == 1


def test_show_table_is_one_row_or_none():
    assert len(_format.pool_show_table_format({"name": "p"})) == 1
    assert _format.pool_show_table_format(None) == []


class FakeResponse:  # the attributes azure-core reads from a transport response
    def __init__(self, status):
        self.status_code, self.reason, self.headers = status, "x", {}
        self.request = None

    def text(self, encoding=None):
        return '{"error": {"code": "AuthorizationFailed", "message": "no access"}}'


@pytest.mark.parametrize("status, error_type, words", [
    (404, azclierror.ResourceNotFoundError, "Not found while"),
    (403, azclierror.ForbiddenError, "Access denied while"),
    (429, azclierror.AzureResponseError, "throttling"),
    (500, azclierror.AzureInternalError, "HTTP 500"),
    (409, azclierror.AzureResponseError, "HTTP 409"),
])
def test_http_errors_become_cli_errors_with_the_service_message(status, error_type, words):
    error = HttpResponseError(response=FakeResponse(status))
    converted = _errors.cli_error_for(error, "listing clusters")
    assert isinstance(converted, error_type)
    assert words in str(converted) and "listing clusters" in str(converted)
    assert "no access" in str(converted)


def test_connection_errors_become_connection_errors():
    converted = _errors.cli_error_for(ServiceRequestError("connection refused"), "listing clusters")
    assert isinstance(converted, azclierror.AzureConnectionError)


def test_other_exceptions_pass_through_unchanged():
    with pytest.raises(KeyError):
        _errors.raise_cli_error(KeyError("x"), "anything")
