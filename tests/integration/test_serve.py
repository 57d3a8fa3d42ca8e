"""`make serve`: gunicorn started with gunicorn.conf.py serves the app; it refuses several
processes without the shared state that keeps one draft per form."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn(tmp_path, **env):
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SB_", "REDIS_", "WEB_", "SECRET_KEY"))
    }
    environ.update(env)
    environ["SESSION_FILE_DIR"] = str(tmp_path / "sessions")
    return subprocess.Popen(
        [str(GUNICORN), "--config", "gunicorn.conf.py"],
        cwd=REPO,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_serve_answers_with_its_threads(sandbox, tmp_path):
    port = free_port()
    server = gunicorn(tmp_path, SB_API_ENDPOINT=sandbox.api_url, BIND=f"127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 90  # a loaded CI machine is slow to import
        while True:
            try:
                # The socket listens before the worker has loaded the app: a first answer is slow.
                response = requests.get(f"http://127.0.0.1:{port}/sign-in", timeout=60)
                break
            except requests.ConnectionError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        assert response.status_code == 200
        assert "Sign in" in response.text
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "Using worker: gthread" in output
    assert "SECRET_KEY is not set" in output  # one key made for every worker, and said so


def test_serve_refuses_several_processes_without_redis(sandbox, tmp_path):
    server = gunicorn(tmp_path, SB_API_ENDPOINT=sandbox.api_url, WEB_WORKERS="2")
    output = server.communicate(timeout=60)[0]
    assert server.returncode != 0
    assert "WEB_WORKERS > 1 needs REDIS_URL" in output
