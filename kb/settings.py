"""Settings for the knowledge base.

Safe defaults for a local run; production values come only from the environment.
Every variable is read through a strict helper, so a typo fails at start-up instead
of silently falling back to a default. The variables are listed in docs/configuration.md.
"""

import contextlib
import ipaddress
import os
import secrets
import tempfile
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


def envpositive(name: str, default: int) -> int:
    value = envint(name, default)
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be 1 or more, not {value}")
    return value


def envnetworks(name: str) -> tuple[str, ...]:
    """Addresses and networks (`127.0.0.1,10.0.0.0/8,fd00::/8`), each checked and written in
    its canonical form."""
    value = os.environ.get(name, "").strip()
    if value in ("", "0"):  # "0" was this setting's default when it was a count of proxies
        return ()
    if value.isdigit():
        raise ImproperlyConfigured(
            f"{name} is no longer a number of proxies but their addresses: replace {value!r} "
            "with the address (or network) each proxy connects to this node from, as in "
            f"{name}=127.0.0.1 or {name}=10.0.0.0/8 (docs/configuration.md)."
        )
    networks = []
    for item in envlist(name, []):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must list IP addresses or networks separated by commas "
                f"(127.0.0.1,10.0.0.0/8), and {item!r} is neither."
            ) from None
    return tuple(networks)


def envseconds(name: str, default: float) -> float:
    value = os.environ.get(name, "")
    if value == "":
        return default
    try:
        seconds = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number of seconds, not {value!r}") from None
    if not 0 <= seconds <= 3600:
        raise ImproperlyConfigured(f"{name} must be between 0 and 3600 seconds, not {value}")
    return seconds


# One folder holds everything the site writes: the SQLite database, the search
# index, the generated secret key and the collected static files.
DATA_DIR = Path(os.environ.get("KB_DATA_DIR") or BASE_DIR / "var").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

# The Markdown files that `load_faq` imports and `export_faq` writes.
CONTENT_DIR = Path(os.environ.get("KB_CONTENT_DIR") or BASE_DIR / "faq_content").resolve()


LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", LOOPBACK_HOSTS)


def _secret_key() -> str:
    if key := os.environ.get("DJANGO_SECRET_KEY"):
        return key
    if set(ALLOWED_HOSTS) - set(LOOPBACK_HOSTS):
        # A site that answers to other hosts is a server: a key generated here would differ on
        # each host, and a folder that does not outlive a deploy would rotate it, signing
        # everybody out and breaking signed links.
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set: DJANGO_ALLOWED_HOSTS names hosts other than this "
            "machine, and every node must share one key that outlives deploys."
        )
    # A local run needs no configuration: generate a key once and keep it in the data folder.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        _write_once(path, secrets.token_urlsafe(50))
    return path.read_text().strip()


def _write_once(path: Path, text: str) -> None:
    """Create `path` with `text`, complete and private, unless another process got there first.

    Several gunicorn workers start at once: the file is written under a temporary name with
    its final permissions, then linked into place, so no process ever reads it half-written.
    """
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret-")
    try:
        with os.fdopen(descriptor, "w") as handle:  # mkstemp creates it with mode 0600
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process won: its key is the key
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


SECRET_KEY = _secret_key()
DEBUG = envbool("DJANGO_DEBUG", False)
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS", [])
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("DJANGO_BEHIND_HTTPS_PROXY", False) else None
)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = envbool("DJANGO_SECURE_COOKIES", False)
# HTTPS only: redirect plain HTTP, and tell browsers to use HTTPS for this long (HSTS). Off for
# a local run over HTTP; set them in production (docs/production.md).
SECURE_SSL_REDIRECT = envbool("DJANGO_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = envint("DJANGO_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = envbool("DJANGO_HSTS_PRELOAD", False)
# /healthz is asked by load balancers over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

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
    "axes",
    "kb",
]

MIDDLEWARE = [
    # First, so that its log line and request id cover everything below, errors included.
    "kb.web.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
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
    # After the authentication middleware, as django-axes requires; it turns a locked-out
    # sign-in into the lockout answer.
    "axes.middleware.AxesMiddleware",
    # Counts entry views and opened search results once the response is built. It keeps
    # counting when a page comes from a cache, as long as it stays above the cache middleware.
    "kb.editorial.reading.ReadingMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out client is refused before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "kb.urls"
WSGI_APPLICATION = "kb.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Each package keeps its templates in its own folder (kb/<package>/templates/, under
        # the names its views render); templates/ holds what every page shares: the base
        # layout, the error pages, the admin home.
        "DIRS": [BASE_DIR / "templates", *sorted((BASE_DIR / "kb").glob("*/templates"))],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kb.context_processors.site",
            ],
            # The admin home's "due for review" panel; the tags live with the feature.
            "libraries": {
                "kb_review": "kb.review.tags",
                "kb_admin_home": "kb.editorial.home",
            },
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        # A connection broken by a database restart is noticed and replaced at the start of
        # the next request instead of failing requests until conn_max_age runs out.
        conn_health_checks=True,
    )
}
# How long a write waits for the database's lock before the request is answered 503: far below
# gunicorn's 30 s worker timeout, so a long writer elsewhere never gets a worker killed.
# Writes worth less than the request (throttle counters, the search log, reading counters)
# wait a quarter of a second at most (kb/web/waits.py).
KB_DATABASE_LOCK_WAIT_SECONDS = envseconds("KB_DATABASE_LOCK_WAIT_SECONDS", 5)
if not 0 < KB_DATABASE_LOCK_WAIT_SECONDS <= 20:
    raise ImproperlyConfigured(
        "KB_DATABASE_LOCK_WAIT_SECONDS must be more than 0 and at most 20 seconds, not "
        f"{KB_DATABASE_LOCK_WAIT_SECONDS}"
    )
# PostgreSQL: the longest one statement may run in a request, in seconds (0: no limit, for a
# long one-off migration run by hand).
KB_DATABASE_STATEMENT_SECONDS = envseconds("KB_DATABASE_STATEMENT_SECONDS", 15)
if DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # Set on every connection: a lock not granted in time, or a statement running too long,
    # fails the statement instead of holding the request until the worker is killed.
    _timeouts = (
        f"-c lock_timeout={int(KB_DATABASE_LOCK_WAIT_SECONDS * 1000)} "
        f"-c statement_timeout={int(KB_DATABASE_STATEMENT_SECONDS * 1000)}"
    )
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} {_timeouts}".strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers share one SQLite file: wait for locks (a bounded time) instead
    # of failing at once, and use WAL so readers never block the writer.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": KB_DATABASE_LOCK_WAIT_SECONDS,
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

# One line per request (kb.web.middleware.RequestLogMiddleware) with its latency and request
# id; every error with its traceback; no tracebacks for 403s and 404s (django.request logs
# 4xx answers as warnings, which the request line already says).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "kb.web.logging.RequestIdFilter"}},
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "line",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        # axes logs every sign-in attempt at INFO; failures and lockouts are warnings.
        "axes": {"level": "WARNING"},
    },
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
# Each node has its own; the database's change log keeps them all following the content.
KB_INDEX_DIR = Path(os.environ.get("KB_INDEX_DIR") or DATA_DIR / "search").resolve()


# How often, at most, a process asks the database whether its index lacks a change made
# elsewhere (another node, or a write that failed here): one small query per interval.
KB_INDEX_CHECK_SECONDS = envseconds("KB_INDEX_CHECK_SECONDS", 0.25)
# After a failed rebuild (a full disk), a node waits this long before the next attempt, twice
# as long after each further failure, at most 10 minutes.
KB_INDEX_RETRY_SECONDS = envseconds("KB_INDEX_RETRY_SECONDS", 30)
# The change log keeps this many days; a node whose index is older rebuilds it.
KB_SEARCH_CHANGE_RETENTION_DAYS = envpositive("KB_SEARCH_CHANGE_RETENTION_DAYS", 7)
# How many processes `rebuild_index` shares a large index's writing between (kb.search.building).
KB_REBUILD_PROCESSES = envpositive("KB_REBUILD_PROCESSES", min(os.cpu_count() or 1, 4))

# --- Workflow: feedback votes and search insights -----------------------------------------

# The vote throttle's counters live in a cache that every gunicorn worker shares (a table in
# the database, made by `manage.py createcachetable` in `make setup`); a per-process memory
# cache would let a script multiply its allowance by the number of workers.
#
# Public pages are kept in each process's memory ("pages", kb/content/caching.py): a hit costs
# no query but the content version's, and the version, read from the database on every
# request, makes an edit on any node show at once on every node.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "kb_cache",
    },
    "pages": {
        "BACKEND": "kb.content.caching.PageCache",
        "LOCATION": "kb-pages",
        "TIMEOUT": None,  # a page goes stale by its key (the content version), not by age
        "OPTIONS": {
            "MAX_ENTRIES": envpositive("KB_PAGE_CACHE_ENTRIES", 2000),
            # Per process: with WEB_CONCURRENCY workers, that many times this at most.
            "MAX_BYTES": envpositive("KB_PAGE_CACHE_MEGABYTES", 32) * 1024 * 1024,
        },
    },
}
# How long browsers and shared caches (a CDN, the reverse proxy) may keep a public page, then
# serve it stale while they revalidate it, in seconds (the Cache-Control of public pages).
KB_PAGE_MAX_AGE = envint("KB_PAGE_MAX_AGE", 60)
KB_PAGE_STALE_SECONDS = envint("KB_PAGE_STALE_SECONDS", 300)
if KB_PAGE_MAX_AGE < 0 or KB_PAGE_STALE_SECONDS < 0:
    raise ImproperlyConfigured("KB_PAGE_MAX_AGE and KB_PAGE_STALE_SECONDS must be 0 or more")
# A category page lists this many questions; the rest are on its next pages (?page=2).
KB_CATEGORY_PAGE_SIZE = envpositive("KB_CATEGORY_PAGE_SIZE", 10)


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

# --- Requests: client addresses, throttles, sign-in lockout, Content-Security-Policy --------

# The reverse proxies in front of the site, by the addresses (or networks) they connect from:
# X-Forwarded-For is believed only from them, and only as far back as it passes through them.
# Empty: the client is the connection's address. Throttles, the sign-in lockout and the
# request log use the address this gives (kb/web/client.py).
KB_TRUSTED_PROXIES = envnetworks("KB_TRUSTED_PROXIES")

# Searches (page and API) accepted per client address per window, then 429 with Retry-After.
# Live search sends one request per pause in typing, so a person stays far below it.
KB_SEARCH_RATE_LIMIT = envpositive("KB_SEARCH_RATE_LIMIT", 120)
KB_SEARCH_RATE_WINDOW = envpositive("KB_SEARCH_RATE_WINDOW_SECONDS", 60)

# Sign-in lockout (django-axes): after this many failed sign-ins from one address for one
# username, that pair is refused until the cool-off has passed. Counted in the database, so
# every worker and node shares the count. A lockout for the pair, not the username alone, so
# that nobody can lock an engineer out from elsewhere.
AXES_FAILURE_LIMIT = envpositive("KB_SIGNIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envpositive("KB_SIGNIN_LOCKOUT_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "kb.web.client.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429

# Content-Security-Policy (django-csp): scripts and styles only from this site's own files,
# so a script injected into a page cannot run. No inline scripts, no eval (htmx is told not to
# use it in base.html), no inline event handlers: behaviour lives in static/js/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Verified answers ------------------------------------------------------------------------

# An entry is due for review this many days after it was last verified (or created), unless
# its category or the entry itself sets another interval in the admin.
KB_REVIEW_INTERVAL_DAYS = envpositive("KB_REVIEW_INTERVAL_DAYS", 180)
# Once an entry has been due for this many more days, its public page says so, discreetly.
KB_REVIEW_OVERDUE_NOTICE_DAYS = envpositive("KB_REVIEW_OVERDUE_NOTICE_DAYS", 90)

# --- Review before publishing ----------------------------------------------------------------

# On: only engineers with the "Can publish entries" permission make a change public (publish a
# draft, save into a published entry, publish a revision, unpublish, delete a published
# entry); the others save draft revisions and ask for review (docs/support-workflow.md).
KB_REVIEW_BEFORE_PUBLISHING = envbool("KB_REVIEW_BEFORE_PUBLISHING", False)
