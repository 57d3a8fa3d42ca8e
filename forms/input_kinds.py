"""One class per kind of app input: how it is read from a form, written back, matched, drawn.

To add a kind of input: write a subclass of `InputKind` here, put it in `KINDS`, and add the
macro that draws its control to `templates/tasks/_inputs.html` (its `CONTROLS` table) if none
of the existing controls fits.

Every kind answers, for a node of the app's type tree (`appspec.types`):

- `fits(node)`: whether it handles that node (`KINDS` is tried in order, JSON last);
- `parse(...)`: the CWL value from the submitted strings, or `MISSING`, with messages in `ctx`;
- `required_message(...)`: what to say when a required node is left empty;
- `matches(node, value)`: whether a CWL value fits (picks a union's branch when filling a form);
- `encode(...)`: the strings a browser would submit for a value (the reverse of `parse`);
- `control(...)`: the `Control` the template draws, from what was typed;
- `title(node)`: its name as a branch of a union; `suggestion(...)`: the offer of a suggested
  value, when the control can take one.

The functions at the bottom (`parse_value`, `encode_value`, `matches`, `build_control`,
`input_control`) pick the kind of a node and are what the rest of the app calls.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
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

from .input_controls import (
    NO_VALUES,
    Control,
    FormValues,
    Help,
    Suggestion,
    default_text,
    secondary_text,
)
from .input_names import (
    BRANCH,
    FIELD,
    LIST_ITEM,
    ROW_MARKER,
    SET_FLAG,
    SPARE_MARKER,
    TOP,
    UNION_CHOICE,
    branch_keys,
    is_blank,
    row_indices,
)
from .input_values import (
    FILE_ID,
    INT32,
    INT64,
    MISSING,
    TRUE_WORDS,
    ParseContext,
    as_text,
    file_id_of,
    is_true,
    split_ids,
)

_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _blank_choice(required: bool) -> str:
    return "— choose —" if required else "— not set —"


def _list_title(node: ArrayType) -> str:
    return f"List of {type_label(node.items)}"


def _filled_list(value: Any, item_fits) -> bool:
    """A list of at least one item, each fitting: an empty list cannot be entered (it reads as
    "not set"), though a JSON branch can carry one."""
    return isinstance(value, list) and bool(value) and all(item_fits(v) for v in value)


class InputKind:
    """The behaviour every kind shares; subclasses override what differs."""

    def fits(self, node: TypeNode) -> bool:
        raise NotImplementedError

    def parse(self, node, name: str, ctx: ParseContext, *, required: bool, position: str) -> Any:
        raise NotImplementedError

    def required_message(self, node, position: str) -> str:
        return "This field is required." if position == FIELD else "This input is required."

    def matches(self, node, value: Any) -> bool:
        raise NotImplementedError

    def encode(self, node, value: Any, name: str, out, *, required: bool, position: str) -> None:
        out.add(name, as_text(value))

    def control(self, node, name, label, src: FormValues, *, required, position, file_types, depth):
        raise NotImplementedError

    def title(self, node) -> str:
        return "JSON value"

    def suggestion(self, control: Control, value: Any) -> Suggestion | None:
        return None


class _Scalar(InputKind):
    """A kind typed into one control, whose suggested value is offered as is."""

    def suggestion(self, control, value):
        text = as_text(value)
        return Suggestion(text, text)


class Files(InputKind):
    """File and File[]: a box of platform file ids, filled by the picker."""

    CLASS, NOUN = "File", "file"

    def _is_list(self, node) -> bool:
        return isinstance(node, ArrayType)

    def fits(self, node):
        if isinstance(node, PrimitiveType):
            return node.name == self.CLASS
        return (
            isinstance(node, ArrayType)
            and isinstance(node.items, PrimitiveType)
            and node.items.name == self.CLASS
            and not node.items_nullable
        )

    def parse(self, node, name, ctx, *, required, position):
        ids = split_ids(ctx.first(name))
        bad = [i for i in ids if not FILE_ID.fullmatch(i)]
        if bad:
            ctx.error(
                name,
                f"“{bad[0]}” is not a {self.NOUN} id: an id is 24 characters, digits and a-f. "
                f"Use “Choose” to pick a {self.NOUN}.",
            )
            return MISSING
        ctx.file_ids.extend(ids)
        if not ids:
            return MISSING
        ctx.file_places.append((name, self.NOUN, ids))
        objects = [{"class": self.CLASS, "path": i} for i in ids]
        if self._is_list(node):
            return objects
        if len(objects) == 1:
            return objects[0]
        if position == TOP:
            # Several ids in a single-file input: only valid for the batch input; the field checks.
            return objects
        ctx.error(name, f"Enter one {self.NOUN} id here.")
        return MISSING

    def required_message(self, node, position):
        return "Choose at least one file." if self._is_list(node) else "Choose a file."

    def matches(self, node, value):
        if self._is_list(node):
            return _filled_list(value, lambda item: self.matches(node.items, item))
        return (
            isinstance(value, dict)
            and value.get("class", self.CLASS) == self.CLASS
            and ("path" in value or "location" in value)
        )

    def encode(self, node, value, name, out, *, required, position):
        items: Iterable[Any] = value if isinstance(value, list) else [value]
        out.add(name, " ".join(file_id_of(v) for v in items))

    def control(self, node, name, label, src, *, required, position, file_types, depth):
        text = src.first(name)
        return Control(
            "files",
            name,
            label,
            required,
            value=text,
            errors=src.errors_for(name),
            picker=self.CLASS,
            multiple=self._is_list(node),
            file_names=[(i, src.name_of(i)) for i in split_ids(text)],
            help=Help(file_types=tuple(file_types)),
        )

    def title(self, node):
        return _list_title(node) if self._is_list(node) else self.NOUN.capitalize()

    def suggestion(self, control, value):
        items = value if isinstance(value, list) else [value]
        ids = [file_id_of(v) for v in items if file_id_of(v)]
        if not ids:
            return None
        shown = [
            (v.get("name") if isinstance(v, Mapping) and v.get("name") else file_id_of(v))
            for v in items
        ]
        return Suggestion(" ".join(ids), ", ".join(str(s) for s in shown if s))


class Folders(Files):
    """Directory and Directory[]: the same box, for folder ids."""

    CLASS, NOUN = "Directory", "folder"

    def required_message(self, node, position):
        return "Choose a folder."


class Text(_Scalar):
    """string: a text box; an empty box is "not set"."""

    def fits(self, node):
        return isinstance(node, PrimitiveType) and node.name == "string"

    def parse(self, node, name, ctx, *, required, position):
        text = ctx.first(name)
        return text if text != "" else MISSING

    def matches(self, node, value):
        return isinstance(value, str)

    def control(self, node, name, label, src, *, required, position, file_types, depth):
        return Control(
            "text", name, label, required, value=src.first(name), errors=src.errors_for(name)
        )

    def title(self, node):
        return "Text"


class Number(_Scalar):
    """int and long (whole numbers in their range), float and double."""

    WHOLE = ("int", "long")

    def fits(self, node):
        return isinstance(node, PrimitiveType) and node.name in (*self.WHOLE, "float", "double")

    def parse(self, node, name, ctx, *, required, position):
        text = ctx.first(name).strip()
        if text == "":
            return MISSING
        if node.name in self.WHOLE:
            return self._whole(node.name, text, name, ctx)
        if not _DECIMAL.fullmatch(text):
            ctx.error(name, "Enter a number, like 0.5 or 2e-3.")
            return MISSING
        value = float(text)
        if not math.isfinite(value):
            ctx.error(name, "This number is too large.")
            return MISSING
        return value

    def _whole(self, kind, text, name, ctx):
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

    def matches(self, node, value):
        if isinstance(value, bool):
            return False
        if node.name in self.WHOLE:
            low, high = INT32 if node.name == "int" else INT64
            return isinstance(value, int) and low <= value <= high
        return isinstance(value, (int, float))

    def control(self, node, name, label, src, *, required, position, file_types, depth):
        return Control(
            "number",
            name,
            label,
            required,
            value=src.first(name),
            errors=src.errors_for(name),
            inputmode="numeric" if node.name in self.WHOLE else "decimal",
        )

    def title(self, node):
        return "Whole number" if node.name in self.WHOLE else "Number"


class Boolean(_Scalar):
    """boolean: a checkbox where it is required in an input or a record field (unticked means
    false), else a choice of true or false, since "not set" must stay sayable there."""

    def fits(self, node):
        return isinstance(node, PrimitiveType) and node.name == "boolean"

    def _checkbox(self, required, position) -> bool:
        return required and position in (TOP, FIELD)

    def parse(self, node, name, ctx, *, required, position):
        text = ctx.first(name).strip().lower()
        if self._checkbox(required, position):
            return is_true(text)
        if text == "":
            return MISSING
        if text in ("true", "false"):
            return text == "true"
        ctx.error(name, "Choose true or false.")
        return MISSING

    def required_message(self, node, position):
        return "Choose a value."

    def matches(self, node, value):
        return isinstance(value, bool)

    def encode(self, node, value, name, out, *, required, position):
        if not self._checkbox(required, position):
            out.add(name, as_text(value))
        elif value is True or as_text(value).lower() in TRUE_WORDS:
            out.add(name, "true")

    def control(self, node, name, label, src, *, required, position, file_types, depth):
        errors = src.errors_for(name)
        current = src.first(name)
        if self._checkbox(required, position):
            return Control(
                "checkbox",
                name,
                label,
                required,
                value="true",
                checked=is_true(current),
                errors=errors,
            )
        choices = [("", _blank_choice(required), ""), ("true", "true", ""), ("false", "false", "")]
        if current not in ("", "true", "false"):
            choices.append((current, f"{current} (not allowed)", ""))
        return Control(
            "bool_select", name, label, required, value=current, choices=choices, errors=errors
        )

    def title(self, node):
        return "True or false"

    def suggestion(self, control, value):
        return super().suggestion(control, value) if control.kind == "bool_select" else None


class Enum(_Scalar):
    """enum: one of the app's symbols, from a list."""

    def fits(self, node):
        return isinstance(node, EnumType)

    def parse(self, node, name, ctx, *, required, position):
        text = ctx.first(name)
        if text == "":
            return MISSING
        if text not in node.symbols:
            ctx.error(name, f"“{text}” is not one of the choices.")
            return MISSING
        return text

    def required_message(self, node, position):
        return "Choose a value."

    def matches(self, node, value):
        return isinstance(value, str) and value in node.symbols

    def control(self, node, name, label, src, *, required, position, file_types, depth):
        current = src.first(name)
        choices = [("", _blank_choice(required), "")] + [(s, s, "") for s in node.symbols]
        if current and current not in node.symbols:
            choices.append((current, f"{current} (not allowed)", ""))
        return Control(
            "select",
            name,
            label,
            required,
            value=current,
            choices=choices,
            errors=src.errors_for(name),
        )

    def title(self, node):
        return "Choice"

    def suggestion(self, control, value):
        text = as_text(value)
        return Suggestion(text, text) if text in [c[0] for c in control.choices] else None


class EnumSet(InputKind):
    """enum[]: a group of checkboxes, one per symbol."""

    def fits(self, node):
        return (
            isinstance(node, ArrayType)
            and isinstance(node.items, EnumType)
            and not node.items_nullable
        )

    def parse(self, node, name, ctx, *, required, position):
        chosen = [v for v in ctx.values(name) if v != ""]
        unknown = [v for v in chosen if v not in node.items.symbols]
        if unknown:
            ctx.error(name, f"“{unknown[0]}” is not one of the choices.")
            return MISSING
        return chosen or MISSING

    def required_message(self, node, position):
        return "Tick at least one choice."

    def matches(self, node, value):
        return _filled_list(value, lambda item: matches(node.items, item))

    def encode(self, node, value, name, out, *, required, position):
        for item in value if isinstance(value, list) else [value]:
            out.add(name, as_text(item))

    def control(self, node, name, label, src, *, required, position, file_types, depth):
        symbols = node.items.symbols
        chosen = src.values(name)
        options = list(symbols) + [v for v in chosen if v and v not in symbols]
        choices = [
            (s, s if s in symbols else f"{s} (not allowed)", f"{name}@opt{i}")
            for i, s in enumerate(options)
        ]
        return Control(
            "checks",
            name,
            label,
            required,
            values=chosen,
            choices=choices,
            errors=src.errors_for(name),
        )

    def title(self, node):
        return _list_title(node)


class Record(InputKind):
    """record: its fields, each drawn by its own kind; an optional record is sent only when its
    "Send these values" box is ticked, since `{}` is a value."""

    def fits(self, node):
        return isinstance(node, RecordType)

    def parse(self, node, name, ctx, *, required, position):
        if not required and not is_true(ctx.first(f"{name}-{SET_FLAG}")):
            if any(not is_blank(ctx.formdata, f"{name}-{f.name}") for f in node.fields):
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

    def matches(self, node, value):
        if not isinstance(value, dict) or value.get("class") in FILE_KINDS:
            return False
        if not set(value) <= {f.name for f in node.fields}:
            return False
        for rec_field in node.fields:
            item = value.get(rec_field.name)
            if item is None:
                if rec_field.required:
                    return False
            elif not matches(rec_field.type, item):
                return False
        return True

    def encode(self, node, value, name, out, *, required, position):
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

    def control(self, node, name, label, src, *, required, position, file_types, depth):
        children = []
        for rec_field in node.fields:
            child = build_control(
                rec_field.type,
                f"{name}-{rec_field.name}",
                rec_field.display_label,
                src,
                required=rec_field.required,
                position=FIELD,
                file_types=rec_field.file_types,
                depth=depth + 1,
            )
            child.help = Help(
                doc=rec_field.doc,
                type_text=type_label(rec_field.type),
                file_types=rec_field.file_types,
                note=child.help.note,
                secondary_files=secondary_text(rec_field.secondary_files),
            )
            children.append(child)
        set_flag = None
        if not required:
            flag_name = f"{name}-{SET_FLAG}"
            set_flag = Control(
                "checkbox",
                flag_name,
                f"Send these values ({label})",
                value="true",
                checked=is_true(src.first(flag_name)),
                errors=src.errors_for(flag_name),
            )
        return Control(
            "record",
            name,
            label,
            required,
            errors=src.errors_for(name),
            children=children,
            set_flag=set_flag,
        )

    def title(self, node):
        return "Record" + (f" ({node.name})" if node.name else "")


class Rows(InputKind):
    """Any other list: one row per item, each drawn by its item's kind."""

    # Items whose empty row is dropped when sent, so an empty one costs nothing on the page.
    SIMPLE_CONTROLS = ("text", "number", "json", "files", "select", "bool_select")

    def fits(self, node):
        return isinstance(node, ArrayType)

    def parse(self, node, name, ctx, *, required, position):
        before = ctx.error_count()
        values = []
        # A row that holds nothing (say, one added and left alone) is no item, or null where
        # null is allowed. A record row always holds a record, since `{}` is a value.
        item_required = isinstance(node.items, RecordType) and not node.items_nullable
        for index in row_indices(ctx.formdata, name):
            row = f"{name}-{index}"
            item = parse_value(node.items, row, ctx, required=item_required, position=LIST_ITEM)
            if item is not MISSING:
                values.append(item)
            elif node.items_nullable:
                values.append(None)
        if ctx.error_count() != before:
            return MISSING  # only whole, valid lists become data
        return values or MISSING

    def required_message(self, node, position):
        return "Add at least one item."

    def matches(self, node, value):
        return _filled_list(
            value, lambda item: (item is None and node.items_nullable) or matches(node.items, item)
        )

    def encode(self, node, value, name, out, *, required, position):
        for index, item in enumerate(value if isinstance(value, list) else [value]):
            row = f"{name}-{index}"
            out.add(f"{row}-{ROW_MARKER}", "1")
            encode_value(
                node.items, item, row, out, required=not node.items_nullable, position=LIST_ITEM
            )

    def _row(self, node, name, index, label, src, marker, file_types, depth):
        child = build_control(
            node.items,
            f"{name}-{index}",
            label,
            src,
            required=not node.items_nullable,
            position=LIST_ITEM,
            file_types=file_types,
            depth=depth + 1,
        )
        child.row_marker = f"{name}-{index}-{marker}"
        return child

    def control(self, node, name, label, src, *, required, position, file_types, depth):
        indices = row_indices(src.formdata, name) if src.formdata is not None else []
        token = f"__row{depth}__"
        children = [
            self._row(node, name, index, f"Item {n}", src, ROW_MARKER, file_types, depth)
            for n, index in enumerate(indices, start=1)
        ]
        template = self._row(
            node, name, token, "New item", NO_VALUES, ROW_MARKER, file_types, depth
        )
        next_index = (max(indices) + 1) if indices else 0
        simple_items = template.kind in self.SIMPLE_CONTROLS and not node.items_nullable
        if not children and (required or simple_items):
            # A first, empty row: empty simple rows are dropped, and a required list needs a
            # first item anyway.
            children.append(
                self._row(node, name, next_index, "Item 1", src, ROW_MARKER, file_types, depth)
            )
            next_index += 1
        elif not simple_items:
            # Without JavaScript there is no "Add" button: a spare row, which is no item while
            # it is left blank, lets such a list grow by one item per submit. The script
            # removes it and numbers the rows it adds from `next_index` on.
            spare = self._row(
                node,
                name,
                next_index,
                f"Item {len(children) + 1}",
                NO_VALUES,
                SPARE_MARKER,
                file_types,
                depth,
            )
            spare.spare = True
            children.append(spare)
        return Control(
            "rows",
            name,
            label,
            required,
            errors=src.errors_for(name),
            children=children,
            template=template,
            token=token,
            next_index=next_index,
            nullable=node.items_nullable,
        )

    def title(self, node):
        return _list_title(node)


class Union(InputKind):
    """A union of types: choose the kind of value, then fill in that branch."""

    def fits(self, node):
        return isinstance(node, UnionType)

    def parse(self, node, name, ctx, *, required, position):
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

    def required_message(self, node, position):
        return "Choose a value."

    def matches(self, node, value):
        return any(matches(b, value) for b in node.branches)

    def encode(self, node, value, name, out, *, required, position):
        index = choose_branch(node, value)
        key = branch_keys(node)[index]
        out.add(f"{name}-{UNION_CHOICE}", key)
        encode_value(
            node.branches[index], value, f"{name}-@{key}", out, required=True, position=BRANCH
        )

    def control(self, node, name, label, src, *, required, position, file_types, depth):
        keys = branch_keys(node)
        choice_name = f"{name}-{UNION_CHOICE}"
        chosen = src.first(choice_name)
        if not chosen and src.formdata is not None:
            filled = [k for k in keys if not is_blank(src.formdata, f"{name}-@{k}")]
            chosen = filled[0] if len(filled) == 1 else ""
        titles = [kind_of(b).title(b) for b in node.branches]
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
            child = build_control(
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
            errors=src.errors_for(name),
            children=children,
            choice=choice,
            chosen=chosen,
        )


class Json(_Scalar):
    """Any, and types the app reader could not make sense of: a JSON value, typed as text."""

    def fits(self, node):
        return True

    def parse(self, node, name, ctx, *, required, position):
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

    def matches(self, node, value):
        return True

    def encode(self, node, value, name, out, *, required, position):
        if isinstance(node, PrimitiveType) and node.name != "Any":
            out.add(name, as_text(value))  # a primitive this app does not know by name
        else:
            out.add(name, json.dumps(value, ensure_ascii=False))

    def control(self, node, name, label, src, *, required, position, file_types, depth):
        if isinstance(node, UnknownType):
            note = f"{node.note} Enter the value as JSON."
        elif isinstance(node, PrimitiveType):
            note = 'Enter any JSON value, e.g. 3, "text", [1, 2] or {}.'
        else:
            note = ""
        return Control(
            "json",
            name,
            label,
            required,
            value=src.first(name),
            errors=src.errors_for(name),
            help=Help(note=note),
        )

    def title(self, node):
        if isinstance(node, PrimitiveType) and node.name != "Any":
            return node.name
        return "JSON value"


def _reject_constant(text: str) -> Any:
    raise ValueError(f"{text} is not allowed in JSON")


# The one table: the first kind that fits a node handles it.
KINDS: tuple[InputKind, ...] = (
    Files(),
    Folders(),
    Text(),
    Number(),
    Boolean(),
    Enum(),
    EnumSet(),
    Record(),
    Rows(),
    Union(),
    Json(),
)


def kind_of(node: TypeNode) -> InputKind:
    return next(kind for kind in KINDS if kind.fits(node))


# ---------------------------------------------------------------------------- what others call


def parse_value(
    node: TypeNode, name: str, ctx: ParseContext, *, required: bool, position: str
) -> Any:
    """The CWL value under `name`, or MISSING; a required node left empty gets its message."""
    kind = kind_of(node)
    before = ctx.error_count()
    value = kind.parse(node, name, ctx, required=required, position=position)
    if value is MISSING and required and ctx.error_count() == before:
        if position == LIST_ITEM:
            message = "Fill in this item or remove it."
        elif position == BRANCH:
            message = "Enter a value of the chosen kind."
        else:
            message = kind.required_message(node, position)
        ctx.error(name, message)
    return value


def matches(node: TypeNode, value: Any) -> bool:
    """Whether a CWL value fits a type (used to pick a union branch when filling a form)."""
    return value is not None and kind_of(node).matches(node, value)


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


def encode_value(
    node: TypeNode, value: Any, name: str, out: Any, *, required: bool, position: str
) -> None:
    """Append to the multidict `out` the strings a browser would submit for `value`."""
    if value is not None:
        kind_of(node).encode(node, value, name, out, required=required, position=position)


def build_control(
    node: TypeNode,
    name: str,
    label: str,
    src: FormValues,
    *,
    required: bool,
    position: str,
    file_types: tuple[str, ...] = (),
    depth: int,
) -> Control:
    """The control of one node (and its children), from what was typed."""
    return kind_of(node).control(
        node,
        name,
        label,
        src,
        required=required,
        position=position,
        file_types=file_types,
        depth=depth,
    )


def input_control(input_field: Any, file_names: Mapping[str, Any]) -> Control:
    """The drawing plan of one app input: its control, help and suggested value."""
    spec: InputSpec = input_field.spec
    errors = input_field.sub_errors if input_field.validated else {}
    kind = kind_of(spec.type)
    control = build_control(
        spec.type,
        input_field.name,
        spec.display_label,
        FormValues(input_field.formdata, errors, file_names),
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
        app_default=default_text(spec.default) if input_field.default_unused else "",
    )
    if input_field.batch and control.kind == "files":
        control.multiple = True
    if spec.has_suggested_value:
        control.suggestion = kind.suggestion(control, spec.suggested_value)
    return control
