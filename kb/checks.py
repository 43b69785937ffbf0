"""What `manage.py check --deploy` says about this site's own settings, beside Django's checklist.

Some values have safe defaults for a laptop that are wrong on a server, and nothing fails
when they are left out there: e-mails carry links to the laptop's address, support requests
are printed to the log instead of sent, each node keeps a database of its own, and behind a
proxy every reader shares the proxy's throttle allowance. Each is a warning under `--deploy`
(docs/configuration.md), which CI runs with `--fail-level WARNING`.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.http.request import validate_host

# Backends that keep or print mail instead of sending it.
UNSENT_MAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}


@register(Tags.security, deploy=True)
def check_production_settings(app_configs, **kwargs) -> list[Warning]:
    warnings = []
    host = urlsplit(settings.KB_SITE_URL).hostname or ""
    if not validate_host(host, settings.ALLOWED_HOSTS):
        warnings.append(
            Warning(
                f"KB_SITE_URL is {settings.KB_SITE_URL!r}, a host this site does not answer to: "
                "links in e-mails (the review digest, support requests) would lead nowhere.",
                hint="Set KB_SITE_URL to the address readers use, e.g. https://kb.example.com.",
                id="kb.W001",
            )
        )
    if settings.EMAIL_BACKEND in UNSENT_MAIL_BACKENDS:
        warnings.append(
            Warning(
                f"DJANGO_EMAIL_BACKEND is {settings.EMAIL_BACKEND}: readers' support requests "
                "and the review digest are not sent.",
                hint="Set DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and "
                "DJANGO_EMAIL_HOST (docs/configuration.md).",
                id="kb.W002",
            )
        )
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        warnings.append(
            Warning(
                "The database is SQLite (DATABASE_URL is not set, or names SQLite): every node "
                "would have a database of its own.",
                hint="Set DATABASE_URL to the PostgreSQL database all nodes share.",
                id="kb.W003",
            )
        )
    if settings.SECURE_PROXY_SSL_HEADER and not settings.KB_TRUSTED_PROXIES:
        warnings.append(
            Warning(
                "DJANGO_BEHIND_HTTPS_PROXY is on but KB_TRUSTED_PROXIES is empty: every reader is "
                "counted as the proxy's address, and shares one allowance of searches, votes "
                "and sign-in attempts.",
                hint="Set KB_TRUSTED_PROXIES to the addresses the proxies connect from.",
                id="kb.W004",
            )
        )
    return warnings
