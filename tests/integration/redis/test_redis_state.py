"""The shared state in a real Redis: what one app process learns, another one knows."""

import pytest
import redis

from app import create_app
from cavatica import CavaticaClient
from state.in_redis import RedisRateBudget

APP = "demo-user/pediatric-wgs/sbg-bamtools-index-draft2"


@pytest.fixture
def client(redis_url):
    with redis.Redis.from_url(redis_url) as connection:
        yield connection


def make_app(sandbox, tmp_path, redis_url, name):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "redis-tests",
            "SB_API_ENDPOINT": sandbox.api_url,
            "SB_AUTH_TOKEN": None,
            "SB_PROFILE": None,
            "SB_TIMEOUT": 5.0,
            "WTF_CSRF_ENABLED": False,
            "SESSION_FILE_DIR": str(tmp_path / name),
            "REDIS_URL": redis_url,
        }
    )


def test_without_redis_url_nothing_needs_redis(sandbox, tmp_path):
    app = make_app(sandbox, tmp_path, None, "one")
    assert "redis" not in app.extensions


def test_an_app_revision_fetched_by_one_process_is_not_fetched_by_another(
    sandbox, tmp_path, redis_url
):
    first = make_app(sandbox, tmp_path, redis_url, "one")
    second = make_app(sandbox, tmp_path, redis_url, "two")
    sandbox.clear_requests()
    for app in (first, second):
        with CavaticaClient(
            sandbox.api_url, sandbox.token, app_cache=app.extensions["app_revisions"]
        ) as api:
            assert api.app(APP, 27)["revision"] == 27
    assert sum(sandbox.requests()["counts"].values()) == 1  # one GET of the app, by the first


def test_the_rate_budget_is_one_for_every_process(client, sandbox):
    sandbox.set_rate_limit(500)
    with CavaticaClient(sandbox.api_url, sandbox.token, budget=RedisRateBudget(client)) as one:
        one.me()
        one.files_by_id([f"5b160000{i:016x}" for i in range(300)])  # three calls at once
    with CavaticaClient(sandbox.api_url, sandbox.token, budget=RedisRateBudget(client)) as two:
        seen = two.rate_state()
    assert seen["limit"] == 500 and seen["remaining"] == 496
    assert seen["reset"] > 0


def test_a_window_that_ended_is_forgotten(client):
    now = [1_000.0]
    budget = RedisRateBudget(client, clock=lambda: now[0])
    budget.note("account", 1000, 10, 1_300)
    budget.spend("account", 3)
    assert budget.get("account")["remaining"] == 7
    budget.note("account", 1000, 9, 1_300)  # a reply sent before the three
    assert budget.get("account")["remaining"] == 7
    now[0] = 1_300
    assert budget.get("account") is None
