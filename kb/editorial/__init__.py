"""What support engineers use to keep the answers right, and what readers tell them.

    admin       the admin registrations, written for support engineers
    preview     the answer's live preview in the entry form
    history     readable diffs between two revisions of an entry
    models      readers' votes (Feedback) and the search log (SearchRecord)
    feedback    "Was this helpful?": the vote form, visitor keys, the throttle
    insights    the search log: recording searches and opened results, the insights page
    views, urls the public vote

May import kb.content and kb.tools (the models it edits); kb.content's pages and kb.search's
views use its widgets and its search log.
"""
