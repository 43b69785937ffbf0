"""Verified answers: who owns an entry, when it is due for review and why, verifying it, and
the owners' daily digest.

    verification    verifying, why an entry is due, the due counts per owner, the digest e-mail
    admin           the verify button and action, the due column and filter, early reviews
                    asked by edits of error codes (mixins for kb/editorial/admin.py)
    tags            the admin home's due-per-owner panel (the template library `kb_review`)
    templates/      that panel, the verification bar above the entry form, the digest e-mail

May import kb.content only: the entry is what is verified. The entry admin (kb.editorial) puts
its mixins together with the other features'.
"""
