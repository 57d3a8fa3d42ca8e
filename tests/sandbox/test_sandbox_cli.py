"""`python -m sandbox` runs standalone and prints the URL and the demo token."""

import http.client
import json
import re
import subprocess
import sys
import time

import pytest
import requests

from sandbox import DEMO_TOKEN, create_sandbox_app
from sandbox.store import PACKAGE_DIR

REPO_DIR = PACKAGE_DIR.parent


def start(*args):
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", "0", *args],
        cwd=REPO_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = [process.stdout.readline() for _ in range(3)]
    return process, lines


def stop(process):
    process.terminate()
    process.wait(timeout=10)
    process.stdout.close()
    process.stderr.close()


def test_standalone_server_prints_url_and_token_and_serves(tmp_path):
    process, lines = start()
    try:
        api_url = re.search(r"(http://127\.0\.0\.1:\d+/v2)", lines[0]).group(1)
        assert DEMO_TOKEN in lines[1]
        me = requests.get(f"{api_url}/user", headers={"X-SBG-Auth-Token": DEMO_TOKEN}, timeout=10)
        assert me.json()["username"] == "demo-user"
    finally:
        stop(process)


def test_standalone_server_keeps_connections_open_and_still_drops_one_on_request():
    """A client (the app's, the SDK's) sends request after request on one connection; only
    an injected drop_connection fault ends one without a reply."""
    process, lines = start()
    try:
        url = re.search(r"http://127\.0\.0\.1:(\d+)/v2", lines[0])
        connection = http.client.HTTPConnection("127.0.0.1", int(url.group(1)), timeout=10)
        headers = {"X-SBG-Auth-Token": DEMO_TOKEN}
        sockets = []
        for _ in range(3):
            connection.request("GET", "/v2/user", headers=headers)
            response = connection.getresponse()
            assert json.loads(response.read())["username"] == "demo-user"
            assert response.getheader("Connection") != "close"
            sockets.append(connection.sock)
        assert sockets[0] is not None and sockets == [sockets[0]] * 3
        fault = {"path": "/v2/user", "drop_connection": True}
        requests.post(url.group(0).replace("/v2", "/_sandbox/faults"), json=fault, timeout=10)
        connection.request("GET", "/v2/user", headers=headers)
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            connection.getresponse()
        connection.close()
    finally:
        stop(process)


def test_options_token_apps_and_latency(tmp_path):
    (tmp_path / "hello.json").write_text(
        json.dumps({"cwlVersion": "v1.0", "class": "CommandLineTool", "inputs": [], "outputs": []})
    )
    process, lines = start(
        "--token",
        "my-own-token",
        "--apps",
        str(tmp_path),
        "--latency-ms",
        "200",
        "--host",
        "127.0.0.1",
    )
    try:
        api_url = re.search(r"(http://127\.0\.0\.1:\d+/v2)", lines[0]).group(1)
        assert "my-own-token" in lines[1]
        headers = {"X-SBG-Auth-Token": "my-own-token"}
        started = time.perf_counter()
        apps = requests.get(
            f"{api_url}/apps",
            params={"project": "demo-user/pediatric-wgs"},
            headers=headers,
            timeout=10,
        )
        assert time.perf_counter() - started >= 0.2
        assert [a["id"] for a in apps.json()["items"]] == ["demo-user/pediatric-wgs/hello/0"]
        assert (
            requests.get(
                f"{api_url}/user", headers={"X-SBG-Auth-Token": DEMO_TOKEN}, timeout=10
            ).status_code
            == 401
        )
    finally:
        stop(process)


def test_a_busy_port_is_a_one_line_error(sandbox):
    port = sandbox.url.rsplit(":", 1)[1]
    result = subprocess.run(
        [sys.executable, "-m", "sandbox", "--port", port],
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert f"Port {port} is in use" in result.stderr  # the message werkzeug's server gives
    assert "Traceback" not in result.stderr


def test_a_negative_latency_is_a_clear_error():
    result = subprocess.run(
        [sys.executable, "-m", "sandbox", "--port", "0", "--latency-ms", "-5"],
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "--latency-ms" in result.stderr and "Traceback" not in result.stderr
    with pytest.raises(ValueError, match="latency_ms"):
        create_sandbox_app(latency_ms=-5)


def test_a_broken_apps_dir_is_a_clear_error(tmp_path):
    (tmp_path / "broken.json").write_text("{not json")
    for apps in (str(tmp_path), str(tmp_path / "missing")):
        result = subprocess.run(
            [sys.executable, "-m", "sandbox", "--port", "0", "--apps", apps],
            cwd=REPO_DIR,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 2
        assert "--apps:" in result.stderr and "Traceback" not in result.stderr
