"""Support requests and deflection: "Still stuck? Contact API support", and how many readers
the answers helped without one.

    models          Escalation: a reader who went on to API support, with what they had tried
    contact         the support form, the context gathered from the reader's browser, the e-mail
    views, urls     the support page, its e-mail variant, the "sent" page
    deflection      the self-service score, its trend and the figures per entry
    admin           escalations in the admin, and the search insights page with the score
    templates/      the support page, the score's section of the insights page

May import kb.content, kb.web (its throttle), kb.insights (the last search, the search log)
and kb.editorial (the reader's vote and reading trail, the reading counts). Only the public
pages (kb.pages, which link to the support page) and the wiring sit above it.
"""
