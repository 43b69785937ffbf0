from django.urls import path

from kb.mcp import views

urlpatterns = [
    path("mcp", views.endpoint, name="mcp"),
    # How to connect an assistant: docs/mcp.md, with this site's address in its examples.
    path("mcp/setup/", views.setup_page, name="mcp_setup"),
    path("mcp/setup.md", views.setup_markdown, name="mcp_setup_markdown"),
]
