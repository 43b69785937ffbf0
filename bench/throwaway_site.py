"""A throwaway copy of the site, built and served the way `make run` does it.

Used by the scripts that measure or photograph the site (`make weight`, `make screenshots`):
a temporary KB_DATA_DIR, migrate, load_faq, collectstatic, rebuild_index, then gunicorn with
DEBUG off on a free port. The server is stopped and the folder removed on the way out.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETUP_COMMANDS = (
    ["migrate", "--noinput"],
    ["load_faq"],
    ["collectstatic", "--noinput"],
    ["rebuild_index"],
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(base_url: str, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server stopped at start-up (exit code {server.returncode})")
        try:
            with urllib.request.urlopen(base_url + "/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"the server did not answer at {base_url} within {seconds:.0f} seconds")


@contextmanager
def throwaway_site(
    port: int = 0, root: Path = ROOT, setup_scripts: tuple[Path, ...] = ()
) -> Iterator[str]:
    """Serve a fresh site; yields its base URL, e.g. http://127.0.0.1:43121.

    `root` is the source tree to serve (another checkout, to compare); `setup_scripts` are run
    with the site's environment after the setup commands, before the server starts (to seed
    data, say)."""
    with tempfile.TemporaryDirectory(prefix="kb-site-") as data_dir:
        env = {**os.environ, "KB_DATA_DIR": data_dir, "DJANGO_DEBUG": "false"}
        manage = [sys.executable, str(root / "manage.py")]
        for command in SETUP_COMMANDS:
            subprocess.run(
                [*manage, *command, "--verbosity", "0"],
                env=env,
                cwd=root,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        for script in setup_scripts:
            subprocess.run([sys.executable, str(script)], env=env, cwd=root, check=True)
        bind = f"127.0.0.1:{port or free_port()}"
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "kb.wsgi", "--bind", bind, "--workers", "2"],
            env=env,
            cwd=root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base_url = f"http://{bind}"
            _wait_until_up(base_url, server)
            yield base_url
        finally:
            server.terminate()
            server.wait(timeout=30)
