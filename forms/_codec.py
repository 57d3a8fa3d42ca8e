"""Between an input's type tree and flat form data, both ways.

`parse_value` reads the submitted strings for one node (and its children) into the CWL value the
platform expects, recording a message per HTML name for every value it cannot read. Missing
values come back as `MISSING`, never as an empty string. `encode_value` does the reverse: it
writes a CWL value as the strings a browser would submit, so a form can be filled from an
`inputs` object and the two directions round-trip.

HTML names below a node named `N`:

- records: `N-<field>`; an optional record also has the checkbox `N-@set` ("send this record"),
  because an empty record `{}` is a meaningful value;
- arrays drawn as rows: `N-<i>` for row i, plus a hidden `N-<i>-@row` marker in every row so a
  row whose controls submit nothing (an unticked checkbox) still exists;
- File[] / Directory[] and enum[] are one control each (`N`, several ids or ticked boxes);
- unions: the branch choice `N-@type` (a branch key such as `File`, `string`, `record`) and each
  branch's control under `N-@<key>`.

What a form cannot say, by design: an empty string or an empty list (empty means "not set", so
the input is left out; a JSON branch can still carry `[]`), and null, except as an item of a list
whose items may be null (an empty row).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from appspec import (
    FILE_KINDS,
    ArrayType,
    EnumType,
    PrimitiveType,
    RecordType,
    TypeNode,
    UnionType,
    UnknownType,
)


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
FILE_ID = re.compile(r"[0-9a-fA-F]{24}")
_ID_SEPARATORS = re.compile(r"[\s,;]+")
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_TRUE = ("true", "on", "1", "y", "yes")
ROW_MARKER = "@row"
SET_FLAG = "@set"
UNION_CHOICE = "@type"

# Where a node sits decides how a boolean is drawn: a required boolean of an input or a record
# field is a checkbox (unticked means false); elsewhere a boolean must be chosen explicitly.
TOP, FIELD, ITEM, BRANCH = "top", "field", "item", "branch"


@dataclass
class ParseContext:
    formdata: Any
    errors: dict[str, list[str]] = field(default_factory=dict)
    file_ids: list[str] = field(default_factory=list)

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def first(self, name: str) -> str:
        values = self.formdata.getlist(name) if name in self.formdata else []
        return values[0] if values else ""

    def values(self, name: str) -> list[str]:
        return list(self.formdata.getlist(name)) if name in self.formdata else []

    def error_count(self) -> int:
        return sum(len(v) for v in self.errors.values())


# ---------------------------------------------------------------------------- shapes of widgets


def is_multi_file(node: TypeNode) -> bool:
    """File[] and Directory[] are one text box of ids, not rows."""
    return (
        isinstance(node, ArrayType)
        and isinstance(node.items, PrimitiveType)
        and node.items.name in FILE_KINDS
        and not node.items_nullable
    )


def is_enum_checks(node: TypeNode) -> bool:
    """An array of enum symbols is a group of checkboxes."""
    return (
        isinstance(node, ArrayType) and isinstance(node.items, EnumType) and not node.items_nullable
    )


def is_checkbox(node: TypeNode, required: bool, position: str) -> bool:
    return (
        isinstance(node, PrimitiveType)
        and node.name == "boolean"
        and required
        and position in (TOP, FIELD)
    )


def branch_keys(node: UnionType) -> list[str]:
    """Stable keys naming each branch of a union: `File`, `string`, `record`, `record2`..."""
    keys: list[str] = []
    for branch in node.branches:
        if isinstance(branch, PrimitiveType):
            base = branch.name
        elif isinstance(branch, UnknownType):
            base = "json"
        else:
            base = branch.kind
        key, n = base, 1
        while key in keys:
            n += 1
            key = f"{base}{n}"
        keys.append(key)
    return keys


def row_indices(formdata: Any, name: str) -> list[int]:
    """Row numbers present under `name` (`name-3`, `name-3-...`), in order.

    The page numbers rows from 0; a number of more than 9 digits is no row (Python refuses to
    read integers of thousands of digits, and a posted name may have them)."""
    pattern = re.compile(re.escape(name) + r"-(\d{1,9})(?:-|$)")
    found = set()
    for key in formdata:
        match = pattern.match(key)
        if match:
            found.add(int(match.group(1)))
    return sorted(found)


def is_blank(formdata: Any, name: str) -> bool:
    """True when nothing at all was entered under `name` (row markers do not count)."""
    prefix = name + "-"
    for key in formdata:
        if key == name or key.startswith(prefix):
            if key.endswith("-" + ROW_MARKER):
                continue
            if any(str(v) != "" for v in formdata.getlist(key)):
                return False
    return True


# ---------------------------------------------------------------------------- parsing


def _required_message(node: TypeNode, position: str) -> str:
    if position == ITEM:
        return "Fill in this item or remove it."
    if position == BRANCH:
        return "Enter a value of the chosen kind."
    if is_multi_file(node):
        return "Choose at least one file." if node.items.name == "File" else "Choose a folder."
    if isinstance(node, PrimitiveType) and node.name == "File":
        return "Choose a file."
    if isinstance(node, PrimitiveType) and node.name == "Directory":
        return "Choose a folder."
    if is_enum_checks(node):
        return "Tick at least one choice."
    if isinstance(node, ArrayType):
        return "Add at least one item."
    if isinstance(node, (EnumType, UnionType)) or (
        isinstance(node, PrimitiveType) and node.name == "boolean"
    ):
        return "Choose a value."
    return "This field is required." if position == FIELD else "This input is required."


def parse_value(
    node: TypeNode, name: str, ctx: ParseContext, *, required: bool, position: str
) -> Any:
    before = ctx.error_count()
    value = _parse(node, name, ctx, required=required, position=position)
    if value is MISSING and required and ctx.error_count() == before:
        ctx.error(name, _required_message(node, position))
    return value


def _parse(node: TypeNode, name: str, ctx: ParseContext, *, required: bool, position: str) -> Any:
    if isinstance(node, PrimitiveType):
        kind = node.name
        if kind in FILE_KINDS:
            return _parse_files(kind, name, ctx, many=False, position=position)
        if kind == "boolean":
            return _parse_boolean(name, ctx, checkbox=is_checkbox(node, required, position))
        if kind == "string":
            text = ctx.first(name)
            return text if text != "" else MISSING
        if kind in ("int", "long"):
            return _parse_integer(kind, name, ctx)
        if kind in ("float", "double"):
            return _parse_decimal(name, ctx)
        return _parse_json(name, ctx)  # Any
    if isinstance(node, UnknownType):
        return _parse_json(name, ctx)
    if isinstance(node, EnumType):
        text = ctx.first(name)
        if text == "":
            return MISSING
        if text not in node.symbols:
            ctx.error(name, f"“{text}” is not one of the choices.")
            return MISSING
        return text
    if isinstance(node, ArrayType):
        if is_multi_file(node):
            return _parse_files(node.items.name, name, ctx, many=True, position=position)
        if is_enum_checks(node):
            return _parse_enum_checks(node.items, name, ctx)
        return _parse_rows(node, name, ctx)
    if isinstance(node, RecordType):
        return _parse_record(node, name, ctx, required=required)
    if isinstance(node, UnionType):
        return _parse_union(node, name, ctx, required=required)
    return _parse_json(name, ctx)


def split_ids(text: str) -> list[str]:
    return [part for part in _ID_SEPARATORS.split(text or "") if part]


def _parse_files(kind: str, name: str, ctx: ParseContext, *, many: bool, position: str) -> Any:
    ids = split_ids(ctx.first(name))
    bad = [i for i in ids if not FILE_ID.fullmatch(i)]
    if bad:
        what = "file" if kind == "File" else "folder"
        ctx.error(
            name,
            f"“{bad[0]}” is not a {what} id: an id is 24 characters, digits and a-f. "
            f"Use “Choose” to pick a {what}.",
        )
        return MISSING
    ctx.file_ids.extend(ids)
    if not ids:
        return MISSING
    objects = [{"class": kind, "path": i} for i in ids]
    if many:
        return objects
    if len(objects) == 1:
        return objects[0]
    if position == TOP:
        # Several ids in a single-file input: only valid for the batch input; the field checks.
        return objects
    ctx.error(name, f"Enter one {'file' if kind == 'File' else 'folder'} id here.")
    return MISSING


def _parse_boolean(name: str, ctx: ParseContext, *, checkbox: bool) -> Any:
    text = ctx.first(name).strip().lower()
    if checkbox:
        return text in _TRUE
    if text == "":
        return MISSING
    if text in ("true", "false"):
        return text == "true"
    ctx.error(name, "Choose true or false.")
    return MISSING


def _parse_integer(kind: str, name: str, ctx: ParseContext) -> Any:
    text = ctx.first(name).strip()
    if text == "":
        return MISSING
    low, high = INT32 if kind == "int" else INT64
    if not _INTEGER.fullmatch(text):
        if _DECIMAL.fullmatch(text):
            ctx.error(name, "Enter a whole number: decimals are not allowed here.")
        else:
            ctx.error(name, "Enter a whole number, like 42.")
        return MISSING
    value = int(text)
    if not low <= value <= high:
        ctx.error(name, f"Enter a whole number from {low} to {high}.")
        return MISSING
    return value


def _parse_decimal(name: str, ctx: ParseContext) -> Any:
    text = ctx.first(name).strip()
    if text == "":
        return MISSING
    if not _DECIMAL.fullmatch(text):
        ctx.error(name, "Enter a number, like 0.5 or 2e-3.")
        return MISSING
    value = float(text)
    if not math.isfinite(value):
        ctx.error(name, "This number is too large.")
        return MISSING
    return value


def _reject_constant(text: str) -> Any:
    raise ValueError(f"{text} is not allowed in JSON")


def _parse_json(name: str, ctx: ParseContext) -> Any:
    text = ctx.first(name)
    if text.strip() == "":
        return MISSING
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        ctx.error(
            name, f"This is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
        )
        return MISSING
    except ValueError as exc:
        ctx.error(name, f"This is not valid JSON: {exc}.")
        return MISSING
    return MISSING if value is None else value


def _parse_enum_checks(node: EnumType, name: str, ctx: ParseContext) -> Any:
    chosen = [v for v in ctx.values(name) if v != ""]
    unknown = [v for v in chosen if v not in node.symbols]
    if unknown:
        ctx.error(name, f"“{unknown[0]}” is not one of the choices.")
        return MISSING
    return chosen or MISSING


def _parse_rows(node: ArrayType, name: str, ctx: ParseContext) -> Any:
    before = ctx.error_count()
    values = []
    for index in row_indices(ctx.formdata, name):
        row = f"{name}-{index}"
        # A row that holds nothing (say, one added and left alone) is no item, or null where
        # null is allowed. A record row always holds a record, since `{}` is a value.
        required = isinstance(node.items, RecordType) and not node.items_nullable
        item = parse_value(node.items, row, ctx, required=required, position=ITEM)
        if item is not MISSING:
            values.append(item)
        elif node.items_nullable:
            values.append(None)
    if ctx.error_count() != before:
        return MISSING  # only whole, valid lists become data
    return values or MISSING


def _parse_record(node: RecordType, name: str, ctx: ParseContext, *, required: bool) -> Any:
    if not required and ctx.first(f"{name}-{SET_FLAG}").strip().lower() not in _TRUE:
        filled = any(not is_blank(ctx.formdata, f"{name}-{f.name}") for f in node.fields)
        if filled:
            ctx.error(
                name,
                "Values are filled in below but “Send these values” is not ticked: "
                "tick it, or clear the values.",
            )
        return MISSING
    before = ctx.error_count()
    value = {}
    for rec_field in node.fields:
        item = parse_value(
            rec_field.type,
            f"{name}-{rec_field.name}",
            ctx,
            required=rec_field.required,
            position=FIELD,
        )
        if item is not MISSING:
            value[rec_field.name] = item
    return value if ctx.error_count() == before else MISSING


def _parse_union(node: UnionType, name: str, ctx: ParseContext, *, required: bool) -> Any:
    keys = branch_keys(node)
    key = ctx.first(f"{name}-{UNION_CHOICE}")
    if key == "":
        filled = [k for k in keys if not is_blank(ctx.formdata, f"{name}-@{k}")]
        if len(filled) > 1:
            ctx.error(name, "Choose which kind of value to send.")
            return MISSING
        if not filled:
            return MISSING
        key = filled[0]
    if key not in keys:
        ctx.error(name, f"“{key}” is not one of the kinds of value this input takes.")
        return MISSING
    branch = node.branches[keys.index(key)]
    # Once a kind is chosen, its value must be given.
    return parse_value(branch, f"{name}-@{key}", ctx, required=True, position=BRANCH)


# ---------------------------------------------------------------------------- matching values


def matches(node: TypeNode, value: Any) -> bool:
    """Whether a CWL value fits a type (used to pick a union branch when filling a form)."""
    if value is None:
        return False
    if isinstance(node, PrimitiveType):
        kind = node.name
        if kind in FILE_KINDS:
            return (
                isinstance(value, dict)
                and value.get("class", kind) == kind
                and ("path" in value or "location" in value)
            )
        if kind == "string":
            return isinstance(value, str)
        if kind == "boolean":
            return isinstance(value, bool)
        if kind in ("int", "long"):
            low, high = INT32 if kind == "int" else INT64
            return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
        if kind in ("float", "double"):
            return isinstance(value, (int, float)) and not isinstance(value, bool)
        return True  # Any
    if isinstance(node, EnumType):
        return isinstance(value, str) and value in node.symbols
    if isinstance(node, ArrayType):
        # An empty list cannot be entered as rows (it reads as "not set"); a JSON branch can.
        return (
            isinstance(value, list)
            and bool(value)
            and all(
                (item is None and node.items_nullable) or matches(node.items, item)
                for item in value
            )
        )
    if isinstance(node, RecordType):
        if not isinstance(value, dict) or value.get("class") in FILE_KINDS:
            return False
        names = {f.name for f in node.fields}
        if not set(value) <= names:
            return False
        for rec_field in node.fields:
            item = value.get(rec_field.name)
            if item is None:
                if rec_field.required:
                    return False
            elif not matches(rec_field.type, item):
                return False
        return True
    if isinstance(node, UnionType):
        return any(matches(b, value) for b in node.branches)
    return True


def choose_branch(node: UnionType, value: Any) -> int:
    """Index of the branch a value belongs to: the most specific match, else the first branch."""

    def rank(branch: TypeNode) -> int:
        if isinstance(branch, UnknownType) or (
            isinstance(branch, PrimitiveType) and branch.name == "Any"
        ):
            return 2
        if (
            isinstance(branch, PrimitiveType)
            and branch.name in ("float", "double")
            and isinstance(value, int)
        ):
            return 1
        return 0

    candidates = [i for i, b in enumerate(node.branches) if matches(b, value)]
    if not candidates:
        return 0
    return min(candidates, key=lambda i: (rank(node.branches[i]), i))


# ---------------------------------------------------------------------------- encoding


def as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


def file_id_of(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("path") or value.get("location") or "")
    return "" if value is None else str(value)


def encode_value(
    node: TypeNode, value: Any, name: str, out: Any, *, required: bool, position: str
) -> None:
    """Append to the multidict `out` the strings a browser would submit for `value`."""
    if value is None:
        return
    if isinstance(node, PrimitiveType):
        kind = node.name
        if kind in FILE_KINDS:
            items: Iterable[Any] = value if isinstance(value, list) else [value]
            out.add(name, " ".join(file_id_of(v) for v in items))
        elif kind == "boolean":
            if is_checkbox(node, required, position):
                if value is True or as_text(value).lower() in _TRUE:
                    out.add(name, "true")
            else:
                out.add(name, as_text(value))
        elif kind == "Any":
            out.add(name, json.dumps(value, ensure_ascii=False))
        else:
            out.add(name, as_text(value))
    elif isinstance(node, UnknownType):
        out.add(name, json.dumps(value, ensure_ascii=False))
    elif isinstance(node, EnumType):
        out.add(name, as_text(value))
    elif isinstance(node, ArrayType):
        items = value if isinstance(value, list) else [value]
        if is_multi_file(node):
            out.add(name, " ".join(file_id_of(v) for v in items))
        elif is_enum_checks(node):
            for item in items:
                out.add(name, as_text(item))
        else:
            for index, item in enumerate(items):
                row = f"{name}-{index}"
                out.add(f"{row}-{ROW_MARKER}", "1")
                encode_value(
                    node.items, item, row, out, required=not node.items_nullable, position=ITEM
                )
    elif isinstance(node, RecordType):
        if not isinstance(value, dict):
            return
        if not required:
            out.add(f"{name}-{SET_FLAG}", "true")
        for rec_field in node.fields:
            if rec_field.name in value:
                encode_value(
                    rec_field.type,
                    value[rec_field.name],
                    f"{name}-{rec_field.name}",
                    out,
                    required=rec_field.required,
                    position=FIELD,
                )
    elif isinstance(node, UnionType):
        index = choose_branch(node, value)
        key = branch_keys(node)[index]
        out.add(f"{name}-{UNION_CHOICE}", key)
        encode_value(
            node.branches[index], value, f"{name}-@{key}", out, required=True, position=BRANCH
        )
