"""errors.py (the domain's errors) and their one mapping to azclierror types (_errors.to_cli_error)."""
import pytest

from azext_wasimig import errors
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
