"""The tools that answer a question before a ticket is written: the token-expiry calculator,
the error-code lookup, and /tools/ (support hours, the next sandbox restore).

    instants, tokens, error_lookup, schedules   pure calculations of their input and `now`
    forms         one validating form per tool, for its page and its JSON API
    views, urls   the pages (full page or HTMX fragment) and the JSON API
    error_documents   an error code as JSON, Markdown and JSON-LD; /errors.json's document
    error_pages   /errors/, /errors/<code>/, their Markdown twins and /errors.json
    sitemaps      the error pages' sections of sitemap.xml

May import kb.content only (entries are what the tools link to, and its Markdown, twin and
caching helpers); nothing imports the tools but the wiring, the editorial admin, the search
page (which offers the error-code lookup), and the public pages (kb.pages), whose sitemap and
llms.txt list the error pages.
"""
