"""Sessions: a flood of visitors evicts nobody, each session ends by its own age, and the token
is unreadable where sessions are stored (files, or Redis when REDIS_URL is set)."""

import os
import time

import pytest
import redis
from web_helpers import text_of

STORES = ["files", "redis"]


@pytest.fixture
def store_app(request, make_app, tmp_path):
    """An app keeping its sessions in the store named by the test's parameter, with CSRF on."""

    def make(**overrides):
        if request.param == "redis":
            overrides.setdefault("REDIS_URL", request.getfixturevalue("redis_url"))
        return make_app(WTF_CSRF_ENABLED=True, **overrides)

    make.kind = request.param
    return make


def stored_sessions(app):
    """Every stored session as bytes, as it lies in the store."""
    if app.config.get("REDIS_URL"):
        with redis.Redis.from_url(app.config["REDIS_URL"]) as client:
            # The Redis also holds the app's other shared state (rate counts, app revisions).
            return [client.get(key) for key in client.keys("launcher:session:*")]
    folder = app.config["SESSION_FILE_DIR"]
    values = []
    for name in os.listdir(folder):
        with open(os.path.join(folder, name), "rb") as f:
            values.append(f.read())
    return values


def csrf_of(response):
    return response.get_data(as_text=True).split('name="csrf_token" value="', 1)[1].split('"')[0]


def sign_in(app, token):
    client = app.test_client()
    csrf = csrf_of(client.get("/sign-in"))
    response = client.post("/sign-in", data={"token": token, "csrf_token": csrf})
    assert response.status_code == 302, text_of(response)
    return client


def is_signed_in(client):
    return client.get("/projects").status_code == 200


@pytest.mark.parametrize("store_app", STORES, indirect=True)
def test_a_flood_of_visitors_signs_nobody_out_and_stores_nothing(store_app, sandbox):
    app = store_app()
    users = [sign_in(app, sandbox.token) for _ in range(20)]
    visitor = app.test_client(use_cookies=False)
    for _ in range(5000):
        assert visitor.get("/sign-in").status_code == 200
    assert all(is_signed_in(user) for user in users)
    assert len(stored_sessions(app)) == 20  # one per signed-in user, none for the visitors


@pytest.mark.parametrize("store_app", STORES, indirect=True)
def test_the_sign_in_form_works_without_a_stored_session(store_app, sandbox):
    app = store_app()
    client = app.test_client()
    csrf = csrf_of(client.get("/sign-in"))
    assert stored_sessions(app) == []
    forged = client.post("/sign-in", data={"token": sandbox.token, "csrf_token": csrf + "x"})
    assert "Form expired" in text_of(forged)
    assert stored_sessions(app) == []
    client.post("/sign-in", data={"token": sandbox.token, "csrf_token": csrf})
    assert is_signed_in(client)
    assert len(stored_sessions(app)) == 1
    # Signing out removes it.
    html = client.get("/projects").get_data(as_text=True)
    client.post("/sign-out", data={"csrf_token": csrf_of_form(html)})
    assert not is_signed_in(client)
    assert stored_sessions(app) == []


def csrf_of_form(html):
    return html.split('name="csrf_token" value="', 1)[1].split('"')[0]


@pytest.mark.parametrize("store_app", STORES, indirect=True)
def test_each_session_ends_by_its_own_age(store_app, sandbox):
    from datetime import timedelta

    app = store_app(PERMANENT_SESSION_LIFETIME=timedelta(seconds=3))
    first = sign_in(app, sandbox.token)
    time.sleep(1.5)
    second = sign_in(app, sandbox.token)
    time.sleep(2)
    assert not is_signed_in(first)
    assert is_signed_in(second)


@pytest.mark.parametrize("store_app", STORES, indirect=True)
def test_a_session_in_use_outlives_its_lifetime_and_pages_that_only_read_it_do_not_rewrite_it(
    store_app, sandbox
):
    from datetime import timedelta

    app = store_app(PERMANENT_SESSION_LIFETIME=timedelta(seconds=3))
    client = sign_in(app, sandbox.token)
    client.get("/projects")
    stored = stored_sessions(app)
    assert client.get("/projects").status_code == 200
    assert stored_sessions(app) == stored  # read, not written again: nothing to encrypt
    for _ in range(9):  # 4.5 s of use, past the 3 s lifetime of its first write
        time.sleep(0.5)
        assert is_signed_in(client)


@pytest.mark.parametrize("store_app", STORES, indirect=True)
def test_the_token_is_not_readable_where_sessions_are_stored(store_app, sandbox):
    app = store_app()
    client = sign_in(app, sandbox.token)
    client.get("/projects")
    stored = stored_sessions(app)
    assert len(stored) == 1
    for value in stored:
        assert sandbox.token.encode() not in value
        assert b"demo-user" not in value  # nothing else of the session either
        if not app.config.get("REDIS_URL"):
            value = value[4:]  # a session file starts with its expiry time (4 bytes)
        assert not value.startswith(b"\x80")  # not a pickle (protocol 2+ starts with 0x80)
    # Nor in the cookie the browser holds.
    cookie = client.get_cookie("launcher_session")
    assert sandbox.token not in cookie.value


def test_a_session_from_another_secret_key_is_not_read(make_app, sandbox, tmp_path):
    folder = str(tmp_path / "shared-sessions")
    client = sign_in(make_app(SESSION_FILE_DIR=folder, WTF_CSRF_ENABLED=True), sandbox.token)
    other = make_app(SESSION_FILE_DIR=folder, SECRET_KEY="another key")
    cookie = client.get_cookie("launcher_session")
    intruder = other.test_client()
    intruder.set_cookie("launcher_session", cookie.value)
    assert intruder.get("/projects").status_code == 302
