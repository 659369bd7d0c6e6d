"""The harness's own rules (tests/k8s/harness.py) that the tier leans on."""

import pytest

from tests.k8s.harness import account_not_ready

pytestmark = pytest.mark.k8s

TOKEN_NOT_YET = ('No API token found for service account "default", retry after the token is automatically created '
                 'and added to the service account')


@pytest.mark.parametrize("status, message, retried", [
    (403, 'pods "web" is forbidden: error looking up service account demo/default: serviceaccount "default" not '
          'found', True),
    (500, TOKEN_NOT_YET, True),                            # the token controller has not caught up yet
    (500, "etcdserver: request timed out", False),         # another 500 is a real failure
    (403, 'pods is forbidden: User "dev" cannot create resource "pods"', False),
    (409, "already exists", False)])
def test_create_when_ready_retries_only_while_the_default_service_account_is_being_made(status, message, retried):
    assert account_not_ready(status, message) is retried
