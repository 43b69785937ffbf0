"""The FAQ itself: categories, entries and synonyms, and everything that shows them.

    models          Category, Entry, Synonym and their QuerySets
    markdown        Markdown to sanitized HTML, the one place answers are rendered
    files           reading and validating faq_content/ (categories, entries, synonyms)
    loading         loading those files into the database, and exporting it back
    views, urls     the public pages: home, category, entry
    caching         the page cache, ETags and Cache-Control for the public pages
    versions        the content version the page cache is keyed by, renewed by every change
    discovery       what crawlers and browsers read: sitemap, robots.txt, feed, OpenSearch
    sitemaps, feeds, structured_data   the sitemap sections, the Atom feed, FAQPage JSON-LD
    twins           entries and categories as Markdown documents, links made absolute
    llms            llms.txt and llms-full.txt: the whole knowledge base for assistants
    markdown_views  the twins and llms.txt over HTTP; content negotiation for the pages

The models and the files modules import nothing else of the project's: every other concern
builds on them. The pages use the search interface and the editorial widgets; the sitemap and
llms.txt list the tools' error pages too.
"""
