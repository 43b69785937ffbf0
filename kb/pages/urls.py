from django.urls import path

from kb.pages import discovery, markdown_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("c/<slug:slug>/", views.category_detail, name="category_detail"),
    path("faq/<slug:slug>/", views.entry_detail, name="entry_detail"),
    path("favicon.ico", views.favicon),
    # What crawlers, feed readers and browsers fetch besides the pages.
    path("sitemap.xml", discovery.sitemap_xml, name="sitemap"),
    path("sitemap-<slug:section>.xml", discovery.sitemap_section, name="sitemap_section"),
    path("robots.txt", discovery.robots_txt, name="robots_txt"),
    path("feed.atom", discovery.updates_feed, name="feed"),
    path("opensearch.xml", discovery.opensearch_description, name="opensearch"),
    # What coding assistants and other programs read: the pages as Markdown, and llms.txt.
    path("c/<slug:slug>.md", markdown_views.category_markdown, name="category_markdown"),
    path("faq/<slug:slug>.md", markdown_views.entry_markdown, name="entry_markdown"),
    path("llms.txt", markdown_views.llms_txt, name="llms_txt"),
    path("llms-full.txt", markdown_views.llms_full_txt, name="llms_full_txt"),
]
