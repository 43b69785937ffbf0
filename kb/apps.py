from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "kb"
    verbose_name = "Knowledge base"

    def ready(self):
        from kb import checks  # noqa: F401  (the settings checks of `check --deploy`)

        # The admin lives in kb.editorial, where admin.autodiscover() does not look.
        from kb.editorial import admin  # noqa: F401
        from kb.search import signals  # noqa: F401  (connects the search index to saves)
