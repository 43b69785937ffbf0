from django.urls import path

from kb.editorial import views

urlpatterns = [
    path("faq/<slug:slug>/feedback/", views.entry_feedback, name="entry_feedback"),
    path("support/", views.support_request, name="support"),
    path("support/email/", views.support_by_email, name="support_by_email"),
    path("support/sent/", views.support_sent, name="support_sent"),
]
