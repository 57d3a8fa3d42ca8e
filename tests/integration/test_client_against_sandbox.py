"""The CAVATICA client against the sandbox on a real loopback port: requests, pages, errors."""

import time
import uuid

import pytest

from cavatica import (
    CavaticaClient,
    Forbidden,
    NotFound,
    OutcomeUnknown,
    Page,
    RateLimited,
    ServerError,
    Unauthorized,
)

WGS = "demo-user/pediatric-wgs"


@pytest.fixture
def client(sandbox):
    with CavaticaClient(sandbox.api_url, sandbox.token, timeout=5, backoff=0.05) as c:
        sandbox.clear_requests()
        yield c


def all_pages(fetch, limit):
    """Every item, page by page, checking that the pages agree on the total."""
    items, offset, totals = [], 0, set()
    while True:
        page = fetch(offset=offset, limit=limit)
        totals.add(page.total)
        items += page.items
        if not page.has_next:
            break
        offset += limit
    assert len(totals) == 1
    return items, totals.pop()


def draft_body(client, marker):
    app_id = client.apps(WGS, limit=1).items[0]["id"]
    return {
        "project": WGS,
        "app": app_id,
        "name": "client integration draft",
        "description": f"made by a test [{marker}]",
        "inputs": {},
    }


def test_me(client):
    assert client.me()["username"] == "demo-user"


def test_projects_paging_sees_every_project_once(client):
    items, total = all_pages(client.projects, limit=2)
    ids = [p["id"] for p in items]
    assert len(ids) == total == len(set(ids))
    assert WGS in ids and "other-user/private-study" not in ids
    assert client.project(WGS)["name"] == "Pediatric WGS Cohort"


def test_a_project_that_is_not_shared_is_forbidden(client):
    with pytest.raises(Forbidden) as caught:
        client.project("other-user/private-study")
    assert caught.value.code == 3001


def test_apps_and_app_with_raw_cwl(client):
    page = client.apps(WGS, limit=5)
    assert isinstance(page, Page) and len(page.items) == 5 and page.total > 5
    listed = page.items[0]
    latest = client.app(listed["id"].rsplit("/", 1)[0])
    pinned = client.app(listed["id"])
    assert latest["id"] == pinned["id"] == listed["id"]
    assert isinstance(pinned["raw"]["inputs"], list | dict)
    searched = client.apps(WGS, q=listed["name"].split()[0])
    assert listed["id"] in [a["id"] for a in searched.items]


def test_a_pinned_app_revision_is_fetched_once_per_shared_cache(sandbox):
    cache = {}
    with CavaticaClient(sandbox.api_url, sandbox.token) as client:
        app_id = client.apps(WGS, limit=1).items[0]["id"]
    sandbox.clear_requests()
    for _ in range(3):  # one client per web request, one cache for the whole app
        with CavaticaClient(sandbox.api_url, sandbox.token, app_cache=cache) as client:
            app = client.app(app_id)
        assert app["id"] == app_id and app["raw"]
    assert sandbox.requests()["counts"] == {"GET /v2/apps/<app_ref>": 1}


def test_files_paging_and_filters(client, sandbox):
    everything, total = all_pages(lambda **kw: client.files(project=WGS, **kw), limit=7)
    assert len(everything) == total == len({f["id"] for f in everything}) == 30
    samples = list(
        dict.fromkeys(
            f["metadata"]["sample_id"]
            for f in everything
            if (f.get("metadata") or {}).get("sample_id")
        )
    )
    wanted = set(samples[:2])
    expected = {f["id"] for f in everything if (f.get("metadata") or {}).get("sample_id") in wanted}

    sandbox.clear_requests()
    filtered = client.files(project=WGS, metadata={"sample_id": samples[:2]}, limit=100)
    assert {f["id"] for f in filtered.items} == expected and filtered.total == len(expected)
    assert sandbox.requests()["requests"][0]["query"]["metadata.sample_id"] == samples[:2]

    manifests = client.files(project=WGS, tags=["manifest"])
    assert [f["name"] for f in manifests.items] == ["samplesheet.csv"]
    by_name = client.files(project=WGS, names=["samplesheet.csv", "nope.txt"])
    assert [f["name"] for f in by_name.items] == ["samplesheet.csv"]

    folder = next(f for f in everything if f["type"] == "folder" and f["name"] == "alignments")
    inside = client.files(parent=folder["id"], limit=100)
    assert inside.total == len(inside.items) > 0
    assert all(f["parent"] == folder["id"] for f in inside.items)
    assert client.file(inside.items[0]["id"])["name"] == inside.items[0]["name"]


def test_bulk_lookup_in_chunks_of_100_and_unknown_ids_reported(client, sandbox):
    folder = client.files(project="demo-user/big-cohort", limit=1).items[0]
    files = client.files(parent=folder["id"], limit=100).items
    files += client.files(parent=folder["id"], offset=100, limit=50).items
    ids = [f["id"] for f in files]
    assert len(set(ids)) == 150
    missing = "0" * 24
    sandbox.clear_requests()
    found, failed = client.files_by_id_with_errors([*ids, missing])
    assert set(found) == set(ids)
    assert found[ids[120]]["name"] == files[120]["name"]
    assert list(failed) == [missing] and isinstance(failed[missing], NotFound)
    assert sandbox.requests()["counts"] == {"POST /v2/bulk/files/get": 2}


def test_a_lookup_sent_now_is_read_later_and_its_errors_come_when_read(client, sandbox):
    folder = client.files(project="demo-user/big-cohort", limit=1).items[0]
    ids = [f["id"] for f in client.files(parent=folder["id"], limit=100).items][:60]
    ids += [f["id"] for f in client.files(parent=folder["id"], offset=100, limit=60).items]
    sandbox.fault(method="POST", path="/v2/bulk/files/get", latency_ms=500, times=2)
    started = time.monotonic()
    answer = client.files_by_id_later(ids, parents=True)
    assert time.monotonic() - started < 0.25  # the page goes on with its other work
    found = answer()
    assert time.monotonic() - started >= 0.5
    assert set(found) == set(ids) and all("parent" in f for f in found.values())

    sandbox.fault(method="POST", path="/v2/bulk/files/get", status=404, code=5002, times=1)
    answer = client.files_by_id_later(ids[:5])  # refused: told when the answer is read
    with pytest.raises(NotFound):
        answer()


def test_create_find_delete_a_draft(client, sandbox):
    marker = uuid.uuid4().hex
    body = draft_body(client, marker)
    sandbox.clear_requests()
    draft = client.create_task(body)
    assert draft["status"] == "DRAFT" and draft["project"] == WGS
    log = sandbox.requests()["requests"]
    assert [(r["method"], r["path"], r["query"]) for r in log] == [("POST", "/v2/tasks", {})]
    assert log[0]["json"] == body

    assert client.find_draft_by_marker(WGS, marker)["id"] == draft["id"]
    assert client.find_draft_by_marker(WGS, uuid.uuid4().hex) is None
    assert client.task(draft["id"])["id"] == draft["id"]
    drafts = client.tasks(project=WGS, status="DRAFT")
    assert draft["id"] in [t["id"] for t in drafts.items]

    assert client.delete_task(draft["id"]) is None
    with pytest.raises(NotFound) as caught:
        client.task(draft["id"])
    assert caught.value.code == 7002


def test_wrong_token_is_unauthorized(sandbox):
    with CavaticaClient(sandbox.api_url, "not-a-real-token") as client:
        with pytest.raises(Unauthorized) as caught:
            client.me()
    assert caught.value.status == 401


def test_a_500_on_create_is_a_server_error_sent_once(client, sandbox):
    body = draft_body(client, uuid.uuid4().hex)
    sandbox.fault(method="POST", path="/v2/tasks", status=500, code=90004, times=1)
    sandbox.clear_requests()
    with pytest.raises(ServerError) as caught:
        client.create_task(body)
    assert (caught.value.status, caught.value.code) == (500, 90004)
    assert sandbox.requests()["counts"] == {"POST /v2/tasks": 1}


def test_a_passing_503_on_a_get_is_retried_away(client, sandbox):
    sandbox.fault(method="GET", path="/v2/user", status=503, times=1)
    assert client.me()["username"] == "demo-user"
    assert sandbox.requests()["counts"] == {"GET /v2/user": 2}


def test_an_injected_429_says_when_to_retry(client, sandbox):
    sandbox.fault(method="GET", path="/v2/projects*", status=429, code=1000, times=5)
    with pytest.raises(RateLimited) as caught:
        client.projects()
    assert caught.value.code == 1000
    assert caught.value.reset_at > time.time()
    assert sandbox.requests()["counts"] == {"GET /v2/projects": 1}  # 429 is not retried


def test_the_real_rate_limit_raises_rate_limited(client, sandbox):
    sandbox.set_rate_limit(3, window_seconds=60)
    for _ in range(3):
        client.tasks(project=WGS)
    with pytest.raises(RateLimited) as caught:
        client.tasks(project=WGS)
    assert 0 < caught.value.retry_after_seconds <= 60
    assert client.last_rate_limit["remaining"] == 0


def test_dropped_connection_on_create_is_unknown_outcome_then_the_draft_is_found(client, sandbox):
    marker = uuid.uuid4().hex
    body = draft_body(client, marker)
    sandbox.fault(method="POST", path="/v2/tasks", drop_connection=True, times=1)
    sandbox.clear_requests()
    with pytest.raises(OutcomeUnknown):
        client.create_task(body)
    assert sandbox.requests()["counts"] == {"POST /v2/tasks": 1}  # never retried
    found = client.find_draft_by_marker(WGS, marker)
    assert found is not None and found["status"] == "DRAFT"


def test_dropped_connection_on_a_get_is_retried_away(client, sandbox):
    sandbox.fault(method="GET", path="/v2/user", drop_connection=True, times=1)
    assert client.me()["username"] == "demo-user"
    assert sandbox.requests()["counts"] == {"GET /v2/user": 2}


def test_slow_answer_on_create_is_unknown_outcome(client, sandbox):
    client.timeout = (0.3, 0.3)
    marker = uuid.uuid4().hex
    body = draft_body(client, marker)
    sandbox.fault(method="POST", path="/v2/tasks", latency_ms=1000, times=1)
    with pytest.raises(OutcomeUnknown):
        client.create_task(body)
    deadline = time.monotonic() + 5
    found = None
    while found is None and time.monotonic() < deadline:
        time.sleep(0.2)
        found = client.find_draft_by_marker(WGS, marker)
    assert found is not None  # the platform did make it: the caller must look before retrying


def test_malformed_replies(client, sandbox):
    body = draft_body(client, uuid.uuid4().hex)
    sandbox.fault(method="GET", path="/v2/user", malformed=True, times=1)
    with pytest.raises(ServerError):
        client.me()
    sandbox.fault(method="POST", path="/v2/tasks", malformed=True, times=1)
    with pytest.raises(OutcomeUnknown):
        client.create_task(body)
