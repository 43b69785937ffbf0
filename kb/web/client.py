"""The client's address, as far as the proxies in front of the site can be trusted.

Behind a reverse proxy every request comes from the proxy's address, so a throttle keyed on
REMOTE_ADDR would put every visitor in one bucket. Each proxy appends to X-Forwarded-For the
address it received the request from. KB_TRUSTED_PROXIES lists the proxies' addresses or
networks (`127.0.0.1,10.0.0.0/8`): walking back from the connection, each hop that is one of
them is believed about the hop before it, and the first address that is not a proxy is the
client. A connection that does not come from a listed proxy is the client itself, whatever
X-Forwarded-For it sends: a node reachable directly cannot be given someone else's address.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _valid(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    # An IPv4 client seen over an IPv6 socket (::ffff:203.0.113.5) is that IPv4 address.
    return getattr(address, "ipv4_mapped", None) or address


@lru_cache(maxsize=8)
def _networks(configured: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in configured)


def _is_proxy(address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _networks(tuple(settings.KB_TRUSTED_PROXIES))
    hop = _valid(remote)
    if not networks or hop is None or not _is_proxy(hop, networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for part in reversed([part.strip() for part in forwarded if part.strip()]):
        previous = _valid(part)
        if previous is None:
            # Not an address: written by someone other than a proxy. The last hop a proxy
            # vouched for is the nearest address known to be true.
            return str(hop)
        hop = previous
        if not _is_proxy(hop, networks):
            return str(hop)
    # Proxies all the way (or no header): the furthest one known is the client.
    return str(hop)
