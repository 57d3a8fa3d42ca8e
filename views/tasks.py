"""The new-task form, the draft page, and what can be done to a draft: run, delete, edit.

A new draft is made by exactly one POST /tasks per submitted form: the form carries a submission
id, and a process-wide registry remembers which draft each id made. When the platform's answer
is lost, the draft is looked up by the reference written into its description.
"""

import json
import threading
from collections import OrderedDict

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.datastructures import MultiDict

import batching
from appspec import parse_app
from cavatica import (
    ApiError,
    OutcomeUnknown,
    Unauthorized,
    split_app_id,
)
from forms.auth import ActionForm
from forms.inputs import file_ids
from forms.settings import batch_body
from forms.task import (
    build_task_form,
    default_task_name,
    draft_formdata,
    edit_body,
    keep_valid_submission_id,
    new_submission_id,
    submission_marker,
    task_body,
)

from . import (
    keep_posted_form,
    login_required,
    platform,
    platform_problem,
    platform_status,
    reuse,
    runs,
    send_to_sign_in,
    uses_deployment_token,
)

bp = Blueprint("tasks", __name__)

KEEP_SENT_BODIES = 10  # bodies of big batches are large, and the session is read on every request


# ---- one draft per submitted form -------------------------------------------------------------


class Submission:
    """One submitted form: the draft it made (once known), and whether its POST has ended."""

    def __init__(self):
        self.task_id = None
        self.done = threading.Event()


class SubmissionRegistry:
    """Process-wide {submission id: the draft it made}, so a double click makes one draft."""

    def __init__(self, size=1000):
        self.size = size
        self._entries = OrderedDict()
        self._uncertain = OrderedDict()  # submission ids whose POST /tasks had no answer
        self._lock = threading.Lock()

    def claim(self, submission_id):
        """(entry, True) for the first POST of this id; (the first one's entry, False) after."""
        with self._lock:
            entry = self._entries.get(submission_id)
            if entry is not None:
                return entry, False
            entry = self._entries[submission_id] = Submission()
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
            return entry, True

    def finish(self, entry, task_id):
        entry.task_id = task_id
        entry.done.set()

    def release(self, submission_id, entry, uncertain=False):
        """The submission failed: a later POST of the same form may try again. `uncertain`:
        the draft may exist after all, so that later POST looks for it first."""
        with self._lock:
            if self._entries.get(submission_id) is entry:
                del self._entries[submission_id]
            if uncertain:
                self._uncertain[submission_id] = True
                while len(self._uncertain) > self.size:
                    self._uncertain.popitem(last=False)
        entry.done.set()

    def was_uncertain(self, submission_id):
        with self._lock:
            return submission_id in self._uncertain


def registry():
    return current_app.extensions["submissions"]


# ---- the new-task page ------------------------------------------------------------------------


class TaskPage:
    """What the task form page needs: the app, its input specs and the form."""

    def __init__(self, owner, project, app, specs, form, mode, task=None):
        self.owner = owner
        self.project = project
        self.project_id = f"{owner}/{project}"
        self.app = app
        self.app_id, _ = split_app_id(app["id"])
        self.revision = app.get("revision")
        self.pinned_app_id = f"{self.app_id}/{self.revision}"
        self.specs = specs
        self.form = form
        self.mode = mode  # "new" or "edit"
        self.task = task
        self.file_names = {}
        self.missing_files = []
        self.preview = None
        self.preview_missing = []
        self.body = None
        self.problem = None
        self.notice = None

    @property
    def label(self):
        return self.app.get("name") or self.app_id

    def revisions(self):
        """The app's revisions, newest first, from its raw `sbg:revisionsInfo` when present."""
        raw = self.app.get("raw") or {}
        info = raw.get("sbg:revisionsInfo") or []
        revisions = []
        for item in info:
            if isinstance(item, dict) and isinstance(item.get("sbg:revision"), int):
                revisions.append(
                    {"number": item["sbg:revision"], "notes": item.get("sbg:revisionNotes") or ""}
                )
        if not revisions:
            revisions = [{"number": self.revision, "notes": ""}]
        return sorted(revisions, key=lambda r: r["number"], reverse=True)

    def render(self, status=200):
        return render_template("tasks/form.html", page=self), status


def load_app(owner, project, app_name, revision):
    """The app (a given revision comes from the cache after the first time) and its inputs."""
    app = platform().app(f"{owner}/{project}/{app_name}", revision)
    spec = parse_app(app.get("raw") or {})
    return app, spec.inputs


@bp.route("/projects/<owner>/<project>/apps/<app_name>/new", methods=["GET", "POST"])
@login_required
def new(owner, project, app_name):
    """Fill in a new task for an app at a revision; preview the batch; create the draft."""
    revision = request.args.get("revision", type=int)
    if revision is None or revision < 0:  # none, or no revision number: the latest
        # Pin the revision in the address, so the form posts (and caches) this very revision.
        latest = platform().app(f"{owner}/{project}/{app_name}")
        return redirect(
            url_for(
                ".new",
                owner=owner,
                project=project,
                app_name=app_name,
                revision=latest.get("revision"),
            )
        )
    app, specs = load_app(owner, project, app_name, revision)
    form_class = build_task_form(specs)
    restored = take_pending_form()
    if restored is not None:
        page = TaskPage(owner, project, app, specs, restored_form(form_class, restored), "new")
        page.notice = "Everything you entered is back. Check it, then create the draft."
        return show_form(page)
    form = form_class()
    page = TaskPage(owner, project, app, specs, form, "new")
    if request.method == "GET" and request.args.get("from_task"):
        return copy_of_task(page, request.args["from_task"])
    if request.method == "GET":
        form.name.data = default_task_name(page.label)
        form.submission_id.data = new_submission_id()
        return page.render()
    keep_valid_submission_id(form)

    def create(page):
        page.body = task_body(form, specs, page.project_id, page.pinned_app_id)
        return create_draft(page)

    return submit(page, create)


def submit(page, save):
    """A posted task form: shown again for "Preview batch" or a problem, else `save(page)`.
    Whatever the platform says, the form comes back as typed (after a sign-in for a 401)."""
    try:
        if request.form.get("action") == "import":
            said, problem = reuse.import_inputs(page)
            page.notice = " ".join(said) if said else f"Nothing was imported. {problem}"
            return show_form(page)
        if page.form.validate() and request.form.get("action") != "preview":
            return save(page)
        return show_form(page)
    except Unauthorized:
        return keep_form_and_sign_in()
    except ApiError as error:
        return show_form(page, error)


def copy_of_task(page, task_id):
    """The form filled from an earlier task (any status), to make a new draft like it."""
    source = platform().task(task_id)
    rerun = runs.rerun_of(platform(), source) if request.args.get("groups") == "failed" else None
    data = draft_formdata(rerun.task if rerun else source, page.specs)
    data["name"] = rerun.name if rerun else f"{source.get('name') or page.label} (copy)"
    data["submission_id"] = new_submission_id()
    page.form = build_task_form(page.specs)(formdata=data)
    copied = f"Filled in from the task “{source.get('name') or task_id}”. "
    page.notice = rerun.notice if rerun else copied + "Check it, then create the draft."
    page.source_name = source.get("name") or task_id  # the form shows what differs from it
    return show_form(page)


def show_form(page, error=None):
    """Re-render the form with chosen files' names, the batch preview and the body to be sent."""
    if error is not None:
        page.problem = platform_problem(error)
    form = page.form
    try:
        ids = file_ids(form.inputs.form, page.specs)
        files = platform().files_by_id(ids) if ids else {}  # one bulk call for every id shown
        page.missing_files = [i for i in ids if i not in files]
        page.file_names = {file_id: f.get("name", file_id) for file_id, f in files.items()}
        if not form.errors and page.body is None:
            page.body = body_of(page)
        page.preview, page.preview_missing = batch_preview_of(form, files)
        if request.form.get("action") == "preview" and page.preview is None:
            page.notice = no_preview_reason(form)
    except Unauthorized:
        return keep_form_and_sign_in()
    except ApiError as other:
        if page.problem is None:
            page.problem = platform_problem(other)
            error = other
    return page.render(platform_status(error) if error is not None else 200)


def body_of(page):
    if page.mode == "edit":
        return edit_body(page.form, page.specs, page.task)
    return task_body(page.form, page.specs, page.project_id, page.pinned_app_id)


def batch_preview_of(form, files):
    """The batch preview of the form as it stands, even when other fields still need work."""
    batch = form.batch.form
    if batch.mode.data != "on" or batch.errors or not batch.input.data:
        return None, []
    field = form.inputs.form.get(batch.input.data)
    if field is None or field.errors:
        return None, []
    batch_input, batch_by = batch_body(batch)
    return batch_preview(
        {"inputs": {batch_input: field.data}, "batch_input": batch_input, "batch_by": batch_by},
        files,
    )


def no_preview_reason(form):
    """Why "Preview batch" shows no preview, in words."""
    if form.batch.form.mode.data != "on":
        return "Batch is off, so there is no batch to preview: the draft will be one task."
    return "Choose the batch input and its files (and fix any problem marked) to see the preview."


def batch_preview(task, files):
    """Which child tasks a batch will make, from the chosen files' metadata."""
    ids = [
        item.get("path")
        for item in as_list(task["inputs"].get(task["batch_input"]))
        if isinstance(item, dict) and item.get("path")
    ]
    chosen = [files[i] for i in ids if i in files]
    try:
        preview = batching.preview(chosen, task["batch_by"])
    except ValueError:
        return None, []  # criteria the preview cannot read; the platform will judge them
    return preview, [i for i in ids if i not in files]


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def create_draft(page):
    """POST /tasks once for this form, then show the draft; a repeat POST goes to that draft."""
    submission_id = page.form.submission_id.data
    while True:
        entry, first = registry().claim(submission_id)
        if first:
            break
        entry.done.wait(current_app.config["SB_TIMEOUT"] * 2 + 5)
        if entry.task_id:
            return redirect(draft_url(page.project_id, entry.task_id))
        if not entry.done.is_set():
            page.problem = (
                "This form is still being submitted from another tab or click. "
                "Wait a moment, then look for the draft in the project."
            )
            return page.render(409)
    client = platform()
    try:
        if registry().was_uncertain(submission_id):
            # An earlier try of this very form got no answer; its draft may have appeared since.
            found = client.find_draft_by_marker(page.project_id, submission_marker(submission_id))
            if found is not None:
                return found_after_all(page, entry, found)
        task = client.create_task(page.body)
    except OutcomeUnknown as error:
        return after_unknown_outcome(page, entry, error)
    except BaseException:
        registry().release(submission_id, entry)  # an earlier uncertainty is kept as it was
        raise
    registry().finish(entry, task["id"])
    remember_sent(task, page.body)
    flash("The draft task was created. Nothing runs until you press Run.", "info")
    return redirect(draft_url(page.project_id, task["id"]))


def after_unknown_outcome(page, entry, error):
    """The answer to POST /tasks was lost: look for the draft by its reference before anything."""
    submission_id = page.form.submission_id.data
    marker = submission_marker(submission_id)
    try:
        found = platform().find_draft_by_marker(page.project_id, marker)
    except ApiError:
        registry().release(submission_id, entry, uncertain=True)
        page.problem = (
            f"{platform_problem(error)} We could not check whether the draft was created: "
            f"look in the project for a draft whose description ends with “ref {marker}” "
            "before you submit again."
        )
        return show_form(page)
    if found is None:
        registry().release(submission_id, entry, uncertain=True)
        page.problem = (
            "We could not tell whether the draft was created: CAVATICA's answer never came. "
            "We looked for it and nothing was found, so you can submit again; everything you "
            "entered is kept."
        )
        return show_form(page)
    return found_after_all(page, entry, found)


def found_after_all(page, entry, found):
    """The draft whose creation had no answer exists: show it, and never make another."""
    registry().finish(entry, found["id"])
    remember_sent(found, page.body)
    flash(
        "CAVATICA's answer was lost on the way, but the draft was created: here it is.",
        "warning",
    )
    return redirect(draft_url(page.project_id, found["id"]))


def keep_form_and_sign_in():
    """The user's token was refused mid-form: keep what they typed, sign in, come back to it."""
    if uses_deployment_token():
        raise_refused_deployment_token()
    keep_posted_form()
    return send_to_sign_in(
        "CAVATICA did not accept your token (it may have expired). Sign in again and you will "
        "be brought back to your form with everything you entered.",
        request.full_path.rstrip("?"),
    )


def raise_refused_deployment_token():
    raise Unauthorized("The deployment's token was refused.", status=401)


def restored_form(form_class, formdata, draft=None):
    """The form kept over a sign-in, checked as it was when sent, so the page shows its
    problems and the body it would send. Its data comes from the session, not from this
    request, so there is no CSRF token to check."""
    form = form_class(formdata=formdata, meta={"csrf": False})
    keep_valid_submission_id(form, draft)
    form.validate()
    return form


def take_pending_form():
    """The form data kept when the token was refused on this page, once."""
    pending = session.get("pending_form")
    if not pending or pending.get("path") != request.path or request.method != "GET":
        return None
    session.pop("pending_form")
    return MultiDict(pending["form"])


def remember_sent(task, body):
    """Keep the draft as it came back (shown once) and the body that made it (shown after)."""
    session["created_task"] = task
    sent = dict(session.get("sent_bodies") or {})
    sent[task["id"]] = body
    while len(sent) > KEEP_SENT_BODIES:
        sent.pop(next(iter(sent)))
    session["sent_bodies"] = sent


def draft_url(project_id, task_id):
    owner, project = project_id.split("/", 1)
    return url_for("tasks.show", owner=owner, project=project, task_id=task_id)


# ---- the draft page ---------------------------------------------------------------------------


@bp.route("/projects/<owner>/<project>/tasks/<task_id>")
@login_required
def show(owner, project, task_id):
    """A task as CAVATICA has it: just created (shown as it came back), or fetched."""
    created = session.get("created_task")
    if created and created.get("id") == task_id:
        session.pop("created_task")
        task, fresh = created, True
    else:
        task, fresh = platform().task(task_id), False
    view = TaskView(task, f"{owner}/{project}")
    offset = runs.children_offset(request.args)
    return render_template(
        "tasks/show.html",
        task=task,
        view=view,
        fresh=fresh,
        children=runs.children_of(task, offset),
        children_offset=offset,
        refresh_seconds=current_app.config["TASK_REFRESH_SECONDS"],
        sent_body=(session.get("sent_bodies") or {}).get(task_id),
        action_form=ActionForm(),
    )


class TaskView:
    """What the draft page shows about a task, looked up with as few calls as possible."""

    def __init__(self, task, project_id):
        self.task = task
        self.project_id = task.get("project") or project_id
        self.app_id, self.revision = split_app_id(task.get("app") or "")
        self.inputs = task.get("inputs") or {}
        self.labels = self._labels()
        self.names = self._names(sorted(unnamed_file_ids(self.inputs)))
        self.errors = issues_by_input(task.get("errors"))
        self.warnings = issues_by_input(task.get("warnings"))

    def _labels(self):
        if self.revision is None:
            return {}
        try:
            app = platform().app(self.app_id, self.revision)
        except Unauthorized:
            raise
        except ApiError:
            return {}  # labels are a nicety: the input ids still show
        return {spec.id: spec.label for spec in parse_app(app.get("raw") or {}).inputs}

    def _names(self, ids):
        if not ids:
            return {}
        try:
            # One round of bulk calls, skipped when the rate budget is nearly spent.
            return platform().file_names(ids)
        except Unauthorized:
            raise
        except ApiError:
            return {}  # names are a nicety: the draft, just made, must still show (with ids)

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


def collect_file_ids(value):
    """Every File/Directory path in an inputs object (nested in lists and records too)."""
    if isinstance(value, list):
        return {i for v in value for i in collect_file_ids(v)}
    if isinstance(value, dict):
        if value.get("class") in ("File", "Directory") and isinstance(value.get("path"), str):
            return {value["path"]}
        return {i for v in value.values() for i in collect_file_ids(v)}
    return set()


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


def pretty_json(value):
    return json.dumps(value, indent=2, sort_keys=False, ensure_ascii=False)


bp.add_app_template_filter(pretty_json, "pretty_json")


# ---- run, delete, edit ------------------------------------------------------------------------


@bp.route("/projects/<owner>/<project>/tasks/<task_id>/run", methods=["GET", "POST"])
@login_required
def run(owner, project, task_id):
    """Confirm what will start and that it costs money; then POST .../actions/run."""
    form = ActionForm()
    if form.validate_on_submit():
        platform().run_task(task_id)  # the platform refuses a task that is no longer a draft
        flash("The task was started in CAVATICA. It now costs money until it ends.", "info")
        return redirect(url_for(".show", owner=owner, project=project, task_id=task_id))
    task = platform().task(task_id)
    if task.get("status") != "DRAFT":
        flash("Only a draft can be run; this task has already started.", "warning")
        return redirect(url_for(".show", owner=owner, project=project, task_id=task_id))
    preview, missing = None, []
    if task.get("batch_input") and task.get("batch_by"):
        ids = sorted(collect_file_ids(task.get("inputs", {}).get(task["batch_input"])))
        files = platform().files_by_id(ids) if ids else {}
        preview, missing = batch_preview(task, files)
    return render_template(
        "tasks/confirm_run.html", task=task, form=form, preview=preview, missing=missing
    )


@bp.route("/projects/<owner>/<project>/tasks/<task_id>/delete", methods=["GET", "POST"])
@login_required
def delete(owner, project, task_id):
    """Confirm, then DELETE the draft and go back to the project."""
    form = ActionForm()
    if form.validate_on_submit():
        platform().delete_task(task_id)
        flash("The draft was deleted.", "info")
        return redirect(url_for("projects.show", owner=owner, project=project))
    task = platform().task(task_id)
    return render_template("tasks/confirm_delete.html", task=task, form=form)


@bp.route("/projects/<owner>/<project>/tasks/<task_id>/edit", methods=["GET", "POST"])
@login_required
def edit(owner, project, task_id):
    """The task form filled from the draft; saving PATCHes the draft."""
    task = platform().task(task_id)
    if task.get("status") != "DRAFT":
        flash("Only a draft can be edited; this task has already started.", "warning")
        return redirect(url_for(".show", owner=owner, project=project, task_id=task_id))
    app_id, revision = split_app_id(task.get("app") or "")
    if revision is None or app_id.count("/") != 2:
        abort(404)
    app = platform().app(app_id, revision)
    specs = parse_app(app.get("raw") or {}).inputs
    form_class = build_task_form(specs)
    restored = take_pending_form()
    if restored is not None:
        form = restored_form(form_class, restored, task)
        page = TaskPage(owner, project, app, specs, form, "edit", task=task)
        page.notice = "Your changes are back. Check them, then save the draft."
        return show_form(page)
    if request.method == "GET":
        form = form_class(formdata=draft_formdata(task, specs))
        return show_form(TaskPage(owner, project, app, specs, form, "edit", task=task))
    form = form_class()
    page = TaskPage(owner, project, app, specs, form, "edit", task=task)
    keep_valid_submission_id(form, task)

    def save(page):
        page.body = edit_body(form, specs, task)
        remember_sent(platform().update_task(task_id, page.body), page.body)
        flash("The draft was saved.", "info")
        return redirect(url_for(".show", owner=owner, project=project, task_id=task_id))

    return submit(page, save)
