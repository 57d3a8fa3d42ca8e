"""The drawing plan of one input: a tree of `Control`s the Jinja macros walk.

Everything the template needs is decided here (names, ids, labels, current values as typed,
choices, messages), so the macros stay simple and the plan can be tested without a browser.
Values always come from the field's form data, i.e. exactly what was typed or pre-filled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from appspec import (
    FILE_KINDS,
    ArrayType,
    EnumType,
    InputSpec,
    PrimitiveType,
    RecordType,
    TypeNode,
    UnionType,
    UnknownType,
    type_label,
)

from ._codec import (
    BRANCH,
    FIELD,
    ITEM,
    ROW_MARKER,
    SET_FLAG,
    TOP,
    UNION_CHOICE,
    as_text,
    branch_keys,
    file_id_of,
    is_blank,
    is_checkbox,
    is_enum_checks,
    is_multi_file,
    row_indices,
    split_ids,
)

_BRANCH_TITLES = {
    "File": "File",
    "Directory": "Folder",
    "string": "Text",
    "int": "Whole number",
    "long": "Whole number",
    "float": "Number",
    "double": "Number",
    "boolean": "True or false",
    "Any": "JSON value",
}


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
    nullable: bool = False

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
    def suggestion_id(self) -> str:
        return f"{self.name}@suggested"

    @property
    def described_by(self) -> str:
        ids = []
        if self.help:
            ids.append(self.help_id)
        if self.suggestion:
            ids.append(self.suggestion_id)
        if self.kind == "files":
            ids.append(self.names_id)
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


class _Source:
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
        if isinstance(entry, Mapping):
            return str(entry.get("name") or "")
        return "" if entry is None else str(entry)


_EMPTY = _Source(None, {}, {})


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


def _default_text(value: Any) -> str:
    if isinstance(value, Mapping) and value.get("class") in FILE_KINDS:
        return str(value.get("location") or value.get("path") or value.get("basename") or "")
    return as_text(value)


def build_controls(input_field: Any, file_names: Mapping[str, Any]) -> Control:
    spec: InputSpec = input_field.spec
    errors = input_field.sub_errors if input_field.validated else {}
    source = _Source(input_field.formdata, errors, file_names)
    control = _build(
        spec.type,
        input_field.name,
        spec.display_label,
        source,
        required=spec.required,
        position=TOP,
        file_types=spec.file_types,
        depth=0,
    )
    control.help = Help(
        doc=spec.doc,
        type_text=type_label(spec.type),
        tool_default=spec.tool_default,
        file_types=spec.file_types,
        note=control.help.note,
        secondary_files=secondary_text(spec.secondary_files),
        app_default=_default_text(spec.default) if input_field.default_unused else "",
    )
    if input_field.batch and control.kind == "files":
        control.multiple = True
    control.suggestion = _suggestion(spec, control)
    return control


def _suggestion(spec: InputSpec, control: Control) -> Suggestion | None:
    if not spec.has_suggested_value:
        return None
    value = spec.suggested_value
    if control.kind == "files":
        items = value if isinstance(value, list) else [value]
        ids = [file_id_of(v) for v in items if file_id_of(v)]
        if not ids:
            return None
        shown = [
            (v.get("name") if isinstance(v, Mapping) and v.get("name") else file_id_of(v))
            for v in items
        ]
        return Suggestion(" ".join(ids), ", ".join(str(s) for s in shown if s))
    if control.kind in ("text", "number", "select", "bool_select", "json"):
        text = as_text(value)
        if control.kind == "select" and text not in [c[0] for c in control.choices]:
            return None
        return Suggestion(text, text)
    return None


def _build(
    node: TypeNode,
    name: str,
    label: str,
    src: _Source,
    *,
    required: bool,
    position: str,
    file_types: tuple[str, ...] = (),
    depth: int,
) -> Control:
    errors = src.errors_for(name)
    if isinstance(node, PrimitiveType):
        kind = node.name
        if kind in FILE_KINDS:
            return _files(kind, name, label, src, required, errors, file_types, multiple=False)
        if kind == "boolean":
            if is_checkbox(node, required, position):
                checked = src.first(name).strip().lower() in ("true", "on", "1", "y", "yes")
                return Control(
                    "checkbox", name, label, required, value="true", checked=checked, errors=errors
                )
            return _bool_select(name, label, src, required, errors)
        if kind in ("int", "long", "float", "double"):
            mode = "numeric" if kind in ("int", "long") else "decimal"
            return Control(
                "number",
                name,
                label,
                required,
                value=src.first(name),
                errors=errors,
                inputmode=mode,
            )
        if kind == "string":
            return Control("text", name, label, required, value=src.first(name), errors=errors)
        return Control(
            "json",
            name,
            label,
            required,
            value=src.first(name),
            errors=errors,
            help=Help(note='Enter any JSON value, e.g. 3, "text", [1, 2] or {}.'),
        )
    if isinstance(node, UnknownType):
        return Control(
            "json",
            name,
            label,
            required,
            value=src.first(name),
            errors=errors,
            help=Help(note=f"{node.note} Enter the value as JSON."),
        )
    if isinstance(node, EnumType):
        return _select(node, name, label, src, required, errors)
    if isinstance(node, ArrayType):
        if is_multi_file(node):
            return _files(
                node.items.name, name, label, src, required, errors, file_types, multiple=True
            )
        if is_enum_checks(node):
            return _checks(node.items, name, label, src, required, errors)
        return _rows(node, name, label, src, required, errors, file_types, depth)
    if isinstance(node, RecordType):
        return _record(node, name, label, src, required, errors, depth)
    if isinstance(node, UnionType):
        return _union(node, name, label, src, required, errors, file_types, depth)
    return Control("json", name, label, required, value=src.first(name), errors=errors)


def _files(kind, name, label, src, required, errors, file_types, *, multiple) -> Control:
    text = src.first(name)
    names = [(i, src.name_of(i)) for i in split_ids(text)]
    return Control(
        "files",
        name,
        label,
        required,
        value=text,
        errors=errors,
        picker=kind,
        multiple=multiple,
        file_names=names,
        help=Help(file_types=tuple(file_types)),
    )


def _blank_choice(required: bool) -> str:
    return "— choose —" if required else "— not set —"


def _bool_select(name, label, src, required, errors) -> Control:
    current = src.first(name)
    choices = [("", _blank_choice(required), ""), ("true", "true", ""), ("false", "false", "")]
    if current not in ("", "true", "false"):
        choices.append((current, f"{current} (not allowed)", ""))
    return Control(
        "bool_select", name, label, required, value=current, choices=choices, errors=errors
    )


def _select(node: EnumType, name, label, src, required, errors) -> Control:
    current = src.first(name)
    choices = [("", _blank_choice(required), "")] + [(s, s, "") for s in node.symbols]
    if current and current not in node.symbols:
        choices.append((current, f"{current} (not allowed)", ""))
    return Control("select", name, label, required, value=current, choices=choices, errors=errors)


def _checks(node: EnumType, name, label, src, required, errors) -> Control:
    chosen = src.values(name)
    options = list(node.symbols) + [v for v in chosen if v and v not in node.symbols]
    choices = [
        (s, s if s in node.symbols else f"{s} (not allowed)", f"{name}@opt{i}")
        for i, s in enumerate(options)
    ]
    return Control("checks", name, label, required, values=chosen, choices=choices, errors=errors)


def _title(node: TypeNode) -> str:
    if isinstance(node, PrimitiveType):
        return _BRANCH_TITLES.get(node.name, node.name)
    if isinstance(node, EnumType):
        return "Choice"
    if isinstance(node, ArrayType):
        return f"List of {type_label(node.items)}"
    if isinstance(node, RecordType):
        return "Record" + (f" ({node.name})" if node.name else "")
    return "JSON value"


def _rows(node: ArrayType, name, label, src, required, errors, file_types, depth) -> Control:
    indices = row_indices(src.formdata, name) if src.formdata is not None else []
    token = f"__row{depth}__"
    children = []
    for position, index in enumerate(indices, start=1):
        child = _build(
            node.items,
            f"{name}-{index}",
            f"Item {position}",
            src,
            required=not node.items_nullable,
            position=ITEM,
            file_types=file_types,
            depth=depth + 1,
        )
        child.row_marker = f"{name}-{index}-{ROW_MARKER}"
        children.append(child)
    template = _build(
        node.items,
        f"{name}-{token}",
        "New item",
        _EMPTY,
        required=not node.items_nullable,
        position=ITEM,
        file_types=file_types,
        depth=depth + 1,
    )
    template.row_marker = f"{name}-{token}-{ROW_MARKER}"
    next_index = (max(indices) + 1) if indices else 0
    simple_items = template.kind in ("text", "number", "json", "files", "select", "bool_select")
    if not children and (required or (simple_items and not node.items_nullable)):
        # Without JavaScript there is no "Add" button: show one empty row. Empty simple rows
        # are dropped, so this costs nothing; a required list needs a first item anyway.
        child = _build(
            node.items,
            f"{name}-{next_index}",
            "Item 1",
            src,
            required=not node.items_nullable,
            position=ITEM,
            file_types=file_types,
            depth=depth + 1,
        )
        child.row_marker = f"{name}-{next_index}-{ROW_MARKER}"
        children.append(child)
        next_index += 1
    return Control(
        "rows",
        name,
        label,
        required,
        errors=errors,
        children=children,
        template=template,
        token=token,
        next_index=next_index,
        nullable=node.items_nullable,
    )


def _record(node: RecordType, name, label, src, required, errors, depth) -> Control:
    children = [
        _build(
            f.type,
            f"{name}-{f.name}",
            f.display_label,
            src,
            required=f.required,
            position=FIELD,
            file_types=f.file_types,
            depth=depth + 1,
        )
        for f in node.fields
    ]
    for child, rec_field in zip(children, node.fields, strict=True):
        child.help = Help(
            doc=rec_field.doc,
            type_text=type_label(rec_field.type),
            file_types=rec_field.file_types,
            note=child.help.note,
            secondary_files=secondary_text(rec_field.secondary_files),
        )
    set_flag = None
    if not required:
        flag_name = f"{name}-{SET_FLAG}"
        checked = src.first(flag_name).strip().lower() in ("true", "on", "1", "y", "yes")
        set_flag = Control(
            "checkbox",
            flag_name,
            f"Send these values ({label})",
            value="true",
            checked=checked,
            errors=src.errors_for(flag_name),
        )
    return Control(
        "record", name, label, required, errors=errors, children=children, set_flag=set_flag
    )


def _union(node: UnionType, name, label, src, required, errors, file_types, depth) -> Control:
    keys = branch_keys(node)
    choice_name = f"{name}-{UNION_CHOICE}"
    chosen = src.first(choice_name)
    if not chosen and src.formdata is not None:
        filled = [k for k in keys if not is_blank(src.formdata, f"{name}-@{k}")]
        chosen = filled[0] if len(filled) == 1 else ""
    titles = [_title(b) for b in node.branches]
    choices = [("", _blank_choice(required), "")] + [
        (k, t, "") for k, t in zip(keys, titles, strict=True)
    ]
    choice = Control(
        "select",
        choice_name,
        f"Kind of value for {label}",
        required,
        value=chosen,
        choices=choices,
        errors=src.errors_for(choice_name),
    )
    children = []
    for key, title, branch in zip(keys, titles, node.branches, strict=True):
        child = _build(
            branch,
            f"{name}-@{key}",
            title,
            src,
            required=True,
            position=BRANCH,
            file_types=file_types,
            depth=depth + 1,
        )
        child.branch_key = key
        children.append(child)
    return Control(
        "union",
        name,
        label,
        required,
        errors=errors,
        children=children,
        choice=choice,
        chosen=chosen,
    )


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


def build_layout(form: Any, specs: Any, file_names: Mapping[str, Any] | None) -> Layout:
    """Inputs grouped by `sbg:category`: required ones first, then the optional ones."""
    spec_list = list(getattr(specs, "inputs", specs) or [])
    required, optional = [], []
    optional_set = 0
    for spec in spec_list:
        if spec.id not in form:
            continue
        input_field = form[spec.id]
        control = input_field.controls(file_names or {})
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
