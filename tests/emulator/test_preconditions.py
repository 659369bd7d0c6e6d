"""Conditional agent-pool PUTs, as the AgentPools_CreateOrUpdate REST spec declares them (`if-match` / `if-none-match`
headers: "The request should only proceed if [no] entity matches this string") and as RFC 9110 13.1 defines them:
`If-None-Match: *` fails when the pool exists, `If-Match: <eTag>` when its eTag differs (or it does not exist);
a failed precondition is 412 PreconditionFailed and changes nothing."""

from tests.emulator.testing import PROD_POOLS

BODY = {"properties": {"vmSize": "Standard_D4s_v5", "count": 1}}


def _refused(response):
    return response.status_code == 412 and response.json()["error"]["code"] == "PreconditionFailed"


def test_if_none_match_star_creates_only_a_pool_that_does_not_exist(arm):
    assert arm.put(f"{PROD_POOLS}/spin", BODY, headers={"If-None-Match": "*"}).status_code == 201
    before = arm.get(f"{PROD_POOLS}/spin").json()
    assert _refused(arm.put(f"{PROD_POOLS}/spin", {"properties": {**BODY["properties"], "count": 2}},
                            headers={"If-None-Match": "*"}))
    assert arm.get(f"{PROD_POOLS}/spin").json() == before, "nothing changed"


def test_if_match_needs_the_current_etag(arm):
    etag = arm.get(f"{PROD_POOLS}/web").json()["properties"]["eTag"]
    assert _refused(arm.put(f"{PROD_POOLS}/web", BODY, headers={"If-Match": '"not-the-etag"'}))
    assert _refused(arm.put(f"{PROD_POOLS}/absent", BODY, headers={"If-Match": "*"}))
    assert arm.put(f"{PROD_POOLS}/web", {"properties": {"vmSize": "Standard_D4s_v5", "count": 2}},
                   headers={"If-Match": f'"{etag}"'}).status_code == 200
    assert arm.get(f"{PROD_POOLS}/web").json()["properties"]["eTag"] != etag, "a write changes the eTag"
