"""The drawing plan of an input: a tree of `Control`s the Jinja macros walk, and the page layout.

Everything the template needs is decided before it runs (names, ids, labels, current values as
typed, choices, messages), so the macros stay simple and the plan can be tested without a
browser. Values always come from the field's form data, i.e. exactly what was typed or
pre-filled. Each input kind builds its own controls (`forms.input_kinds`); `Control.kind` picks
the macro that draws it (`templates/tasks/_inputs.html`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from appspec import FILE_KINDS, InputSpec
from markup import chosen_file_spans

from .input_names import is_blank
from .input_values import as_text


@dataclass
class Help:
    doc: str = ""
    type_text: str = ""
    tool_default: str | None = None
    file_types: tuple[str, ...] = ()
    note: str = ""
    secondary_files: tuple[str, ...] = ()
    app_default: str = ""  # a CWL default the form could not pre-fill

    def __bool__(self) -> bool:
        return bool(
            self.doc
            or self.type_text
            or self.tool_default is not None
            or self.file_types
            or self.note
            or self.secondary_files
            or self.app_default
        )


@dataclass
class Suggestion:
    value: str  # what the button puts into the control
    text: str  # what the user reads


@dataclass
class Control:
    kind: str  # text number json checkbox bool_select select checks files rows record union
    name: str
    label: str
    required: bool = False
    value: str = ""
    values: list[str] = field(default_factory=list)
    checked: bool = False
    choices: list[tuple[str, str, str]] = field(default_factory=list)  # value, label, option id
    errors: list[str] = field(default_factory=list)
    help: Help = field(default_factory=Help)
    children: list[Control] = field(default_factory=list)
    template: Control | None = None
    token: str = ""
    next_index: int = 0
    set_flag: Control | None = None
    choice: Control | None = None  # a union's branch choice
    branch_key: str = ""
    chosen: str = ""
    picker: str = ""
    multiple: bool = False
    file_names: list[tuple[str, str]] = field(default_factory=list)
    inputmode: str = ""
    suggestion: Suggestion | None = None
    row_marker: str = ""  # hidden input name that keeps an array row alive
    spare: bool = False  # the row for pages without JavaScript, no row while left blank
    nullable: bool = False
    checks: list[Any] = field(default_factory=list)  # pre-flight results of its chosen files

    # Ids of the helper elements end in `@...`, which no input or field name contains, so they
    # cannot clash with the id of a control (a record field may well be called `help`).
    @property
    def id(self) -> str:
        return self.name

    @property
    def help_id(self) -> str:
        return f"{self.name}@help"

    @property
    def error_id(self) -> str:
        return f"{self.name}@error"

    @property
    def names_id(self) -> str:
        return f"{self.name}@names"

    @property
    def checks_id(self) -> str:
        return f"{self.name}@checks"

    @property
    def suggestion_id(self) -> str:
        return f"{self.name}@suggested"

    # Split here, not with the template's selectattr: for 1,000 chosen files a Jinja filter
    # costs tens of milliseconds where a list comprehension costs a fraction of one.
    @property
    def chosen_spans(self) -> Any:
        """The chosen files as the spans the page turns into name chips (markup.py)."""
        return chosen_file_spans(self.file_names)

    @property
    def problem_checks(self) -> list[Any]:
        """The pre-flight results that need the user's attention (a lacking companion, a type)."""
        return [check for check in self.checks if check.needs_attention]

    @property
    def fine_checks(self) -> list[Any]:
        """The pre-flight results of files whose companions are all there."""
        return [c for c in self.checks if not c.needs_attention and c.companions]

    @property
    def described_by(self) -> str:
        ids = []
        if self.help:
            ids.append(self.help_id)
        if self.suggestion:
            ids.append(self.suggestion_id)
        if self.kind == "files":
            ids.append(self.names_id)
        if self.checks:
            ids.append(self.checks_id)
        if self.errors:
            ids.append(self.error_id)
        return " ".join(ids)

    @property
    def has_errors(self) -> bool:
        return (
            bool(self.errors)
            or any(c.has_errors for c in self.children)
            or bool(self.set_flag and self.set_flag.has_errors)
            or bool(self.choice and self.choice.has_errors)
        )

    @property
    def file_types_text(self) -> str:
        return ",".join(self.help.file_types)


class FormValues:
    """Reads typed values and messages from a field (or nothing, for row templates)."""

    def __init__(self, formdata: Any, errors: Mapping[str, list[str]], names: Mapping[str, Any]):
        self.formdata = formdata
        self.errors = errors
        self.names = names

    def first(self, name: str) -> str:
        if self.formdata is None or name not in self.formdata:
            return ""
        values = self.formdata.getlist(name)
        return values[0] if values else ""

    def values(self, name: str) -> list[str]:
        if self.formdata is None or name not in self.formdata:
            return []
        return list(self.formdata.getlist(name))

    def errors_for(self, name: str) -> list[str]:
        return list(self.errors.get(name, []))

    def name_of(self, file_id: str) -> str:
        entry = self.names.get(file_id)
        if type(entry) is str:  # the common case, asked for each of 1,000 files
            return entry
        if isinstance(entry, Mapping):
            return str(entry.get("name") or "")
        return "" if entry is None else str(entry)


NO_VALUES = FormValues(None, {}, {})  # what a row template shows


def secondary_text(entries) -> tuple[str, ...]:
    """`.bai`, `^.crai (if present)`; an expression is the app's business, not the user's."""
    out: list[str] = []
    for entry in entries:
        pattern = entry.pattern.strip()
        if pattern.startswith(("$(", "${")):
            text = "files the app works out"
        else:
            text = pattern + (" (if present)" if entry.required is False else "")
        if text not in out:
            out.append(text)
    return tuple(out)


def default_text(value: Any) -> str:
    if isinstance(value, Mapping) and value.get("class") in FILE_KINDS:
        return str(value.get("location") or value.get("path") or value.get("basename") or "")
    return as_text(value)


@dataclass
class Group:
    title: str
    controls: list[Control]


@dataclass
class Layout:
    required: list[Group]
    optional: list[Group]
    optional_count: int
    optional_set: int
    open_optional: bool


def _category(spec: InputSpec) -> str:
    if spec.category:
        return spec.category
    return "App settings" if spec.exposed else "Inputs"


def _groups(pairs: list[tuple[InputSpec, Control]]) -> list[Group]:
    groups: dict[str, Group] = {}
    for spec, control in pairs:
        title = _category(spec)
        groups.setdefault(title, Group(title, [])).controls.append(control)
    return list(groups.values())


def build_layout(
    form: Any,
    specs: Any,
    file_names: Mapping[str, Any] | None,
    checks: Mapping[str, list[Any]] | None = None,
) -> Layout:
    """Inputs grouped by `sbg:category`: required ones first, then the optional ones.
    `checks`: {input id: pre-flight results}, shown on the input's file field."""
    spec_list = list(getattr(specs, "inputs", specs) or [])
    required, optional = [], []
    optional_set = 0
    for spec in spec_list:
        if spec.id not in form:
            continue
        input_field = form[spec.id]
        control = input_field.controls(file_names or {})
        if checks and control.kind == "files":
            control.checks = list(checks.get(spec.id, ()))
        if spec.required:
            required.append((spec, control))
        else:
            optional.append((spec, control))
            if not is_blank(input_field.formdata, input_field.name):
                optional_set += 1
    return Layout(
        required=_groups(required),
        optional=_groups(optional),
        optional_count=len(optional),
        optional_set=optional_set,
        open_optional=any(control.has_errors for _, control in optional),
    )
