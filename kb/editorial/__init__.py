"""What support engineers use to keep the answers right, and what readers tell them.

    admin       the admin registrations, written for support engineers: one mixin per feature
    preview     the answer's live preview in the entry form
    history     readable diffs between two revisions of an entry
    models      votes (Feedback), the search log (SearchRecord), reading counts (ReadingDay,
                ReadNext), requests for support (Escalation), engineers' decisions about the
                log (HandledGap, SymptomDecision)
    feedback    "Was this helpful?": the vote form, visitor keys, the throttle
    insights    the search log: recording searches and opened results (signed references), the
                insights page's lists, the retention
    reading     the middleware that counts entry views, reading sessions and what is read next
    counters    those counts, kept in each process and written in batches
    related     an entry page's related questions
    review      verified answers: verifying, why an entry is due, the owners' daily digest
    review_admin, review_tags   the verify button and action, the due column and filter; the
                admin home's due-per-owner panel
    terms       the words of a query that name the problem, and how rare each is
    gaps        unanswered searches grouped into problems, and drafts made from them
    gaps_admin  the unanswered-searches page and its one-click draft
    symptoms    symptoms proposed for an entry from the search log, accepted or dismissed
    symptoms_admin   the proposals panel on the entry's admin page
    support     "Still stuck? Contact API support": the context, the form, the e-mail
    deflection  the self-service score, its trend and the figures per entry
    deflection_admin   escalations in the admin
    views, urls the public vote and the support form

May import kb.content and kb.tools (the models it edits); kb.content's pages and kb.search's
views use its widgets and its search log. kb.search is never imported here.
"""
