"""The /_sandbox controls: request log, faults, latency, clock and reset."""

import time

import pytest
import requests
from sandbox_helpers import assert_error

from sandbox import DEMO_TOKEN

RNA = "demo-user/rnaseq-pilot"
DRAFT = {"name": "control test", "project": RNA, "app": f"{RNA}/fastq-qc", "inputs": {"reads": []}}


def test_request_log_records_calls_and_counts_by_route(raw_api, sandbox):
    raw_api.get("/user")
    raw_api.get("/apps/demo-user/pediatric-wgs/cavatica-bcf-call")
    raw_api.get("/apps/demo-user/pediatric-wgs/cavatica-bcf-call/3")
    raw_api.get("/files", params={"project": RNA, "metadata.sample_id": ["A", "B"]})
    raw_api.post("/tasks", json=DRAFT)
    sandbox.advance_clock(1)  # control calls are never logged
    log = sandbox.requests()
    assert [(r["method"], r["path"], r["status"]) for r in log["requests"]] == [
        ("GET", "/v2/user", 200),
        ("GET", "/v2/apps/demo-user/pediatric-wgs/cavatica-bcf-call", 200),
        ("GET", "/v2/apps/demo-user/pediatric-wgs/cavatica-bcf-call/3", 200),
        ("GET", "/v2/files", 200),
        ("POST", "/v2/tasks", 200),
    ]
    assert log["requests"][3]["query"] == {"project": [RNA], "metadata.sample_id": ["A", "B"]}
    assert log["requests"][4]["json"] == DRAFT
    assert log["counts"] == {
        "GET /v2/user": 1,
        "GET /v2/apps/<app_ref>": 2,
        "GET /v2/files": 1,
        "POST /v2/tasks": 1,
    }
    sandbox.clear_requests()
    assert sandbox.requests() == {"requests": [], "counts": {}}


def test_fault_answers_a_chosen_status_n_times_for_matching_requests(raw_api, sandbox):
    sandbox.fault(method="GET", path="/v2/files*", status=503, code=5000, times=2)
    assert_error(raw_api.get("/files", params={"project": RNA}), 503, 5000)
    assert raw_api.get("/user").status_code == 200  # does not match
    assert_error(raw_api.get("/files", params={"project": RNA}), 503, 5000)
    assert raw_api.get("/files", params={"project": RNA}).status_code == 200
    assert [r["status"] for r in sandbox.requests()["requests"]] == [503, 200, 503, 200]


def test_a_faulted_post_is_not_acted_on(raw_api, sandbox):
    sandbox.fault(method="POST", path="/v2/tasks", status=500, code=0)
    assert_error(raw_api.post("/tasks", json=DRAFT), 500, 0)
    assert raw_api.get("/tasks", params={"project": RNA, "status": "DRAFT"}).json()["items"] == []


def test_clear_faults(raw_api, sandbox):
    sandbox.fault(path="/v2/user", status=502, times=5)
    sandbox.clear_faults()
    assert raw_api.get("/user").status_code == 200


def test_dropped_connection_after_the_task_was_created(raw_api, sandbox):
    sandbox.fault(method="POST", path="/v2/tasks", drop_connection=True)
    with pytest.raises(requests.ConnectionError):
        raw_api.post("/tasks", json=DRAFT)
    drafts = raw_api.get("/tasks", params={"project": RNA, "status": "DRAFT"}).json()["items"]
    assert [t["name"] for t in drafts] == ["control test"]  # acted on, then dropped
    assert raw_api.post("/tasks", json=DRAFT).status_code == 200  # only once


def test_malformed_body_fault(raw_api, sandbox):
    sandbox.fault(method="GET", path="/v2/user", malformed=True)
    response = raw_api.get("/user")
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()
    assert raw_api.get("/user").json()["username"] == "demo-user"


def test_latency_for_every_request_and_for_matching_ones(raw_api, sandbox):
    sandbox.set_latency(300)
    started = time.perf_counter()
    raw_api.get("/user")
    assert time.perf_counter() - started >= 0.3
    sandbox.set_latency(0)
    sandbox.fault(path="/v2/projects*", latency_ms=300, times=1)
    started = time.perf_counter()
    assert raw_api.get("/projects").status_code == 200  # slow, but answered
    assert time.perf_counter() - started >= 0.3


def test_the_round_trip_holds_the_answer_but_not_the_work(raw_api, sandbox):
    """latency_ms is the platform's round trip: the request is acted on when it arrives and
    answered latency_ms after; a fault's latency_ms delays the acting itself."""
    import threading

    sandbox.set_latency(1500)
    body = {**DRAFT, "name": "made before it is answered"}
    answered = []
    started = time.perf_counter()
    creating = threading.Thread(target=lambda: answered.append(raw_api.post("/tasks", json=body)))
    creating.start()
    time.sleep(0.5)
    sandbox.set_latency(0)
    listed = raw_api.get("/tasks", params={"project": RNA, "status": "DRAFT", "limit": 100})
    creating.join()
    assert "made before it is answered" in [t["name"] for t in listed.json()["items"]]
    assert answered[0].status_code == 200 and time.perf_counter() - started >= 1.5

    sandbox.fault(method="POST", path="/v2/tasks", latency_ms=1500, times=1)
    slow = {**DRAFT, "name": "made once the fault's delay is over"}
    creating = threading.Thread(target=lambda: raw_api.post("/tasks", json=slow))
    creating.start()
    time.sleep(0.5)
    listed = raw_api.get("/tasks", params={"project": RNA, "status": "DRAFT", "limit": 100})
    creating.join()
    assert "made once the fault's delay is over" not in [t["name"] for t in listed.json()["items"]]


def test_reset_clears_faults_log_clock_and_tasks(raw_api, sandbox):
    task = raw_api.post("/tasks", json=DRAFT, params={"action": "run"}).json()
    assert task["status"] == "QUEUED"
    sandbox.advance_clock(3600)
    sandbox.fault(path="/v2/user", status=500, times=None)  # every time
    sandbox.set_latency(50)
    sandbox.reset()
    assert raw_api.get("/user").status_code == 200
    assert_error(raw_api.get(f"/tasks/{task['id']}"), 404, 7002)
    rerun = raw_api.post("/tasks", json=DRAFT, params={"action": "run"}).json()
    assert rerun["status"] == "QUEUED"  # the clock is back
    assert len(sandbox.requests()["requests"]) == 3


def test_a_clock_moved_past_year_9999_is_refused_and_tasks_still_work(raw_api, sandbox):
    far = requests.post(f"{sandbox.url}/_sandbox/clock", json={"advance_seconds": 1e12}, timeout=10)
    assert far.status_code == 400
    assert raw_api.post("/tasks", json=DRAFT).status_code == 200
    assert raw_api.get("/tasks").status_code == 200


@pytest.mark.parametrize(
    "path, body",
    [
        ("faults", {"status": "boom"}),
        ("faults", {"unknown": 1}),
        ("faults", ["not", "an", "object"]),
        ("latency", {"latency_ms": -1}),
        ("clock", {"advance_seconds": "soon"}),
        ("clock", {"advance_seconds": 1e12}),
        ("latency", {"latency_ms": 10**12}),
        ("faults", {"latency_ms": 10**12}),
        ("rate_limit", {"limit": -5}),
        ("fail_share", {"fail_share": 2}),
        ("apps", {"project": "demo-user/scratch", "app_name": "x", "raw": []}),
        ("apps", {"project": "nope/nope", "app_name": "x", "raw": {}}),
        ("files", {"project": RNA, "files": {"name": "x"}}),
        ("files", {"project": RNA, "files": [{"name": 3}]}),
        ("files", {"project": "nope/nope", "files": []}),
    ],
)
def test_bad_control_bodies_are_json_400s(sandbox, path, body):
    response = requests.post(f"{sandbox.url}/_sandbox/{path}", json=body, timeout=10)
    assert response.status_code in (400, 404), response.text
    assert set(response.json()) == {"status", "code", "message", "more_info"}


def test_concurrent_requests_are_all_answered(sandbox):
    from concurrent.futures import ThreadPoolExecutor

    sandbox.set_latency(20)  # keep requests in flight together

    def one(n):
        with requests.Session() as http:
            http.headers["X-SBG-Auth-Token"] = sandbox.token
            if n % 3 == 0:
                body = {**DRAFT, "name": f"parallel {n}"}
                return http.post(f"{sandbox.api_url}/tasks", json=body, timeout=30).status_code
            return http.get(
                f"{sandbox.api_url}/files", params={"project": RNA}, timeout=30
            ).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(one, range(36)))
    assert statuses == [200] * 36
    drafts = requests.get(
        f"{sandbox.api_url}/tasks",
        timeout=10,
        params={"project": RNA, "status": "DRAFT", "limit": 100},
        headers={"X-SBG-Auth-Token": sandbox.token},
    ).json()["items"]
    assert sorted(t["name"] for t in drafts) == sorted(f"parallel {n}" for n in range(0, 36, 3))
    assert sum(sandbox.requests()["counts"].values()) == 37


def test_the_round_trip_counts_from_when_the_request_reached_the_sandbox():
    """Requests sent together wait in the one sandbox process for each other's work; the
    server notes when each came in (ARRIVAL) and its answer leaves latency_ms after that, as a
    platform's many servers would answer them all at once, not one wait after another."""
    from sandbox.server import ARRIVAL, create_sandbox_app

    client = create_sandbox_app(latency_ms=400).test_client()
    ARRIVAL.at = time.monotonic() - 0.3  # it came in 300 ms ago and has waited since
    started = time.perf_counter()
    assert client.get("/v2/user", headers={"X-SBG-Auth-Token": DEMO_TOKEN}).status_code == 200
    waited_here = time.perf_counter() - started
    assert 0.05 <= waited_here < 0.3  # the rest of its 400 ms, not 400 ms more
    started = time.perf_counter()  # the stamp was this request's only: the next waits it all
    assert client.get("/v2/user", headers={"X-SBG-Auth-Token": DEMO_TOKEN}).status_code == 200
    assert time.perf_counter() - started >= 0.4
