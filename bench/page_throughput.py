"""Page throughput before and after a change: part of `make bench`.

Serves two throwaway sites the way `make run` does (gunicorn, 2 workers, DEBUG off): one from a
git ref (`main` unless told otherwise, checked out into a temporary worktree) and one from this
tree, and loads the same pages on each with wrk (`wrk -t2 -c16 -d5s`), alternating the two
sites so that a busy moment of the machine weighs on both. Without wrk, a Python loop of 16
threads does the same, more slowly.

Readers are a browser's User-Agent, so the reading middleware counts every request (the costly
case: each request is a new reader, and "entry, from another entry" also counts a pair).

Two figures per page: requests per second, and the CPU time the server's processes spent per
request (read from /proc before and after each measurement). On a machine that others share,
requests per second move with their load; CPU time per request moves much less, and on an idle
machine throughput is the workers' CPU divided by it. Each figure is the best of the rounds,
as timeit reports: what others run on the machine only ever makes a measurement worse.

    python bench/page_throughput.py                 # main against this tree
    python bench/page_throughput.py --base HEAD~3 --seconds 10 --rounds 3
"""

import argparse
import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.throwaway_site import ROOT, throwaway_site  # noqa: E402

USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0 Safari/537.36"
)
ENTRY = "/faq/rate-limit-429/"
OTHER_ENTRY = "/faq/refresh-token-invalid/"


@contextmanager
def checkout(ref: str):
    """The tree at `ref`, in a temporary git worktree."""
    folder = Path(tempfile.mkdtemp(prefix="kb-bench-base-"))
    subprocess.run(
        ["git", "worktree", "add", "--detach", "--quiet", str(folder), ref], cwd=ROOT, check=True
    )
    try:
        yield folder
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(folder)], cwd=ROOT)
        shutil.rmtree(folder, ignore_errors=True)


def trail_cookie(base_url: str) -> str:
    """The Cookie header of a reader who has just read another entry (empty on old code)."""
    request = urllib.request.Request(base_url + OTHER_ENTRY, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request) as response:
        cookies = response.headers.get_all("Set-Cookie") or []
    trail = [c.split(";")[0] for c in cookies if c.startswith("kb_trail=")]
    return trail[0] if trail else ""


def server_cpu_seconds(base_url: str) -> float:
    """User and system CPU time of the gunicorn master and workers serving `base_url` (workers
    are forks of the master, so they carry its command line with the --bind address)."""
    bind = f"--bind\0{urlsplit(base_url).netloc}\0".encode()
    ticks = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if bind not in Path(f"/proc/{pid}/cmdline").read_bytes():
                continue
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def with_wrk(url: str, seconds: int, headers: dict[str, str]) -> tuple[float, int]:
    """(requests per second, requests served)."""
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        sys.exit(f"{url} answered {errors.group(1)} errors:\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return rate, int(re.search(r"(\d+) requests in", out).group(1))


def with_threads(url: str, seconds: int, headers: dict[str, str]) -> tuple[float, int]:
    parts = urlsplit(url)
    deadline = time.monotonic() + seconds
    done = []

    def worker():
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        count = 0
        while time.monotonic() < deadline:
            connection.request("GET", parts.path, headers=headers)
            response = connection.getresponse()
            response.read()
            assert response.status == 200, response.status
            count += 1
        done.append(count)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / seconds, sum(done)


def measure(load, base_url: str, path: str, seconds: int, headers) -> tuple[float, float]:
    """(requests per second, server CPU milliseconds per request)."""
    cpu = server_cpu_seconds(base_url)
    rate, served = load(base_url + path, seconds, headers)
    return rate, (server_cpu_seconds(base_url) - cpu) * 1000 / max(served, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="main", help="the git ref to compare with (main)")
    parser.add_argument("--seconds", type=int, default=5, help="per measurement (5)")
    parser.add_argument("--rounds", type=int, default=4, help="measurements per page (4)")
    args = parser.parse_args()
    load = with_wrk if shutil.which("wrk") else with_threads
    print(
        f"page throughput, {args.base} against this tree: gunicorn with 2 workers, "
        f"{'wrk -t2 -c16' if load is with_wrk else '16 Python threads'}, "
        f"{args.seconds} s per measurement, best of {args.rounds}\n"
    )

    with ExitStack() as stack:
        base_root = stack.enter_context(checkout(args.base))
        sites = {
            args.base: stack.enter_context(throwaway_site(root=base_root)),
            "this tree": stack.enter_context(throwaway_site()),
        }
        pages = {
            "home /": ("/", {}),
            "entry, a new reader": (ENTRY, {}),
            "entry, from another entry": (ENTRY, {"Cookie": trail_cookie(sites["this tree"])}),
        }
        results: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for url in ("/", ENTRY):
            for base_url in sites.values():
                load(base_url + url, 1, {"User-Agent": USER_AGENT})  # warm up both workers
        for _ in range(args.rounds):
            for page, (path, extra) in pages.items():
                for name, base_url in sites.items():
                    headers = {"User-Agent": USER_AGENT, **extra}
                    figures = measure(load, base_url, path, args.seconds, headers)
                    results.setdefault((page, name), []).append(figures)

    print(
        f"| page | {args.base} req/s | this tree req/s | {args.base} CPU ms/request "
        "| this tree CPU ms/request | change in CPU per request |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for page in pages:
        before, after = results[(page, args.base)], results[(page, "this tree")]
        rate_before = max(rate for rate, _ in before)
        rate_after = max(rate for rate, _ in after)
        cpu_before = min(cpu for _, cpu in before)
        cpu_after = min(cpu for _, cpu in after)
        print(
            f"| {page} | {rate_before:.0f} | {rate_after:.0f} | {cpu_before:.1f} "
            f"| {cpu_after:.1f} | {(cpu_after - cpu_before) / cpu_before:+.1%} |"
        )


if __name__ == "__main__":
    main()
