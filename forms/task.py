"""The whole task form (name, description, inputs, execution and batch settings) and the one
place that turns it into the body of POST /tasks (or of the PATCH that edits a draft)."""

import datetime
import re
import uuid

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import FormField, HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from forms.inputs import (
    MAX_FILE_IDS,
    build_inputs_form,
    file_ids,
    inputs_body,
    inputs_formdata,
    set_batch_input,
    too_many_ids_message,
)
from forms.settings import (
    BatchForm,
    ExecutionSettingsForm,
    batch_body,
    batch_input_choices,
    execution_body,
    fill_batch,
    fill_execution,
)
from preflight import NOTE_HEADING

MARKER_LENGTH = 12
MARKER_TEXT = "Submitted from the draft-task launcher, ref "
# The marker line at the end of a description, with the blank line that separates it.
_MARKER_RE = re.compile(r"\s*" + re.escape(MARKER_TEXT) + r"([0-9a-f]{12})\s*\Z")
# The note a save with files lacking companions writes above the marker (preflight.Report.note).
_NOTE_RE = re.compile(r"\s*" + re.escape(NOTE_HEADING) + r" [^\n]*(\n- [^\n]*)*\s*\Z")
# A new submission id is 32 hex digits; when editing, the draft's 12-digit marker stands in.
_SUBMISSION_ID_RE = re.compile(r"[0-9a-f]{12}([0-9a-f]{20})?")


def build_task_form(specs):
    """A FlaskForm class for one app's inputs (a fresh class per call; `specs` = its InputSpecs)."""

    class TaskForm(FlaskForm):
        name = StringField(
            "Task name",
            validators=[
                InputRequired(message="Give the task a name."),
                Length(max=255, message="Keep the name under 256 characters."),
            ],
            description="How the task is listed in CAVATICA.",
        )
        description = TextAreaField(
            "Description",
            description="Optional notes for you and your colleagues. A reference line is added "
            "at the end so a lost submission can be found again.",
        )
        inputs = FormField(build_inputs_form(specs), separator="-")
        execution = FormField(ExecutionSettingsForm, separator="-")
        batch = FormField(BatchForm, separator="-")
        # Made when the empty form is shown; a second POST with the same id makes no second draft.
        submission_id = HiddenField()

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.batch.form.input.choices = batch_input_choices(specs)

        def validate(self, extra_validators=None):
            # The batch input may hold several files even when it is a single File input.
            batch = self.batch.form
            set_batch_input(self.inputs, batch.input.data if batch.mode.data == "on" else None)
            valid = super().validate(extra_validators)
            count = len(file_ids(self.inputs))
            holders = [f for f in self.inputs.form if getattr(f, "file_ids", None)]
            if count > MAX_FILE_IDS and all(len(f.file_ids) <= MAX_FILE_IDS for f in holders):
                # Marked on the first input that holds ids, so the summary links to a field.
                field, message = holders[0], too_many_ids_message(count, "The form")
                field.errors = [*field.errors, message]
                field.sub_errors.setdefault(field.name, []).append(message)
                return False
            return valid

    return TaskForm


def new_submission_id():
    return uuid.uuid4().hex


def valid_submission_id(value):
    """True for an id made by `new_submission_id`, or for a draft's marker (when editing)."""
    return bool(value) and bool(_SUBMISSION_ID_RE.fullmatch(value))


def keep_valid_submission_id(form, draft=None):
    """Replace a missing or tampered submission id: by the draft's own marker when editing
    (so the reference in its description stays the same), else by a new id."""
    if not valid_submission_id(form.submission_id.data):
        _text, marker = split_marker((draft or {}).get("description"))
        form.submission_id.data = marker or new_submission_id()


def submission_marker(submission_id):
    """The short reference written into the draft's description."""
    return submission_id[:MARKER_LENGTH]


def split_marker(description):
    """(the description without our reference line, the marker or None)."""
    description = description or ""
    match = _MARKER_RE.search(description)
    if not match:
        return description, None
    return description[: match.start()], match.group(1)


def split_note(description):
    """The description without the pre-flight note an earlier save wrote above the marker."""
    match = _NOTE_RE.search(description or "")
    return (description or "")[: match.start()] if match else (description or "")


def description_with_marker(description, marker, note=""):
    """The user's text, then the pre-flight note (what was missing), then the marker line.
    An earlier note goes: the check is made again for each save."""
    text, _old = split_marker(description)
    parts = [part for part in (split_note(text).strip(), note.strip()) if part]
    return "\n\n".join([*parts, MARKER_TEXT + marker])


def default_task_name(app_label, today=None):
    today = today or datetime.date.today()
    return f"{app_label} {today.isoformat()}"


def task_body(form, specs, project, app_id, note=""):
    """The JSON body of POST /tasks from a validated task form.

    Only keys that are set are sent (an unset setting means the project's default); the app is
    `app_id` as given, pinned to a revision by the caller. Never asks the platform to run.
    """
    execution_settings, spot = execution_body(form.execution.form)
    batch_input, batch_by = batch_body(form.batch.form)
    body = {"name": (form.name.data or "").strip(), "project": project, "app": app_id}
    body["description"] = description_with_marker(
        form.description.data, submission_marker(form.submission_id.data), note
    )
    body["inputs"] = inputs_body(form.inputs.form, specs, batch_input=batch_input)
    if execution_settings:
        body["execution_settings"] = execution_settings
    if spot is not None:
        body["use_interruptible_instances"] = spot
    if batch_input:
        body["batch_input"] = batch_input
        body["batch_by"] = batch_by
    return body


def edit_body(form, specs, draft, note=""):
    """The PATCH body that makes `draft` match the form (project and app do not change).

    A draft that was a batch and no longer is gets `"batch": false`, the platform's documented
    switch (nulls would leave its batch settings as they were).
    """
    body = task_body(form, specs, project=None, app_id=None, note=note)
    del body["project"], body["app"]
    if (draft.get("batch") or draft.get("batch_input")) and "batch_input" not in body:
        body["batch"] = False
    return body


def draft_formdata(task, specs):
    """Form data that shows an existing draft in the task form (for Edit)."""
    description, marker = split_marker(task.get("description"))
    data = MultiDict(
        {
            "name": task.get("name") or "",
            "description": split_note(description),
            "submission_id": marker or new_submission_id(),
        }
    )
    data.update(inputs_formdata(specs, task.get("inputs") or {}))
    data.update(fill_execution(task))
    data.update(fill_batch(task))
    return data


def error_list(form):
    """(field id, label, message) for every error of a form, nested forms included, in order."""
    found = []
    for field in form:
        found += _field_errors(field)
    return found


def _field_errors(field):
    if field.type == "FormField":
        return error_list(field.form)
    if field.type == "FieldList":
        return [error for entry in field.entries for error in _field_errors(entry)]
    if field.type in ("HiddenField", "CSRFTokenField"):
        return []
    messages = field.errors if isinstance(field.errors, list | tuple) else []
    label = field.label.text
    return [(field.id, label, message) for message in messages if isinstance(message, str)]
