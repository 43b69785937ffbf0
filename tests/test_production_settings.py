"""Production settings: what a server refuses to start without, and what `check --deploy` wants.

Each case runs Django in a fresh process with its own environment, as a server would start.
"""

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings

PRODUCTION = {
    "DJANGO_SECRET_KEY": "a-production-secret-key-that-is-long-and-random-0123456789abcdefgh",
    "DJANGO_ALLOWED_HOSTS": "kb.example.com",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://kb.example.com",
    "DJANGO_BEHIND_HTTPS_PROXY": "true",
    "DJANGO_SECURE_COOKIES": "true",
    "DJANGO_SSL_REDIRECT": "true",
    "DJANGO_HSTS_SECONDS": "31536000",
    "DJANGO_HSTS_INCLUDE_SUBDOMAINS": "true",
    "DJANGO_HSTS_PRELOAD": "true",
    "KB_SITE_URL": "https://kb.example.com",
    "DATABASE_URL": "postgres://kb@db.example.com/kb",
    "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "KB_TRUSTED_PROXIES": "10.0.0.11",
}


def run_django(tmp_path: Path, code: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "KB_", "DATABASE_URL"))
    }
    environment.update({"KB_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "kb.settings"})
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


READ_KEY = (
    "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
)


def test_a_local_run_generates_its_key_once_and_keeps_it(tmp_path):
    first = run_django(tmp_path, READ_KEY)
    second = run_django(tmp_path, READ_KEY)
    assert first.returncode == 0, first.stderr
    assert len(first.stdout.strip()) >= 50
    assert first.stdout == second.stdout
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_a_server_for_other_hosts_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_django(tmp_path, READ_KEY, DJANGO_ALLOWED_HOSTS="kb.example.com")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_a_server_with_its_secret_key_starts(tmp_path):
    result = run_django(
        tmp_path,
        READ_KEY,
        DJANGO_ALLOWED_HOSTS="kb.example.com",
        DJANGO_SECRET_KEY=PRODUCTION["DJANGO_SECRET_KEY"],
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == PRODUCTION["DJANGO_SECRET_KEY"]


def test_processes_starting_together_all_read_the_same_whole_key(tmp_path):
    """Six workers starting at once once read an empty key in one trial of five."""
    for trial in range(3):
        folder = tmp_path / f"trial-{trial}"
        folder.mkdir()
        with ThreadPoolExecutor(max_workers=6) as pool:
            results = list(pool.map(run_django, [folder] * 6, [READ_KEY] * 6))
        keys = {result.stdout.strip() for result in results}
        assert all(result.returncode == 0 for result in results), results[0].stderr
        assert len(keys) == 1
        assert len(keys.pop()) >= 50
        assert [p.name for p in folder.iterdir() if p.name.startswith(".secret")] == []


def test_check_deploy_passes_with_production_variables(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KB_"))},
            "KB_DATA_DIR": str(tmp_path),
            **PRODUCTION,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [("DJANGO_HSTS_SECONDS", "a year"), ("DJANGO_SSL_REDIRECT", "maybe")],
)
def test_a_mistyped_https_setting_stops_the_start(tmp_path, variable, value):
    result = run_django(tmp_path, READ_KEY, **{variable: value})
    assert result.returncode != 0
    assert variable in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("KB_REBUILD_PROCESSES", "0"),
        ("KB_REBUILD_PROCESSES", "two"),
        ("KB_REVIEW_BEFORE_PUBLISHING", "perhaps"),
    ],
)
def test_a_mistyped_search_or_review_setting_stops_the_start_naming_it(tmp_path, variable, value):
    result = run_django(tmp_path, READ_KEY, **{variable: value})
    assert result.returncode != 0
    assert variable in result.stderr


def test_pages_carry_a_content_security_policy_without_inline_scripts_or_eval(client, faq):
    policy = client.get("/").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert "unsafe" not in policy
    assert directives["frame-ancestors"] == "'none'"


def test_no_template_has_inline_scripts_or_event_handlers():
    import re

    offenders = []
    paths = [path for folder in settings.TEMPLATES[0]["DIRS"] for path in folder.rglob("*.html")]
    assert len(paths) > 40  # every package's templates, not an empty folder
    for path in paths:
        text = path.read_text()
        for match in re.finditer(r"<script\b([^>]*)>", text):
            attributes = match.group(1)
            if "src=" not in attributes and "application/ld+json" not in attributes:
                offenders.append(f"{path.name}: inline <script>")
        if re.search(r"\shx-on[:-]", text) or re.search(r"\son[a-z]+\s*=\s*[\"']", text):
            offenders.append(f"{path.name}: inline event handler")
        if re.search(r"\sstyle\s*=\s*[\"']", text):
            offenders.append(f"{path.name}: inline style")
    assert offenders == []


READ_PROXIES = (
    "import django; django.setup(); from django.conf import settings; "
    "print(','.join(settings.KB_TRUSTED_PROXIES))"
)


def test_trusted_proxies_are_addresses_and_networks(tmp_path):
    result = run_django(
        tmp_path, READ_PROXIES, KB_TRUSTED_PROXIES=" 127.0.0.1, 10.0.0.0/8 ,fd00::/8"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "127.0.0.1/32,10.0.0.0/8,fd00::/8"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1", "no longer a number of proxies but their addresses"),
        ("2", "replace '2' with the address"),
        ("nginx", "'nginx' is neither"),
        ("10.0.0.0/33", "'10.0.0.0/33' is neither"),
    ],
)
def test_a_count_or_a_bad_address_in_trusted_proxies_stops_the_start(tmp_path, value, message):
    result = run_django(tmp_path, READ_PROXIES, KB_TRUSTED_PROXIES=value)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_the_old_default_of_no_proxies_still_means_none(tmp_path):
    result = run_django(tmp_path, READ_PROXIES, KB_TRUSTED_PROXIES="0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


READ_DATABASE_OPTIONS = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DATABASES['default']['OPTIONS'])"
)


def test_postgresql_connections_start_with_a_lock_and_a_statement_timeout(tmp_path):
    result = run_django(
        tmp_path,
        READ_DATABASE_OPTIONS,
        DATABASE_URL="postgres://kb@db.example.com/kb",
        KB_DATABASE_LOCK_WAIT_SECONDS="3",
    )
    assert result.returncode == 0, result.stderr
    assert "-c lock_timeout=3000 -c statement_timeout=15000" in result.stdout


def test_sqlite_waits_for_its_lock_no_longer_than_the_bound(tmp_path):
    result = run_django(tmp_path, READ_DATABASE_OPTIONS)
    assert result.returncode == 0, result.stderr
    assert "'timeout': 5" in result.stdout
    too_long = run_django(tmp_path, READ_DATABASE_OPTIONS, KB_DATABASE_LOCK_WAIT_SECONDS="40")
    assert too_long.returncode != 0
    assert "KB_DATABASE_LOCK_WAIT_SECONDS must be more than 0 and at most 20" in too_long.stderr
