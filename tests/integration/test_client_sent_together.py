"""Bulk look-ups of many ids written together to the read pool's open connections, from the
calling thread, against the sandbox as it runs on its own (connections kept open, as the
platform keeps them): every reply reaches the call it answers, failures are retried or raised
as one at a time would be, and no connection carries a reply to the next call made on it."""

import threading
import time

import pytest

import cavatica.client
from cavatica import CavaticaClient, NotFound, PlatformUnreachable, RequestBudgetSpent

BIG = "demo-user/big-cohort"
LATENCY_MS = 300


@pytest.fixture
def sandbox(kept_alive_sandbox):
    kept_alive_sandbox.reset()
    yield kept_alive_sandbox
    kept_alive_sandbox.reset()


def new_client(sandbox, **settings):
    settings = {"timeout": 10, "backoff": 0.05, **settings}
    return CavaticaClient(sandbox.api_url, sandbox.token, **settings)


@pytest.fixture
def client(sandbox):
    with new_client(sandbox) as c:
        yield c


@pytest.fixture
def listed(client):
    """{id: name} of 2,000 files of the big project, as its listing gives them."""
    names = {}
    for offset in range(0, 2000, 100):
        for item in client.files(project=BIG, offset=offset, limit=100).items:
            names[item["id"]] = item["name"]
    return names


@pytest.fixture
def open_connections(client, listed, sandbox):
    """Ten connections of the read pool left open, by a look-up of 1,000 ids whose calls are
    all in flight at once; the ids not looked up are returned."""
    sandbox.set_latency(LATENCY_MS)
    ids = list(listed)
    assert len(client.files_by_id(ids[:1000])) == 1000
    sandbox.clear_requests()
    return ids[1000:]


@pytest.fixture
def no_bulk_threads(monkeypatch):
    """Fails a test that hands a bulk call to another thread."""
    handed = []

    def refuse():
        handed.append(threading.current_thread().name)
        raise AssertionError("a bulk call was handed to another thread")

    monkeypatch.setattr(cavatica.client, "_bulk_executor", refuse)
    return handed


def test_a_thousand_ids_go_out_together_and_each_reply_answers_its_own_call(
    client, listed, open_connections, no_bulk_threads, sandbox
):
    ids = open_connections
    started = time.monotonic()
    found = client.files_by_id(ids)
    elapsed = time.monotonic() - started
    assert {i: f["name"] for i, f in found.items()} == {i: listed[i] for i in ids}
    assert sandbox.requests()["counts"] == {"POST /v2/bulk/files/get": 10}
    assert client.call_counts["POST /bulk/files/get"] == 20  # the warm-up's ten and these
    # Ten calls one after another would take 10 round trips; together they take about one.
    assert elapsed < 4 * LATENCY_MS / 1000
    assert not no_bulk_threads


def test_a_lookup_sent_now_returns_at_once_and_is_read_later(
    client, listed, open_connections, no_bulk_threads
):
    ids = open_connections[:500]
    started = time.monotonic()
    answer = client.files_by_id_later(ids, parents=True)
    assert time.monotonic() - started < LATENCY_MS / 1000 / 2
    found = answer()
    assert time.monotonic() - started >= LATENCY_MS / 1000
    assert set(found) == set(ids) and all("parent" in f for f in found.values())
    assert answer()[ids[0]]["name"] == listed[ids[0]]  # read again: the same answer, no call


def test_calls_with_no_open_connection_go_to_the_bulk_threads_at_once(client, listed, sandbox):
    sandbox.set_latency(LATENCY_MS)
    cavatica.client._read_adapter(sandbox.api_url).poolmanager.clear()  # every connection closed
    started = time.monotonic()
    found = client.files_by_id(list(listed)[:1000])
    assert len(found) == 1000
    assert time.monotonic() - started < 4 * LATENCY_MS / 1000


def test_a_gateway_error_on_one_call_is_asked_again_and_the_rest_stand(
    client, listed, open_connections, sandbox
):
    ids = open_connections
    sandbox.fault(method="POST", path="/v2/bulk/files/get", status=503, code=0, times=1)
    found = client.files_by_id(ids)
    assert {i: f["name"] for i, f in found.items()} == {i: listed[i] for i in ids}
    assert sandbox.requests()["counts"] == {"POST /v2/bulk/files/get": 11}


def test_a_connection_dropped_before_its_reply_is_asked_again(
    client, listed, open_connections, sandbox
):
    ids = open_connections[:300]
    sandbox.fault(method="POST", path="/v2/bulk/files/get", drop_connection=True, times=1)
    found = client.files_by_id(ids)
    assert {i: f["name"] for i, f in found.items()} == {i: listed[i] for i in ids}
    assert sandbox.requests()["counts"] == {"POST /v2/bulk/files/get": 4}


def test_a_refused_call_is_raised_and_the_replies_left_unread_reach_no_other_call(
    client, listed, open_connections, sandbox
):
    ids = open_connections
    sandbox.fault(method="POST", path="/v2/bulk/files/get", status=404, code=5002, times=1)
    with pytest.raises(NotFound):
        client.files_by_id(ids[:500])
    # The other four replies were never read: their connections were closed, so these calls
    # get their own replies.
    again = ids[500:]
    found = client.files_by_id(again)
    assert {i: f["name"] for i, f in found.items()} == {i: listed[i] for i in again}


def test_calls_past_the_page_share_are_not_sent(sandbox, listed):
    with new_client(sandbox) as warm:
        warm.files_by_id(list(listed)[:1000])  # connections left open
    with new_client(sandbox, request_share=0.005) as client:  # 10 of the 1,000 a window
        sandbox.clear_requests()
        with pytest.raises(RequestBudgetSpent):
            client.files_by_id(list(listed)[:1500])
        assert sandbox.requests()["counts"] == {"POST /v2/bulk/files/get": 10}


def test_a_reply_slower_than_the_timeout_is_told_and_the_pool_stays_sound(
    sandbox, listed, open_connections
):
    ids = open_connections
    with new_client(sandbox, timeout=0.5) as impatient:
        sandbox.fault(method="POST", path="/v2/bulk/files/get", latency_ms=1500, times=1)
        with pytest.raises(PlatformUnreachable, match="did not answer within 0.5 seconds"):
            impatient.files_by_id(ids[:500])
        found = impatient.files_by_id(ids[500:])
    assert {i: f["name"] for i, f in found.items()} == {i: listed[i] for i in ids[500:]}
