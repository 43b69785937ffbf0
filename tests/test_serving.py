"""gunicorn as `make run` starts it: everything it writes stays in the site's data folder."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings

from bench.throwaway_site import free_port


def test_gunicorn_keeps_its_control_socket_in_the_data_folder(tmp_path):
    home, data = tmp_path / "home", tmp_path / "data"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    env.update(HOME=str(home), KB_DATA_DIR=str(data))
    bind = f"127.0.0.1:{free_port()}"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "kb.wsgi", "--bind", bind, "--workers", "1"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not (data / "gunicorn.ctl").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        with urllib.request.urlopen(f"http://{bind}/robots.txt", timeout=5) as response:
            assert response.status == 200
        assert (data / "gunicorn.ctl").is_socket()
        assert list(Path(home).rglob("*")) == []
    finally:
        server.terminate()
        server.wait(timeout=30)
