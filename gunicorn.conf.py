"""gunicorn's settings, read from the folder it is started in (`make run`, the benchmarks).

Everything the site writes stays in its data folder (KB_DATA_DIR): gunicorn's control socket
too, which would otherwise go to ~/.gunicorn/ and be shared by every site on the machine.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")

from kb.settings import DATA_DIR  # noqa: E402  (after the settings module is named)

control_socket = str(DATA_DIR / "gunicorn.ctl")
