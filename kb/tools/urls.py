from django.urls import path

from kb.tools import error_pages, views

urlpatterns = [
    path("tools/", views.tools_index, name="tools"),
    path("tools/token-expiry/", views.token_expiry, name="token_expiry"),
    path("tools/error-codes/", views.error_code_lookup, name="error_code_lookup"),
    path("api/tools/token-expiry", views.token_expiry_api, name="token_expiry_api"),
    path("api/error-codes", views.error_codes_api, name="error_codes_api"),
    path("api/error-codes/<str:code>", views.error_code_api, name="error_code_api"),
    # Each error code's page, at an address that never changes: /errors/429/.
    path("errors/", error_pages.error_index, name="error_index"),
    path("errors.md", error_pages.error_index_markdown, name="error_index_markdown"),
    path("errors.json", error_pages.errors_json, name="errors_json"),
    path("errors/<str:code>.md", error_pages.error_markdown, name="error_markdown"),
    path("errors/<str:code>/", error_pages.error_page, name="error_page"),
]
