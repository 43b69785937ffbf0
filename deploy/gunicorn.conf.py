"""gunicorn's settings, for `make run` on a laptop and for production alike (docs/production.md,
"gunicorn"). The environment picks the address, the number of workers and the proxy that is
believed; anything else can be overridden on the command line or in GUNICORN_CMD_ARGS.
"""

import os

# Production: the node's private address, which only the reverse proxy can reach (KB_BIND in
# /etc/kb/env, e.g. 10.0.0.12:8000). `make run`: the loopback address.
bind = os.environ.get("KB_BIND", "127.0.0.1:8000")
# Two or three per core: requests are short, and search is CPU-bound Python. Each worker holds
# about 60-80 MB (docs/benchmark.md).
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# Plain synchronous workers: a request is a few milliseconds of CPU, and the reverse proxy
# buffers requests and answers, so a slow client never holds a worker.
worker_class = "sync"
# No preloading: each worker imports the site itself. `systemctl reload` (SIGHUP) then starts
# workers on the code now on disk, and nothing made at import time (the database connection,
# the reading counters' timer thread, the search index's state) is shared across a fork.
preload_app = False

# A worker silent for this long is killed and replaced. Far above what the site itself ever
# waits for (the search index lock: 2 s for a save, 10 s for a rebuild's swap), so only a
# really stuck worker dies, and a user gets an answer long before a proxy gives up (nginx
# waits 35 s: deploy/nginx/kb.conf).
timeout = 30
# On a restart (SIGHUP, SIGTERM from `systemctl stop`) workers finish the requests they have
# for this long; systemd waits a little longer before killing (TimeoutStopSec in
# deploy/systemd/kb-web.service).
graceful_timeout = 30
keepalive = 5
# Replace each worker after this many requests (with jitter, so not all at once): memory that
# a worker gathered, a searcher or caches, is returned without a restart. A worker that leaves
# writes its reading counters first (kb/editorial/counters.py).
max_requests = 5000
max_requests_jitter = 500

# The site writes one line per request itself, with its latency and request id and without
# the pasted secrets and long pastes that gunicorn's access log would write from query strings.
accesslog = None
errorlog = "-"
# gunicorn 27 would open a control socket in the home folder: nothing is written outside the
# site's data folder.
control_socket_disable = True

# The proxies whose X-Forwarded-Proto gunicorn believes for wsgi.url_scheme
# (KB_FORWARDED_ALLOW_IPS: the reverse proxy's address as this node sees it). Django itself
# reads X-Forwarded-Proto when DJANGO_BEHIND_HTTPS_PROXY is on, whoever sent it: the node's
# port must be reachable from the proxy only, and the proxy must overwrite the header
# (deploy/nginx/kb.conf does).
forwarded_allow_ips = os.environ.get("KB_FORWARDED_ALLOW_IPS", "127.0.0.1")
