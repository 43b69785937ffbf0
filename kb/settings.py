"""Settings for the knowledge base.

Safe defaults for a local run; production values come only from the environment.
Every variable is read through a strict helper, so a typo fails at start-up instead
of silently falling back to a default. The variables are listed in README.md.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "")
    if value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    if value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# One folder holds everything the site writes: the SQLite database, the search
# index, the generated secret key and the collected static files.
DATA_DIR = Path(os.environ.get("KB_DATA_DIR") or BASE_DIR / "var").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

# The Markdown files that `load_faq` imports and `export_faq` writes.
CONTENT_DIR = Path(os.environ.get("KB_CONTENT_DIR") or BASE_DIR / "faq_content").resolve()


def _secret_key() -> str:
    if key := os.environ.get("DJANGO_SECRET_KEY"):
        return key
    # A local run needs no configuration: generate a key once and keep it.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = envbool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS", [])
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("DJANGO_BEHIND_HTTPS_PROXY", False) else None
)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = envbool("DJANGO_SECURE_COOKIES", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "simple_history",
    "kb",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses pages, feeds and sitemaps (whitenoise serves static files precompressed and
    # answers before this runs). Django's gzip pads its output with random bytes against BREACH,
    # and the CSRF token in every page is masked anew on each response.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Counts entry views and opened search results once the response is built. It keeps
    # counting when a page comes from a cache, as long as it stays above the cache middleware.
    "kb.editorial.reading.ReadingMiddleware",
]

ROOT_URLCONF = "kb.urls"
WSGI_APPLICATION = "kb.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kb.context_processors.site",
            ],
            # The admin home's "due for review" panel; the tags live with the feature.
            "libraries": {"kb_review": "kb.editorial.review_tags"},
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers share one SQLite file: wait for locks instead of failing,
    # and use WAL so readers never block the writer.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests run against a file, like the site, so concurrent writers are tested for real
    # (an in-memory database locks whole tables instead of waiting).
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-db.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns at start-up about a missing folder
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# The public contact shown on every page (kb.context_processors.site); support requests sent
# from the "Contact API support" form go there.
KB_SUPPORT_EMAIL = os.environ.get("KB_SUPPORT_EMAIL", "apisupport@procore.com")
# The site's address as readers reach it, for links in e-mails (which have no request).
KB_SITE_URL = os.environ.get("KB_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# E-mail (the review digest, support requests): printed to the console unless a real backend
# is configured, so a local run never sends anything.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "knowledge-base@localhost")

# The search index: generations of a Whoosh index below this folder, `current` the live one.
KB_INDEX_DIR = Path(os.environ.get("KB_INDEX_DIR") or DATA_DIR / "search").resolve()

# --- Workflow: feedback votes and search insights -----------------------------------------

# The vote throttle's counters live in a cache that every gunicorn worker shares (a table in
# the database, made by `manage.py createcachetable` in `make setup`); a per-process memory
# cache would let a script multiply its allowance by the number of workers.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "kb_cache",
    }
}


def envpositive(name: str, default: int) -> int:
    value = envint(name, default)
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be 1 or more, not {value}")
    return value


# Search records older than this are deleted by `manage.py prune_search_log`.
KB_SEARCH_LOG_RETENTION_DAYS = envpositive("KB_SEARCH_LOG_RETENTION_DAYS", 90)
# Entry views, reading sessions and what is read next are counted in each process and written
# this often, in seconds (kb/editorial/counters.py); 0 writes each reading at once.
KB_READING_FLUSH_SECONDS = envint("KB_READING_FLUSH_SECONDS", 10)
if KB_READING_FLUSH_SECONDS < 0:
    raise ImproperlyConfigured(
        f"KB_READING_FLUSH_SECONDS must be 0 or more, not {KB_READING_FLUSH_SECONDS}"
    )
# "Was this helpful?" accepts this many votes per client address per window, then answers 429.
KB_FEEDBACK_RATE_LIMIT = envpositive("KB_FEEDBACK_RATE_LIMIT", 20)
KB_FEEDBACK_RATE_WINDOW = envpositive("KB_FEEDBACK_RATE_WINDOW_SECONDS", 600)
# The token-expiry calculator's default access-token lifetime, in seconds: the FAQ says
# 2 hours. An expires_in pasted from a token response always wins over it.
KB_ACCESS_TOKEN_LIFETIME = envint("KB_ACCESS_TOKEN_LIFETIME", 7200)
if KB_ACCESS_TOKEN_LIFETIME < 1:
    raise ImproperlyConfigured(
        f"KB_ACCESS_TOKEN_LIFETIME must be 1 second or more, not {KB_ACCESS_TOKEN_LIFETIME}"
    )

# --- Verified answers ------------------------------------------------------------------------

# An entry is due for review this many days after it was last verified (or created), unless
# its category or the entry itself sets another interval in the admin.
KB_REVIEW_INTERVAL_DAYS = envpositive("KB_REVIEW_INTERVAL_DAYS", 180)
# Once an entry has been due for this many more days, its public page says so, discreetly.
KB_REVIEW_OVERDUE_NOTICE_DAYS = envpositive("KB_REVIEW_OVERDUE_NOTICE_DAYS", 90)
