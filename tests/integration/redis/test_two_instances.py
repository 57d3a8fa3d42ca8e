"""Two app instances on two loopback ports, sharing one Redis and one sandbox, as two machines
behind a load balancer: whichever one a request reaches, the user sees one app."""

import re

import pytest
import requests
from werkzeug.serving import make_server

from app import create_app
from sandbox.server import ServerHandle

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def serve(app):
    import threading

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return ServerHandle(server, thread)


@pytest.fixture
def instances(sandbox, redis_url, tmp_path):
    """Two running app instances (their base URLs), each with its own session folder, so only
    Redis can carry what they share."""
    handles = []
    for name in ("one", "two"):
        app = create_app(
            {
                "SECRET_KEY": "two-instances",
                "SB_API_ENDPOINT": sandbox.api_url,
                "SB_AUTH_TOKEN": None,
                "SB_PROFILE": None,
                "SB_TIMEOUT": 5.0,
                "SESSION_FILE_DIR": str(tmp_path / name),
                "REDIS_URL": redis_url,
            }
        )
        handles.append(serve(app))
    yield [handle.url for handle in handles]
    for handle in handles:
        handle.shutdown()


def csrf_of(response):
    return CSRF.search(response.text).group(1)


def sign_in(browser, base, token):
    form = browser.get(f"{base}/sign-in", timeout=10)
    answer = browser.post(
        f"{base}/sign-in",
        data={"csrf_token": csrf_of(form), "token": token, "next": "/projects"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text[:500]


def test_a_session_begun_on_one_instance_continues_on_the_other(instances, sandbox):
    one, two = instances
    with requests.Session() as browser:  # the cookie goes to both, as behind one address
        sign_in(browser, one, sandbox.token)
        page = browser.get(f"{two}/projects", allow_redirects=False, timeout=10)
        assert page.status_code == 200
        assert "Demo User" in page.text or "demo-user" in page.text
        # A form begun on one is posted to the other: its CSRF token holds there too.
        form = browser.get(f"{one}/projects", timeout=10)
        signed_out = browser.post(
            f"{two}/sign-out", data={"csrf_token": csrf_of(form)}, allow_redirects=False, timeout=10
        )
        assert signed_out.status_code == 302
        after = browser.get(f"{one}/projects", allow_redirects=False, timeout=10)
        assert after.status_code == 302 and "/sign-in" in after.headers["Location"]
