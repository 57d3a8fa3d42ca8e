"""Shared fixtures: the real apps, and a running sandbox on a loopback port."""

from pathlib import Path

import app_fixtures
import pytest
import requests
from hypothesis import settings

from appspec import parse_app

# Timing is not what these tests check: on a busy machine (CI shares its cores) one example may
# take longer than hypothesis' default 200 ms deadline without anything being wrong.
settings.register_profile("no-deadline", deadline=None)
settings.load_profile("no-deadline")


REPO_DIR = Path(__file__).resolve().parents[1]


class RealApps:
    """The 29 real apps the sandbox seeds from (where they are: `tests/app_fixtures.py`)."""

    paths = app_fixtures.REAL_APP_PATHS

    def raw(self, name):
        """The raw CWL of one app, by file name with or without `.json`."""
        return app_fixtures.load_real_app(name)

    def spec(self, name):
        """The app read into its input nodes."""
        return parse_app(self.raw(name))


@pytest.fixture(scope="session")
def real_apps():
    """The real apps, for tests that take one by name (parametrized tests over all of them use
    `app_fixtures.REAL_APP_PATHS`, which parametrize needs before any fixture exists)."""
    return RealApps()


class SandboxController:
    """A running sandbox plus its /_sandbox controls, as tests use them."""

    def __init__(self, handle, token):
        self.handle = handle
        self.url = handle.url
        self.api_url = handle.api_url
        self.token = token
        self._http = requests.Session()

    def _call(self, method, path, json=None):
        response = self._http.request(method, f"{self.url}/_sandbox/{path}", json=json, timeout=10)
        response.raise_for_status()
        return response.json()

    def close(self):
        self._http.close()

    def reset(self):
        return self._call("POST", "reset")

    def requests(self):
        """{"requests": [{method, path, query, json, status}], "counts": {"GET /v2/...": n}}"""
        return self._call("GET", "requests")

    def clear_requests(self):
        return self._call("DELETE", "requests")

    def fault(self, **rule):
        """Inject a fault, e.g. fault(method="POST", path="/v2/tasks", status=503, code=0)."""
        return self._call("POST", "faults", rule)

    def clear_faults(self):
        return self._call("DELETE", "faults")

    def advance_clock(self, seconds):
        return self._call("POST", "clock", {"advance_seconds": seconds})

    def set_latency(self, ms):
        return self._call("POST", "latency", {"latency_ms": ms})

    def set_rate_limit(self, limit, window_seconds=300):
        return self._call("POST", "rate_limit", {"limit": limit, "window_seconds": window_seconds})

    def set_fail_share(self, share):
        """The share of run tasks that end FAILED (chosen by creation order)."""
        return self._call("POST", "fail_share", {"fail_share": share})

    def add_app(self, project, app_name, raw):
        return self._call("POST", "apps", {"project": project, "app_name": app_name, "raw": raw})

    def add_files(self, project, files, parent=None):
        return self._call("POST", "files", {"project": project, "parent": parent, "files": files})


@pytest.fixture(scope="session")
def sandbox_server():
    from sandbox import DEMO_TOKEN, create_sandbox_app, serve_in_thread

    handle = serve_in_thread(create_sandbox_app())  # installs every app in REAL_APPS_DIR
    controller = SandboxController(handle, DEMO_TOKEN)
    yield controller
    controller.close()
    handle.shutdown()


@pytest.fixture
def sandbox(sandbox_server):
    """The session's sandbox, reset to its seed before the test."""
    sandbox_server.reset()
    return sandbox_server


def free_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(process, probe, refused, what, seconds):
    """Calls `probe` until it stops raising `refused`; kills `process` and fails if it exits or
    `seconds` pass first."""
    import time

    deadline = time.monotonic() + seconds
    while True:
        try:
            probe()
            return
        except refused:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError(f"{what} did not start") from None
            time.sleep(0.05)


@pytest.fixture(scope="session")
def redis_server():
    """A real redis-server on a free loopback port, with nothing written to disk.

    :return: its URL, e.g. redis://127.0.0.1:PORT/0."""
    import subprocess

    import redis

    port = free_port()
    process = subprocess.Popen(
        [
            "/usr/bin/redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    wait_until_up(process, client.ping, redis.ConnectionError, "redis-server", seconds=10)
    yield url
    client.close()
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def redis_url(redis_server):
    """The session's redis-server, emptied before the test."""
    import redis

    with redis.Redis.from_url(redis_server) as client:
        client.flushall()
    return redis_server


class _ServedElsewhere:
    """Where a sandbox in a process of its own listens (what SandboxController reads)."""

    def __init__(self, url):
        self.url = url
        self.api_url = url + "/v2"


@pytest.fixture(scope="session")
def kept_alive_sandbox():
    """The sandbox as `make sandbox` serves it: gunicorn in a process of its own, keeping
    connections open between requests as the platform does (werkzeug's server, in
    `sandbox_server`, closes each one after its reply).

    :return: a SandboxController; reset it at the start of a test that needs its seed."""
    import subprocess
    import sys

    from sandbox import DEMO_TOKEN

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", str(port)],
        cwd=REPO_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    controller = SandboxController(_ServedElsewhere(f"http://127.0.0.1:{port}"), DEMO_TOKEN)
    wait_until_up(process, controller.reset, requests.RequestException, "the sandbox", seconds=30)
    yield controller
    controller.close()
    process.terminate()
    process.wait(timeout=10)
