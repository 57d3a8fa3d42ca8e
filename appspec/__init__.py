"""Pure reading of CAVATICA app descriptions (raw CWL) into a model of their input nodes.

No Flask and no HTTP here: `parse_app(raw)` takes the app's `raw` document and returns an
`AppSpec` whose `inputs` are `InputSpec`s with a small type tree (see `appspec.types`).
"""

from .parse import AppSpecError, clean_symbol, parse_app, parse_file_types, strip_id
from .types import (
    FILE_KINDS,
    NUMBER_KINDS,
    PRIMITIVES,
    AppSpec,
    ArrayType,
    EnumType,
    InputSpec,
    PrimitiveType,
    RecordField,
    RecordType,
    SecondaryFile,
    TypeNode,
    UnionType,
    UnknownType,
    type_label,
)

__all__ = [
    "FILE_KINDS",
    "NUMBER_KINDS",
    "PRIMITIVES",
    "AppSpec",
    "AppSpecError",
    "ArrayType",
    "EnumType",
    "InputSpec",
    "PrimitiveType",
    "RecordField",
    "RecordType",
    "SecondaryFile",
    "TypeNode",
    "UnionType",
    "UnknownType",
    "clean_symbol",
    "parse_app",
    "parse_file_types",
    "strip_id",
    "type_label",
]
