"""The FAQ itself: categories, entries and synonyms, and what every package builds on to
store, load and serve them.

    models          Category, Entry, Synonym and their QuerySets; who may publish entries
    markdown        Markdown to sanitized HTML, the one place answers are rendered
    files           reading and validating faq_content/ (categories, entries, synonyms)
    loading         loading those files into the database, and exporting it back
    locking         the optimistic lock: a version number checked in the same UPDATE as a save
    versions        the content version the page cache is keyed by, renewed by every change
    caching         the page cache, ETags and Cache-Control for every public page
    twins           entries and categories as Markdown documents, links made absolute
    structured_data FAQPage JSON-LD, and the safe <script> it goes in
    markdown_http   Markdown responses, their 404, content negotiation (@markdown_twin)
    admin           what the features' admin classes build on: the read-only mixin, the panels
                    above an entry's form

The bottom of the project: imports nothing else of the project's, and every other package may
import it. caching, twins, structured_data and markdown_http are the bricks of the public
pages; they stay here, not in kb.pages, because the tools' pages (/tools/, /errors/) are built
of them too and kb.pages lists those pages in its sitemap and llms.txt.
"""
