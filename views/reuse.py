"""Starting from what ran before: a task's inputs exported as JSON (the platform's `inputs`
object), and such a file imported into the task form, with what cannot be carried over (inputs
the app does not have, files that are not in the project) said by name and the rest of the form
kept as it was.

- `GET /projects/<o>/<p>/tasks/<id>/inputs.json`: the task's `inputs` object, as a download;
- the task form's `action=import` with `import_json` fills the inputs from such a file
  (`import_inputs`).
"""

import json
import re

from flask import Blueprint, request
from werkzeug.datastructures import MultiDict

from appspec import strip_id
from forms.inputs import inputs_formdata, inputs_problems
from forms.task import build_task_form

from . import login_required
from .client import get_client

bp = Blueprint("reuse", __name__)

MAX_IMPORT_CHARS = 2_000_000  # a 10,000-file batch input is about 1 MB of JSON


@bp.get("/projects/<owner>/<project>/tasks/<task_id>/inputs.json")
@login_required
def export_inputs(owner, project, task_id):
    """The task's `inputs` object as a file to keep, share or import into another task."""
    task = get_client().task(task_id)
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", task.get("name") or task_id).strip("-.")[:80]
    body = json.dumps(task.get("inputs") or {}, indent=2, ensure_ascii=False) + "\n"
    return (
        body,
        200,
        {
            "Content-Type": "application/json; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{name or "task"}-inputs.json"',
            "Cache-Control": "no-store",
        },
    )


def read_inputs_file(text):
    """(inputs object, None) from the text of an exported file (a bare `inputs` object, or a
    whole task with an `inputs` key), or (None, why it cannot be read)."""
    if not text.strip():
        return None, "Choose a JSON file of inputs (or paste its text) first."
    if len(text) > MAX_IMPORT_CHARS:
        return None, "This file is too large to import (more than 2 MB)."
    try:
        data = json.loads(text)
    except ValueError as error:
        return None, f"This is not JSON: {error}."
    if isinstance(data, dict) and isinstance(data.get("inputs"), dict):
        data = data["inputs"]
    if not isinstance(data, dict):
        return None, 'The file must hold a JSON object of inputs, {"input id": value, ...}.'
    return data, None


def file_refs(value):
    """Every File/Directory object in a value (nested lists and records too)."""
    if isinstance(value, list):
        return [ref for item in value for ref in file_refs(item)]
    if isinstance(value, dict):
        if value.get("class") in ("File", "Directory") and isinstance(value.get("path"), str):
            return [value]
        return [ref for item in value.values() for ref in file_refs(item)]
    return []


def without_paths(value, gone):
    """The value with every File/Directory object whose path is in `gone` left out."""
    if isinstance(value, list):
        kept = [without_paths(item, gone) for item in value if not _is_gone(item, gone)]
        return [item for item in kept if item is not None]
    if isinstance(value, dict):
        if _is_gone(value, gone):
            return None
        return {key: without_paths(item, gone) for key, item in value.items()}
    return value


def _is_gone(value, gone):
    return (
        isinstance(value, dict)
        and value.get("class") in ("File", "Directory")
        and (value.get("path") in gone)
    )


def import_inputs(context):
    """The posted form with its inputs filled from the imported file, everything else as
    posted; one bulk call checks that the file's files are in the project.

    :return: (the form, the notice's sentences, None), or (None, None, what is wrong).
    """
    inputs, problem = read_inputs_file(request.form.get("import_json", ""))
    if problem:
        return None, None, problem
    refs = file_refs(inputs)
    found = get_client().files_by_id([ref["path"] for ref in refs]) if refs else {}
    gone = {
        ref["path"]: ref.get("name") or ref["path"]
        for ref in refs
        if (found.get(ref["path"]) or {}).get("project") != context.project_id
    }
    known = {spec.id for spec in context.specs}
    given = {strip_id(key): value for key, value in inputs.items()}
    cleaned = {key: without_paths(value, gone) for key, value in given.items() if key in known}
    data = MultiDict(
        (key, value)
        for key, value in request.form.items(multi=True)
        if key not in ("action", "import_json") and not _belongs(key, cleaned)
    )
    data.update(inputs_formdata(context.specs, cleaned))
    form = build_task_form(context.specs)(formdata=data)
    said = [f"Imported {len(cleaned)} input{'s' if len(cleaned) != 1 else ''} from the file."]
    said += inputs_problems(context.specs, inputs)
    if gone:
        names = ", ".join(f"“{name}”" for name in dict.fromkeys(gone.values()))
        said.append(f"Not in this project, so left out: {names}.")
    return form, said, None


def _belongs(key, input_ids):
    """True for the form keys of those inputs: `inputs-reads`, `inputs-reads-0-@row`, ..."""
    return any(key == f"inputs-{i}" or key.startswith(f"inputs-{i}-") for i in input_ids)
