"""The site's URLs plus one view that fails, for tests of what a 500 leaves in the log."""

from django.urls import include, path


def fail(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [path("fail/", fail), path("", include("kb.urls"))]
handler404 = "kb.pages.views.page_not_found"
