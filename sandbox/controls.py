"""/_sandbox/...: controls for tests and demos (not part of the platform's API)."""

import fnmatch
from dataclasses import dataclass

from flask import Blueprint, jsonify

from .api import app_json, file_json
from .errors import bad_request
from .http import json_body, state
from .seed import DEMO_USER, OTHER_USER
from .tasks import iso

bp = Blueprint("controls", __name__, url_prefix="/_sandbox")

MAX_CLOCK_OFFSET_SECONDS = 100 * 365 * 86_400
MAX_LATENCY_MS = 600_000  # longer than any client timeout; more would only hang the sandbox


@dataclass
class Fault:
    """A rule from POST /_sandbox/faults for the next `times` matching API requests."""

    method: str = "*"
    path: str = "*"
    status: int | None = None
    code: int = 0
    times: int | None = 1
    latency_ms: int = 0
    drop_connection: bool = False
    malformed: bool = False

    def matches(self, method, path):
        return (
            (self.times is None or self.times > 0)
            and fnmatch.fnmatchcase(method, self.method.upper())
            and fnmatch.fnmatchcase(path, self.path)
        )


FAULT_KEYS = {
    "method": str,
    "path": str,
    "status": int,
    "code": int,
    "times": int,
    "latency_ms": int,
    "drop_connection": bool,
    "malformed": bool,
}

# Finished tasks already in the seed: (user, project, demo app, name, outcome).
SEEDED_TASKS = [
    (DEMO_USER, "demo-user/rnaseq-pilot", "fastq-qc", "FastQC pilot lane 1", "COMPLETED"),
    (DEMO_USER, "demo-user/rnaseq-pilot", "fastq-qc", "FastQC pilot lane 2", "FAILED"),
    (OTHER_USER, "other-user/shared-reference", "fastq-qc", "Reference QC", "COMPLETED"),
    (OTHER_USER, "other-user/private-study", "fastq-qc", "Private QC", "COMPLETED"),
]


def seed_tasks(st):
    """A little task history, finished a day before start-up, so lists are not empty."""
    for username, project, app_name, name, outcome in SEEDED_TASKS:
        if f"{project}/{app_name}" not in st.store.apps:
            continue
        task = st.tasks.create(
            username,
            {"project": project, "app": f"{project}/{app_name}", "name": name, "inputs": {}},
        )
        task["errors"] = []
        task["_run_at"] = st.store.now() - 86_400
        task["created_time"] = iso(task["_run_at"] - 600)
        task["executed_by"] = username
        task["_fixed_outcome"] = outcome
        st.store.running.add(task["id"])  # a completed one has outputs on the first request


def _object_body():
    body = json_body()
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise bad_request("The body must be a JSON object.")
    return body


def _number(body, key, default=None, minimum=0, maximum=None):
    value = body.get(key, default)
    if not isinstance(value, int | float) or isinstance(value, bool) or value < minimum:
        raise bad_request(f"'{key}' must be a number >= {minimum}.")
    if maximum is not None and value > maximum:
        raise bad_request(f"'{key}' must be at most {maximum}.")
    return value


@bp.get("/")
def index():
    return jsonify(
        {
            "controls": [
                "POST /_sandbox/reset",
                "GET|DELETE /_sandbox/requests",
                "GET|POST|DELETE /_sandbox/faults",
                "POST /_sandbox/latency",
                "POST /_sandbox/clock",
                "POST /_sandbox/rate_limit",
                "POST /_sandbox/fail_share",
                "POST /_sandbox/apps",
                "POST /_sandbox/files",
            ]
        }
    )


@bp.post("/reset")
def reset():
    json_body()
    state().reset()
    return jsonify({"reset": True})


@bp.get("/requests")
def requests_log():
    st = state()
    return jsonify({"requests": list(st.log), "counts": dict(st.counts)})


@bp.delete("/requests")
def clear_requests():
    state().log.clear()
    state().counts.clear()
    return jsonify({"requests": [], "counts": {}})


def _fault_json(fault):
    return dict(fault.__dict__)


@bp.get("/faults")
def faults():
    return jsonify({"faults": [_fault_json(f) for f in state().faults]})


@bp.post("/faults")
def add_fault():
    body = _object_body()
    for key, value in body.items():
        kind = FAULT_KEYS.get(key)
        if kind is None:
            raise bad_request(f"Unknown fault key '{key}'.")
        if value is not None and (
            not isinstance(value, kind) or (kind is int and isinstance(value, bool))
        ):
            raise bad_request(f"Fault key '{key}' has the wrong type.")
    fault = Fault(**{k: v for k, v in body.items() if v is not None or k == "times"})
    if fault.status is not None and not 100 <= fault.status <= 599:
        raise bad_request("'status' must be an HTTP status code.")
    if not 0 <= fault.latency_ms <= MAX_LATENCY_MS or (fault.times is not None and fault.times < 1):
        raise bad_request(
            f"'latency_ms' must be 0..{MAX_LATENCY_MS} and 'times' >= 1 (or null for always)."
        )
    state().faults.append(fault)
    return jsonify({"faults": [_fault_json(f) for f in state().faults]})


@bp.delete("/faults")
def clear_faults():
    state().faults.clear()
    return jsonify({"faults": []})


@bp.post("/latency")
def latency():
    st = state()
    st.latency_ms = _number(_object_body(), "latency_ms", maximum=MAX_LATENCY_MS)
    return jsonify({"latency_ms": st.latency_ms})


@bp.post("/clock")
def clock():
    st = state()
    # Task times must stay printable dates: a clock past year 9999 would fail every task read.
    room = MAX_CLOCK_OFFSET_SECONDS - st.store.clock_offset
    st.store.clock_offset += _number(_object_body(), "advance_seconds", maximum=room)
    return jsonify({"clock_offset_seconds": st.store.clock_offset, "now": iso(st.store.now())})


@bp.post("/rate_limit")
def rate_limit():
    st = state()
    body = _object_body()
    st.rate_limit = int(_number(body, "limit", st.rate_limit))
    st.rate_window = int(_number(body, "window_seconds", st.rate_window, minimum=1))
    st.buckets.clear()
    return jsonify({"limit": st.rate_limit, "window_seconds": st.rate_window})


@bp.post("/fail_share")
def fail_share():
    st = state()
    share = _number(_object_body(), "fail_share")
    if share > 1:
        raise bad_request("'fail_share' must be between 0 and 1.")
    st.store.fail_share = share
    return jsonify({"fail_share": share})


@bp.post("/apps")
def add_app():
    st = state()
    body = _object_body()
    project, name, raw = body.get("project"), body.get("app_name"), body.get("raw")
    if not isinstance(project, str) or project not in st.store.projects:
        raise bad_request("'project' must name an existing project.")
    if not isinstance(name, str) or not name.strip() or "/" in name:
        raise bad_request("'app_name' must be a non-empty name without '/'.")
    if not isinstance(raw, dict):
        raise bad_request("'raw' must be the app's CWL as a JSON object.")
    app = st.store.install_app(project, name.strip(), raw)
    return jsonify(app_json(app, app["latest"], with_raw=False))


@bp.post("/files")
def add_files():
    st = state()
    body = _object_body()
    project, parent, files = body.get("project"), body.get("parent"), body.get("files")
    if not isinstance(project, str):
        raise bad_request("'project' must name an existing project.")
    if parent is not None and not isinstance(parent, str):
        raise bad_request("'parent' must be a folder id.")
    if not isinstance(files, list):
        raise bad_request("'files' must be a list.")
    records = st.store.add_files(project, parent, files)
    return jsonify({"items": [file_json(r) for r in records]})
