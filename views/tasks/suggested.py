"""Suggested files from elsewhere: many apps suggest reference files (`sbg:suggestedValue`) that
live in a public project, while a task's inputs must be files of its own project. The form
offers such a file with a step that copies it into the project (confirmed, with the copy's
name; `POST /files/{id}/actions/copy`, never retried) and then puts the copy in the input.

Everything goes through the task form itself (its buttons post the whole form), so whatever was
typed comes back, copy or no copy.
"""

from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from cavatica import ApiError, OutcomeUnknown, Unauthorized
from forms.input_kinds import Files, kind_of
from forms.task import build_task_form

from ..problems import platform_problem

ASK = "copy_ask"  # the button that opens the confirmation: "<input id>/<file id>"
INPUT, FILE, NAME = "copy_input", "copy_file", "copy_name"


@dataclass(frozen=True)
class Offer:
    input_id: str
    label: str
    file_id: str
    name: str
    project: str  # where the suggested file lives

    @property
    def key(self):
        return f"{self.input_id}/{self.file_id}"


def suggested_ids(specs):
    """{input id: [file ids]} of the File inputs whose app suggests files."""
    found = {}
    for spec in specs:
        if not spec.has_suggested_value or type(kind_of(spec.type)) is not Files:
            continue
        value = spec.suggested_value
        items = value if isinstance(value, list) else [value]
        ids = [
            item["path"]
            for item in items
            if isinstance(item, dict) and isinstance(item.get("path"), str) and item["path"]
        ]
        if ids:
            found[spec.id] = ids
    return found


def offers(specs, form, files, project_id):
    """The suggested files of other projects, for the inputs still empty, as `files` (the bulk
    look-up of the page) describes them. A suggestion the platform did not return (gone, or not
    visible to this account) is not offered."""
    inputs = form.inputs.form
    out = []
    for spec in specs:
        for file_id in suggested_ids([spec]).get(spec.id, ()):
            found = files.get(file_id)
            field = inputs[spec.id] if spec.id in inputs else None
            if found is None or found.get("project") == project_id:
                continue
            if getattr(field, "file_ids", ()):  # something is chosen already
                continue
            name, where = found.get("name") or file_id, found.get("project") or ""
            out.append(Offer(spec.id, spec.display_label, file_id, name, where))
    return out


def offers_on_opening(client, context, form):
    """The offers of a form just opened (one bulk call, only when the app suggests files); a
    platform error leaves them out: they are a convenience, the form must still open."""
    ids = [i for ids in suggested_ids(context.specs).values() for i in ids]
    if not ids:
        return []
    try:
        files = client.files_by_id(ids)
    except Unauthorized:
        raise
    except ApiError:
        return []
    return offers(context.specs, form, files, context.project_id)


def asked(form_data):
    """The offer key whose confirmation is open, from the button pressed or the open panel."""
    key = form_data.get(ASK)
    if key:
        return key
    if form_data.get("action") == "copy" and form_data.get(INPUT) and form_data.get(FILE):
        return f"{form_data[INPUT]}/{form_data[FILE]}"
    return None


def copy_and_use(client, context, form_data):
    """Copy the confirmed file into the project; the form with the copy in its input.

    :return: (form, notice, problem): the form as typed plus the copy's id, or, when the copy
        failed, the form as typed and a sentence saying why (the confirmation stays open).
    """
    input_id, file_id = form_data.get(INPUT, ""), form_data.get(FILE, "")
    name = form_data.get(NAME, "").strip()
    form_class = build_task_form(context.specs)
    as_typed = form_class(formdata=form_data)
    if input_id not in suggested_ids(context.specs) or file_id not in suggested_ids(
        context.specs
    ).get(input_id, ()):
        return as_typed, None, "That file is not one this app suggests; nothing was copied."
    if not name:
        return as_typed, None, "Give the copy a name: the name it will have in this project."
    try:
        copy = client.copy_file(file_id, project=context.project_id, name=name)
    except OutcomeUnknown:
        return (
            as_typed,
            None,
            (
                f"The copy was asked for, but CAVATICA's answer never came, so it is not known "
                f"whether “{name}” was made. Look for it in this project's files (the picker finds "
                "it by name) before copying again."
            ),
        )
    except ApiError as error:
        if error.status == 409:
            return (
                as_typed,
                None,
                (
                    f"This project already has a file named “{name}”. Give the copy another name, "
                    "or choose that file with the picker."
                ),
            )
        return as_typed, None, f"The file was not copied. {platform_problem(error)}"
    data = MultiDict(form_data)
    field_name = f"inputs-{input_id}"
    kept = [i for i in data.get(field_name, "").split() if i != file_id]
    data.setlist(field_name, [" ".join([*kept, copy["id"]])])
    for key in (ASK, INPUT, FILE, NAME, "action"):
        data.poplist(key)
    notice = (
        f"“{copy.get('name') or name}” was copied into this project, and the input uses the copy."
    )
    return form_class(formdata=data), notice, None
