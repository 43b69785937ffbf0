"""Real servers for tests of faults and of several nodes: gunicorn with the project's own
configuration (deploy/gunicorn.conf.py), on a free port, on a site of its own.

A site is built once per test session (migrate, the FAQ, static files, the index, an
engineer's account) and copied for each test, so a test may break its copy as it likes
(`set_writable`).
"""

import html
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGINEER = ("engineer", "a-long-test-password")
SETUP_COMMANDS = (
    ["migrate", "--noinput"],
    ["createcachetable"],
    ["load_faq"],
    ["collectstatic", "--noinput"],
    ["rebuild_index"],
    ["createsuperuser", "--noinput", "--username", ENGINEER[0], "--email", "e@example.com"],
)
AS_ROOT = os.geteuid() == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_environment(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a site on SQLite in `data_dir`, whatever the test run's database."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "KB_", "DATABASE_URL"))
    }
    environment.update(
        KB_DATA_DIR=str(data_dir),
        DJANGO_SUPERUSER_PASSWORD=ENGINEER[1],
        # Throttles at their defaults would count the tests' own requests.
        KB_SEARCH_RATE_LIMIT="100000",
        KB_FEEDBACK_RATE_LIMIT="100000",
    )
    environment.update(extra)
    return environment


def build_site(data_dir: Path, **environment: str) -> None:
    env = site_environment(data_dir, **environment)
    for command in SETUP_COMMANDS:
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *command, "--verbosity", "0"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )


def set_writable(path: Path, writable: bool) -> None:
    """Take away (or give back) the right to write a file, or a folder and all it holds.

    Permissions do not stop root, who runs CI: as root the files are made immutable
    (`chattr +i`), which stops every user; otherwise their write permission is removed."""
    paths = [path, *path.rglob("*")] if path.is_dir() else [path]
    paths = [item for item in paths if not item.is_symlink()]
    if AS_ROOT:
        subprocess.run(
            ["chattr", "-i" if writable else "+i", *map(str, paths)],
            check=not writable,  # giving back may meet files that were never taken
            capture_output=True,
        )
        return
    for item in paths:
        mode = item.stat().st_mode
        item.chmod(mode | stat.S_IWUSR if writable else mode & ~(stat.S_IWUSR | 0o022))


class Server:
    """gunicorn serving a site; a client of it that keeps cookies, as a browser would."""

    def __init__(self, data_dir: Path, workers: int = 2, **environment: str):
        self.data_dir = data_dir
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.environment = site_environment(
            data_dir,
            KB_BIND=f"127.0.0.1:{self.port}",
            WEB_CONCURRENCY=str(workers),
            # Its own address, as a server's is: the page cache keeps only pages asked of it.
            **{"KB_SITE_URL": self.base_url, **environment},
        )
        self.process: subprocess.Popen | None = None
        self.log_path = data_dir.parent / f"server-{self.port}.log"
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects()
        )

    # --- Life ------------------------------------------------------------------------------

    def start(self, timeout: float = 60) -> "Server":
        command = [
            sys.executable, "-m", "gunicorn", "kb.wsgi",
            "--config", str(ROOT / "deploy" / "gunicorn.conf.py"),
        ]  # fmt: skip
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                command, env=self.environment, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped at start-up:\n{self.log()}")
            try:
                self.get("/healthz")
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"the server did not answer within {timeout} s:\n{self.log()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def worker_pids(self) -> set[int]:
        """The master's children: the workers that serve."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return {int(pid) for pid in children.read_text().split()}

    # --- Requests --------------------------------------------------------------------------

    def request(self, method: str, path: str, data: dict | None = None, headers=None):
        """(status, headers, body) for a request; never raises for an HTTP error status."""
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(
            self.base_url + path, data=body, method=method, headers=headers or {}
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def get(self, path: str, **params):
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        return self.request("GET", path + query)

    def post(self, path: str, data: dict):
        return self.request("POST", path, {**data, "csrfmiddlewaretoken": self.csrf_token()})

    def csrf_token(self) -> str:
        return next((c.value for c in self.cookies if c.name == "csrftoken"), "")

    def sign_in(self) -> int:
        self.get("/admin/login/")
        status, _, _ = self.post(
            "/admin/login/?next=/admin/",
            {"username": ENGINEER[0], "password": ENGINEER[1], "next": "/admin/"},
        )
        return status

    def search_slugs(self, text: str) -> list[str]:
        import json

        status, _, body = self.get("/api/search", q=text)
        assert status == 200, body[:500]
        return [result["slug"] for result in json.loads(body)["results"]]

    def save_entry(self, slug: str, **changes: str) -> int:
        """Save an entry through the admin's change form, as an engineer does; the status."""
        row = self.entry_row(slug)
        _, _, form = self.get(f"/admin/kb/entry/{row['id']}/change/")
        fields = {
            "question": row["question"],
            "slug": row["slug"],
            "category": str(row["category_id"]),
            "status": row["status"],
            "order": str(row["order"]),
            "answer": html.unescape(_textarea(form, "answer")),
            "symptoms": html.unescape(_textarea(form, "symptoms")),
            "version": str(row["version"]),
            "_save": "Save",
        }
        status, _, _ = self.post(f"/admin/kb/entry/{row['id']}/change/", {**fields, **changes})
        return status

    # --- What is stored --------------------------------------------------------------------

    def database(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.data_dir / "db.sqlite3", timeout=20)
        connection.row_factory = sqlite3.Row
        return connection

    def entry_row(self, slug: str):
        if url := self.environment.get("DATABASE_URL"):
            return SharedDatabase(url).entry_row(slug)
        with self.database() as db:
            return db.execute("SELECT * FROM kb_entry WHERE slug = ?", [slug]).fetchone()


class SharedDatabase:
    """One database that several nodes (servers with index folders of their own) share: a
    throwaway database on the test run's PostgreSQL server, else a SQLite file."""

    def __init__(self, url: str):
        self.url = url

    @classmethod
    def create(cls, folder: Path) -> "SharedDatabase":
        server_url = os.environ.get("DATABASE_URL", "")
        if not server_url.startswith(("postgres://", "postgresql://")):
            return cls(f"sqlite:///{folder / 'shared.sqlite3'}")
        import psycopg

        name = f"kb_nodes_{os.getpid()}_{int(time.time() * 1000)}"
        with psycopg.connect(_with_database(server_url, "postgres"), autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        return cls(_with_database(server_url, name))

    @property
    def is_postgres(self) -> bool:
        return self.url.startswith(("postgres://", "postgresql://"))

    def drop(self) -> None:
        if not self.is_postgres:
            return
        import psycopg

        name = self._name()
        server_url = _with_database(self.url, "postgres")
        with psycopg.connect(server_url, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            backups = db.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{name}_backup_%"]
            )
            for (backup,) in backups.fetchall():
                db.execute(f'DROP DATABASE IF EXISTS "{backup}"')

    def backup(self) -> str:
        """A copy of the database as it is now, for restore(). Taken with the nodes stopped:
        PostgreSQL copies a database only while no one is connected to it."""
        if self.is_postgres:
            copy = f"{self._name()}_backup_{int(time.time() * 1000)}"
            self._on_server(f'CREATE DATABASE "{copy}" TEMPLATE "{self._name()}"')
            return copy
        copy = f"{self._path()}.backup-{int(time.time() * 1000)}"
        with sqlite3.connect(self._path()) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        return copy

    def restore(self, backup: str) -> None:
        """Put the database back as backup() found it, as an operator restoring one does."""
        if self.is_postgres:
            self._on_server(f'DROP DATABASE "{self._name()}" WITH (FORCE)')
            self._on_server(f'CREATE DATABASE "{self._name()}" TEMPLATE "{backup}"')
            return
        with sqlite3.connect(backup) as source, sqlite3.connect(self._path()) as target:
            source.backup(target)

    def _name(self) -> str:
        return urllib.parse.urlsplit(self.url).path.lstrip("/")

    def _path(self) -> str:
        return urllib.parse.urlsplit(self.url).path

    def _on_server(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(_with_database(self.url, "postgres"), autocommit=True) as db:
            db.execute(statement)

    def entry_row(self, slug: str) -> dict | None:
        if self.is_postgres:
            import psycopg
            from psycopg.rows import dict_row

            with psycopg.connect(self.url, row_factory=dict_row) as db:
                return db.execute("SELECT * FROM kb_entry WHERE slug = %s", [slug]).fetchone()
        path = urllib.parse.urlsplit(self.url).path
        with sqlite3.connect(path, timeout=20) as db:
            db.row_factory = sqlite3.Row
            return db.execute("SELECT * FROM kb_entry WHERE slug = ?", [slug]).fetchone()


def _with_database(url: str, name: str) -> str:
    return urllib.parse.urlsplit(url)._replace(path=f"/{name}").geturl()


def _textarea(form: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\n?(.*?)</textarea>', form, re.S)
    return match.group(1) if match else ""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Answers as they are: a test looks at a 302 itself."""

    def redirect_request(self, *args, **kwargs):
        return None


def copy_site(template: Path, target: Path) -> Path:
    shutil.copytree(template, target, symlinks=True)
    return target


def wait_until(condition, timeout: float = 15.0, interval: float = 0.1):
    """Poll `condition` until it returns something true; return it, or the last falsy value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


@contextmanager
def two_nodes(prefix: str, shell: str = "", **environment: str) -> Iterator:
    """Two servers, each with its own index folder, sharing one database (SharedDatabase) and
    one secret key (a session started on one is valid on the other), with `environment` set on
    both and `shell` (Python) run once in the shared database: (a, b, database). Node a is built
    as the session's sites are; both are stopped and everything removed on the way out."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    folder.chmod(0o755)
    database = SharedDatabase.create(folder)
    shared = {
        "DATABASE_URL": database.url,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        **environment,
    }
    build_site(folder / "a", **shared)
    commands = [["collectstatic", "--noinput"]] + ([["shell", "-c", shell]] if shell else [])
    for command in commands:
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *command, "-v", "0"],
            env=site_environment(folder / "b", **shared),
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    a = Server(folder / "a", **shared).start()
    b = Server(folder / "b", **shared).start()
    try:
        yield a, b, database
    finally:
        a.stop()
        b.stop()
        database.drop()
        set_writable(folder, True)
        subprocess.run(["rm", "-rf", str(folder)], check=False)
