"""Tasks: validation on create/patch, batch children, and a lifecycle driven by the task clock.

A task that was run is QUEUED for QUEUE_SECONDS, then RUNNING until RUN_SECONDS, then COMPLETED or
FAILED (a configurable share, chosen from the task's sequence number so it is deterministic).
Statuses are computed from the clock whenever a task is read, so moving the clock is enough.
"""

import copy
import re
import uuid
from datetime import UTC, datetime

import msgspec

from .cwl import (
    Mismatch,
    check_value,
    is_array,
    is_file_like,
    is_single_file,
    main_process,
    read_inputs,
    read_outputs,
)
from .errors import bad_request
from .seed import PUBLIC_PROJECT


def _copy_of(value):
    """A copy of JSON data from a request body: msgpack there and back, ten times as fast as
    copy.deepcopy for a batch of 1,000 files."""
    try:
        return msgspec.msgpack.decode(msgspec.msgpack.encode(value))
    except (OverflowError, TypeError, ValueError):  # e.g. an integer past 64 bits
        return copy.deepcopy(value)


STATUSES = ("DRAFT", "CREATING", "QUEUED", "RUNNING", "COMPLETED", "ABORTING", "ABORTED", "FAILED")
TERMINAL = ("COMPLETED", "FAILED", "ABORTED")
QUEUE_SECONDS = 30
RUN_SECONDS = 300
ORDER_BY = ("created_time", "start_time", "name", "end_time", "created_by")
INSTANCE_TYPE = re.compile(  # used with fullmatch: `$` would let a trailing newline through
    r"[a-z][a-z0-9-]*\.[0-9]*x?(large|medium|small|micro|nano|metal)"
    r"(;ebs-(gp2|gp3|io1|io2|st1|sc1);[1-9][0-9]{0,4})?"
)
SETTING_TYPES = {
    "instance_type": str,
    "max_parallel_instances": int,
    "use_memoization": bool,
    "use_elastic_disk": bool,
}
BODY_TYPES = {
    "name": str,
    "description": str,
    "project": str,
    "app": str,
    "inputs": dict,
    "execution_settings": dict,
    "use_interruptible_instances": bool,
    "batch": bool,
    "batch_input": str,
    "batch_by": dict,
    "output_location": dict,
}
# Multiples of the golden ratio (mod 1) spread evenly over [0, 1): with a fail share of 0.25, about
# one task in four fails, in a fixed pattern by creation order, with no random generator.
GOLDEN_RATIO_FRACTION = 0.6180339887498949
MAX_CHILDREN = 1000


def _first_file(value, store):
    """The record of the first File named in an inputs object (lists and records too)."""
    if isinstance(value, dict):
        if value.get("class") == "File" and isinstance(value.get("path"), str):
            return store.file(value["path"])
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            found = _first_file(item, store)
            if found is not None:
                return found
    return None


def _extension(glob):
    """'.html' from '*.html', '.vcf.gz' from "$(inputs.name + '.vcf.gz')"; '' if none."""
    tail = re.search(r"((?:\.[A-Za-z0-9]{1,8}){1,2})\W*$", glob or "")
    return tail.group(1) if tail else ""


def iso(ts):
    return None if ts is None else datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _type_name(t):
    return {str: "a string", int: "an integer", bool: "a boolean", dict: "an object"}[t]


def check_body(body):
    """Top-level shape of a task body: a JSON object whose known keys have the right types."""
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    for key, kind in BODY_TYPES.items():
        value = body.get(key)
        if value is None:
            continue
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise bad_request(f"'{key}' must be {_type_name(kind)}.")
    if len(body.get("name") or "") > 255:
        raise bad_request("'name' must be at most 255 characters.")
    if len(body.get("description") or "") > 10_000:
        raise bad_request("'description' must be at most 10000 characters.")
    return body


def check_execution_settings(settings):
    if settings is None:
        return {}
    for key, value in settings.items():
        kind = SETTING_TYPES.get(key)
        if kind is None:
            raise bad_request(f"Unknown execution setting '{key}'.")
        if value is None:
            continue
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise bad_request(f"Execution setting '{key}' must be {_type_name(kind)}.")
    instance = settings.get("instance_type")
    if instance is not None and not INSTANCE_TYPE.fullmatch(instance):
        raise bad_request(
            f"Invalid instance type '{instance}'; expected '<instance>;<disk type>;"
            "<disk size GB>', e.g. 'c5.2xlarge;ebs-gp2;1024'."
        )
    parallel = settings.get("max_parallel_instances")
    if parallel is not None and not 1 <= parallel <= 1000:
        raise bad_request("max_parallel_instances must be between 1 and 1000.")
    return {k: v for k, v in settings.items() if v is not None}


def check_batch(batch_input, batch_by, nodes):
    """The platform's batch rules (codes 7018-7023). Returns batch_by as sent."""
    if batch_input is None and batch_by is None:
        return
    if batch_input == "":
        raise bad_request("batch_input must name an input or be omitted.", 7018)
    if batch_input is None or batch_by is None:
        raise bad_request("batch_by and batch_input must be supplied together.", 7023)
    kind = batch_by.get("type")
    if not isinstance(kind, str) or kind.lower() not in ("item", "criteria"):
        raise bad_request("Batch type must be one of [criteria, item].", 7020)
    if kind.lower() == "criteria":
        criteria = batch_by.get("criteria")
        if (
            not isinstance(criteria, list)
            or not criteria
            or not all(isinstance(c, str) and c.strip() for c in criteria)
        ):
            raise bad_request("Batch criteria are missing.", 7019)
    node = next((n for n in nodes if n.id == batch_input), None)
    if node is None or not is_file_like(node.type):
        raise bad_request(
            f"batch_input '{batch_input}' must name a File or File array input of the app.", 7018
        )


def _step_count(raw):
    steps = main_process(raw).get("steps")
    return max(1, len(steps)) if isinstance(steps, list | dict) else 1


def _error(kind, message, input_id):
    return {"type": f"error/task_validation/input/{kind}", "message": message, "input_id": input_id}


class Tasks:
    """Task operations on a Store (all callers hold the store's lock)."""

    def __init__(self, store):
        self.store = store

    # ----- validation --------------------------------------------------------------------
    def _finder(self, pid):
        def find(path, cls):
            record = self.store.file(path)
            wanted = "file" if cls == "File" else "folder"
            return record is not None and record["project"] == pid and record["type"] == wanted

        return find

    def validate_inputs(self, nodes, inputs, pid, batch_input):
        errors = []
        by_id = {n.id: n for n in nodes}
        find = self._finder(pid)
        for key, value in inputs.items():
            node = by_id.get(key)
            if node is None:
                errors.append(_error("unknown", f"The app has no input '{key}'.", key))
                continue
            if value is None:
                continue
            kind = node.type
            if key == batch_input and is_single_file(kind) and isinstance(value, list):
                kind = ("array", kind)  # the platform batches over a list given to a File input
            try:
                check_value(value, kind, find)
            except Mismatch as exc:
                errors.append(
                    _error("schema" if exc.kind == "schema" else "file", exc.message, key)
                )
        for node in nodes:
            if node.required and inputs.get(node.id) is None:
                errors.append(_error("required", "Required input is not set.", node.id))
        return errors

    def _with_names(self, value):
        """A copy of input values (from a request body: dicts, lists and plain values) with
        each File/Directory object's name filled in. It is the only copy made of them."""
        if isinstance(value, list):
            return [self._with_names(v) for v in value]
        if not isinstance(value, dict):
            return value
        out = dict(value)  # then only what holds more is copied further (a File has nothing)
        for key, item in value.items():
            if isinstance(item, (list, dict)):
                out[key] = self._with_names(item)
        if (
            out.get("class") in ("File", "Directory")
            and "name" not in out
            and isinstance(out.get("path"), str)
        ):
            record = self.store.file(out["path"])
            if record is not None:
                out["name"] = record["name"]
        return out

    # ----- create / update ---------------------------------------------------------------
    def create(self, username, body, run=False, batch=True):
        body = check_body(body)
        if not batch and not run:
            raise bad_request("Batching can be disabled only when the task is run.", 7021)
        if not body.get("project"):
            raise bad_request("Project id is empty.", 3006)
        project = self.store.project_for(body["project"], username, write=True)
        if not body.get("app"):
            raise bad_request("App id is empty.", 7015)
        app, revision = self.store.app_for(body["app"], username)
        store = self.store
        store.task_seq += 1
        now = store.now()
        task = {
            "id": str(uuid.uuid4()),
            "name": body.get("name") or f"{app['name']} run - {iso(now)[:16].replace('T', ' ')}",
            "description": body.get("description"),
            "status": "DRAFT",
            "project": project["id"],
            "app": f"{app['id']}/{revision}",
            "type": "v2",
            "created_by": username,
            "executed_by": None,
            "created_time": iso(now),
            "start_time": None,
            "end_time": None,
            "origin_id": None,
            "use_interruptible_instances": project["settings"]["use_interruptible_instances"],
            "execution_settings": {},
            "batch": False,
            "inputs": {},
            "outputs": {},
            "output_location": {"main_location": f"/Projects/{project['id']}/"},
            "price": {"currency": "USD", "amount": 0.0},
            "errors": [],
            "warnings": [],
            "_seq": store.task_seq,
            "_run_at": None,
            "_abort_at": None,
            "_children": [],
        }
        self._apply(task, body, username)
        store.tasks[task["id"]] = task
        if run and not task["errors"]:
            self._start(task, batch)
        return task

    def _apply(self, task, body, username):
        """Set the editable fields from a (checked) body, then re-validate the inputs."""
        app, revision = self.store.app_for(body.get("app") or task["app"], username)
        raw = self.store.raw_for(app, revision)
        nodes = read_inputs(raw)
        task["app"] = f"{app['id']}/{revision}"
        task["_steps"] = _step_count(raw)  # follows the app when a PATCH changes it
        for key in ("name", "description"):
            if key in body and (body[key] is not None or key == "description"):
                task[key] = body[key]
        if "inputs" in body:
            task["inputs"] = self._with_names(body["inputs"] or {})
        if "execution_settings" in body:
            task["execution_settings"] = check_execution_settings(body["execution_settings"])
        if body.get("output_location") is not None:
            task["output_location"] = _copy_of(body["output_location"])
        if body.get("use_interruptible_instances") is not None:
            task["use_interruptible_instances"] = body["use_interruptible_instances"]
        self._apply_batch(task, body, nodes)
        task["errors"] = self.validate_inputs(
            nodes, task["inputs"], task["project"], task.get("batch_input")
        )
        if (
            task["batch"]
            and not task["errors"]
            # Each group holds a file at least, so up to MAX_CHILDREN files need no grouping.
            and len(self._batch_items(task)) > MAX_CHILDREN
            and len(self._groups(task)) > MAX_CHILDREN
        ):
            task["errors"].append(
                {
                    "type": "error/task_validation/batch",
                    "message": f"A batch may create at most {MAX_CHILDREN} child tasks.",
                    "input_id": task["batch_input"],
                }
            )

    def _apply_batch(self, task, body, nodes):
        """`batch: false` makes the task a single one; `batch_input`/`batch_by` (with `batch`
        true or absent) make or change a batch. A null is no change, as for other fields."""
        given = {k: body[k] for k in ("batch_input", "batch_by") if body.get(k) is not None}
        if body.get("batch") is False:
            if given:
                raise bad_request("'batch': false cannot come with batch_input or batch_by.", 7023)
            task["batch"] = False
            task.pop("batch_input", None)
            task.pop("batch_by", None)
            return
        if not given and body.get("batch") is not True:
            return
        batch_input = given.get("batch_input", task.get("batch_input"))
        batch_by = given.get("batch_by", task.get("batch_by"))
        if batch_input is None and batch_by is None:
            raise bad_request("'batch': true needs batch_input and batch_by.", 7023)
        check_batch(batch_input, batch_by, nodes)
        task["batch"] = True
        task["batch_input"], task["batch_by"] = batch_input, copy.deepcopy(batch_by)

    def patch(self, task, body, username):
        body = check_body(body)
        if task["_run_at"] is not None:
            if any(body.get(k) is not None for k in body if k not in ("name", "description")):
                raise bad_request(
                    "Only DRAFT tasks are editable; a task in another state can only be renamed.",
                    7026,
                )
        if body.get("project") not in (None, task["project"]):
            raise bad_request("A task cannot move to another project.", 7026)
        if task["_run_at"] is not None:
            for key in ("name", "description"):
                if body.get(key) is not None:
                    task[key] = body[key]
            return task
        changed = copy.deepcopy(task)  # a refused change leaves the draft as it was
        self._apply(changed, body, username)
        task.clear()  # not just update: a change may remove keys (batch_input, batch_by)
        task.update(changed)
        return task

    # ----- actions -----------------------------------------------------------------------
    def run(self, task, batch=True, interruptible=None):
        if task["_run_at"] is not None:
            raise bad_request("Only DRAFT tasks can be run.", 7007)
        if not batch and not task["batch"]:
            raise bad_request("Batching can be disabled only for batch tasks.", 7022)
        if task["errors"]:
            raise bad_request("The task cannot start because it has validation errors.", 7024)
        if interruptible is not None:
            task["use_interruptible_instances"] = interruptible
        self._start(task, batch)
        return task

    def _start(self, task, batch=True):
        task["_run_at"] = self.store.now()
        task["executed_by"] = task["created_by"]
        if task["batch"] and not batch:
            task["batch"] = False
            task.pop("batch_by", None)
            task.pop("batch_input", None)
        if not task["batch"]:
            self.store.running.add(task["id"])  # gets its outputs when it completes
        if task["batch"]:
            app, revision = self.store.app_for(task["app"], task["created_by"])
            node = next(
                n
                for n in read_inputs(self.store.raw_for(app, revision))
                if n.id == task["batch_input"]
            )
            single = is_single_file(node.type)
            for value, fields, files in self._groups(task):
                self._spawn_child(task, value, fields, files, single)

    def _batch_items(self, task):
        given = task["inputs"].get(task["batch_input"])
        return given if isinstance(given, list) else ([] if given is None else [given])

    def _groups(self, task):
        """[(label, fields, [file objects])] in order of first appearance."""
        items = self._batch_items(task)
        if task["batch_by"]["type"].lower() == "item":
            groups = []
            for item in items:
                label = item.get("name") or item.get("path") if isinstance(item, dict) else None
                groups.append((str(label if label is not None else item), {}, [item]))
            return groups
        keys = [
            c.split(".", 1)[1] if c.startswith("metadata.") else c
            for c in task["batch_by"]["criteria"]
        ]
        groups = {}
        file = self.store.file
        for item in items:
            record = file(item.get("path")) if isinstance(item, dict) else None
            metadata = record.get("metadata") if record else None
            values = [metadata.get(k) for k in keys] if metadata else [None]
            if None in values or "" in values:
                continue  # a file missing any criteria key is left out
            groups.setdefault(tuple(map(str, values)), []).append(item)
        # batch_group.fields keys keep the prefix, as the platform's documentation shows them:
        # {"metadata.sample_id": "S1"}.
        names = [f"metadata.{k}" for k in keys]
        return [
            (", ".join(values), dict(zip(names, values, strict=True)), files)
            for values, files in groups.items()
        ]

    def _spawn_child(self, parent, label, fields, files, single_file_input):
        """One child of a batch parent; single_file_input: the batch input takes one File."""
        store = self.store
        store.task_seq += 1
        batch_input = parent["batch_input"]
        # Copy the parent without its batch list: a child gets only its own group's files.
        child = copy.deepcopy(
            {
                k: v
                for k, v in parent.items()
                if k not in ("_children", "inputs", "batch_input", "batch_by")
            }
        )
        own_files = files[0] if single_file_input and len(files) == 1 else files
        child["inputs"] = copy.deepcopy(
            {k: own_files if k == batch_input else v for k, v in parent["inputs"].items()}
        )
        child.update(
            {
                "id": str(uuid.uuid4()),
                "name": f"{parent['name']} - {label}",
                "batch": False,
                "parent": parent["id"],
                "batch_group": {"value": label, "fields": fields},
                "_seq": store.task_seq,
                "_children": [],
                "created_time": iso(parent["_run_at"]),
            }
        )
        store.tasks[child["id"]] = child
        store.running.add(child["id"])
        parent["_children"].append(child["id"])

    def abort(self, task):
        status = self.status(task)
        if status not in ("QUEUED", "RUNNING"):
            raise bad_request("Only QUEUED or RUNNING tasks can be aborted.", 7008)
        now = self.store.now()
        task["_abort_at"] = now
        for child_id in task["_children"]:
            child = self.store.tasks[child_id]
            if self.status(child) not in TERMINAL:
                child["_abort_at"] = now
        return task

    def clone(self, task, username, run=False):
        body = {k: copy.deepcopy(task.get(k)) for k in BODY_TYPES if task.get(k) is not None}
        return self.create(username, body, run=run)

    def delete(self, task):
        if task["_run_at"] is not None:
            raise bad_request("Only DRAFT tasks can be deleted.", 7007)
        for child_id in task["_children"]:
            self.store.tasks.pop(child_id, None)
        del self.store.tasks[task["id"]]

    # ----- outputs -----------------------------------------------------------------------
    def settle(self):
        """Give every task that has completed since the last request its output files, once.
        Statuses follow the clock, so this runs before each API request reads anything."""
        store = self.store
        # In creation order, so that of two tasks ending together the older gets the plain names.
        order = sorted(
            store.running, key=lambda i: store.tasks[i]["_seq"] if i in store.tasks else 0
        )
        for task_id in order:
            task = store.tasks.get(task_id)
            status = self._times(task)[0] if task is not None else "ABORTED"
            if status not in TERMINAL:
                continue
            store.running.discard(task_id)
            if status == "COMPLETED":
                self._make_outputs(task)

    def _make_outputs(self, task):
        """One file per File output of the app (two for an array), in the project's root, named
        after the task's first input file, with its metadata and `origin.task` set."""
        store = self.store
        if task["project"] == store.big.project:
            return  # the big project is computed and takes no new files
        app, revision = store.app_for(task["app"], task["created_by"])
        first = _first_file(task["inputs"], store)
        if first is not None:
            base = first["name"].split(".")[0] or first["name"]
        else:
            base = re.sub(r"[^A-Za-z0-9_-]+", "_", task["name"]).strip("_")[:40] or "task"
        metadata = dict((first or {}).get("metadata") or {})
        for output_id, kind, glob in read_outputs(store.raw_for(app, revision)):
            ext = _extension(glob)
            many = is_array(kind)
            names = [f"{base}.{output_id}{'.' + str(n) if many else ''}{ext}" for n in (1, 2)]
            records = store.add_outputs(
                task["project"], names[: 2 if many else 1], metadata, task["id"]
            )
            refs = [{"class": "File", "path": r["id"], "name": r["name"]} for r in records]
            task["outputs"][output_id] = refs if many else refs[0]

    # ----- reading -----------------------------------------------------------------------
    def _outcome(self, task):
        share = self.store.fail_share
        return "FAILED" if (task["_seq"] * GOLDEN_RATIO_FRACTION) % 1.0 < share else "COMPLETED"

    def _times(self, task):
        """(status, start, end) of a task that is not a batch parent."""
        run_at = task["_run_at"]
        if run_at is None:
            return "DRAFT", None, None
        start, end = run_at + QUEUE_SECONDS, run_at + RUN_SECONDS
        abort_at = task["_abort_at"]
        if abort_at is not None and abort_at < end:
            return "ABORTED", (start if abort_at >= start else None), abort_at
        now = self.store.now()
        if now < start:
            return "QUEUED", None, None
        if now < end:
            return "RUNNING", start, None
        return task.get("_fixed_outcome") or self._outcome(task), start, end

    def status(self, task):
        return self.view(task)["status"]

    def view(self, task):
        """The task as the platform shows it (no href), with status computed from the clock."""
        out = {k: v for k, v in task.items() if not k.startswith("_")}
        if task["batch"] and task["_run_at"] is not None:
            children = [self._times(self.store.tasks[c]) for c in task["_children"]]
            counts = {
                s: sum(1 for c in children if c[0] == s.upper())
                for s in ("queued", "running", "completed", "failed", "aborted")
            }
            statuses = [c[0] for c in children]
            if any(s not in TERMINAL for s in statuses):
                status = "QUEUED" if all(s == "QUEUED" for s in statuses) else "RUNNING"
                end = None
            elif task["_abort_at"] is not None or (
                statuses and all(s == "ABORTED" for s in statuses)
            ):
                status, end = "ABORTED", max([c[2] for c in children] + [task["_abort_at"] or 0])
            else:
                status = "FAILED" if "FAILED" in statuses else "COMPLETED"
                end = max([c[2] for c in children], default=task["_run_at"])
            starts = [c[1] for c in children if c[1] is not None]
            out.update(
                status=status, start_time=iso(min(starts)) if starts else None, end_time=iso(end)
            )
            out["execution_status"] = dict(
                counts, message=status.capitalize(), steps_completed=0, steps_total=len(children)
            )
            return out
        status, start, end = self._times(task)
        steps = task["_steps"]
        done = {
            "DRAFT": 0,
            "QUEUED": 0,
            "RUNNING": steps // 2,
            "COMPLETED": steps,
            "FAILED": steps // 2,
            "ABORTED": 0,
        }[status]
        message = {
            "DRAFT": "Draft",
            "QUEUED": "In queue",
            "RUNNING": "Running",
            "COMPLETED": "Completed",
            "ABORTED": "Aborted",
            "FAILED": "Task failed: a job exited with code 1.",
        }[status]
        out.update(status=status, start_time=iso(start), end_time=iso(end))
        out["execution_status"] = {
            "message": message,
            "steps_completed": done,
            "steps_total": steps,
        }
        if task["batch"]:
            out["execution_status"].update(queued=0, running=0, completed=0, failed=0, aborted=0)
        return out

    def query(self, username, project=None, status=None, parent=None, order_by=None, order=None):
        if status is not None and status.upper() not in STATUSES:
            raise bad_request(f"Invalid task status '{status}'.", 7006)
        if order_by is not None and order_by not in ORDER_BY:
            raise bad_request("order_by must be one of " + ", ".join(ORDER_BY) + ".")
        if order is not None and order not in ("asc", "desc"):
            raise bad_request("order must be asc or desc.")
        if project is not None:
            self.store.project_for(project, username)
        if parent is not None:
            parent_task = self.store.task_for(parent, username)
            candidates = [self.store.tasks[c] for c in parent_task["_children"]]
        else:
            candidates = [
                t
                for t in self.store.tasks.values()
                if self.store.permission(t["project"], username) is not None
                and t["project"] != PUBLIC_PROJECT
            ]
        views = [self.view(t) for t in candidates if project is None or t["project"] == project]
        if status is not None:
            views = [v for v in views if v["status"] == status.upper()]
        key = order_by or "created_time"
        seq = {t["id"]: t["_seq"] for t in candidates}
        views.sort(
            key=lambda v: (
                (v.get(key) or "") if key != "created_time" else v["created_time"],
                seq[v["id"]],
            ),
            reverse=(order == "desc"),
        )
        return views
