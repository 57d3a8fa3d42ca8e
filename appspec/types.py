"""The normalised model of an app's input nodes: small frozen dataclasses.

A type tree is made of:

- `PrimitiveType(name)`: File, Directory, string, int, long, float, double, boolean or Any;
- `EnumType(symbols)`: symbols are plain strings with any namespace prefix removed;
- `ArrayType(items, items_nullable)`: `items_nullable` when `null` is allowed as an element;
- `RecordType(fields)`: each `RecordField` knows whether it is required;
- `UnionType(branches)`: two or more non-null branches. A `null` in a union is not a branch: it
  makes the input or record field optional, or (in array items) sets `items_nullable`;
- `UnknownType(raw, note, written)`: a shape this package does not understand (or that cannot be
  entered, such as `null[]`); forms offer a JSON box.

Every node has a `kind` string so templates and codecs can dispatch on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PRIMITIVES = ("File", "Directory", "string", "int", "long", "float", "double", "boolean", "Any")
FILE_KINDS = ("File", "Directory")
NUMBER_KINDS = ("int", "long", "float", "double")


@dataclass(frozen=True)
class PrimitiveType:
    name: str

    @property
    def kind(self) -> str:
        return self.name


@dataclass(frozen=True)
class EnumType:
    symbols: tuple[str, ...]
    name: str | None = None

    kind = "enum"


@dataclass(frozen=True)
class ArrayType:
    items: TypeNode
    items_nullable: bool = False

    kind = "array"


@dataclass(frozen=True)
class SecondaryFile:
    """One `secondaryFiles` entry: a pattern (or expression) and whether required.
    `expression` marks a draft-2 `{"class": "Expression"}` entry, whose `pattern` is its script."""

    pattern: str
    required: bool | str | None = None
    expression: bool = False


@dataclass(frozen=True)
class RecordField:
    name: str
    type: TypeNode
    required: bool = True
    label: str = ""
    doc: str = ""
    file_types: tuple[str, ...] = ()
    secondary_files: tuple[SecondaryFile, ...] = ()

    @property
    def display_label(self) -> str:
        return self.label or self.name


@dataclass(frozen=True)
class RecordType:
    fields: tuple[RecordField, ...]
    name: str | None = None

    kind = "record"


@dataclass(frozen=True)
class UnionType:
    branches: tuple[TypeNode, ...]

    kind = "union"


@dataclass(frozen=True)
class UnknownType:
    """A type this package could not read. `raw` is its JSON text, `note` says why, `written`
    its CWL spelling when it has a short one (`null[]`), for the hint."""

    raw: str
    note: str
    written: str = ""

    kind = "unknown"


TypeNode = PrimitiveType | EnumType | ArrayType | RecordType | UnionType | UnknownType


@dataclass(frozen=True)
class InputSpec:
    """One input node of an app, as a form needs it."""

    id: str
    type: TypeNode
    required: bool
    label: str = ""
    doc: str = ""
    default: Any = None
    has_default: bool = False
    file_types: tuple[str, ...] = ()
    category: str = ""
    tool_default: str | None = None
    suggested_value: Any = None
    has_suggested_value: bool = False
    secondary_files: tuple[SecondaryFile, ...] = ()
    exposed: bool = False
    include_in_ports: bool | None = None

    @property
    def display_label(self) -> str:
        return self.label or self.id


@dataclass(frozen=True)
class AppSpec:
    inputs: list[InputSpec] = field(default_factory=list)
    label: str = ""
    doc: str = ""
    cwl_version: str | None = None
    app_class: str | None = None
    app_id: str | None = None
    revision: int | None = None
    batch_input: str | None = None
    batch_by: Any = None

    def input(self, input_id: str) -> InputSpec | None:
        for spec in self.inputs:
            if spec.id == input_id:
                return spec
        return None


def type_label(node: TypeNode) -> str:
    """A short CWL-like spelling of a type, e.g. `File[]`, `enum`, `string | File`."""
    if isinstance(node, PrimitiveType):
        return node.name
    if isinstance(node, EnumType):
        return "enum"
    if isinstance(node, ArrayType):
        inner = type_label(node.items)
        if isinstance(node.items, UnionType) or node.items_nullable:
            inner = f"({inner}{' | null' if node.items_nullable else ''})"
        return f"{inner}[]"
    if isinstance(node, RecordType):
        return "record"
    if isinstance(node, UnionType):
        return " | ".join(type_label(b) for b in node.branches)
    return node.written or "unknown"
