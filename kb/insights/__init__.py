"""Search insights: what the public searched for and whether it found something to open, and
what engineers draw from it: unanswered searches grouped into problems (gaps) and symptoms
proposed for existing entries.

    models          the search log (SearchRecord) and engineers' decisions about it (HandledGap,
                    SymptomDecision)
    search_log      recording searches and opened results (signed references), the browser's
                    last search, the insights page's lists
    terms           the words of a query that name the problem, and how rare each is
    gaps            unanswered searches grouped into problems, and drafts made from them
    gaps_admin      the unanswered-searches page and its one-click draft
    symptoms        symptoms proposed for an entry from the search log, accepted or dismissed
    symptoms_admin  the proposals panel on the entry's admin page
    admin           the search insights page (registered by kb.support, which adds its score)
    templates/      the insights and gaps pages, the proposals panel and its refused page

May import kb.content, and kb.web (a write to the log that the database refuses is logged and
forgotten). The search page records into the log, the reading middleware marks opened results,
support reads the last search: they import this package, never the reverse.
"""
