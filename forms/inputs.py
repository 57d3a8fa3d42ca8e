"""The per-app inputs form: one field per input node, built fresh for every request.

    InputsForm = build_inputs_form(app_spec.inputs)      # a plain wtforms.Form subclass
    form = InputsForm(request.form, prefix="inputs")     # or FormField(InputsForm, separator="-")
    form.validate()
    body_inputs = inputs_body(form, specs, batch_input)  # the platform's `inputs` object

Each input is one `AppInputField` whose HTML name is `inputs-<input id>`; the field reads its
own sub-names (records `inputs-<id>-<field>`, rows `inputs-<id>-<n>`, see `forms.input_names`),
keeps everything as typed for re-rendering, and exposes the parsed CWL value as `.data` (None
when the input is left empty, so it is left out of the body). How each kind of input is read,
written and drawn is in `forms.input_kinds`.

Input ids need not be Python identifiers, and may even be `data` or `validate`: the form maps
such ids to safe attribute names, and `form[input_id]`, `form.data` and `form.errors` speak in
input ids. In templates always use `form[input_id]`.

The batch input: a single File/Directory field accepts several ids, but validation says "choose
one file" unless the field was told it is the batch input. The task form does that before
validating, with `set_batch_input(inputs_form, batch_input)` (or calls
`validate_inputs(inputs_form, specs, batch_input)`); `inputs_body(..., batch_input)` then sends
that input as a list of File objects.
"""

from __future__ import annotations

import keyword
from collections.abc import Iterable, Mapping
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.fields import Field, FormField
from wtforms.utils import unset_value
from wtforms.validators import ValidationError

from appspec import FILE_KINDS, AppSpec, InputSpec, PrimitiveType, strip_id

from .input_controls import Control, Layout, build_layout
from .input_kinds import encode_value, input_control, matches, parse_value
from .input_names import TOP
from .input_values import MISSING, ParseContext

__all__ = [
    "AppInputField",
    "build_inputs_form",
    "file_ids",
    "mark_files_not_in_project",
    "inputs_body",
    "inputs_formdata",
    "inputs_problems",
    "set_batch_input",
    "validate_inputs",
]

PREFIX = "inputs-"
# File and folder ids one input, and one whole form, may hold: the page looks every id up (100
# a call), so this bounds what one form costs of the account's rate budget (50 calls).
MAX_FILE_IDS = 5000


def too_many_ids_message(count: int, where: str) -> str:
    return (
        f"{where} holds {count:,} file ids; at most {MAX_FILE_IDS:,} are taken per input and "
        "per form. Split the work into several tasks."
    )


def _specs(specs: AppSpec | Iterable[InputSpec]) -> list[InputSpec]:
    return list(specs.inputs) if isinstance(specs, AppSpec) else list(specs)


def _is_single_file(spec: InputSpec) -> bool:
    return isinstance(spec.type, PrimitiveType) and spec.type.name in FILE_KINDS


class AppInputField(Field):
    """One app input, whatever its type: scalars, files, enums, arrays, records, unions."""

    def __init__(self, label=None, validators=None, *, spec: InputSpec, **kwargs):
        super().__init__(label if label is not None else spec.display_label, validators, **kwargs)
        self.spec = spec
        self.batch = False  # set by `set_batch_input` for the app's batch input
        self.default_unused = False  # the CWL default could not be put in the form
        self.sub_errors: dict[str, list[str]] = {}
        self._parse_errors: dict[str, list[str]] = {}
        self.file_ids: list[str] = []
        self.file_places: list[tuple[str, str, list[str]]] = []  # see ParseContext
        self.validated = False
        self.formdata: Any = MultiDict()

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.process_errors = []
        self.default_unused = False
        if formdata is None:
            # First display: fill from given data, else from the CWL default.
            value = data if data is not unset_value else None
            from_default = value is None and self.spec.has_default
            if from_default:
                value = self.spec.default
            formdata = MultiDict()
            if value is not None:
                encode_value(
                    self.spec.type,
                    value,
                    self.name,
                    formdata,
                    required=self.spec.required,
                    position=TOP,
                )
            if from_default and self._unreadable(formdata):
                # A default the form cannot hold (say, a File by location, not by platform id)
                # is not put in the box to be refused; the page names it as the app's default.
                formdata = MultiDict()
                self.default_unused = True
        self.formdata = formdata
        ctx = ParseContext(formdata)
        value = parse_value(
            self.spec.type, self.name, ctx, required=self.spec.required, position=TOP
        )
        self.data = None if value is MISSING else value
        self._parse_errors = ctx.errors
        self.sub_errors = {name: list(messages) for name, messages in ctx.errors.items()}
        self.file_ids = ctx.file_ids
        self.file_places = ctx.file_places
        self.process_errors = [m for messages in ctx.errors.values() for m in messages]

    def _unreadable(self, formdata) -> bool:
        trial = ParseContext(formdata)
        value = parse_value(
            self.spec.type, self.name, trial, required=self.spec.required, position=TOP
        )
        return bool(trial.errors) or value is MISSING

    def pre_validate(self, form):
        self.validated = True
        self.sub_errors = {name: list(messages) for name, messages in self._parse_errors.items()}
        if len(self.file_ids) > MAX_FILE_IDS:
            message = too_many_ids_message(len(self.file_ids), "This input")
            self.sub_errors.setdefault(self.name, []).append(message)
            raise ValidationError(message)
        if _is_single_file(self.spec) and isinstance(self.data, list) and not self.batch:
            what = "file" if self.spec.type.name == "File" else "folder"
            message = f"Choose one {what}: this input takes a single {what}."
            self.sub_errors.setdefault(self.name, []).append(message)
            raise ValidationError(message)

    def value(self, name: str) -> str:
        """What was typed in the control `name` (this field's own name or a sub-name)."""
        return self.formdata.getlist(name)[0] if name in self.formdata else ""

    def values(self, name: str) -> list[str]:
        return list(self.formdata.getlist(name)) if name in self.formdata else []

    def errors_for(self, name: str) -> list[str]:
        return self.sub_errors.get(name, []) if self.validated else []

    def controls(self, file_names: Mapping[str, Any] | None = None) -> Control:
        """The drawing plan for the template (see `forms.input_controls`)."""
        return input_control(self, file_names or {})


class InputsFormBase(Form):
    """Base of every generated inputs form: access by input id, whatever the id is."""

    _attr_by_id: dict[str, str] = {}
    _input_specs: tuple[InputSpec, ...] = ()

    def __getitem__(self, name):
        return self._fields[self._attr_by_id.get(name, name)]

    def __contains__(self, name):
        return self._attr_by_id.get(name, name) in self._fields

    def get(self, name, default=None):
        return self[name] if name in self else default

    def layout(self, specs=None, file_names=None, checks=None) -> Layout:
        """Controls grouped for the page (see `templates/tasks/_inputs.html`); `checks`:
        {input id: pre-flight results}, shown on each file field."""
        specs = specs if specs is not None else self._input_specs
        return build_layout(self, specs, file_names, checks)

    @property
    def data(self):
        return {field.short_name: field.data for field in self}

    @property
    def errors(self):
        errors = {field.short_name: field.errors for field in self if field.errors}
        if self.form_errors:
            errors[self._form_error_key] = self.form_errors
        return errors


_RESERVED = set(dir(InputsFormBase)) | {"meta", "Meta"}


def _attribute_name(input_id: str, index: int, taken: set[str]) -> str:
    if (
        input_id.isidentifier()
        and not keyword.iskeyword(input_id)
        and not input_id.startswith("_")
        and input_id not in _RESERVED
        and not input_id.startswith("filter_")
        and input_id not in taken
    ):
        return input_id
    safe = "".join(ch if ch.isalnum() else "_" for ch in input_id)
    candidate = f"input{index}_{safe}"
    while candidate in taken or candidate in _RESERVED:
        candidate += "_"
    return candidate


def build_inputs_form(specs: AppSpec | Iterable[InputSpec]) -> type[InputsFormBase]:
    """A fresh `wtforms.Form` subclass with one `AppInputField` per input, in app order."""
    spec_list = _specs(specs)
    ids = {s.id for s in spec_list}
    taken: set[str] = set()
    attr_by_id: dict[str, str] = {}
    form_class = type("InputsForm", (InputsFormBase,), {})
    for index, spec in enumerate(spec_list):
        attr = _attribute_name(spec.id, index, taken | (ids - {spec.id}))
        taken.add(attr)
        attr_by_id[spec.id] = attr
        setattr(form_class, attr, AppInputField(spec=spec, name=spec.id))
    form_class._attr_by_id = attr_by_id
    form_class._input_specs = tuple(spec_list)
    return form_class


def _inner(inputs_form: Any) -> InputsFormBase:
    """Accept the inputs form itself or the `FormField` that mounts it."""
    return inputs_form.form if isinstance(inputs_form, FormField) else inputs_form


def _batch_id(batch_input: str | None) -> str | None:
    return strip_id(batch_input) if batch_input else None


def set_batch_input(inputs_form: Any, batch_input: str | None) -> None:
    """Let the batch input (a single File/Directory input) hold several ids."""
    form = _inner(inputs_form)
    wanted = _batch_id(batch_input)
    for field in form:
        if isinstance(field, AppInputField):
            field.batch = field.short_name == wanted and _is_single_file(field.spec)


def validate_inputs(
    inputs_form: Any, specs: AppSpec | Iterable[InputSpec] | None = None, batch_input=None
) -> bool:
    """Validate the inputs form, allowing several ids in the batch input."""
    set_batch_input(inputs_form, batch_input)
    return _inner(inputs_form).validate()


def inputs_body(
    inputs_form: Any, specs: AppSpec | Iterable[InputSpec], batch_input: str | None = None
) -> dict:
    """The platform's `inputs` object from a validated form; unset inputs are left out."""
    form = _inner(inputs_form)
    wanted = _batch_id(batch_input)
    body: dict[str, Any] = {}
    for spec in _specs(specs):
        if spec.id not in form:
            continue
        value = form[spec.id].data
        if value is None:
            continue
        if spec.id == wanted and _is_single_file(spec) and not isinstance(value, list):
            value = [value]
        body[spec.id] = value
    return body


def inputs_formdata(
    specs: AppSpec | Iterable[InputSpec], inputs: Mapping[str, Any] | None, prefix: str = PREFIX
) -> MultiDict:
    """Form data (names `inputs-<id>...`) that fills the inputs form with an `inputs` object.

    Keys of `inputs` may carry draft-2 / packed prefixes (`#reads`, `#main/reads`). Values that do
    not fit their input are still written as text, so the form shows them with a message.
    """
    out = MultiDict()
    given = {strip_id(k): v for k, v in (inputs or {}).items()}
    for spec in _specs(specs):
        value = given.get(spec.id)
        if value is None:
            continue
        encode_value(spec.type, value, prefix + spec.id, out, required=spec.required, position=TOP)
    return out


def inputs_problems(
    specs: AppSpec | Iterable[InputSpec], inputs: Mapping[str, Any] | None
) -> list[str]:
    """What filling the form from `inputs` cannot carry over as is (for copy/import notices).

    Keys the app has no input for are left out of the form; values that do not fit their input's
    type are shown as far as possible and the form then says what is wrong with them.
    """
    spec_list = _specs(specs)
    by_id = {s.id: s for s in spec_list}
    problems = []
    for key, value in (inputs or {}).items():
        input_id = strip_id(key)
        spec = by_id.get(input_id)
        if spec is None:
            problems.append(f"“{input_id}” is not an input of this app, so it was left out.")
        elif value is not None and not (
            matches(spec.type, value)
            or (
                _is_single_file(spec)
                and isinstance(value, list)
                and all(matches(spec.type, v) for v in value)
            )
        ):
            problems.append(
                f"The value of “{spec.display_label}” does not fit its type; check it below."
            )
    return problems


def file_ids(inputs_form: Any, specs: AppSpec | Iterable[InputSpec] | None = None) -> list[str]:
    """Every file/folder id entered anywhere in the form, once each, in order."""
    form = _inner(inputs_form)
    seen: dict[str, None] = {}
    for field in form:
        for file_id in getattr(field, "file_ids", ()):
            seen.setdefault(file_id, None)
    return list(seen)


# How many of the ids one box holds a message names; it counts the rest.
NAMED_IDS = 5


def mark_files_not_in_project(
    inputs_form: Any, files: Mapping[str, Mapping[str, Any]], project_id: str
) -> list[str]:
    """Mark every chosen id that is no file (or folder) of `project_id` on the box that holds
    it (a record's field, a list's row: the nearest control), naming the id, as a validation
    error: the draft is then not created. An id the look-up did not return is unknown or not
    visible to this user; one it returned from another project would be refused by the task.

    :param files: {id: file} as the platform's bulk look-up returned them (with `project`).
    :return: the ids marked, in order.
    """
    form = _inner(inputs_form)
    marked: list[str] = []
    for field in form:
        for name, noun, ids in getattr(field, "file_places", ()):
            foreign = list(
                dict.fromkeys(i for i in ids if not _in_project(files.get(i), project_id))
            )
            if not foreign:
                continue
            message = _not_in_project_message(foreign, noun)
            field.errors = [*field.errors, message]
            field.sub_errors.setdefault(name, []).append(message)
            marked.extend(i for i in foreign if i not in marked)
    return marked


def _in_project(found: Mapping[str, Any] | None, project_id: str) -> bool:
    return found is not None and found.get("project", project_id) == project_id


def _not_in_project_message(ids: list[str], noun: str) -> str:
    if len(ids) == 1:
        return f"{ids[0]} is not a {noun} of this project."
    named = ", ".join(ids[:NAMED_IDS])
    more = f" and {len(ids) - NAMED_IDS:,} more" if len(ids) > NAMED_IDS else ""
    return f"{len(ids):,} ids are not {noun}s of this project: {named}{more}."
