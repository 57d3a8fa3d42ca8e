"""The draft page (a task as CAVATICA has it), and what can be done to a draft: run, delete."""

from dataclasses import dataclass

from flask import current_app, flash, redirect, render_template, request, url_for

import batching
from cavatica import ApiError, Unauthorized, split_app_id
from forms.auth import ActionForm

from .. import login_required, runs
from ..client import app_and_specs, get_client
from . import bp
from .sent import sent_body, take_just_created


@dataclass(frozen=True)
class DraftPage:
    """What the draft page shows about a task, gathered at once by `draft_page`."""

    task: dict
    project_id: str
    app_id: str
    revision: int | None
    inputs: dict
    labels: dict  # {input id: the app's label}, empty when the app could not be read
    names: dict  # {file id: name} of the files the task does not name, empty when not found
    errors: dict  # {input id ("" for the task): [message, ...]}
    warnings: dict

    def input_ids(self):
        """Every input id with a value or a problem, the app's order first."""
        ids = [i for i in self.labels if i in self.inputs or i in self.errors or i in self.warnings]
        extra = [i for i in [*self.inputs, *self.errors, *self.warnings] if i not in ids and i]
        return ids + list(dict.fromkeys(extra))

    def general_issues(self, kind):
        issues = self.errors if kind == "errors" else self.warnings
        return issues.get("", [])

    def file_name(self, item):
        return self.names.get(item.get("path")) or item.get("name") or item.get("path")


def draft_page(client, task, project_id):
    """The draft page of `task`, with as few calls as possible: the app's labels (a revision
    is cached) and one round of bulk calls for the names of the files the task does not name
    itself. Both are a nicety: when they fail, the page shows ids.

    :raise Unauthorized: the token was refused.
    """
    app_id, revision = split_app_id(task.get("app") or "")
    inputs = task.get("inputs") or {}
    return DraftPage(
        task=task,
        project_id=task.get("project") or project_id,
        app_id=app_id,
        revision=revision,
        inputs=inputs,
        labels=app_labels(client, app_id, revision),
        names=file_names(client, sorted(unnamed_file_ids(inputs))),
        errors=issues_by_input(task.get("errors")),
        warnings=issues_by_input(task.get("warnings")),
    )


def app_labels(client, app_id, revision):
    if revision is None:
        return {}
    try:
        _app, specs = app_and_specs(client, app_id, revision)
    except Unauthorized:
        raise
    except ApiError:
        return {}  # labels are a nicety: the input ids still show
    return {spec.id: spec.label for spec in specs}


def file_names(client, ids):
    if not ids:
        return {}
    try:
        # One round of bulk calls, skipped when the rate budget is nearly spent.
        return client.file_names(ids, recent=True)  # e.g. those the create just looked up
    except Unauthorized:
        raise
    except ApiError:
        return {}  # names are a nicety: the draft, just made, must still show (with ids)


def unnamed_file_ids(value):
    """The File/Directory paths of an inputs object whose name the platform did not give: the
    task as it comes back names its files, so its page asks for no name it already has."""
    if isinstance(value, list):
        return {i for v in value for i in unnamed_file_ids(v)}
    if isinstance(value, dict):
        if value.get("class") in ("File", "Directory") and isinstance(value.get("path"), str):
            return set() if value.get("name") else {value["path"]}
        return {i for v in value.values() for i in unnamed_file_ids(v)}
    return set()


def issues_by_input(issues):
    """{input id ("" when none): [message, ...]} from a task's `errors` or `warnings`."""
    grouped = {}
    for issue in issues or []:
        if isinstance(issue, dict):
            key, message = issue.get("input_id") or "", issue.get("message") or str(issue)
        else:
            key, message = "", str(issue)
        grouped.setdefault(key, []).append(message)
    return grouped


@bp.route("/projects/<owner>/<project>/tasks/<task_id>")
@login_required
def show(owner, project, task_id):
    """A task as CAVATICA has it: just created (shown as it came back), or fetched."""
    created = take_just_created(task_id)
    task = created or get_client().task(task_id)
    offset = runs.children_offset(request.args)
    return render_template(
        "tasks/show.html",
        task=task,
        draft=draft_page(get_client(), task, f"{owner}/{project}"),
        fresh=created is not None,
        children=runs.children_of(task, offset),
        children_offset=offset,
        refresh_seconds=current_app.config["TASK_REFRESH_SECONDS"],
        sent_body=sent_body(task_id),
        action_form=ActionForm(),
    )


@bp.route("/projects/<owner>/<project>/tasks/<task_id>/run", methods=["GET", "POST"])
@login_required
def run(owner, project, task_id):
    """Confirm what will start and that it costs money; then POST .../actions/run."""
    form = ActionForm()
    if form.validate_on_submit():
        get_client().run_task(task_id)  # the platform refuses a task that is no longer a draft
        flash("The task was started in CAVATICA. It now costs money until it ends.", "info")
        return redirect(url_for(".show", owner=owner, project=project, task_id=task_id))
    task = get_client().task(task_id)
    if task.get("status") != "DRAFT":
        flash("Only a draft can be run; this task has already started.", "warning")
        return redirect(url_for(".show", owner=owner, project=project, task_id=task_id))
    preview, missing = None, []
    if task.get("batch_input") and task.get("batch_by"):
        ids = sorted(batching.file_ids_in(task.get("inputs", {}).get(task["batch_input"])))
        files = get_client().files_by_id(ids) if ids else {}
        preview, missing = batching.task_preview(task, files)
    return render_template(
        "tasks/confirm_run.html", task=task, form=form, preview=preview, missing=missing
    )


@bp.route("/projects/<owner>/<project>/tasks/<task_id>/delete", methods=["GET", "POST"])
@login_required
def delete(owner, project, task_id):
    """Confirm, then DELETE the draft and go back to the project."""
    form = ActionForm()
    if form.validate_on_submit():
        get_client().delete_task(task_id)
        flash("The draft was deleted.", "info")
        return redirect(url_for("projects.show", owner=owner, project=project))
    task = get_client().task(task_id)
    return render_template("tasks/confirm_delete.html", task=task, form=form)
