"""Malformed and hostile bodies sent to every write endpoint get a JSON 4xx, never a 500."""

import json

import pytest
import requests

RNA = "demo-user/rnaseq-pilot"
VALID_TASK = {"name": "hostile", "project": RNA, "app": f"{RNA}/fastq-qc", "inputs": {"reads": []}}

MALFORMED = [
    b"{",
    b'{"name": ',
    b"[1, 2",
    b"nul",
    b"\xff\xfe\x00",
    b'{"a": NaN}',
    b'{"a": Infinity}',
    b"{'single': 'quotes'}",
    b'{"a": 1}{"b": 2}',
    b"[" * 100_000 + b"]" * 100_000,
    json.dumps({"a": json.loads("[" * 60 + "]" * 60)}).encode(),  # deeper than allowed
]
WRONG_SHAPES = [[], [{"name": "x"}], "a string", 12, True, 3.5]


def write_endpoints(raw_api):
    """(method, url, takes_a_body) for every endpoint that changes something."""
    draft = raw_api.post("/tasks", json=VALID_TASK).json()["id"]
    base, controls = raw_api.api_url, raw_api.api_url[: -len("/v2")] + "/_sandbox"
    return [
        ("POST", f"{base}/tasks", True),
        ("PATCH", f"{base}/tasks/{draft}", True),
        ("DELETE", f"{base}/tasks/{draft}", False),
        ("POST", f"{base}/tasks/{draft}/actions/run", False),
        ("POST", f"{base}/tasks/{draft}/actions/abort", False),
        ("POST", f"{base}/tasks/{draft}/actions/clone", False),
        ("POST", f"{base}/bulk/files/get", True),
        ("POST", f"{controls}/reset", False),
        ("POST", f"{controls}/faults", True),
        ("POST", f"{controls}/latency", True),
        ("POST", f"{controls}/clock", True),
        ("POST", f"{controls}/rate_limit", True),
        ("POST", f"{controls}/fail_share", True),
        ("POST", f"{controls}/apps", True),
        ("POST", f"{controls}/files", True),
    ]


def assert_json_error(response, statuses=range(400, 500)):
    assert response.status_code in statuses, (response.status_code, response.text[:300])
    body = response.json()
    assert set(body) == {"status", "code", "message", "more_info"}
    assert "Traceback" not in response.text


def send(raw_api, method, url, data):
    return raw_api.session.request(
        method, url, data=data, timeout=30, headers={"Content-Type": "application/json"}
    )


def test_malformed_json_is_a_400_everywhere(raw_api, sandbox):
    for method, url, _ in write_endpoints(raw_api):
        for data in MALFORMED:
            assert_json_error(send(raw_api, method, url, data), statuses=(400,))


def test_wrong_top_level_shapes_are_4xx_where_a_body_is_read(raw_api, sandbox):
    for method, url, takes_body in write_endpoints(raw_api):
        for shape in WRONG_SHAPES:
            response = send(raw_api, method, url, json.dumps(shape))
            if takes_body:
                assert_json_error(response)
            else:  # the platform ignores bodies there; the answer just must not be a 500
                assert response.status_code < 500, response.text


def test_oversized_body_is_a_json_413(raw_api):
    response = send(
        raw_api, "POST", f"{raw_api.api_url}/tasks", b'{"name": "' + b"x" * 9_000_000 + b'"}'
    )
    assert_json_error(response, statuses=(413,))


HUGE = "x" * 1_000_000
NESTED = json.loads("[" * 20 + "]" * 20)  # deep, but within the 32 levels allowed
TASK_FIELDS = [
    {"name": HUGE},
    {"name": ["x"]},
    {"name": {"a": 1}},
    {"description": 5},
    {"project": ["demo-user/rnaseq-pilot"]},
    {"project": {"id": RNA}},
    {"project": "a/b/c"},
    {"project": "../../etc"},
    {"project": ""},
    {"app": 12},
    {"app": {"id": "x"}},
    {"app": "a/b/c/d/e"},
    {"app": f"{RNA}/fastq-qc/-1"},
    {"app": f"{RNA}/fastq-qc/1e3"},
    {"inputs": []},
    {"inputs": "reads"},
    {"inputs": 0},
    {"execution_settings": []},
    {"execution_settings": "c5.large"},
    {"execution_settings": {"instance_type": ["c5.large"]}},
    {"execution_settings": {"max_parallel_instances": 10**30}},
    {"execution_settings": {"max_parallel_instances": -3}},
    {"use_interruptible_instances": "yes"},
    {"use_interruptible_instances": 1},
    {"batch_input": ["reads"], "batch_by": {"type": "item"}},
    {"batch_input": "reads", "batch_by": []},
    {"batch_input": "reads", "batch_by": "item"},
    {"batch_input": "reads", "batch_by": {"type": ["item"]}},
    {"batch_input": "reads", "batch_by": {"type": "criteria", "criteria": "metadata.x"}},
    {"batch_input": "reads", "batch_by": {"type": "criteria", "criteria": [1, None]}},
    {"batch_input": "reads", "batch_by": {"type": "criteria", "criteria": [NESTED]}},
    {"output_location": "nowhere"},
]
TASK_INPUTS = [
    {"reads": {"class": "File", "path": ["x"]}},
    {"reads": [{"class": "File", "path": {"$ne": 1}}]},
    {"reads": [{"class": "File"}]},
    {"reads": [None, 1, "x", [], {}]},
    {"reads": [NESTED]},
    {"threads": NESTED},
    {"threads": 2**80},
    {"threads": -0.0},
    {"reads": [{"class": "File", "path": "\ud800"}]},
    {"nogroup": "\u0000"},
    {f"k{i}": i for i in range(5_000)},
    {"reads": [{"class": "File", "path": "0" * 24}] * 20_000},
    {"contaminants": {"class": "Directory", "path": "0" * 24}},
]


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_hostile_task_fields_are_4xx_and_hostile_inputs_make_drafts_with_errors(raw_api, method):
    draft = raw_api.post("/tasks", json=VALID_TASK).json()["id"]
    url = f"{raw_api.api_url}/tasks" if method == "POST" else f"{raw_api.api_url}/tasks/{draft}"
    for change in TASK_FIELDS:
        body = {**VALID_TASK, **change}
        response = raw_api.session.request(method, url, json=body, timeout=30)
        assert_json_error(response)
    for inputs in TASK_INPUTS:
        response = raw_api.session.request(
            method, url, json={**VALID_TASK, "inputs": inputs}, timeout=30
        )
        assert response.status_code == 200, response.text[:300]
        assert response.json()["errors"], inputs  # a draft, carrying what is wrong


def test_hostile_bulk_bodies(raw_api):
    for body in (
        {"file_ids": "abc"},
        {"file_ids": None},
        {"file_ids": {"a": 1}},
        {"file_ids": ["0" * 24] * 101},
        {"file_ids": [HUGE]},
        {},
    ):
        response = raw_api.post("/bulk/files/get", json=body)
        if response.status_code == 200:  # a too-long id is simply not found
            assert response.json()["items"][0]["error"]["status"] == 404
        else:
            assert_json_error(response)
    mixed = raw_api.post("/bulk/files/get", json={"file_ids": [[], {}, None, 3, NESTED]})
    assert [i["error"]["status"] for i in mixed.json()["items"]] == [400] * 5


def test_hostile_control_bodies_and_a_hostile_app(raw_api, sandbox):
    controls = f"{sandbox.url}/_sandbox"
    for path, body in [
        ("faults", {"method": ["GET"]}),
        ("faults", {"times": "many"}),
        ("faults", {"status": 99999}),
        ("faults", {"latency_ms": -5}),
        ("latency", {"latency_ms": "slow"}),
        ("clock", {"advance_seconds": None}),
        ("rate_limit", {"limit": "lots"}),
        ("fail_share", {"fail_share": [1]}),
        ("apps", {"project": RNA, "app_name": "../x", "raw": {}}),
        ("apps", {"project": RNA, "app_name": ["x"], "raw": {}}),
        ("files", {"project": RNA, "files": [{"name": "a", "size": "big"}]}),
        ("files", {"project": RNA, "files": [{"name": "a", "size": 10**400}]}),
        ("files", {"project": RNA, "files": [{"name": "a", "type": 7}]}),
        ("files", {"project": RNA, "files": [{"name": "a", "metadata": {"k": {"x": 1}}}]}),
        ("files", {"project": RNA, "files": [{"name": "a", "tags": [1]}]}),
        ("files", {"project": RNA, "parent": ["x"], "files": []}),
    ]:
        response = requests.post(f"{controls}/{path}", json=body, timeout=10)
        assert_json_error(response)
    # an app whose CWL is nonsense is installed as-is, and tasks against it still validate
    odd = {
        "inputs": [
            {"id": ["x"]},
            "text",
            {"id": "n", "type": {"type": "record", "fields": "nope"}},
        ],
        "steps": 5,
        "requirements": "none",
        "label": 7,
    }
    requests.post(
        f"{controls}/apps", timeout=10, json={"project": RNA, "app_name": "odd", "raw": odd}
    ).raise_for_status()
    response = raw_api.post(
        "/tasks",
        json={"project": RNA, "app": f"{RNA}/odd", "inputs": {"n": {"a": 1}, "zzz": NESTED}},
        params={"action": "run"},
    )
    assert response.status_code == 200 and response.json()["status"] == "DRAFT"


@pytest.mark.parametrize(
    "raw",
    [
        {"requirements": 5},
        {"hints": [{"class": "SchemaDefRequirement", "types": 5}]},
        {"inputs": 5},
        {"inputs": [{"id": "a", "type": {"type": "record", "fields": 5}}]},
        {"inputs": [{"id": "a", "type": {"type": "enum", "symbols": 5}}]},
    ],
)
def test_an_app_with_a_number_where_cwl_has_a_list_still_makes_drafts(raw_api, sandbox, raw):
    requests.post(
        f"{sandbox.url}/_sandbox/apps",
        timeout=10,
        json={"project": RNA, "app_name": "numbers", "raw": raw},
    ).raise_for_status()
    response = raw_api.post(
        "/tasks", json={"project": RNA, "app": f"{RNA}/numbers", "inputs": {"a": "x"}}
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "DRAFT"
