"""Whether a POST comes from this site's own pages: cross-site request forgery without tokens.

Public pages are the same for every visitor and kept by caches, so they embed no per-visitor
CSRF token. Their forms (the "Was this helpful?" vote, the search box) are protected by what
the browser says about where the request comes from, which a page on another site cannot forge:

- `Sec-Fetch-Site` (every current browser): `same-origin` is accepted, and `none` (the
  visitor's own action, such as reloading a result page, which no other site caused);
  `same-site` (a sibling subdomain) and `cross-site` are refused;
- else `Origin` (browsers send it on every POST since 2020): it must be this site's own origin
  (scheme and host of the request) or one of DJANGO_CSRF_TRUSTED_ORIGINS; `null` is refused;
- else `Referer`, when there is one: its origin must be the site's, as above;
- with none of the three, the request is accepted. Only a browser older than 2020 sends a form
  without them, or a program (curl, a script) that could send any header it liked: a token
  would not stop it either. Voting is throttled per address and counts once per visitor, so
  what such a client can do is what it could always do.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def _own_origins(request: HttpRequest) -> set[str]:
    own = f"{request.scheme}://{request.get_host()}".lower()
    return {own, *(origin.lower() for origin in settings.CSRF_TRUSTED_ORIGINS)}


def is_same_origin(request: HttpRequest) -> bool:
    """True unless the browser says the request comes from another site (see above)."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin.lower() in _own_origins(request)
    referer = request.headers.get("Referer")
    if referer:
        return _origin_of(referer) in _own_origins(request)
    return True
