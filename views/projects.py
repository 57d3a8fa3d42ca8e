"""Projects (search by name, paging) and one project: its apps and its recent tasks."""

from concurrent.futures import ThreadPoolExecutor

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from cavatica import split_app_id

from . import login_required
from .client import get_client

bp = Blueprint("projects", __name__)

RECENT_TASKS = 10
# What the recent-tasks table shows: without it each task would bring all its inputs along.
TASK_ROW_FIELDS = "id,name,status,created_time,created_on"


def _offset():
    """The `offset` query argument as a number >= 0 (anything else counts as 0)."""
    return max(0, request.args.get("offset", 0, type=int) or 0)


@bp.route("/")
def home():
    return redirect(url_for("projects.index"))


@bp.route("/projects")
@login_required
def index():
    """The user's projects, optionally filtered by name, one page at a time."""
    name = request.args.get("name", "").strip()
    page = get_client().projects(
        name=name or None, offset=_offset(), limit=current_app.config["PAGE_SIZE"]
    )
    return render_template("projects/index.html", page=page, name=name)


@bp.route("/projects/<owner>/<project>")
@login_required
def show(owner, project):
    """A project: its apps (searchable, paged) and its recent tasks, drafts first."""
    project_id = f"{owner}/{project}"
    client = get_client()
    q = request.args.get("q", "").strip()
    newest = {
        "order_by": "created_time",
        "order": "desc",
        "limit": RECENT_TASKS,
        "fields": TASK_ROW_FIELDS,
    }
    # The four reads do not depend on each other: asked at once, the page waits for one round
    # trip instead of four. The first failure (e.g. no access to the project) is raised.
    with ThreadPoolExecutor(max_workers=4) as pool:
        asked = [
            pool.submit(client.project, project_id),
            pool.submit(
                client.apps,
                project_id,
                q=q or None,
                offset=_offset(),
                limit=current_app.config["PAGE_SIZE"],
            ),
            pool.submit(client.tasks, project=project_id, status="DRAFT", **newest),
            pool.submit(client.tasks, project=project_id, **newest),
        ]
        details, apps, drafts, latest = [answer.result() for answer in asked]
    return render_template(
        "projects/show.html",
        project=details,
        project_id=project_id,
        owner=owner,
        project_name=project,
        apps=apps,
        app_rows=[app_row(app) for app in apps.items],
        q=q,
        tasks=recent_tasks(drafts.items, latest.items),
    )


def app_row(app):
    """What the apps table shows about one app, and its short name for links."""
    app_id, revision_in_id = split_app_id(app.get("id", ""))
    revision = app.get("revision", revision_in_id)
    return {
        "id": app_id,
        "short_name": app_id.split("/")[-1],
        "label": app.get("name") or app_id,
        "revision": revision,
    }


def recent_tasks(drafts, latest):
    """Drafts (newest first), then the newest other tasks, up to RECENT_TASKS in all."""
    others = [task for task in latest if task.get("status") != "DRAFT"]
    return (drafts + others)[:RECENT_TASKS]
