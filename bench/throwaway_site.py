"""A throwaway copy of the site, built and served the way `make run` does it.

Used by the scripts that measure or photograph the site (`make weight`, `make screenshots`,
`make bench`): a temporary KB_DATA_DIR set up by `manage.py setup_site` as `make run` does,
optionally topped up with a synthetic corpus (bench/corpus.py) and re-indexed, then served by
gunicorn with the project's configuration (deploy/gunicorn.conf.py, 3 workers) and DEBUG off
on a free port. The server is stopped and the folder removed on the way out.

    with throwaway_site() as base_url: …                  # the real FAQ, 27 entries
    with throwaway_site(corpus_size=1000) as base_url: …  # topped up to 1,000 entries
    with throwaway_site(extra_setup=(["createsuperuser", …],), env={…}) as base_url: …

`prepare_site` and `serve_site` are the two halves, for a caller that measures something
between them (the benchmark times the index rebuild itself).
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
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 3  # as `make run`
START_UP_SECONDS = 30


@dataclass(frozen=True)
class Site:
    base_url: str  # e.g. http://127.0.0.1:43121
    pid: int  # gunicorn's master process; its children are the workers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_env(data_dir: Path | str, **settings: str) -> dict[str, str]:
    return {**os.environ, "KB_DATA_DIR": str(data_dir), "DJANGO_DEBUG": "false", **settings}


def _run(command: list[str], data_dir: Path | str, root: Path = ROOT, **settings: str) -> None:
    environment = site_env(data_dir, **settings)
    done = subprocess.run(
        command, env=environment, cwd=root, capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.exit(f"`{' '.join(command[1:])}` failed:\n{done.stderr[-3000:]}")


def add_corpus(data_dir: Path | str, corpus_size: int) -> None:
    """Top the site's database up to `corpus_size` entries (bench/corpus.py); no re-index."""
    _run([sys.executable, "-m", "bench.corpus", "load", "--size", str(corpus_size)], data_dir)


def prepare_site(
    data_dir: Path | str,
    corpus_size: int = 0,
    extra_setup: tuple = (),
    setup_scripts: tuple[Path, ...] = (),
    root: Path = ROOT,
    **settings: str,
) -> None:
    """Set a site up in `data_dir` as `make run` does, topped up to `corpus_size` entries;
    `extra_setup` adds manage.py commands (an account, a demo entry), `setup_scripts` Python
    scripts run in the site's environment (to seed data), `settings` environment variables.
    `root` is the source tree (another checkout, to compare with)."""
    manage = [sys.executable, str(root / "manage.py")]
    _run([*manage, "setup_site"], data_dir, root, **settings)
    if corpus_size:
        add_corpus(data_dir, corpus_size)
        _run([*manage, "rebuild_index"], data_dir, root, **settings)
    for command in extra_setup:
        _run([*manage, *command, "--verbosity", "0"], data_dir, root, **settings)
    for script in setup_scripts:
        _run([sys.executable, str(script)], data_dir, root, **settings)


def _wait_until_up(base_url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_UP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server stopped at start-up (exit code {server.returncode})")
        try:
            with urllib.request.urlopen(base_url + "/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"the server did not answer at {base_url} within {START_UP_SECONDS} seconds")


@contextmanager
def serve_site(
    data_dir: Path | str, port: int = 0, workers: int = WORKERS, root: Path = ROOT, **settings: str
) -> Iterator[Site]:
    """Serve a prepared data folder as `make run` does, until the block ends; `settings` are
    environment variables for the site (KB_SEARCH_RATE_LIMIT=…)."""
    bind = f"127.0.0.1:{port or free_port()}"
    config = root / "deploy" / "gunicorn.conf.py"
    # An older checkout may predate the configuration file: the same essentials as flags.
    options = ["--config", str(config)] if config.exists() else ["--bind", bind, "-w", str(workers)]
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "kb.wsgi", *options],
        # The site's own address: only requests to it are kept in the page cache.
        env=site_env(
            data_dir,
            KB_BIND=bind,
            WEB_CONCURRENCY=str(workers),
            **{"KB_SITE_URL": f"http://{bind}", **settings},
        ),
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base_url = f"http://{bind}"
        _wait_until_up(base_url, server)
        yield Site(base_url, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=60)


@contextmanager
def throwaway_site(
    port: int = 0,
    corpus_size: int = 0,
    workers: int = WORKERS,
    extra_setup: tuple = (),
    env: dict[str, str] | None = None,
    setup_scripts: tuple[Path, ...] = (),
    root: Path = ROOT,
) -> Iterator[str]:
    """Serve a fresh site; yields its base URL, e.g. http://127.0.0.1:43121. `extra_setup`
    adds manage.py commands after the usual ones (an account, a demo entry), `setup_scripts`
    scripts (seed data), `env` variables; `root` serves another checkout."""
    with tempfile.TemporaryDirectory(prefix="kb-site-") as data_dir:
        prepare_site(data_dir, corpus_size, extra_setup, setup_scripts, root, **(env or {}))
        with serve_site(data_dir, port, workers, root, **(env or {})) as site:
            yield site.base_url
