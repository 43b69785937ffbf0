"""What support engineers edit entries with, and what readers tell them about each entry.

    admin       the admin registrations for the FAQ (categories, entries, synonyms, error codes,
                votes), written for support engineers; EntryAdmin puts together one mixin per
                feature, each from its own package (kb.review, kb.insights) or module here
    revisions   draft revisions of published entries: saved beside them, published, discarded
    approval    review before publishing, switched on per site: the publish permission, asking
                for review, approving or sending back, the digest's list of what waits
    editing     no lost edits: the change form's version, the refusal of a stale save
    unpublishing  what goes off the site with an entry, confirmed before unpublishing or deleting
    home        the admin home: the knowledge base first, links to the pages engineers work
                from, the review queue
    preview     the answer's live preview in the entry form
    history     readable diffs between two revisions of an entry
    models      votes (Feedback), reading counts (ReadingDay, ReadNext), draft revisions
                (EntryRevision)
    feedback    "Was this helpful?": the vote form, visitor keys, the throttle
    reading     the middleware that counts entry views, reading sessions and what is read next
    counters    those counts, kept in each process and written in batches
    related     an entry page's related questions
    views, urls the public vote
    templates/  the entry's admin pages: form, the frame of the panels above it, history and
                compare

Why these stay together: they are about one entry at a time, as engineers edit it (preview,
history, the composed EntryAdmin) and as readers rate and read it (votes, reading counts, the
related questions drawn from them). The entry admin is where the features meet, so it sits
above them.

May import kb.content, kb.tools (the error codes the admin edits), kb.web (throttle, origin),
kb.review (its admin mixins, the digest that lists revisions waiting for review) and
kb.insights (its admin mixin; the reading middleware marks opened search
results, related questions use the query terms). kb.search is never imported here; kb.support
and the public pages (kb.pages) import this package.
"""
