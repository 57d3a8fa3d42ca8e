"""What each client method puts on the wire, and how it reads the reply (against `responses`)."""

import json
import threading
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses

from cavatica import CavaticaClient, Forbidden, NotFound, OutcomeUnknown, Page, split_app_id

BASE = "https://cavatica.test/v2"
TOKEN = "tok-0123456789abcdef"


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def client():
    with CavaticaClient(BASE + "/", TOKEN, timeout=7.0, backoff=0) as c:
        yield c


def sent_query(call) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(call.request.url).query, keep_blank_values=True)


def sent_path(call) -> str:
    return urlsplit(call.request.url).path


def page_reply(rsps, path, items, total):
    rsps.get(
        BASE + path,
        json={"href": "x", "items": items, "links": []},
        headers={"X-Total-Matching-Query": str(total)},
    )


def test_every_call_carries_token_json_type_user_agent_and_timeout(rsps, client):
    rsps.get(BASE + "/user", json={"username": "alice"})
    assert client.me() == {"username": "alice"}
    request = rsps.calls[0].request
    assert request.headers["X-SBG-Auth-Token"] == TOKEN
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"].startswith("cavatica-launcher/")
    assert request.req_kwargs["timeout"] == (7.0, 7.0)


def test_trailing_slash_of_base_url_is_dropped_and_long_timeout_caps_connect():
    client = CavaticaClient("http://127.0.0.1:5001/v2/", TOKEN, timeout=60)
    assert client.base_url == "http://127.0.0.1:5001/v2"
    assert client.timeout == (10.0, 60.0)
    assert CavaticaClient(BASE, TOKEN, timeout=(2, 9)).timeout == (2.0, 9.0)


def test_projects_page_reads_total_from_header(rsps, client):
    page_reply(rsps, "/projects", [{"id": "alice/p1"}, {"id": "alice/p2"}], 7)
    page = client.projects(name="rna", offset=2, limit=2)
    assert page == Page(items=[{"id": "alice/p1"}, {"id": "alice/p2"}], total=7, offset=2, limit=2)
    assert page.has_next and page.has_previous
    assert ("name", "rna") in sent_query(rsps.calls[0])
    assert ("offset", "2") in sent_query(rsps.calls[0])
    assert ("limit", "2") in sent_query(rsps.calls[0])


@pytest.mark.parametrize(("asked", "sent"), [(0, 1), (-5, 1), (100, 100), (101, 100), (5000, 100)])
def test_limit_is_clamped_to_what_the_platform_accepts(rsps, client, asked, sent):
    page_reply(rsps, "/projects", [], 0)
    page = client.projects(limit=asked, offset=-3)
    assert dict(sent_query(rsps.calls[0]))["limit"] == str(sent)
    assert dict(sent_query(rsps.calls[0]))["offset"] == "0"
    assert (page.limit, page.offset) == (sent, 0)


def test_page_without_total_header_is_treated_as_the_last(rsps, client):
    rsps.get(BASE + "/tasks", json={"items": [{"id": "t1"}]})
    page = client.tasks(offset=10)
    assert page.total == 11 and not page.has_next


def test_project_keeps_the_slash_of_its_id(rsps, client):
    rsps.get(BASE + "/projects/alice/rna-seq", json={"id": "alice/rna-seq"})
    assert client.project("alice/rna-seq")["id"] == "alice/rna-seq"


def test_apps_list_by_project_with_search(rsps, client):
    page_reply(rsps, "/apps", [{"id": "alice/p/bwa/3"}], 1)
    page = client.apps("alice/p", q="bwa", limit=10)
    query = sent_query(rsps.calls[0])
    assert ("project", "alice/p") in query and ("q", "bwa") in query
    assert ("fields", "_all") not in query  # would drag every app's CWL along
    assert ("fields", "id,name,project,revision") in query  # what the apps table reads
    assert page.items[0]["id"] == "alice/p/bwa/3"


def test_app_latest_and_pinned_revision_paths(rsps, client):
    rsps.get(BASE + "/apps/alice/p/bwa", json={"id": "alice/p/bwa/4", "raw": {}})
    rsps.get(BASE + "/apps/alice/p/bwa/3", json={"id": "alice/p/bwa/3", "raw": {}})
    assert client.app("alice/p/bwa")["id"] == "alice/p/bwa/4"
    assert client.app("alice/p/bwa", revision=3)["id"] == "alice/p/bwa/3"
    with pytest.raises(ValueError):
        client.app("alice/p/bwa/3", revision=2)


@pytest.mark.parametrize(
    ("path", "call"),
    [
        ("/user", lambda c: c.me()),
        ("/projects/alice/p", lambda c: c.project("alice/p")),
        ("/apps/alice/p/bwa", lambda c: c.app("alice/p/bwa")),
        ("/apps/alice/p/bwa/3", lambda c: c.app("alice/p/bwa", revision=3)),
        ("/files/64f0aa", lambda c: c.file("64f0aa")),
        ("/tasks/u-1", lambda c: c.task("u-1")),
    ],
)
def test_reads_of_one_resource_ask_for_every_field(rsps, client, path, call):
    rsps.get(BASE + path, json={"id": "x"})
    call(client)
    assert sent_query(rsps.calls[0]) == [("fields", "_all")]


def test_split_app_id():
    assert split_app_id("alice/p/bwa/3") == ("alice/p/bwa", 3)
    assert split_app_id("alice/p/bwa") == ("alice/p/bwa", None)
    assert split_app_id("alice/p/3") == ("alice/p/3", None)  # an app may be named "3"
    assert split_app_id("alice/p/bwa/latest") == ("alice/p/bwa/latest", None)


def test_files_builds_repeated_filters(rsps, client):
    page_reply(rsps, "/files", [{"id": "f1", "metadata": {"sample_id": "A"}}], 1)
    client.files(
        project="alice/p",
        names=["a.bam", "b.bam"],
        metadata={"sample_id": ["A", "B"], "metadata.case_id": "C1"},
        tags=("wgs",),
        offset=50,
        limit=25,
    )
    query = sent_query(rsps.calls[0])
    assert query.count(("name", "a.bam")) == 1 and ("name", "b.bam") in query
    assert [v for k, v in query if k == "metadata.sample_id"] == ["A", "B"]
    assert ("metadata.case_id", "C1") in query
    assert ("tag", "wgs") in query
    assert ("project", "alice/p") in query and all(k != "parent" for k, _ in query)
    assert ("fields", "_all") in query  # metadata is not in the default field subset


def test_files_in_a_folder(rsps, client):
    page_reply(rsps, "/files", [], 0)
    client.files(parent="64f0aa")
    query = sent_query(rsps.calls[0])
    assert ("parent", "64f0aa") in query and all(k != "project" for k, _ in query)


@pytest.mark.parametrize("where", [{}, {"project": "a/p", "parent": "f"}])
def test_files_needs_exactly_one_of_project_and_parent(client, where):
    with pytest.raises(ValueError):
        client.files(**where)


def test_file_by_id(rsps, client):
    rsps.get(BASE + "/files/64f0aa", json={"id": "64f0aa", "name": "x.bam"})
    assert client.file("64f0aa")["name"] == "x.bam"


def test_files_by_id_sends_chunks_of_100_and_skips_errors(rsps, client):
    ids = [f"id{i:03d}" for i in range(230)]

    def answer(request):
        asked = json.loads(request.body)["file_ids"]
        items = [
            {"error": {"status": 404, "code": 5002, "message": "File not found."}}
            if file_id == "id150"
            else {"resource": {"id": file_id, "name": f"{file_id}.bam"}}
            for file_id in asked
        ]
        return 200, {}, json.dumps({"items": items})

    rsps.add_callback(responses.POST, BASE + "/bulk/files/get", callback=answer)
    found = client.files_by_id(ids + ["id001", ""])  # duplicates and blanks are not asked twice
    # The chunks go out at once, so they may arrive in any order.
    chunks = sorted(json.loads(call.request.body)["file_ids"] for call in rsps.calls)
    assert [len(chunk) for chunk in chunks] == [100, 100, 30]
    assert sum(chunks, []) == ids
    assert len(found) == 229 and "id150" not in found
    assert found["id007"]["name"] == "id007.bam"
    assert client.call_counts["POST /bulk/files/get"] == 3


def test_files_by_id_sends_its_chunks_at_once(rsps, client):
    """1,000 ids wait about one round trip: all ten calls are in flight together."""
    in_flight, most = 0, 0
    lock = threading.Lock()
    all_there = threading.Barrier(10, timeout=5)  # broken (an error) unless 10 wait at once

    def answer(request):
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        all_there.wait()
        with lock:
            in_flight -= 1
        asked = json.loads(request.body)["file_ids"]
        return 200, {}, json.dumps({"items": [{"resource": {"id": i}} for i in asked]})

    rsps.add_callback(responses.POST, BASE + "/bulk/files/get", callback=answer)
    found = client.files_by_id([f"f{i:04d}" for i in range(1000)])
    assert len(found) == 1000
    assert most == 10 and len(rsps.calls) == 10


def test_files_by_id_raises_the_first_failure_of_its_chunks(rsps, client):
    def answer(request):
        asked = json.loads(request.body)["file_ids"]
        if "f0150" in asked:
            return 403, {}, json.dumps({"status": 403, "code": 5001, "message": "No access."})
        return 200, {}, json.dumps({"items": [{"resource": {"id": i}} for i in asked]})

    rsps.add_callback(responses.POST, BASE + "/bulk/files/get", callback=answer)
    with pytest.raises(Forbidden, match="No access"):
        client.files_by_id([f"f{i:04d}" for i in range(300)])


def test_bulk_asks_for_parents_only_with_the_advance_access_header(rsps, client):
    rsps.post(BASE + "/bulk/files/get", json={"items": [{"resource": {"id": "a1"}}]})
    rsps.post(BASE + "/bulk/files/get", json={"items": [{"resource": {"id": "a1", "parent": "f"}}]})
    client.files_by_id(["a1"])
    assert "X-SBG-Advance-Access" not in rsps.calls[0].request.headers
    assert client.files_by_id(["a1"], parents=True)["a1"]["parent"] == "f"
    assert rsps.calls[1].request.headers["X-SBG-Advance-Access"] == "advance"


def test_files_by_id_with_errors_says_which_ids_failed(rsps, client):
    rsps.post(
        BASE + "/bulk/files/get",
        json={
            "items": [
                {"resource": {"id": "a1"}},
                {"error": {"status": 403, "code": 5001, "message": "No access to this file."}},
            ]
        },
    )
    found, failed = client.files_by_id_with_errors(["a1", "b2"])
    assert list(found) == ["a1"]
    assert failed["b2"].code == 5001 and failed["b2"].message == "No access to this file."


def test_files_by_id_with_no_ids_makes_no_call(rsps, client):
    assert client.files_by_id([]) == {}
    assert len(rsps.calls) == 0


def test_create_task_posts_the_body_without_any_query(rsps, client):
    body = {"name": "t", "project": "alice/p", "app": "alice/p/bwa/3", "inputs": {"n": 3}}
    rsps.post(BASE + "/tasks", json={"id": "u-1", "status": "DRAFT"})
    assert client.create_task(body) == {"id": "u-1", "status": "DRAFT"}
    call = rsps.calls[0]
    assert urlsplit(call.request.url).query == ""  # never action=run
    assert json.loads(call.request.body) == body
    assert call.request.method == "POST"


def test_create_task_reply_that_cannot_be_read_leaves_the_outcome_unknown(rsps, client):
    rsps.post(BASE + "/tasks", body="<html>oops", status=200)
    with pytest.raises(OutcomeUnknown):
        client.create_task({"name": "t"})


def test_task_actions(rsps, client):
    rsps.get(BASE + "/tasks/u-1", json={"id": "u-1"})
    rsps.post(BASE + "/tasks/u-1/actions/run", json={"id": "u-1", "status": "QUEUED"})
    rsps.post(BASE + "/tasks/u-1/actions/abort", json={"id": "u-1", "status": "ABORTED"})
    rsps.delete(BASE + "/tasks/u-1", status=204)
    rsps.delete(BASE + "/tasks/u-2", status=200, json={})
    assert client.task("u-1") == {"id": "u-1"}
    assert client.run_task("u-1")["status"] == "QUEUED"
    assert client.abort_task("u-1")["status"] == "ABORTED"
    assert client.delete_task("u-1") is None
    assert client.delete_task("u-2") is None
    assert [(c.request.method, sent_path(c)) for c in rsps.calls] == [
        ("GET", "/v2/tasks/u-1"),
        ("POST", "/v2/tasks/u-1/actions/run"),
        ("POST", "/v2/tasks/u-1/actions/abort"),
        ("DELETE", "/v2/tasks/u-1"),
        ("DELETE", "/v2/tasks/u-2"),
    ]


def test_ids_cannot_escape_their_path_segment(rsps, client):
    rsps.get(BASE + "/tasks/..%3Fx%3D1", status=404, json={"status": 404, "message": "no"})
    with pytest.raises(NotFound):
        client.task("..?x=1")


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.task(".."),
        lambda c: c.run_task("../projects"),
        lambda c: c.delete_task("."),
        lambda c: c.project("alice/.."),
        lambda c: c.project("alice/"),
        lambda c: c.file(""),
    ],
)
def test_ids_with_empty_or_dot_parts_are_refused_without_a_call(rsps, client, call):
    # Sent as is, `/tasks/..` would reach `/` (the paths listing) and read as a task.
    with pytest.raises(NotFound, match="not a valid id"):
        call(client)
    assert len(rsps.calls) == 0


def test_tasks_list_filters(rsps, client):
    page_reply(rsps, "/tasks", [{"id": "c1"}], 1)
    client.tasks(
        project="alice/p",
        status="DRAFT",
        parent="u-1",
        order_by="created_time",
        order="desc",
        limit=5,
    )
    query = dict(sent_query(rsps.calls[0]))
    assert query == {
        "project": "alice/p",
        "status": "DRAFT",
        "parent": "u-1",
        "order_by": "created_time",
        "order": "desc",
        "offset": "0",
        "limit": "5",
        "fields": "_all",
    }


def test_find_draft_by_marker_looks_at_newest_drafts(rsps, client):
    page_reply(
        rsps,
        "/tasks",
        [
            {"id": "new", "name": "other", "description": None},
            {"id": "mine", "name": "t", "description": "made by the form [ref 7f3a]"},
            {"id": "old", "name": "t [ref 7f3a]", "description": ""},
        ],
        3,
    )
    assert client.find_draft_by_marker("alice/p", "7f3a")["id"] == "mine"
    query = dict(sent_query(rsps.calls[0]))
    assert (query["project"], query["status"], query["order_by"], query["order"]) == (
        "alice/p",
        "DRAFT",
        "created_time",
        "desc",
    )


def test_find_draft_by_marker_none_when_absent(rsps, client):
    page_reply(rsps, "/tasks", [{"id": "x", "name": "n", "description": "d"}], 1)
    assert client.find_draft_by_marker("alice/p", "7f3a") is None


def test_rate_limit_and_last_rate_limit_headers(rsps, client):
    rsps.get(
        BASE + "/rate_limit",
        json={"rate": {"limit": 1000, "remaining": 990}},
        headers={
            "X-RateLimit-Limit": "1000",
            "X-RateLimit-Remaining": "990",
            "X-RateLimit-Reset": "1700000000",
        },
    )
    assert client.rate_limit()["rate"]["remaining"] == 990
    assert client.last_rate_limit == {"limit": 1000, "remaining": 990, "reset": 1700000000}


def test_call_counts_by_route(rsps, client):
    rsps.get(BASE + "/tasks/a", json={})
    rsps.get(BASE + "/tasks/b", json={})
    rsps.get(BASE + "/user", json={})
    client.task("a")
    client.task("b")
    client.me()
    assert client.call_counts == {"GET /tasks/{task_id}": 2, "GET /user": 1}


def test_update_task_patches_only_the_changes_once(rsps, client):
    rsps.patch(BASE + "/tasks/u-1", json={"id": "u-1", "name": "renamed"})
    assert client.update_task("u-1", {"name": "renamed"}) == {"id": "u-1", "name": "renamed"}
    assert len(rsps.calls) == 1
    assert json.loads(rsps.calls[0].request.body) == {"name": "renamed"}


def name_reply(rsps, present):
    """GET /files answers with the asked names that are in `present` (a set)."""

    def reply(request):
        names = [v for k, v in parse_qsl(urlsplit(request.url).query) if k == "name"]
        items = [{"id": n, "name": n} for n in names if n in present]
        body = {"href": "x", "items": items, "links": []}
        return 200, {"X-Total-Matching-Query": str(len(items))}, json.dumps(body)

    rsps.add_callback(responses.GET, BASE + "/files", callback=reply)


def test_names_present_asks_a_folder_for_several_names_at_once_and_never_twice(rsps, client):
    name_reply(rsps, {"a.bam.bai", "c.bam.bai"})
    wanted = {"dir1": {"a.bam.bai", "b.bam.bai"}, "dir2": {"c.bam.bai"}}
    assert client.names_present(wanted) == {"dir1": {"a.bam.bai"}, "dir2": {"c.bam.bai"}}
    assert len(rsps.calls) == 2
    first = sent_query(rsps.calls[0])
    assert ("parent", "dir1") in first and ("fields", "_all") not in first
    assert sorted(v for k, v in first if k == "name") == ["a.bam.bai", "b.bam.bai"]
    # Asked again in the same request (client): answered from what was learnt.
    assert client.names_present({"dir1": {"b.bam.bai", "a.bam.bai"}}) == {"dir1": {"a.bam.bai"}}
    assert len(rsps.calls) == 2


def test_names_present_splits_long_name_lists_to_keep_urls_short(rsps, client):
    name_reply(rsps, set())
    long_names = {f"{'x' * 180}-{i:03d}.bam.bai" for i in range(60)}
    assert client.names_present({"dir": long_names}) == {"dir": set()}
    assert len(rsps.calls) >= 2
    assert all(len(call.request.url) <= 6000 for call in rsps.calls)
    asked = [v for call in rsps.calls for k, v in sent_query(call) if k == "name"]
    assert sorted(asked) == sorted(long_names)  # each once


def test_names_present_lists_a_small_folder_instead_of_many_filtered_calls(rsps, client):
    listing = [{"id": f"f{i}", "name": f"s{i}.bam"} for i in range(60)]
    listing += [{"id": f"i{i}", "name": f"s{i}.bam.bai"} for i in range(0, 60, 2)]
    page_reply(rsps, "/files", listing, len(listing))
    wanted = {f"s{i}.bam.bai" for i in range(60)} | {f"s{i}.bai" for i in range(60)}
    found = client.names_present({"dir": wanted})
    assert found == {"dir": {f"s{i}.bam.bai" for i in range(0, 60, 2)}}
    assert len(rsps.calls) == 1  # 120 names would take 2 filtered calls; the folder is 1 page
    assert ("name", "s0.bai") not in sent_query(rsps.calls[0])
