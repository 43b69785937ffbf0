"""The client's address, as far as the proxies in front of the site can be trusted.

Behind a reverse proxy every request comes from the proxy's address, so a throttle keyed on
REMOTE_ADDR would put every visitor in one bucket. Each proxy appends to X-Forwarded-For the
address it received the request from; with KB_TRUSTED_PROXIES = N (the number of proxies in
front of the site, 0 by default), the client is the N-th address from the right. Anything to
its left was written by the client itself and is not believed.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.KB_TRUSTED_PROXIES
    if proxies < 1:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        # Fewer hops than proxies: the request did not come through all of them (or a proxy
        # is misconfigured). The nearest address is the only one we know to be true.
        return remote
    return _valid(forwarded[-proxies]) or remote
