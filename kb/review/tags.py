"""Template tags for the admin home: how many entries are due for review, per owner.

Registered in settings.TEMPLATES as the library `kb_review`, so it lives with its feature.
"""

from django import template
from django.contrib.auth import get_permission_codename
from django.urls import reverse

from kb.content.models import Entry
from kb.review import verification
from kb.review.admin import ResponsibleFilter

register = template.Library()


@register.inclusion_tag("admin/kb/_review_due_by_owner.html", takes_context=True)
def review_due_by_owner(context) -> dict:
    request = context["request"]
    if not request.user.has_perm(f"kb.{get_permission_codename('view', Entry._meta)}"):
        return {"rows": None}
    url = reverse("admin:kb_entry_changelist") + "?review=due"
    rows = [
        {
            "owner": row["owner"],
            "due": row["due"],
            "url": url
            + f"&responsible={row['owner'].pk if row['owner'] else ResponsibleFilter.NOBODY}",
        }
        for row in verification.due_counts_by_owner()
    ]
    return {"rows": rows, "all_url": url}
