"""The public pages, which show everybody's work: home, categories and entries, and what
crawlers, feed readers and assistants read.

    views, urls     home, category, entry (with its vote widget and related questions), the
                    not-found page; every URL below
    discovery       sitemap.xml, robots.txt, the Atom feed, the OpenSearch description
    sitemaps, feeds the sitemap's sections (the tools' error pages among them), the Atom feed
    llms            llms.txt and llms-full.txt: the whole knowledge base for assistants
    markdown_views  the Markdown twins and llms.txt over HTTP
    templates/      the home, category and entry pages, robots.txt, the OpenSearch description

The top of the project: may import every other package (kb.content, kb.tools, kb.web,
kb.review, kb.insights, kb.editorial, kb.support, and kb.search through its interface), and
none imports it. Only the wiring (kb/urls.py, its handler404) refers to it.
"""
