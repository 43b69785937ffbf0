"""Values that many pages show, in one place."""

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    return {"support_email": settings.KB_SUPPORT_EMAIL}
