from django.urls import path

from kb.editorial import views

urlpatterns = [
    path("faq/<slug:slug>/feedback/", views.entry_feedback, name="entry_feedback"),
]
