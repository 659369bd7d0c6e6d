"""The load URLs: well-formed, and whether they leave private address space (pure but for name resolution)."""

import ipaddress
import socket

from azext_wasimig.compare.errors import CompareInputError, Unreachable


def checked(flag, url):
    """``url`` if it is an absolute http(s) URL with a host; CompareInputError naming ``flag`` otherwise."""
    from urllib3.util import parse_url
    from urllib3.exceptions import LocationParseError
    try:
        parsed = parse_url(str(url).strip())
    except (LocationParseError, ValueError):
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host or " " in str(url).strip():
        raise CompareInputError(f"{flag} {url!r} is not an http:// or https:// URL with a host: give e.g. "
                                "http://10.0.0.4:8080/ or https://app.contoso.com/healthz.")
    return parsed.url


def host_of(url):
    from urllib3.util import parse_url
    return parse_url(url).host.strip("[]")


def public_addresses(url, resolve=socket.getaddrinfo):
    """The addresses of ``url``'s host outside private space (RFC 1918, loopback, link-local, unique local):
    [] when every address it resolves to is private. Unreachable when the name does not resolve."""
    host = host_of(url)
    try:
        addresses = {ipaddress.ip_address(host)}
    except ValueError:
        try:
            addresses = {ipaddress.ip_address(info[4][0].split("%")[0]) for info in resolve(host, None)}
        except (OSError, UnicodeError) as ex:
            raise Unreachable(f"The host name of {url} does not resolve ({ex}). Nothing was loaded.",
                              recommendation="Check the URL's host name, or use its IP address.") from ex
    return sorted(str(a) for a in addresses if not (a.is_private or a.is_loopback or a.is_link_local))
