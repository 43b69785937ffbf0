"""Live preview of an answer in the admin: the rendered answer under the textarea, refreshed
by HTMX as the engineer types, with the same renderer and sanitizer as the public page."""

from django.contrib.admin.widgets import AdminTextareaWidget
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path, reverse_lazy
from django.utils.safestring import mark_safe

from kb.content.markdown import render_markdown

PREVIEW_TEMPLATE = "admin/kb/entry/answer_preview.html"


class AnswerPreviewWidget(AdminTextareaWidget):
    """The answer textarea with the rendered answer under it, refreshed by HTMX as one types.

    Without JavaScript the panel still shows the answer as last rendered by the server.
    """

    def __init__(self, attrs=None):
        htmx_attrs = {
            "hx-post": reverse_lazy("admin:kb_entry_answer_preview"),
            "hx-trigger": "input changed delay:300ms",
            "hx-target": "#answer-preview",
            "hx-swap": "innerHTML",
            # A slow response must not overwrite a newer one.
            "hx-sync": "this:replace",
            # The enclosing form gives the CSRF token; send nothing else but the answer.
            "hx-params": "answer,csrfmiddlewaretoken",
            "rows": 16,
        }
        super().__init__(attrs={**htmx_attrs, **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        textarea = super().render(name, value, attrs, renderer)
        panel = render_to_string(PREVIEW_TEMPLATE, {"answer_html": render_markdown(value or "")})
        # Both parts come from Django's escaping renderers; the answer HTML is sanitized.
        return mark_safe(textarea + panel)


class AnswerPreviewMixin:
    """The answer field with its preview panel, and the URL the panel posts to."""

    def get_urls(self):
        # Ahead of the admin's catch-all object URLs, which would take "preview" for an id.
        return [
            path(
                "preview/",
                self.admin_site.admin_view(self.answer_preview_view),
                name="kb_entry_answer_preview",
            ),
            *super().get_urls(),
        ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "answer":
            kwargs["widget"] = AnswerPreviewWidget()
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def answer_preview_view(self, request: HttpRequest) -> HttpResponse:
        # admin_view() has already required an active staff member and checked CSRF.
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        answer = request.POST.get("answer", "").replace("\r\n", "\n").strip()
        return render(
            request, PREVIEW_TEMPLATE + "#preview", {"answer_html": render_markdown(answer)}
        )
