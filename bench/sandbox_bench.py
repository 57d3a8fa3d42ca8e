"""Sandbox: start-up time and memory with all seed data; the cost of a page of 100,000 files."""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

REPO_DIR = Path(__file__).resolve().parents[1]
STARTUPS = 5
PAGE_REQUESTS = 50
BIG = "demo-user/big-cohort"

# Measured in a fresh interpreter: import the package and build the app with every seed (29 real
# apps, the small projects, the 100k-file project). ru_maxrss is in kilobytes on Linux.
STARTUP_SCRIPT = """
import json, resource, time
started = time.perf_counter()
from sandbox import create_sandbox_app
app = create_sandbox_app()
built = time.perf_counter() - started
print(json.dumps({"seconds": built,
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
BASELINE_SCRIPT = """
import json, resource
import flask
print(json.dumps({"max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _python(script):
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_DIR, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def _timed_gets(session, url, params, count):
    times = []
    for _ in range(count):
        started = time.perf_counter()
        response = session.get(url, params=params, timeout=30)
        times.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return times


def _ms(values):
    ordered = sorted(values)
    return (f"{statistics.median(ordered):.2f}", f"{ordered[int(len(ordered) * 0.9) - 1]:.2f}")


def run(report):
    from sandbox import DEMO_TOKEN, create_sandbox_app, serve_in_thread

    startups = [_python(STARTUP_SCRIPT) for _ in range(STARTUPS)]
    baseline = _python(BASELINE_SCRIPT)
    seconds = statistics.median(s["seconds"] for s in startups)
    rss = max(s["max_rss_mb"] for s in startups)
    report.section("Sandbox: start-up and memory")
    report.text(
        f"Fresh interpreter, import + `create_sandbox_app()` with all seed data "
        f"(every real app, the demo projects, the 100,000-file project); "
        f"median of {STARTUPS} runs. Target: under 2 s and under 200 MB. "
        f"Load average when measured: {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} CPUs (figures grow with load)."
    )
    report.table(
        ["measure", "value"],
        [
            ["start-up (import + build), median", f"{seconds:.3f} s"],
            ["start-up, slowest run", f"{max(s['seconds'] for s in startups):.3f} s"],
            ["peak RSS of that process", f"{rss:.1f} MB"],
            [
                "peak RSS of a bare interpreter importing Flask (for scale)",
                f"{baseline['max_rss_mb']:.1f} MB",
            ],
        ],
    )

    handle = serve_in_thread(create_sandbox_app())
    session = requests.Session()
    session.headers["X-SBG-Auth-Token"] = DEMO_TOKEN
    url = f"{handle.api_url}/files"
    try:
        _timed_gets(session, url, {"project": BIG, "limit": 100}, 5)  # warm up
        rows = []
        for limit in (100, 50):
            # Alternate the two offsets so that load on the machine hits both alike.
            near, far = [], []
            for _ in range(PAGE_REQUESTS):
                near += _timed_gets(session, url, {"project": BIG, "offset": 0, "limit": limit}, 1)
                far += _timed_gets(
                    session, url, {"project": BIG, "offset": 99_900, "limit": limit}, 1
                )
            rows.append([f"offset 0, limit {limit}", PAGE_REQUESTS, *_ms(near)])
            rows.append([f"offset 99,900, limit {limit}", PAGE_REQUESTS, *_ms(far)])
        scans = _timed_gets(session, url, {"project": BIG, "metadata.sample_id": "BS_00012345"}, 5)
        rows.append(["metadata.sample_id filter (scans 100,005 items)", 5, *_ms(scans)])
    finally:
        session.close()
        handle.shutdown()
    report.section("Sandbox: listing the 100,000-file project over loopback")
    report.text(
        "`GET /v2/files?project=demo-user/big-cohort` through a real socket with "
        "`requests` (one keep-alive session). Files are computed from their index, so a "
        "page should cost the same at either end; only filters scan."
    )
    report.table(["request", "n", "median ms", "p90 ms"], rows)
