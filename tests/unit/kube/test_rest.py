"""The Kubernetes transport's retries and paging (kube/rest.py), against a scripted ApiClient: which requests are
retried, on what, how long at most; continue tokens that expire or repeat."""

import json

import pytest
import urllib3.exceptions as u3

from azext_wasimig.kube import errors as kube_errors
from azext_wasimig.kube import rest

QUICK = rest.RetryPolicy(attempts=4, budget=5.0, initial=0.001, maximum=0.002, retry_after_max=0.001)


class Answer:
    def __init__(self, status, body=None, headers=None):
        self.status, self.headers = status, headers or {}
        self._data = json.dumps(body or {}).encode()

    def read(self):
        return self._data


class ScriptedClient:
    """Stands in for kubernetes.client.ApiClient: ``script`` is a list of Answers or exceptions, used in turn."""

    def __init__(self, *script):
        self.script, self.sent = list(script), []

    def param_serialize(self, method, path, query_params=None, header_params=None, body=None, auth_settings=None):
        return method, (path, dict(query_params or [])), header_params, body, None

    def call_api(self, method, url, headers, body, _request_timeout=None):
        self.sent.append((method, url[0], url[1]))
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return step


def status(code, retry_after=None):
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    return Answer(code, {"kind": "Status", "code": code, "message": f"scripted {code}"}, headers)


def page(names, token=None):
    return Answer(200, {"metadata": {"continue": token} if token else {}, "items": [{"name": n} for n in names]})


def dropped():
    return u3.MaxRetryError(None, "/api/v1/pods", u3.ProtocolError("Connection aborted.", ConnectionResetError(104)))


@pytest.mark.parametrize("method, body, expected", [
    ("GET", None, True),
    ("PATCH", {"metadata": {"resourceVersion": "42"}, "spec": {}}, True),
    ("PATCH", {"spec": {"unschedulable": True}}, False),
    ("POST", {"metadata": {"resourceVersion": "42"}}, False),
    ("DELETE", None, False),
])
def test_only_gets_and_conditioned_patches_are_idempotent(method, body, expected):
    assert rest.is_idempotent(method, body) is expected


@pytest.mark.parametrize("failure", [status(429, retry_after=1), status(500), status(503), dropped()])
def test_a_get_is_retried_after_throttling_server_errors_and_resets(failure):
    client = ScriptedClient(failure, Answer(200, {"ok": True}))
    assert rest.call(client, "GET", "/api/v1/nodes", retry=QUICK) == {"ok": True}
    assert len(client.sent) == 2


def test_retries_stop_after_the_attempts_with_the_last_answer():
    client = ScriptedClient(*[status(500)] * 10)
    with pytest.raises(rest.KubeApiError) as raised:
        rest.call(client, "GET", "/api/v1/nodes", retry=QUICK)
    assert raised.value.status == 500 and len(client.sent) == QUICK.attempts


def test_no_retry_would_start_after_the_time_budget():
    client = ScriptedClient(status(429, retry_after=1), Answer(200))
    with pytest.raises(rest.KubeApiError):
        rest.call(client, "GET", "/api/v1/nodes", retry=rest.RetryPolicy(budget=0.5))   # Retry-After 1 s > budget
    assert len(client.sent) == 1


@pytest.mark.parametrize("method, body", [("POST", {"kind": "Eviction"}), ("PATCH", {"spec": {"x": 1}})])
def test_non_idempotent_requests_are_sent_once(method, body):
    client = ScriptedClient(status(503), Answer(200))
    with pytest.raises(rest.KubeApiError):
        rest.call(client, method, "/api/v1/namespaces/a/pods/p/eviction", body=body, retry=QUICK)
    assert len(client.sent) == 1


def test_a_caller_may_declare_a_post_safe_to_repeat():
    client = ScriptedClient(status(500), Answer(200, {"status": {"allowed": True}}))
    assert rest.call(client, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", body={},
                     idempotent=True, retry=QUICK)["status"]["allowed"]


@pytest.mark.parametrize("code", [400, 401, 403, 404, 409, 410, 422])
def test_answers_a_retry_cannot_cure_are_not_retried(code):
    client = ScriptedClient(status(code), Answer(200))
    with pytest.raises(rest.KubeApiError):
        rest.call(client, "GET", "/api/v1/nodes", retry=QUICK)
    assert len(client.sent) == 1


def test_a_refused_connection_is_not_retried_here():
    refused = u3.MaxRetryError(None, "/", u3.NewConnectionError(None, "Connection refused"))
    client = ScriptedClient(refused, Answer(200))
    with pytest.raises(u3.MaxRetryError):
        rest.call(client, "GET", "/version", retry=QUICK)
    assert len(client.sent) == 1


def test_retry_after_is_honoured_and_capped_and_backoff_doubles():
    policy = rest.RetryPolicy(initial=1.0, maximum=3.0, retry_after_max=10.0)
    assert policy.wait(1, retry_after=4) == 4 and policy.wait(1, retry_after=60) == 10
    assert 0.8 <= policy.wait(1) <= 1.2 and 1.6 <= policy.wait(2) <= 2.4 and policy.wait(5) <= 3.0 * 1.2


def test_paging_follows_continue_tokens():
    client = ScriptedClient(page(["a"], "t1"), page(["b"], "t2"), page(["c"]))
    assert [i["name"] for i in rest.list_all(client, "/api/v1/pods")] == ["a", "b", "c"]
    assert [q.get("continue") for _, _, q in client.sent] == [None, "t1", "t2"]


def test_an_expired_continue_token_restarts_the_list_and_drops_what_was_read():
    client = ScriptedClient(page(["a"], "t1"), status(410), page(["a2"], "t3"), page(["b2"]))
    assert [i["name"] for i in rest.list_all(client, "/api/v1/pods")] == ["a2", "b2"]
    assert [q.get("continue") for _, _, q in client.sent] == [None, "t1", None, "t3"]


def test_restarts_are_bounded():
    script = [step for _ in range(rest.MAX_LIST_RESTARTS + 1) for step in (page(["a"], "t1"), status(410))]
    with pytest.raises(rest.ListError, match="410"):
        rest.list_all(ScriptedClient(*script), "/api/v1/pods")


def test_a_410_on_the_first_page_is_not_a_restart():
    with pytest.raises(rest.KubeApiError):
        rest.list_all(ScriptedClient(status(410), page(["a"])), "/api/v1/pods")


def test_a_repeated_continue_token_stops_the_list_instead_of_looping():
    client = ScriptedClient(page(["a"], "t1"), page(["b"], "t2"), page(["b"], "t1"), *[page(["x"], "t1")] * 50)
    with pytest.raises(rest.ListError, match="already sent"):
        rest.list_all(client, "/api/v1/pods")
    assert len(client.sent) == 3


def test_paging_errors_are_worded_for_the_cli():
    error = rest.api_error(rest.ListError("Listing /api/v1/pods failed: ..."), "reading pods", "https://k")
    assert isinstance(error, kube_errors.KubeServiceError) and error.kind == "service"
    assert "reading pods" in str(error) and "https://k" in str(error) and "a proxy" in error.recommendation


@pytest.mark.parametrize("status, kind, words", [
    (401, "unauthorized", "The API server at https://k rejected the credentials (HTTP 401) while reading pods"),
    (403, "forbidden", "Forbidden while reading pods: pods is forbidden"),
    (404, "not_found", "Not found while reading pods: pods is forbidden"),
    (409, "service", "The API server answered HTTP 409 while reading pods: pods is forbidden"),
])
def test_api_errors_by_status(status, kind, words):
    failure = rest.KubeApiError("GET", "/api/v1/pods", status, {"message": "pods is forbidden"})
    error = rest.api_error(failure, "reading pods", "https://k", permission="list pods")
    assert error.kind == kind and str(error).startswith(words)
    if status == 403:
        assert error.recommendation.startswith("It needs permission to list pods.")


def test_api_error_leaves_a_bug_as_it_is():
    bug = KeyError("x")
    assert rest.api_error(bug, "reading pods", "https://k") is bug
    with pytest.raises(KeyError):
        rest.raise_api_error(bug, "reading pods", "https://k")
