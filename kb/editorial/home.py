"""The admin home, for support engineers: the knowledge base first (the sign-in lockout
records below it), links to the pages they work from (search insights, unanswered searches,
the answers due for review, the review queue) and the review queue itself: the revisions
waiting for review, for those who may publish; their own revisions waiting or sent back, for
the others (kb/editorial/approval.py).

Registered in settings.TEMPLATES as the library `kb_admin_home`.
"""

from django import template
from django.conf import settings
from django.urls import reverse

from kb.content.models import may_publish
from kb.editorial.models import EntryRevision

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
    if user.has_perm("kb.view_entry") and settings.KB_REVIEW_BEFORE_PUBLISHING:
        links.append(("Review queue", _queue_url()))
    return {"links": links}


# The queue on the home page shows this many; the entry list's filter shows them all.
QUEUE_LENGTH = 20


@register.inclusion_tag("admin/kb/_review_queue.html", takes_context=True)
def review_queue(context) -> dict:
    """Who may publish: every revision waiting for review, the oldest first. The others:
    their own revisions waiting or sent back. Shown where the site reviews before publishing,
    or while anything waits."""
    user = context["request"].user
    waiting = EntryRevision.objects.waiting_for_review()
    if not user.has_perm("kb.change_entry") or not (
        settings.KB_REVIEW_BEFORE_PUBLISHING or waiting.exists()
    ):
        return {"queue": None}
    reviewer = may_publish(user)
    if reviewer:
        revisions = waiting
    else:
        revisions = (
            EntryRevision.objects.by_author(user)
            .exclude(state=EntryRevision.State.DRAFT)
            .order_by("-updated")
        )
    revisions = revisions.select_related("entry", "author", "asked_by", "reviewed_by")
    return {
        "queue": [
            {
                "revision": revision,
                "url": reverse("admin:kb_entry_change", args=[revision.entry_id])
                + "#revision-pending",
            }
            for revision in revisions[:QUEUE_LENGTH]
        ],
        "reviewer": reviewer,
        "total": revisions.count(),
        "all_url": _queue_url(),
    }


def _queue_url() -> str:
    return reverse("admin:kb_entry_changelist") + f"?revision={EntryRevision.State.WAITING}"
