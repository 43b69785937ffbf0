"""Values that many pages show, in one place: the support address and the support hours."""

from django.conf import settings
from django.http import HttpRequest

from kb.tools import schedules


def site(request: HttpRequest) -> dict:
    return {
        "support_email": settings.KB_SUPPORT_EMAIL,
        "support_hours": schedules.SUPPORT_HOURS,
        "support_opens": schedules.clock_hour(schedules.SUPPORT_OPENS),
        "support_closes": schedules.clock_hour(schedules.SUPPORT_CLOSES),
    }
