"""The production deploy's files (deploy/): the systemd units run commands that exist with
arguments they accept, the example environment passes Django's deployment checklist and
starts gunicorn's configuration, and the nginx site sends what the proxy settings believe.

The units themselves are checked with `systemd-analyze verify` and the nginx site with
`nginx -t` (docs/production.md); neither tool is needed here.
"""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands, load_command_class

DEPLOY = settings.BASE_DIR / "deploy"
UNITS = DEPLOY / "systemd"
APP = Path("/opt/kb/app")  # where the units expect the code: WorkingDirectory
PERIODIC_COMMANDS = {
    "prune_search_log",
    "prune_search_changes",
    "send_review_digest",
    "clearsessions",
    "axes_reset_logs",
}


def unit_sections(path: Path) -> dict[str, list[tuple[str, str]]]:
    """A unit file as {section: [(key, value), ...]}, keys repeated as systemd allows."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), [])
        else:
            key, _, value = line.partition("=")
            current.append((key, value))
    return sections


def service_values(path: Path, key: str) -> list[str]:
    return [value for k, value in unit_sections(path).get("Service", []) if k == key]


def commands_run(path: Path) -> list[list[str]]:
    return [
        shlex.split(value)
        for key in ("ExecStartPre", "ExecStart", "ExecStartPost")
        for value in service_values(path, key)
    ]


def manage_py_calls() -> list[tuple[str, str, list[str]]]:
    calls = []
    for path in sorted(UNITS.glob("*.service")):
        for argv in commands_run(path):
            if "manage.py" in argv:
                position = argv.index("manage.py")
                calls.append((path.name, argv[position + 1], argv[position + 2 :]))
    return calls


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines, as systemd's EnvironmentFile= reads them (no quotes are used)."""
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def production_environment(tmp_path: Path, **changes: str | None) -> dict[str, str]:
    """The process environment of a node using deploy/env.example, with its own data folder."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "KB_", "DATABASE_URL", "WEB_CONCURRENCY"))
    }
    environment.update(read_env_file(DEPLOY / "env.example"))
    environment["KB_DATA_DIR"] = str(tmp_path)
    for key, value in changes.items():
        if value is None:
            environment.pop(key, None)
        else:
            environment[key] = value
    return environment


def check_deploy(tmp_path: Path, **changes: str | None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=production_environment(tmp_path, **changes),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_runs_only_management_commands_that_exist_with_arguments_they_accept():
    calls = manage_py_calls()
    assert calls, "no unit runs manage.py"
    known = get_commands()
    for unit, name, arguments in calls:
        assert name in known, f"{unit} runs `manage.py {name}`, which does not exist"
        parser = load_command_class(known[name], name).create_parser("manage.py", name)
        parser.parse_args(arguments)  # a CommandError names the argument it refuses


def test_it_has_a_timer_for_every_periodic_job_and_a_service_for_every_timer():
    timers = {path.stem for path in UNITS.glob("*.timer")}
    services = {path.stem for path in UNITS.glob("*.service")}
    assert timers <= services
    timed_commands = {name for unit, name, _ in manage_py_calls() if unit[:-8] in timers}
    assert timed_commands == PERIODIC_COMMANDS
    assert "kb-backup" in timers
    for timer in timers:
        assert dict(unit_sections(UNITS / f"{timer}.timer")["Timer"])["Persistent"] == "true"


def test_every_service_runs_as_the_site_user_with_the_node_environment_and_a_read_only_system():
    for path in UNITS.glob("*.service"):
        assert service_values(path, "User") == ["kb"], path.name
        assert service_values(path, "EnvironmentFile") == ["/etc/kb/env"], path.name
        assert service_values(path, "ProtectSystem") == ["strict"], path.name
        assert service_values(path, "NoNewPrivileges") == ["yes"], path.name
        assert len(service_values(path, "ReadWritePaths")) == 1, path.name
        for argv in commands_run(path):
            program = argv[0]
            if program.startswith(str(APP)):
                # A program of the code's own (deploy/kb-backup) is in the repository.
                relative = Path(program).relative_to(APP)
                if relative.parts[0] != ".venv":
                    assert (settings.BASE_DIR / relative).exists(), f"{path.name}: {program}"


def test_the_web_node_runs_gunicorn_with_the_configuration_file_of_the_repository():
    (argv,) = [a for a in commands_run(UNITS / "kb-web.service") if "gunicorn" in a[0]]
    config = argv[argv.index("--config") + 1]
    assert (settings.BASE_DIR / config).exists()
    assert service_values(UNITS / "kb-web.service", "WorkingDirectory") == [str(APP)]


def test_the_migration_runs_once_per_deploy_and_never_loads_over_admin_edits():
    migrate = [
        argv[argv.index("manage.py") + 1 :] for argv in commands_run(UNITS / "kb-migrate.service")
    ]
    assert ["migrate", "--noinput"] in migrate
    assert ["load_faq", "--if-empty"] in migrate
    assert service_values(UNITS / "kb-migrate.service", "Type") == ["oneshot"]
    web = [" ".join(argv) for argv in commands_run(UNITS / "kb-web.service")]
    setup_steps = ("migrate", "load_faq")
    assert not [line for line in web if any(step in line for step in setup_steps)]


def test_the_example_environment_passes_the_deployment_checklist(tmp_path):
    result = check_deploy(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_variable_of_the_example_environment_is_one_the_site_reads():
    text = (DEPLOY / "env.example").read_text()
    names = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))
    sources = (settings.BASE_DIR / "kb" / "settings.py").read_text() + (
        DEPLOY / "gunicorn.conf.py"
    ).read_text()
    assert names
    assert {name for name in names if f'"{name}"' not in sources} == set()


@pytest.mark.parametrize(
    ("left_out", "warning"),
    [
        ("KB_SITE_URL", "kb.W001"),
        ("DJANGO_EMAIL_BACKEND", "kb.W002"),
        ("DATABASE_URL", "kb.W003"),
        ("KB_TRUSTED_PROXIES", "kb.W004"),
    ],
)
def test_it_warns_when_a_server_leaves_a_local_default_that_fails_silently(
    tmp_path, left_out, warning
):
    result = check_deploy(tmp_path, **{left_out: None})
    assert result.returncode != 0
    assert warning in result.stderr
    assert left_out in result.stderr


def test_the_example_environment_starts_gunicorns_configuration(tmp_path):
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--check-config",
            "--print-config",
            "--config",
            "deploy/gunicorn.conf.py",
            "kb.wsgi",
        ],
        cwd=settings.BASE_DIR,
        env=production_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    printed = {
        key.strip(): value.strip()
        for key, _, value in (line.partition("=") for line in result.stdout.splitlines())
    }
    env = read_env_file(DEPLOY / "env.example")
    assert printed["bind"] == f"['{env['KB_BIND']}']"
    assert printed["workers"] == env["WEB_CONCURRENCY"]
    assert printed["preload_app"] == "False"
    assert int(printed["max_requests_jitter"]) > 0


def test_the_nginx_site_sends_what_the_proxy_settings_believe():
    site = (DEPLOY / "nginx" / "kb.conf").read_text()
    env = read_env_file(DEPLOY / "env.example")
    directives = re.findall(r"^\s*proxy_set_header\s+(\S+)\s+(.+);", site, flags=re.MULTILINE)
    headers = dict(directives)
    # nginx is the one proxy: it appends the address it received the request from, which is
    # the right-most address, believed because the connection comes from nginx's address.
    assert env["KB_TRUSTED_PROXIES"] == env["KB_FORWARDED_ALLOW_IPS"]
    assert headers["X-Forwarded-For"] == "$proxy_add_x_forwarded_for"
    # Overwritten with the scheme nginx received, never passed on from the client.
    assert env["DJANGO_BEHIND_HTTPS_PROXY"] == "true"
    assert headers["X-Forwarded-Proto"] == "$scheme"
    assert headers["Host"] == "$host"
    upstream = re.search(r"upstream kb_nodes \{(.*?)\}", site, flags=re.DOTALL).group(1)
    assert f"server {env['KB_BIND']} " in upstream
    assert "return 301 https://$host$request_uri;" in site
