"""compare's inputs, each refused with the flag and the fix."""

import pytest

from azext_wasimig.compare import options, urls
from azext_wasimig.compare.errors import CompareInputError, Unreachable


def _options(**overrides):
    return options.options(**{"new_nodepool_name": "std", **overrides})


@pytest.mark.parametrize("flag, value", [("duration", 0), ("duration", -5), ("duration", 3601),
                                         ("concurrency", 0), ("concurrency", 65), ("max_requests", 0),
                                         ("max_requests", 10 ** 9)])
def test_bounds(flag, value):
    with pytest.raises(CompareInputError, match=f"--{flag.replace('_', '-')} {value} is out of range"):
        _options(**{flag: value})


@pytest.mark.parametrize("text, expected", [("10", 10.0), ("12.5%", 12.5), (0, 0.0)])
def test_max_regression(text, expected):
    assert _options(max_regression=text).max_regression == expected


@pytest.mark.parametrize("text", ["ten", "-1", "nan", "inf", "1e9"])
def test_max_regression_not_a_percentage(text):
    with pytest.raises(CompareInputError, match="is not a percentage"):
        _options(max_regression=text)


@pytest.mark.parametrize("url", ["ftp://x/", "http://", "127.0.0.1:80", "not a url", "http://exa mple.com/"])
def test_malformed_urls(url):
    with pytest.raises(CompareInputError, match="--url-new .* is not an http:// or https:// URL"):
        _options(url_old="http://127.0.0.1/", url_new=url)


@pytest.mark.parametrize("flags, message", [
    ({"url_old": "http://127.0.0.1/"}, "go together"),
    ({"url_old": "http://127.0.0.1/", "url_new": "http://127.0.0.1/", "pod_proxy": "80"}, "not both"),
    ({"new_nodepool_name": None, "aci": True, "pod_proxy": "80"}, "not behind it"),
    ({"new_nodepool_name": None}, "Name the new side"),
    ({"aci": True}, "Name the new side"),
    ({"aci_resource_group": "rg"}, "goes with --aci"),
    ({"workloads": ["web"]}, "is not valid: use NAMESPACE/KIND/NAME")])
def test_flags_that_do_not_go_together(flags, message):
    with pytest.raises(CompareInputError, match=message):
        _options(**flags)


def test_pod_proxy():
    assert _options(pod_proxy="8080/healthz").load.pod_proxy == (8080, "/healthz")
    assert _options(pod_proxy="80").load.pod_proxy == (80, "/")
    for bad in ("0", "70000", "http", "80?x=1"):
        with pytest.raises(CompareInputError, match="is not PORT"):
            _options(pod_proxy=bad)


def test_public_addresses_are_those_outside_private_space():
    def resolve(host, _):
        return [(2, 1, 6, "", ({"app.contoso.com": "20.50.1.2", "internal": "10.1.2.3"}[host], 0))]
    assert urls.public_addresses("http://127.0.0.1:8080/") == []
    assert urls.public_addresses("http://[::1]:8080/") == []
    assert urls.public_addresses("http://192.168.1.10/") == []
    assert urls.public_addresses("http://internal/", resolve) == []
    assert urls.public_addresses("https://app.contoso.com/", resolve) == ["20.50.1.2"]
    assert urls.public_addresses("http://93.184.216.34/") == ["93.184.216.34"]


def test_a_name_that_does_not_resolve_is_unreachable():
    def resolve(host, _):
        raise OSError(-2, "Name or service not known")
    with pytest.raises(Unreachable, match="does not resolve"):
        urls.public_addresses("http://nowhere.invalid/", resolve)
