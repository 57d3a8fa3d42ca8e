"""Following a task after Run: the parts of the task page that change while it runs (status,
execution counts, a page of child tasks), served alone so `static/follow.js` can refresh them in
place, and aborting a task that has not ended.

A refresh costs one upstream call for the task; the page of child tasks is read only when the
task changed since the page's last look (the page sends back the state it shows), so an
unchanged batch costs one call too.
"""

import hashlib
import json

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

from . import NotSignedIn, login_required, platform, platform_problem, platform_status

bp = Blueprint("runs", __name__)

CHILD_PAGE = 50  # child tasks per page of the task page
ENDED = ("COMPLETED", "FAILED", "ABORTED")
ABORTABLE = ("QUEUED", "RUNNING")
BAR_STATES = ("queued", "running", "completed", "failed", "aborted")


def children_offset(args):
    """The `offset` of the child tasks shown, a multiple of the page size (anything else: 0)."""
    offset = args.get("offset", 0, type=int) or 0
    return max(0, offset) // CHILD_PAGE * CHILD_PAGE


def children_of(task, offset):
    """One page of a batch parent's child tasks, or None when it has none to show (yet)."""
    if not task.get("batch") or task.get("status") == "DRAFT":
        return None
    return platform().tasks(parent=task["id"], offset=offset, limit=CHILD_PAGE)


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


bp.add_app_template_global(follow_state)
bp.add_app_template_global(is_followed)
bp.add_app_template_global(bar_segments)


@bp.get("/projects/<owner>/<project>/tasks/<task_id>/live")
def live(owner, project, task_id):
    """The changing parts of the task page, or 204 when nothing changed since `state`."""
    offset = children_offset(request.args)
    try:
        task = platform().task(task_id)
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
            platform().abort_task(task_id)
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
    task = platform().task(task_id)
    if task.get("status") not in ABORTABLE:
        flash("Only a queued or running task can be aborted; this one is not.", "warning")
        return redirect(back)
    return render_template("tasks/confirm_abort.html", task=task, form=form, back=back)
