"""The task form: a new task for an app at a pinned revision, or the edit of a draft.

A posted form is shown again ("Preview batch", a problem, a refusal from the platform), or
saved: a new one through `drafts.create_draft_once` (one draft per submitted form), an edited
one by a PATCH. Whatever happens, the form comes back as typed.
"""

import time
from dataclasses import dataclass, field, fields
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)

import batching
from cavatica import ApiError, Unauthorized, split_app_id
from deployment import with_creator
from drafts import Outcome, create_draft_once, look_for_draft
from forms.inputs import MAX_FILE_IDS, file_ids, mark_files_not_in_project
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

from .. import draft_registry, login_required, reuse, runs
from ..checks import check_form
from ..client import app_and_specs, get_client
from ..problems import platform_problem, platform_status
from ..problems import problem_title as title_of
from ..template_helpers import pretty_json
from . import bp, lost, suggested
from .kept_form import keep_form_and_sign_in, restored_form, take_pending_form
from .sent import remember_sent, sender


@dataclass(frozen=True)
class FormContext:
    """What a task form is for: an app at a pinned revision, in a project; new, or the edit of
    the draft `task`."""

    owner: str
    project: str
    app: dict
    specs: Any  # the app's InputSpecs
    mode: str = "new"  # "new" or "edit"
    task: dict | None = None

    @property
    def project_id(self):
        return f"{self.owner}/{self.project}"

    @property
    def app_id(self):
        return split_app_id(self.app["id"])[0]

    @property
    def revision(self):
        return self.app.get("revision")

    @property
    def pinned_app_id(self):
        return f"{self.app_id}/{self.revision}"

    @property
    def label(self):
        return self.app.get("name") or self.app_id

    def revisions(self):
        """The app's revisions, newest first, from its raw `sbg:revisionsInfo` when present."""
        raw = self.app.get("raw") or {}
        revisions = [
            {"number": item["sbg:revision"], "notes": item.get("sbg:revisionNotes") or ""}
            for item in raw.get("sbg:revisionsInfo") or []
            if isinstance(item, dict) and isinstance(item.get("sbg:revision"), int)
        ]
        if not revisions:
            revisions = [{"number": self.revision, "notes": ""}]
        return sorted(revisions, key=lambda r: r["number"], reverse=True)


@dataclass(frozen=True)
class FormPage(FormContext):
    """Everything the form page shows, gathered at once by `form_page`."""

    form: Any = None
    file_names: dict = field(default_factory=dict)  # {file id: name} of every id in the form
    missing_files: list = field(default_factory=list)  # ids the platform does not know
    preview: Any = None  # the batch preview (batching.preview), when there is one
    preview_missing: list = field(default_factory=list)
    body: dict | None = None  # the body that will be (or was just) sent
    problem: str | None = None
    problem_title: str | None = None  # what happened, over the problem: refused, lost, ...
    notice: str | None = None
    source_name: str | None = None  # the task a copy is made from: the form shows what differs
    preflight: Any = None  # the companion check of the chosen files (preflight.Report)
    copy_offers: list = field(default_factory=list)  # suggested files of other projects
    copy_ask: str | None = None  # the offer whose copy is being confirmed
    copy_name: str | None = None  # the name typed for the copy
    look_in_seconds: int | None = None  # a lost draft may still appear: look again after this
    drawn: dict = field(default_factory=dict)  # parts drawn ahead (`drawn_ahead`), by name
    chosen_ids: frozenset = frozenset()  # the file ids in the form's inputs

    @property
    def names_not_chosen(self) -> dict:
        """{file id: name} of the files looked up that no input has chosen (the app's suggested
        files): the chosen ones' names are on the page already, in their fields' spans."""
        return {i: n for i, n in self.file_names.items() if i not in self.chosen_ids}


def bare_page(context, form, **shown):
    """The form page with nothing looked up on the platform."""
    return FormPage(
        **{f.name: getattr(context, f.name) for f in fields(context)}, form=form, **shown
    )


def form_page(
    client,
    context,
    form,
    *,
    problem=None,
    problem_title=None,
    notice=None,
    body=None,
    source_name=None,
    asked_preview=False,
    files=None,
    preflight=None,
    copy_ask=None,
    copy_name=None,
    look_in_seconds=None,
):
    """The form page: chosen files' names (one bulk call, which also finds where the app's
    suggested files live), the companion check, the batch preview, the body to send. `files`
    and `preflight`: already looked up for this request.

    :return: (the page, the platform error that stopped the look-ups, or None).
    :raise Unauthorized: the token was refused.
    """
    shown = {}
    lookup_error = None
    try:
        ids = file_ids(form.inputs.form, context.specs)
        inputs = form.inputs.form
        # Only empty inputs get an offer, so only their suggestions are looked up.
        suggested_ids = [
            i
            for input_id, some in suggested.suggested_ids(context.specs).items()
            if not (input_id in inputs and getattr(inputs[input_id], "file_ids", ()))
            for i in some
        ]
        if len(ids) > MAX_FILE_IDS:
            # Too many to look up: the form says so, and no call is spent on this page at all.
            ids, suggested_ids, files = [], [], {}
        if not form.errors and body is None:  # needs no file: made before the look-ups
            body = body_of(context, form)
        if files is None:  # with each file's folder, where the companion check looks
            wanted = list(dict.fromkeys([*ids, *suggested_ids]))
            # Files this account's last pages looked up are taken as they were a moment ago.
            answer = client.files_by_id_later(wanted, parents=True, recent=True)
            # Meanwhile, a round trip: the parts of the page that do not need the files.
            shown["drawn"] = drawn_ahead(form, body)
            files = answer()
        unknown = [i for i in suggested_ids if i not in files]
        seen = {**files, **client.files_by_id(unknown)} if unknown else files
        shown["missing_files"] = [i for i in ids if i not in files]
        shown["copy_offers"] = suggested.offers(context.specs, form, seen, context.project_id)
        shown["file_names"] = {file_id: f.get("name", file_id) for file_id, f in files.items()}
        shown["chosen_ids"] = frozenset(ids)
        if preflight is None:
            preflight = check_form(client, context.app, context.specs, form.inputs.form, files)
        shown["preflight"] = preflight
        shown["preview"], shown["preview_missing"] = batch_preview_of(form, files)
        if asked_preview and shown["preview"] is None:
            notice = no_preview_reason(form)
    except Unauthorized:
        raise
    except ApiError as error:
        if problem is None:
            problem, lookup_error = platform_problem(error), error
            problem_title = title_of(error)
    page = bare_page(
        context,
        form,
        body=body,
        problem=problem,
        problem_title=problem_title,
        notice=notice,
        source_name=source_name,
        copy_ask=copy_ask,
        copy_name=copy_name,
        look_in_seconds=look_in_seconds,
        **shown,
    )
    return page, lookup_error


def show_form(
    context,
    form,
    *,
    error=None,
    problem=None,
    problem_title=None,
    notice=None,
    body=None,
    source_name=None,
    files=None,
    preflight=None,
    copy_ask=None,
    copy_name=None,
    look_in_seconds=None,
):
    """The form page, as typed, with `error` (a platform error) or `problem` above it."""
    if error is not None:
        problem, problem_title = platform_problem(error), title_of(error)
    try:
        page, lookup_error = form_page(
            get_client(),
            context,
            form,
            problem=problem,
            problem_title=problem_title,
            notice=notice,
            body=body,
            source_name=source_name,
            asked_preview=request.form.get("action") == "preview",
            files=files,
            preflight=preflight,
            copy_ask=copy_ask,
            copy_name=copy_name,
            look_in_seconds=look_in_seconds,
        )
    except Unauthorized:
        return keep_form_and_sign_in()
    error = error if error is not None else lookup_error
    return render_form(page, platform_status(error) if error is not None else 200)


def drawn_ahead(form, body):
    """The settings and the JSON body as the page shows them: they do not depend on the chosen
    files, so they can be drawn while those are looked up (a few ms for a large body)."""
    settings = "tasks/_settings.html"
    return {
        "execution": get_template_attribute(settings, "render_execution")(form.execution.form),
        "batch": get_template_attribute(settings, "render_batch")(form.batch.form),
        "body": pretty_json(body) if body else None,
    }


def render_form(page, status=200):
    return render_template("tasks/form.html", page=page), status


def body_of(context, form):
    if context.mode == "edit":
        return edit_body(form, context.specs, context.task)
    return task_body(form, context.specs, context.project_id, context.pinned_app_id)


def batch_preview_of(form, files):
    """The batch preview of the form as it stands, even when other fields still need work."""
    batch = form.batch.form
    if batch.mode.data != "on" or batch.errors or not batch.input.data:
        return None, []
    field = form.inputs.form.get(batch.input.data)
    if field is None or field.errors:
        return None, []
    batch_input, batch_by = batch_body(batch)
    return batching.task_preview(
        {"inputs": {batch_input: field.data}, "batch_input": batch_input, "batch_by": batch_by},
        files,
    )


def no_preview_reason(form):
    """Why "Preview batch" shows no preview, in words."""
    if form.batch.form.mode.data != "on":
        return "Batch is off, so there is no batch to preview: the draft will be one task."
    return "Choose the batch input and its files (and fix any problem marked) to see the preview."


def submit(context, form, save):
    """A posted task form: shown again for "Preview batch" or a problem, else `save(...)`.
    Whatever the platform says, the form comes back as typed (after a sign-in for a 401)."""
    try:
        action = request.form.get("action")
        if suggested.ASK in request.form or action == "copy_cancel":
            # Open (or close) the confirmation of a copy; nothing is sent yet.
            ask = suggested.asked(request.form) if action != "copy_cancel" else None
            return show_form(context, form, copy_ask=ask)
        if action == "copy":
            copied, notice, problem = suggested.copy_and_use(get_client(), context, request.form)
            copied.submission_id.data = form.submission_id.data  # checked (or new) above
            ask = suggested.asked(request.form) if problem else None
            name = request.form.get(suggested.NAME) if problem else None
            return show_form(
                context, copied, notice=notice, problem=problem, copy_ask=ask, copy_name=name
            )
        if action == "import":
            imported, said, problem = reuse.import_inputs(context)
            if imported is not None:
                imported.submission_id.data = form.submission_id.data
            notice = " ".join(said) if said else f"Nothing was imported. {problem}"
            return show_form(context, imported or form, notice=notice)
        if action == "look" and context.mode == "new":
            return look_again(context, form)
        if action == "create" and context.mode == "new":
            made = draft_of_first_press(context, form)
            if made is not None:
                return made
        if form.validate() and request.form.get("action") != "preview":
            files = chosen_files(context, form)
            if mark_files_not_in_project(form.inputs.form, files, context.project_id):
                return show_form(context, form, files=files)  # marked on their fields
            report = companion_check(context, form, files)
            fingerprint = report.fingerprint()
            if fingerprint and request.form.get("preflight_ack") != fingerprint:
                # Not seen on this page yet: show it; the next press creates it anyway.
                return show_form(context, form, notice=HELD_BACK, files=files, preflight=report)
            return save(context, form, note=report.note())
        return show_form(context, form)
    except Unauthorized:
        return keep_form_and_sign_in()
    except ApiError as error:
        return show_form(context, form, error=error)


HELD_BACK = (
    "Nothing was created yet: some chosen files lack a companion file the app needs "
    "(marked below). Add them in CAVATICA and check again, or create the draft anyway."
)


def chosen_files(context, form):
    """The chosen files as the platform knows them, with their folders: one bulk look-up (100
    ids a call) before anything is saved, so an id that is no file of this project is marked
    on its field instead of making a draft with platform errors."""
    ids = file_ids(form.inputs.form, context.specs)
    # What the preview just looked up is not asked again: the create is then one round trip.
    return get_client().files_by_id(ids, parents=True, recent=True) if ids else {}


def companion_check(context, form, files):
    """The companion check of the chosen `files`: what decides whether the form is saved at
    once. A form whose files have no companion to look for costs no further call."""
    return check_form(
        get_client(),
        context.app,
        context.specs,
        form.inputs.form,
        files,
        companions_only=True,
    )


# ---- a new task -------------------------------------------------------------------------------


def load_app(owner, project, app_name, revision):
    """The app at a revision and its inputs."""
    return app_and_specs(get_client(), f"{owner}/{project}/{app_name}", revision)


@bp.route("/projects/<owner>/<project>/apps/<app_name>/new", methods=["GET", "POST"])
@login_required
def new(owner, project, app_name):
    """Fill in a new task for an app at a revision; preview the batch; create the draft."""
    revision = request.args.get("revision", type=int)
    if revision is None or revision < 0:  # none, or no revision number: the latest
        # Pin the revision in the address, so the form posts (and caches) this very revision.
        latest = get_client().app(f"{owner}/{project}/{app_name}")
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
    context = FormContext(owner, project, app, specs)
    form_class = build_task_form(specs)
    restored = take_pending_form()
    if restored is not None:
        notice = "Everything you entered is back. Check it, then create the draft."
        return show_form(context, restored_form(form_class, restored), notice=notice)
    if request.method == "GET" and request.args.get("from_task"):
        return copy_of_task(context, request.args["from_task"])
    form = form_class()
    if request.method == "GET":
        form.name.data = default_task_name(context.label)
        form.submission_id.data = new_submission_id()
        offers = suggested.offers_on_opening(get_client(), context, form)
        return render_form(bare_page(context, form, copy_offers=offers))
    keep_valid_submission_id(form)
    return submit(context, form, create_draft)


def copy_of_task(context, task_id):
    """The form filled from an earlier task (any status), to make a new draft like it."""
    source = get_client().task(task_id)
    rerun = runs.rerun_of(get_client(), source) if request.args.get("groups") == "failed" else None
    data = draft_formdata(rerun.task if rerun else source, context.specs)
    data["name"] = rerun.name if rerun else f"{source.get('name') or context.label} (copy)"
    data["submission_id"] = new_submission_id()
    form = build_task_form(context.specs)(formdata=data)
    copied = f"Filled in from the task “{source.get('name') or task_id}”. "
    notice = rerun.notice if rerun else copied + "Check it, then create the draft."
    # The form shows what differs from the source task as it is edited.
    return show_form(context, form, notice=notice, source_name=source.get("name") or task_id)


def create_draft(context, form, note=""):
    """Create the draft of this form once (`drafts.create_draft_once`), and answer the user.
    `note`: what the companion check found missing, for the description."""
    body = task_body(form, context.specs, context.project_id, context.pinned_app_id, note=note)
    body["description"] = with_creator(body["description"])
    submission_id = form.submission_id.data
    result = create_draft_once(
        get_client(),
        draft_registry(),
        guard_key(submission_id),
        body,
        project_id=context.project_id,
        marker=submission_marker(submission_id),
        wait_seconds=first_press_wait(),
        look_seconds=lost.look_seconds(current_app.config["SB_TIMEOUT"]),
    )
    return draft_answer(context, form, result, body)


def first_press_wait():
    """How long a press waits for the draft an earlier press of its form is making: long
    enough for that request's POST to time out and its look-up to end."""
    return current_app.config["SB_TIMEOUT"] * 2 + 5


def draft_of_first_press(context, form):
    """The second press of a form whose first press is making (or made) its draft: that
    draft, as soon as it is known, without checking the form again (a double click on 1,000
    files spent a second check's work beside the first, slowing both). None: go on as usual
    (nothing known, or the first press ended without a draft)."""
    key = guard_key(form.submission_id.data)
    known = draft_registry().lookup(key)
    if known.in_progress and not known.task_id:
        known = draft_registry().lookup(key, wait=first_press_wait())
    if known.task_id:
        return redirect(draft_url(context.project_id, known.task_id))
    return None


def look_again(context, form):
    """“Look again” after a lost answer: look for this form's draft; never create it."""
    form.validate()  # for the page shown again; the look needs only the submission id
    submission_id = form.submission_id.data
    result = look_for_draft(
        get_client(),
        draft_registry(),
        guard_key(submission_id),
        project_id=context.project_id,
        marker=submission_marker(submission_id),
    )
    if result.outcome is Outcome.NOT_MADE:
        return show_form(context, form, notice=lost.NOT_MADE)
    return draft_answer(context, form, result, None)


def draft_answer(context, form, result, body):
    """The page after a create (or a look) for this form: its draft, or why there is none yet.
    `body`: what was sent, when this request sent it."""
    if result.outcome is Outcome.ALREADY_CREATED:
        return redirect(draft_url(context.project_id, result.task_id))
    if result.outcome is Outcome.CREATED:
        remember_sent(result.task, body)
        flash("The draft task was created. Nothing runs until you press Run.", "info")
        return redirect(draft_url(context.project_id, result.task_id))
    if result.outcome is Outcome.FOUND_AFTER_ALL:
        if body is not None:
            remember_sent(result.task, body)
        flash(
            "CAVATICA's answer was lost on the way, but the draft was created: here it is.",
            "warning",
        )
        return redirect(draft_url(context.project_id, result.task_id))
    if result.outcome is Outcome.IN_PROGRESS:
        problem = (
            "This form is still being submitted from another tab or click. "
            "Wait a moment, then look for the draft in the project."
        )
        page = bare_page(
            context, form, body=body, problem=problem, problem_title="Already being sent"
        )
        return render_form(page, 409)
    now = time.time()
    marker = submission_marker(form.submission_id.data)
    return show_form(
        context,
        form,
        problem=lost.problem_of(result, marker, now),
        problem_title=lost.TITLE,
        body=body,
        look_in_seconds=lost.look_in_seconds(result, now),
    )


def guard_key(submission_id):
    """The one-draft guard's key: who submits (the account, never its token, and the sign-on
    user) with the submission id, so that another user's id leads to nothing of theirs."""
    return f"{sender()}:{submission_id}"


def draft_url(project_id, task_id):
    owner, project = project_id.split("/", 1)
    return url_for("tasks.show", owner=owner, project=project, task_id=task_id)


# ---- the edit of a draft ----------------------------------------------------------------------


@bp.route("/projects/<owner>/<project>/tasks/<task_id>/edit", methods=["GET", "POST"])
@login_required
def edit(owner, project, task_id):
    """The task form filled from the draft; saving PATCHes the draft."""
    task = get_client().task(task_id)
    if task.get("status") != "DRAFT":
        flash("Only a draft can be edited; this task has already started.", "warning")
        return redirect(url_for(".show", owner=owner, project=project, task_id=task_id))
    app_id, revision = split_app_id(task.get("app") or "")
    if revision is None or app_id.count("/") != 2:
        abort(404)
    app, specs = app_and_specs(get_client(), app_id, revision)
    context = FormContext(owner, project, app, specs, "edit", task)
    form_class = build_task_form(specs)
    restored = take_pending_form()
    if restored is not None:
        notice = "Your changes are back. Check them, then save the draft."
        return show_form(context, restored_form(form_class, restored, task), notice=notice)
    if request.method == "GET":
        return show_form(context, form_class(formdata=draft_formdata(task, specs)))
    form = form_class()
    keep_valid_submission_id(form, task)
    return submit(context, form, save_draft)


def save_draft(context, form, note=""):
    """PATCH the draft with the form's body, then show it."""
    body = edit_body(form, context.specs, context.task, note=note)
    remember_sent(get_client().update_task(context.task["id"], body), body)
    flash("The draft was saved.", "info")
    return redirect(draft_url(context.project_id, context.task["id"]))
