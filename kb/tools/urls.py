from django.urls import path

from kb.tools import views

urlpatterns = [
    path("tools/", views.tools_index, name="tools"),
    path("tools/token-expiry/", views.token_expiry, name="token_expiry"),
    path("tools/error-codes/", views.error_code_lookup, name="error_code_lookup"),
    path("api/tools/token-expiry", views.token_expiry_api, name="token_expiry_api"),
    path("api/error-codes", views.error_codes_api, name="error_codes_api"),
    path("api/error-codes/<str:code>", views.error_code_api, name="error_code_api"),
]
