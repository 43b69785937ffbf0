"""A test client that can make requests the way htmx does.

django-htmx 1.29 ships no test client, so this is the small one the style guide describes:
`client.get(url, htmx=True)` sends the headers htmx sends.
"""

from django.test import Client


class HtmxClient(Client):
    def generic(self, method, path, *args, htmx: bool = False, **extra):
        if htmx:
            extra["headers"] = {"HX-Request": "true", **(extra.get("headers") or {})}
        return super().generic(method, path, *args, **extra)
