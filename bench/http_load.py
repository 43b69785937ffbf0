"""The site over HTTP: throughput under wrk, latency, page weight and the workers' memory.

Against a site served as `make run` serves it (bench/throwaway_site.py: gunicorn, 3 workers),
in one run so the figures sit side by side:

- throughput: `wrk -t2 -c16 -d5s` per URL (a static file, the home page, an entry page, the
  largest category page, `/api/search?q=rate limit exceeded`), as requests per second; the
  static file is the reference, served by the same server. Between URLs the benchmark waits
  until /healthz answers quickly again, so requests still queued from one URL do not slow the
  next.
- latency: one request at a time, the median and p95 of a search (the dev queries, each once)
  and of /healthz, the cheapest page there is.
- page weight: what a first visit downloads for the home page and the largest category page
  (bench/page_weight.py), the HTML's size, and the time to fetch the HTML.
- the workers' peak resident memory (VmHWM) once all of this has run.
"""

import re
import shutil
import statistics
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from bench.measure import summary
from bench.page_weight import assets_of, fetch, measure_page
from bench.throwaway_site import Site

WRK = ["wrk", "-t2", "-c16", "-d5s", "--timeout", "10s"]
WRK_MISSING = (
    "wrk is not installed, so the HTTP figures are skipped: install it with "
    "`apt-get install wrk` (as root) and run `make bench` again"
)
API_SEARCH_QUERY = "rate limit exceeded"
SETTLED_MS = 50  # /healthz answering this fast twice in a row: the queue has drained
SETTLE_LIMIT = 180  # seconds
LATENCY_BUDGET = 60  # seconds for each latency series
WEIGHT_FETCHES = 3
FEW_REQUESTS = 20  # under this many requests in a wrk run, its req/s is coarse


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(url: str) -> dict:
    """Requests per second, and what makes the figure less than exact: few requests done,
    timeouts, answers other than 2xx/3xx."""
    wrk = subprocess.run([*WRK, url], capture_output=True, text=True, check=False)
    if wrk.returncode:
        return {"rps": None, "errors": f"wrk failed: {(wrk.stdout + wrk.stderr).strip()}"}
    output = wrk.stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    finished = re.search(r"(\d+) requests in", output)
    errors = []
    count = int(finished.group(1)) if finished else 0
    if count < FEW_REQUESTS:
        errors.append(f"{count or 'no'} request{'' if count == 1 else 's'} finished in the 5 s")
    sockets = re.search(r"Socket errors: (.+)", output)
    if sockets:
        errors.append(f"socket errors: {sockets.group(1)}")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        errors.append(f"{non_2xx.group(1)} non-2xx/3xx answers")
    return {"rps": float(rate.group(1)) if rate else None, "errors": "; ".join(errors) or None}


def _get_ms(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        response.read()
    return (time.perf_counter() - started) * 1000


def settle(healthz_url: str) -> None:
    """Wait until the workers are idle again (or SETTLE_LIMIT has passed)."""
    started, fast = time.monotonic(), 0
    while fast < 2 and time.monotonic() - started < SETTLE_LIMIT:
        try:
            fast = fast + 1 if _get_ms(healthz_url) < SETTLED_MS else 0
        except OSError:  # a worker killed by gunicorn's timeout: keep waiting
            fast = 0
        time.sleep(0.05)


def latency(urls: list[str]) -> dict | None:
    """One request after another, within the time budget; "stopped" says why it ended early."""
    samples, started, stopped = [], time.monotonic(), None
    for url in urls:
        if time.monotonic() - started > LATENCY_BUDGET:
            stopped = f"the {LATENCY_BUDGET} s budget ran out"
            break
        try:
            samples.append(_get_ms(url))
        except OSError as error:
            stopped = f"a request failed ({error!r})"
            break
    return {**summary(samples), "stopped": stopped} if samples else None


def page_weight(url: str) -> dict:
    resources = measure_page(url)
    opener = urllib.request.build_opener()
    timings = []
    for _ in range(WEIGHT_FETCHES):
        started = time.perf_counter()
        fetch(opener, url)
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "html_bytes": len(resources[0].decoded),
        "wire_bytes": sum(resource.body_bytes for resource in resources),
        "html_ms": statistics.median(timings),
    }


def worker_peak_memory_mb(master_pid: int) -> float | None:
    """The largest peak resident memory among gunicorn's workers (Linux /proc)."""
    peaks = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            if parent != master_pid:
                continue
            status = (stat.parent / "status").read_text()
        except (OSError, IndexError, ValueError):
            continue  # a process that ended meanwhile
        found = re.search(r"VmHWM:\s+(\d+) kB", status)
        if found:
            peaks.append(int(found.group(1)) / 1024)
    return max(peaks) if peaks else None


def measure_site(site: Site, facts: dict, search_texts: list[str]) -> dict:
    """Every HTTP figure of one served site; `facts` from bench.corpus.site_facts().

    A measurement that fails (a page slower than gunicorn's 30 s worker timeout, say) is
    listed in result["failed"] and the others go on.
    """
    base, paths = site.base_url, facts["urls"]
    healthz = base + paths["healthz"]
    result = {"failed": [], "weight": {}, "throughput": {}}

    def attempt(what: str, measure, *args):
        try:
            return measure(*args)
        except Exception as error:  # one figure missing, with the reason, not the run lost
            result["failed"].append(f"{what}: {error!r}")
            return None

    home = attempt("the home page", fetch, urllib.request.build_opener(), base + paths["home"])
    css = [url for url in (assets_of(home) if home else []) if url.split("?")[0].endswith(".css")]
    targets = {
        "static": css[0] if css else None,
        "home": base + paths["home"],
        "entry": base + paths["entry"],
        "category": base + paths["category"],
        "api_search": f"{base}{paths['api_search']}?{urlencode({'q': API_SEARCH_QUERY})}",
    }
    for page in ("home", "category"):
        result["weight"][page] = attempt(f"{page} page weight", page_weight, targets[page])
    for name, url in targets.items():
        settle(healthz)
        result["throughput"][name] = run_wrk(url) if url else None
    settle(healthz)
    searches = [f"{base}{paths['api_search']}?{urlencode({'q': q})}" for q in search_texts]
    result["search_ms"] = latency(searches)
    result["healthz_ms"] = latency([healthz] * len(searches))
    result["worker_memory_mb"] = worker_peak_memory_mb(site.pid)
    return result
