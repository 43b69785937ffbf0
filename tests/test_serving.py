"""gunicorn as `make run` starts it: everything it writes stays in the site's data folder."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings

from bench.throwaway_site import free_port


def test_gunicorn_writes_nothing_outside_the_data_folder(tmp_path):
    home, data = tmp_path / "home", tmp_path / "data"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    bind = f"127.0.0.1:{free_port()}"
    env.update(HOME=str(home), KB_DATA_DIR=str(data), KB_BIND=bind, WEB_CONCURRENCY="1")
    server = subprocess.Popen(
        # As `make run` starts it.
        [sys.executable, "-m", "gunicorn", "kb.wsgi", "--config", "deploy/gunicorn.conf.py"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://{bind}/robots.txt", timeout=5) as response:
                    assert response.status == 200
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        # No control socket in ~/.gunicorn/ (deploy/gunicorn.conf.py turns it off), nothing else.
        assert list(Path(home).rglob("*")) == []
    finally:
        server.terminate()
        server.wait(timeout=30)
