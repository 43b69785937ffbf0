"""Every model of the app, gathered from the concern that owns it, so Django finds them all.

The app is one (`kb`, one migrations folder); each model lives in its concern's package.
"""

from kb.content.models import Category, Entry, Synonym
from kb.content.versions import ContentVersion
from kb.editorial.models import EntryRevision, Feedback, ReadingDay, ReadNext
from kb.insights.models import HandledGap, SearchRecord, SymptomDecision
from kb.search.models import SearchChange, SearchChangeCounter
from kb.support.models import Escalation
from kb.tools.models import ErrorCode, KnownErrorMessage
from kb.web.models import ThrottleWindow

__all__ = [
    "Category",
    "ContentVersion",
    "Entry",
    "ErrorCode",
    "Escalation",
    "EntryRevision",
    "Feedback",
    "HandledGap",
    "KnownErrorMessage",
    "ReadNext",
    "ReadingDay",
    "SearchChange",
    "SearchChangeCounter",
    "SearchRecord",
    "SymptomDecision",
    "Synonym",
    "ThrottleWindow",
]
