"""The site's URLs: each concern's own, the admin, and the health check."""

from django.contrib import admin
from django.urls import include, path

from kb.web import health

admin.site.site_header = "Procore API knowledge base"
admin.site.site_title = "KB admin"
admin.site.index_title = "Content and support tools"

urlpatterns = [
    path("", include("kb.pages.urls")),
    path("", include("kb.search.urls")),
    path("", include("kb.editorial.urls")),
    path("", include("kb.support.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("", include("kb.tools.urls")),
    path("", include("kb.mcp.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "kb.pages.views.page_not_found"
handler500 = "kb.web.errors.server_error"
