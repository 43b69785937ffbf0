from django.contrib import admin
from django.urls import path

from kb import discovery, tool_views, views

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
]

# Tools: token-expiry calculator, error-code lookup, sandbox-restore and support answers.
urlpatterns += [
    path("tools/", tool_views.tools_index, name="tools"),
    path("tools/token-expiry/", tool_views.token_expiry, name="token_expiry"),
    path("tools/error-codes/", tool_views.error_code_lookup, name="error_code_lookup"),
    path("api/tools/token-expiry", tool_views.token_expiry_api, name="token_expiry_api"),
    path("api/error-codes", tool_views.error_codes_api, name="error_codes_api"),
    path("api/error-codes/<str:code>", tool_views.error_code_api, name="error_code_api"),
]

handler404 = "kb.views.page_not_found"

# Discoverability: sitemap, robots.txt, the Atom feed, the OpenSearch description.
urlpatterns += [
    path("sitemap.xml", discovery.sitemap_xml, name="sitemap"),
    path("robots.txt", discovery.robots_txt, name="robots_txt"),
    path("feed.atom", discovery.updates_feed, name="feed"),
    path("opensearch.xml", discovery.opensearch_description, name="opensearch"),
]
