"""The shared state in a real Redis: what one app process learns, another one knows."""

import threading

import pytest
import redis

from app import create_app
from cavatica import CavaticaClient
from state.in_redis import RedisDraftRegistry, RedisFileMemory, RedisRateBudget, RedisSentDrafts

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


def test_sessions_and_the_shared_state_share_one_pool_of_connections(
    sandbox, tmp_path, redis_url, client
):
    named = f"{redis_url}?client_name=one-pool-{tmp_path.name}"
    app = make_app(sandbox, tmp_path, named, "one")
    browser = app.test_client()
    assert browser.post("/sign-in", data={"token": sandbox.token}).status_code == 302
    for _ in range(3):  # each page reads its session and counts its calls in the rate budget
        assert browser.get("/projects").status_code == 200
    ours = [c for c in client.client_list() if c.get("name") == f"one-pool-{tmp_path.name}"]
    # Requests one after another need one connection at a time: one pool keeps just one.
    assert len(ours) == 1


def test_a_file_one_process_looked_up_is_not_looked_up_by_another(client, sandbox):
    ids = [f"5b160000{i:016x}" for i in range(150)]
    with CavaticaClient(sandbox.api_url, sandbox.token, file_memory=RedisFileMemory(client)) as a:
        first = a.files_by_id(ids, parents=True)
    sandbox.clear_requests()
    with CavaticaClient(sandbox.api_url, sandbox.token, file_memory=RedisFileMemory(client)) as b:
        assert b.files_by_id(ids, parents=True, recent=True) == first
        assert b.file_names(ids[:3], recent=True) == {i: first[i]["name"] for i in ids[:3]}
    assert sandbox.requests()["counts"] == {}
    assert all(client.ttl(key) > 0 for key in client.keys("launcher:file:*"))  # they expire


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


def test_a_process_keeps_the_revisions_it_read_without_asking_redis_again(
    sandbox, tmp_path, redis_url, client
):
    app = make_app(sandbox, tmp_path, redis_url, "one")
    cache = app.extensions["app_revisions"]
    with CavaticaClient(sandbox.api_url, sandbox.token, app_cache=cache) as api:
        first = api.app(APP, 27)
    for key in client.keys("launcher:app:*"):
        client.delete(key)  # were this process to ask Redis, it would have to fetch it again
    sandbox.clear_requests()
    with CavaticaClient(sandbox.api_url, sandbox.token, app_cache=cache) as api:
        assert api.app(APP, 27) == first
    assert sandbox.requests()["counts"] == {}


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


def test_one_claim_of_a_form_wins_across_processes(client):
    registries = [RedisDraftRegistry(client) for _ in range(8)]  # as many processes
    won = []
    start = threading.Barrier(len(registries))

    def claim(registry):
        start.wait()
        if registry.claim("form-1"):
            won.append(registry)

    threads = [threading.Thread(target=claim, args=(r,)) for r in registries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1
    other = next(r for r in registries if r is not won[0])
    assert other.lookup("form-1").in_progress

    finishing = threading.Timer(0.3, won[0].finish, args=("form-1", "task-9"))
    finishing.start()
    known = other.lookup("form-1", wait=5)  # waits for the first one's draft
    # finish() may still be dropping its claim: it must be done before the next test's
    # fixture empties Redis under it.
    finishing.join(timeout=5)
    assert known.task_id == "task-9" and not known.in_progress
    assert not other.claim("form-1")  # a draft is known: nobody makes another


def test_an_unknown_outcome_is_known_to_every_process_and_the_claim_expires(client):
    one, two = RedisDraftRegistry(client, claim_ttl=1), RedisDraftRegistry(client, claim_ttl=1)
    assert one.claim("form-2")
    one.mark_unknown("form-2", until=1_800_000_006.5)
    known = two.lookup("form-2")
    assert known.outcome_unknown and not known.in_progress and known.task_id is None
    assert known.unknown_until == 1_800_000_006.5  # no process creates it again before then
    assert two.claim("form-2")  # may try again (after looking for the draft first)
    # A process that died holding its claim does not block the form for ever.
    known = one.lookup("form-2", wait=3)
    assert not known.in_progress
    assert one.claim("form-2")
    two.release("form-2")  # its claim had expired: it must not drop the new holder's
    assert one.lookup("form-2").in_progress


def test_a_draft_sent_by_one_process_is_shown_once_by_another(client):
    task = {"id": "task-7", "inputs": {"reads": [{"class": "File", "path": "f1"}]}}
    body = {"name": "QC", "inputs": task["inputs"]}
    RedisSentDrafts(client).keep("alice:", task, body)
    other = RedisSentDrafts(client)
    assert other.take_task("bob:", "task-7") is None  # not another sender's
    assert other.take_task("alice:", "task-7") == task
    assert RedisSentDrafts(client).take_task("alice:", "task-7") is None  # shown once
    assert other.body("alice:", "task-7") == body
    assert all(client.ttl(key) > 0 for key in client.keys("launcher:sent:*"))  # they expire
