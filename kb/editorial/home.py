"""The admin home, for support engineers: the knowledge base first (the sign-in lockout
records below it), and links to the pages they work from: search insights, unanswered
searches and the answers due for review.

Registered in settings.TEMPLATES as the library `kb_admin_home`.
"""

from django import template
from django.urls import reverse

register = template.Library()

# Apps by their place on the home page; the rest keep Django's alphabetical order between.
FIRST, LAST = ["kb"], ["axes"]


@register.filter
def knowledge_base_first(app_list: list[dict]) -> list[dict]:
    def place(app: dict) -> int:
        label = app["app_label"]
        if label in FIRST:
            return -len(FIRST) + FIRST.index(label)
        return LAST.index(label) + 1 if label in LAST else 0

    return sorted(app_list, key=place)  # stable: the others keep their order


@register.inclusion_tag("admin/kb/_work_links.html", takes_context=True)
def work_links(context) -> dict:
    """Only the links this engineer may open."""
    user = context["request"].user
    links = []
    if user.has_perm("kb.view_searchrecord"):
        links += [
            ("Search insights", reverse("admin:kb_searchrecord_changelist")),
            ("Unanswered searches", reverse("admin:kb_search_gaps")),
        ]
    if user.has_perm("kb.view_entry"):
        links.append(
            ("Answers due for review", reverse("admin:kb_entry_changelist") + "?review=due")
        )
    return {"links": links}
