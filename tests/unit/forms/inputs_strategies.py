"""Hypothesis strategies: valid `inputs` objects for an app, and raw CWL apps of every type shape.

What the form can hold, and so what is generated (each is a product decision of the form):
strings are non-empty and have no control characters (they are typed into one-line text boxes);
lists are never empty (an empty list cannot be told apart from an unset input); arrays of enum
symbols hold each symbol at most once, in the app's order (they are a group of checkboxes).
"""

import json

from hypothesis import strategies as st

from appspec import (
    ArrayType,
    EnumType,
    PrimitiveType,
    RecordType,
    UnionType,
    UnknownType,
)
from forms.input_values import INT32, INT64

HEX = "0123456789abcdef"
file_ids = st.text(alphabet=HEX, min_size=24, max_size=24)
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12)
finite_floats = st.floats(allow_nan=False, allow_infinity=False)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | finite_floats | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=6,
).filter(lambda v: v is not None)


def values_for(node):
    """Valid, non-null CWL values of a parsed type."""
    if isinstance(node, PrimitiveType):
        kind = node.name
        if kind in ("File", "Directory"):
            return file_ids.map(lambda i, kind=kind: {"class": kind, "path": i})
        if kind == "string":
            return texts
        if kind == "int":
            return st.integers(*INT32)
        if kind == "long":
            return st.integers(*INT64)
        if kind in ("float", "double"):
            return finite_floats
        if kind == "boolean":
            return st.booleans()
        return json_values
    if isinstance(node, EnumType):
        return st.sampled_from(node.symbols)
    if isinstance(node, ArrayType):
        if isinstance(node.items, EnumType) and not node.items_nullable:
            symbols = node.items.symbols
            return st.lists(st.sampled_from(symbols), min_size=1, max_size=4, unique=True).map(
                lambda chosen, symbols=symbols: sorted(chosen, key=symbols.index)
            )
        items = values_for(node.items)
        if node.items_nullable:
            items = st.none() | items
        return st.lists(items, min_size=1, max_size=3)
    if isinstance(node, RecordType):
        return st.fixed_dictionaries(
            {f.name: values_for(f.type) for f in node.fields if f.required},
            optional={f.name: values_for(f.type) for f in node.fields if not f.required},
        )
    if isinstance(node, UnionType):
        return st.one_of([values_for(b) for b in node.branches])
    assert isinstance(node, UnknownType)
    return json_values


def inputs_for(specs):
    return st.fixed_dictionaries(
        {s.id: values_for(s.type) for s in specs if s.required},
        optional={s.id: values_for(s.type) for s in specs if not s.required},
    )


# ---------------------------------------------------------------------------- generated apps

names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_-.", min_size=1, max_size=8).filter(
    lambda n: n[0].isalpha()
)
tricky_symbols = st.lists(
    st.sampled_from(
        ["BAM Unsorted", "-", "0", "1", "TRUE", "FALSE", "Yes", "a\"b'", "<b>x</b>", "fast"]
    ),
    min_size=1,
    max_size=4,
    unique=True,
)
primitive_names = st.sampled_from(
    ["File", "Directory", "string", "int", "long", "float", "double", "boolean", "Any"]
)


def _enum(symbols, named):
    raw = {"type": "enum", "symbols": symbols}
    if named:
        raw["name"] = "e" + str(abs(hash(tuple(symbols))) % 1000)
    return raw


# Primitives twice, so enums do not crowd them out.
leaf_types = st.one_of(
    primitive_names, primitive_names, st.builds(_enum, tricky_symbols, st.booleans())
)


def _nullable(raw, style):
    if style == 0 and isinstance(raw, str):
        return raw + "?"
    return ["null", raw] if style < 2 else [raw, "null"]


def _array(raw, shorthand):
    if shorthand and isinstance(raw, str) and not raw.endswith("?"):
        return raw + "[]"
    return {"type": "array", "items": raw}


def _record(fields):
    seen, unique = set(), []
    for name, raw, optional in fields:
        if name not in seen:
            seen.add(name)
            unique.append({"name": name, "type": ["null", raw] if optional else raw})
    return {"type": "record", "fields": unique}


def _extend(children):
    return (
        st.builds(_array, children, st.booleans())
        | st.builds(_nullable_array, children)
        | st.builds(
            _record, st.lists(st.tuples(names, children, st.booleans()), min_size=1, max_size=3)
        )
        | st.lists(children, min_size=2, max_size=3)
    )


def _nullable_array(raw):
    return {"type": "array", "items": ["null", raw]}


raw_types = st.recursive(leaf_types, _extend, max_leaves=5)


def _input(index, name, raw, optional, style):
    input_id = name if index == 0 else f"{name}{index}"
    return input_id, (_nullable(raw, style) if optional else raw)


@st.composite
def raw_apps(draw):
    """A raw CWL document in one of the dialects, with 1-4 inputs of generated types."""
    count = draw(st.integers(1, 4))
    entries = []
    for index in range(count):
        name = draw(st.sampled_from(["in", "data", "rel-check", "x.y", "validate", "_p"]))
        raw = draw(raw_types)
        optional = draw(st.booleans())
        entries.append(_input(index, name, raw, optional, draw(st.integers(0, 2))))
    dialect = draw(st.sampled_from(["map", "list", "draft2", "packed"]))
    if dialect == "map":
        inputs = {name: raw for name, raw in entries}
        return {"cwlVersion": "v1.2", "class": "CommandLineTool", "inputs": inputs}
    if dialect == "draft2":
        return {
            "class": "CommandLineTool",
            "inputs": [{"id": "#" + name, "type": raw} for name, raw in entries],
        }
    if dialect == "packed":
        return {
            "cwlVersion": "v1.0",
            "class": "CommandLineTool",
            "inputs": [{"id": "#main/" + name, "type": raw} for name, raw in entries],
        }
    return {
        "cwlVersion": "v1.1",
        "class": "CommandLineTool",
        "inputs": [{"id": name, "type": raw} for name, raw in entries],
    }


def describe(raw):
    return json.dumps(raw)[:300]
