"""gunicorn's settings, for `make run` on a laptop and for production alike (README.md,
"Production"). The environment picks the address and the number of workers; anything else can
be overridden on the command line or in GUNICORN_CMD_ARGS.
"""

import os

bind = os.environ.get("KB_BIND", "127.0.0.1:8000")
# Two or three per core: requests are short, and search is CPU-bound Python.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))

# A worker silent for this long is killed and replaced. Far above what the site itself ever
# waits for (the search index lock: 2 s for a save, 10 s for a rebuild's swap), so only a
# really stuck worker dies, and a user gets an answer long before a proxy gives up.
timeout = 30
# On a restart (SIGHUP, a deploy) workers finish the requests they have for this long.
graceful_timeout = 30
keepalive = 5
# Replace each worker after this many requests (with jitter, so not all at once): memory that
# a worker gathered, a searcher or caches, is returned without a restart.
max_requests = 5000
max_requests_jitter = 500

# The site writes one line per request itself, with its latency and request id and without
# the pasted secrets and long pastes that gunicorn's access log would write from query strings.
accesslog = None
errorlog = "-"
# gunicorn 27 would open a control socket in the home folder: nothing is written outside the
# site's data folder.
control_socket_disable = True

# The proxies whose X-Forwarded-Proto gunicorn believes (for HTTPS behind a proxy).
forwarded_allow_ips = os.environ.get("KB_FORWARDED_ALLOW_IPS", "127.0.0.1")
