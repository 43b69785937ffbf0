"""The Procore guides the FAQ's answers name, with the addresses confirmed from the docs' own
permalinks, so that `load_faq` can warn about an answer that names a guide without linking it.

A guide counts as linked when its address appears anywhere in the answer: the warning is a
reminder for the author, not a rule the load enforces. Guides whose address is not confirmed
(the removed Implicit Grant article, an API Explorer that does not exist) are left out on
purpose: an answer may name them without a link.
"""

from collections.abc import Iterable

from kb.content.files import EntryData

DOCS = "https://developers.procore.com/documentation"

# The name as the answers write it (matched without regard to case) -> its confirmed address.
GUIDES = {
    "OAuth 2.0 Access Tokens": f"{DOCS}/oauth-choose-grant-type",
    "Authorization Code grant flow": f"{DOCS}/oauth-auth-grant-flow",
    "installed application configuration": f"{DOCS}/oauth-auth-grant-flow",
    "Grant App Authorization": f"{DOCS}/oauth-endpoints",
    "Revoke Token endpoint": f"{DOCS}/oauth-endpoints",
    "Client Credentials Grant Type": f"{DOCS}/oauth-client-credentials",
    "API Lifecycle": f"{DOCS}/rest-api-lifecycle",
    "RESTful API Concepts": f"{DOCS}/restful-api-concepts",
    "Rate Limiting guide": f"{DOCS}/rate-limiting",
    "MPZ header requirements": f"{DOCS}/tutorial-mpz",
    "Creating a New Application": f"{DOCS}/building-apps-create-new",
    "Introduction to Webhooks": f"{DOCS}/webhooks",
    "Using the Webhooks API": f"{DOCS}/webhooks-api",
    "Developer Portal": "https://developers.procore.com",
    "Postman": "https://www.postman.com/",
    "Procore Support Site": "https://support.procore.com/",
    "What is App Management?": "https://support.procore.com/faq/what-is-app-management",
    "API Support Team": "https://developers.procore.com/developer_support",
}


def unlinked_guides(answer: str) -> list[str]:
    """The guides the answer names whose confirmed address it does not link."""
    lowered = answer.lower()
    return [name for name, url in GUIDES.items() if name.lower() in lowered and url not in answer]


def unlinked_guide_warnings(entries: Iterable[EntryData]) -> list[str]:
    """One line per entry that names a guide without its link, for `load_faq` to print."""
    return [
        f"{entry.slug}: names {', '.join(repr(n) for n in names)} without a link to "
        f"{', '.join(GUIDES[n] for n in names)}"
        for entry in entries
        if (names := unlinked_guides(entry.answer))
    ]
