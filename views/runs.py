"""Following a task after Run: the parts of the task page that change while it runs (status,
execution counts, a page of child tasks), served alone so `static/follow.js` can refresh them in
place, and aborting a task that has not ended.

A refresh costs one upstream call for the task; the page of child tasks is read only when the
task changed since the page's last look (the page sends back the state it shows), so an
unchanged batch costs one call too.

- `GET /projects/<o>/<p>/tasks/<id>/live?offset=&state=`: the changing parts (status, Abort, the
  failed-groups offer, execution status, a page of 50 children); 204 while the fingerprint
  `state` still holds;
- `GET|POST /projects/<o>/<p>/tasks/<id>/abort`: confirm, then abort;
- the copy form with `groups=failed` narrows the batch input to the files of the failed and
  aborted child tasks (`rerun_of`).
"""

import hashlib
import json
from dataclasses import dataclass

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from cavatica import ApiError, Unauthorized
from forms.auth import ActionForm

from . import login_required
from .client import NotSignedIn, get_client
from .problems import platform_problem, platform_status

bp = Blueprint("runs", __name__)

CHILD_PAGE = 50  # child tasks per page of the task page
ENDED = ("COMPLETED", "FAILED", "ABORTED")
ABORTABLE = ("QUEUED", "RUNNING")
BAR_STATES = ("queued", "running", "completed", "failed", "aborted")
RERUN_STATES = ("FAILED", "ABORTED")  # the child tasks "run the failed ones again" takes


def children_offset(args):
    """The `offset` of the child tasks shown, a multiple of the page size (anything else: 0)."""
    offset = args.get("offset", 0, type=int) or 0
    return max(0, offset) // CHILD_PAGE * CHILD_PAGE


def children_of(task, offset):
    """One page of a batch parent's child tasks, or None when it has none to show (yet)."""
    if not task.get("batch") or task.get("status") == "DRAFT":
        return None
    return get_client().tasks(parent=task["id"], offset=offset, limit=CHILD_PAGE)


def follow_state(task, offset=0):
    """A short fingerprint of what the live parts show: equal fingerprints, same page."""
    shown = [
        task.get(key) for key in ("status", "execution_status", "start_time", "end_time", "batch")
    ]
    text = json.dumps([shown, offset], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def is_followed(task):
    """True while the page should keep looking: the task was run and has not ended."""
    return task.get("status") not in ("DRAFT", *ENDED)


def bar_segments(execution_status):
    """[(state, count, x, width)] of the stacked bar (widths in thousandths of the bar)."""
    counts = []
    for state in BAR_STATES:
        value = (execution_status or {}).get(state)
        counts.append((state, value if isinstance(value, int) and value > 0 else 0))
    total = sum(count for _, count in counts)
    segments, x = [], 0
    for state, count in counts:
        width = round(count * 1000 / total) if total else 0
        width = min(width, 1000 - x)
        segments.append((state, count, x, width))
        x += width
    return segments


def rerun_count(task):
    """How many child tasks of an ended batch failed or were aborted (0 for anything else)."""
    if not task.get("batch") or task.get("status") not in ENDED:
        return 0
    status = task.get("execution_status") or {}
    return sum(v for k in ("failed", "aborted") if isinstance(v := status.get(k), int) and v > 0)


def app_link(task):
    """{app_name, revision} for a new task with this task's app, when the app is the project's
    own at a known revision (the new-task form lives under the project), else None."""
    app, _, revision = (task.get("app") or "").rpartition("/")
    project = task.get("project") or ""
    if not (revision.isascii() and revision.isdigit()) or app.rpartition("/")[0] != project:
        return None
    return {"app_name": app.rpartition("/")[2], "revision": int(revision)}


@dataclass
class Rerun:
    """A batch parent narrowed to the files of its failed and aborted child tasks."""

    task: dict
    name: str
    notice: str


def rerun_of(client, parent):
    """The parent as a new batch draft over only the files of its failed and aborted child
    tasks, with everything else as it was. One list call per state (per 100 such children)."""
    batch_input = parent.get("batch_input")
    label = parent.get("name") or parent.get("id")
    counts = dict.fromkeys(RERUN_STATES, 0)
    paths = set()
    for state in RERUN_STATES if parent.get("batch") and batch_input else ():
        offset = 0
        while True:
            page = client.tasks(parent=parent["id"], status=state, offset=offset, limit=100)
            for child in page.items:
                counts[state] += 1
                paths.update(file_paths((child.get("inputs") or {}).get(batch_input)))
            if not page.has_next or not page.items:
                break
            offset += len(page.items)
    if not paths:
        notice = (
            f"No child task of “{label}” failed or was aborted, so this is a copy of the whole "
            "task. Check it, then create the draft."
        )
        return Rerun(parent, f"{label} (copy)", notice)
    given = parent["inputs"].get(batch_input)
    given = given if isinstance(given, list) else [given]
    kept = [item for item in given if isinstance(item, dict) and item.get("path") in paths]
    known = {item["path"] for item in kept}
    kept += [{"class": "File", "path": path} for path in sorted(paths - known)]
    task = {**parent, "inputs": {**parent["inputs"], batch_input: kept}}
    groups = " and ".join(f"{n} {state.lower()}" for state, n in counts.items() if n)
    notice = (
        f"Filled in from “{label}” with only the {len(kept)} file{'s' if len(kept) != 1 else ''} "
        f"of its {groups} child task{'s' if sum(counts.values()) != 1 else ''}; every other "
        "value and setting is the same. The batch preview below shows the child tasks it will "
        "make. Check it, then create the draft."
    )
    return Rerun(task, f"{label} (failed and aborted again)", notice)


def file_paths(value):
    """The file ids of a batch input's value in a child task: one File or a list of them."""
    items = value if isinstance(value, list) else [value]
    return [i["path"] for i in items if isinstance(i, dict) and isinstance(i.get("path"), str)]


@bp.get("/projects/<owner>/<project>/tasks/<task_id>/live")
def live(owner, project, task_id):
    """The changing parts of the task page, or 204 when nothing changed since `state`."""
    offset = children_offset(request.args)
    try:
        task = get_client().task(task_id)
        if request.args.get("state") == follow_state(task, offset):
            return "", 204, {"Cache-Control": "no-store"}
        children = children_of(task, offset)
    except (NotSignedIn, Unauthorized):
        return "Sign in again to keep following this task.", 401, plain_text()
    except ApiError as error:
        headers = plain_text()
        if getattr(error, "retry_after_seconds", None) is not None:
            headers["Retry-After"] = str(error.retry_after_seconds)
        return platform_problem(error), platform_status(error), headers
    html = render_template(
        "tasks/live.html",
        task=task,
        owner=owner,
        project_name=project,
        children=children,
        offset=offset,
        refresh_seconds=current_app.config["TASK_REFRESH_SECONDS"],
    )
    return html, 200, {"Cache-Control": "no-store"}


def plain_text():
    return {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.route("/projects/<owner>/<project>/tasks/<task_id>/abort", methods=["GET", "POST"])
@login_required
def abort(owner, project, task_id):
    """Confirm that the task (and its unfinished child tasks) will stop; then abort it."""
    form = ActionForm()
    back = url_for("tasks.show", owner=owner, project=project, task_id=task_id)
    if form.validate_on_submit():
        try:
            get_client().abort_task(task_id)
        except Unauthorized:
            raise
        except ApiError as error:  # e.g. it ended meanwhile: say so on the task page
            flash(f"The task was not aborted. {platform_problem(error)}", "error")
            return redirect(back)
        flash(
            "Abort requested: CAVATICA stops the task and any of its child tasks that have "
            "not ended. What has finished is kept.",
            "info",
        )
        return redirect(back)
    task = get_client().task(task_id)
    if task.get("status") not in ABORTABLE:
        flash("Only a queued or running task can be aborted; this one is not.", "warning")
        return redirect(back)
    return render_template("tasks/confirm_abort.html", task=task, form=form, back=back)
