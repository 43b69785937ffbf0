from django.contrib import admin
from django.urls import path

from kb import views

admin.site.site_header = "Procore API knowledge base"
admin.site.site_title = "KB admin"
admin.site.index_title = "Content and support tools"

urlpatterns = [
    path("", views.home, name="home"),
    path("c/<slug:slug>/", views.category_detail, name="category_detail"),
    path("faq/<slug:slug>/", views.entry_detail, name="entry_detail"),
    path("faq/<slug:slug>/feedback/", views.entry_feedback, name="entry_feedback"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

handler404 = "kb.views.page_not_found"
