from django.contrib import admin
from django.urls import include, path

from kb import discovery, views

admin.site.site_header = "Procore API knowledge base"
admin.site.site_title = "KB admin"
admin.site.index_title = "Content and support tools"

urlpatterns = [
    path("", views.home, name="home"),
    path("c/<slug:slug>/", views.category_detail, name="category_detail"),
    path("faq/<slug:slug>/", views.entry_detail, name="entry_detail"),
    path("search/", views.search_page, name="search"),
    path("api/search", views.api_search, name="api_search"),
    path("faq/<slug:slug>/feedback/", views.entry_feedback, name="entry_feedback"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("admin/", admin.site.urls),
    path("", include("kb.tools.urls")),
]


handler404 = "kb.views.page_not_found"

# Discoverability: sitemap, robots.txt, the Atom feed, the OpenSearch description.
urlpatterns += [
    path("sitemap.xml", discovery.sitemap_xml, name="sitemap"),
    path("robots.txt", discovery.robots_txt, name="robots_txt"),
    path("feed.atom", discovery.updates_feed, name="feed"),
    path("opensearch.xml", discovery.opensearch_description, name="opensearch"),
]
