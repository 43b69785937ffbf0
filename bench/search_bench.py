"""Search speed and memory: `make bench`.

Builds a throw-away data folder (database, index) from faq_content/, then times searches of
each kind a developer makes and a full rebuild, and prints the figures docs/search.md quotes.
Speed goals live here, not in the tests.
"""

import atexit
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ["KB_DATA_DIR"] = tempfile.mkdtemp(prefix="kb-bench-")
atexit.register(shutil.rmtree, os.environ["KB_DATA_DIR"], ignore_errors=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from kb import search  # noqa: E402
from kb.faq import load_faq  # noqa: E402

RAW = (
    "HTTP/1.1 429 Too Many Requests\nX-Rate-Limit-Limit: 3600\nX-Rate-Limit-Remaining: 0\n"
    'X-Rate-Limit-Reset: 1795880000\nRetry-After: 120\n\n{"errors":"Too many requests"}'
)
QUERIES = {
    "status code": "429",
    "short words": "refresh token expiry",
    "typo": "refesh tokn invalid",
    "error message": "No 'Access-Control-Allow-Origin' header is present on the requested resource",
    "JSON body": '{"error":"invalid_grant","error_description":"The provided grant is invalid"}',
    "raw response": RAW,
    "20 KB paste": RAW + "\n" + "X-Request-Id: 0f1e2d3c4b5a69788796a5b4c3d2e1f0\n" * 500,
}
ROUNDS = 100


def main() -> None:
    call_command("migrate", verbosity=0)
    load_faq(settings.CONTENT_DIR)
    started = time.perf_counter()
    search.rebuild()
    rebuild_ms = (time.perf_counter() - started) * 1000
    search.search("warm up")
    print(f"search benchmark: {ROUNDS} searches of each kind, one process\n")
    print(f"{'query':<16}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}")
    for name, text in QUERIES.items():
        timings = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            search.search(text)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(f"{name:<16}{statistics.median(timings):>11.2f}{p95:>9.2f}{timings[-1]:>9.2f}")
    print(f"\nfull rebuild of the index: {rebuild_ms:.0f} ms")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
