"""The tools that answer a question before a ticket is written: the token-expiry calculator,
the error-code lookup, and /tools/ (support hours, the next sandbox restore).

    instants, tokens, error_lookup, schedules   pure calculations of their input and `now`
    forms         one validating form per tool, for its page and its JSON API
    views, urls   the pages (full page or HTMX fragment) and the JSON API

May import kb.content (entries are what the tools link to); nothing imports the tools but the
wiring, the editorial admin and the search page (which offers the error-code lookup).
"""
