from django.urls import path

from kb.support import views

urlpatterns = [
    path("support/", views.support_request, name="support"),
    path("support/email/", views.support_by_email, name="support_by_email"),
    path("support/sent/", views.support_sent, name="support_sent"),
]
