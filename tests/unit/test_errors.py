"""errors.py (the domain's errors) and their one mapping to azclierror types (_errors.to_cli_error); Azure SDK
failures worded as azclierror types (_errors.cli_error_for)."""
import pytest
from azure.cli.core import azclierror
from azure.core.exceptions import HttpResponseError, ServiceRequestError

from azext_wasimig import _errors, errors
from azext_wasimig._errors import CLI_ERROR_BY_KIND, to_cli_error


class _Gone(errors.MigrationError):
    kind = "not_found"


class _Stopped(errors.MigrationInterrupted):
    pass


def test_a_domain_error_keeps_its_message_and_recommendation_and_gets_its_kinds_type():
    from azure.cli.core.azclierror import ResourceNotFoundError
    cli_error = to_cli_error(_Gone("Pool 'wasi' is gone.", recommendation="Run list."))
    assert isinstance(cli_error, ResourceNotFoundError)
    assert str(cli_error) == "Pool 'wasi' is gone." and cli_error.recommendations == ["Run list."]


def test_an_interruption_becomes_manual_interrupt_and_stays_a_keyboard_interrupt_until_then():
    from azure.cli.core.azclierror import ManualInterrupt
    stopped = _Stopped("3 of 5 pods evicted.", recommendation="Run it again.")
    assert isinstance(stopped, KeyboardInterrupt)
    assert isinstance(to_cli_error(stopped), ManualInterrupt)


def test_anything_else_is_not_converted():
    assert to_cli_error(ValueError("a bug")) is None


@pytest.mark.parametrize("kind", sorted(CLI_ERROR_BY_KIND))
def test_every_kind_names_a_real_azclierror(kind):
    from azure.cli.core import azclierror
    assert issubclass(getattr(azclierror, CLI_ERROR_BY_KIND[kind]), azclierror.AzCLIError)


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


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_every_domain_error_of_the_package_has_a_kind_the_cli_maps():
    import importlib
    import pkgutil
    import azext_wasimig
    for module in pkgutil.walk_packages(azext_wasimig.__path__, "azext_wasimig."):
        importlib.import_module(module.name)
    kinds = {cls.__qualname__: cls.kind for cls in _all_subclasses(errors.MigrationError)
             if cls.__module__.startswith("azext_wasimig.")}
    assert "KubeUnauthorized" in kinds     # kube.errors is among them
    assert {name: kind for name, kind in kinds.items() if kind not in CLI_ERROR_BY_KIND} == {}
