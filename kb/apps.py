from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "kb"
    verbose_name = "Knowledge base"

    def ready(self):
        from django.core.signals import request_started
        from django.db.backends.signals import connection_created

        from kb.web import errors

        connection_created.connect(errors.note_whether_sqlite_opened_read_only)
        request_started.connect(errors.reopen_sqlite_once_writable)

        from kb import checks  # noqa: F401  (the settings checks of `check --deploy`)

        # Each feature registers its own admin, where admin.autodiscover() does not look.
        from kb.editorial import admin  # noqa: F401
        from kb.search import signals  # noqa: F401  (connects the search index to saves)
        from kb.support import admin as support_admin  # noqa: F401
