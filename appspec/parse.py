"""Read an app's raw CWL (sbg:draft-2, v1.0, v1.1, v1.2) into an `AppSpec`.

Tolerant by design: whatever shape an input's type has, parsing never raises for it; a shape it
cannot read becomes an `UnknownType` with a note, and the form offers a JSON box for it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from .types import (
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
)

_MAX_DEPTH = 40
# Some older exports spell primitive names with a namespace or in other case.
_PRIMITIVE_ALIASES = {p.lower(): p for p in PRIMITIVES} | {"bool": "boolean", "str": "string"}
_NULL = object()  # parse result for the `null` type
_ONLY_NULLS = "An array of nothing but null cannot be entered."


class AppSpecError(ValueError):
    """The document is not an app at all (not an object, or no inputs section we can read)."""


def strip_id(raw_id: Any) -> str:
    """`#main/reads`, `file.cwl#reads`, `#reads` and `reads` all become `reads`."""
    text = str(raw_id).strip()
    if "#" in text:
        text = text.rsplit("#", 1)[1]
        text = text.rsplit("/", 1)[-1]
    return text


def clean_symbol(symbol: Any, scope: str | None = None) -> str:
    """An enum symbol's value: the text after the enum's own name, kept whole after that.

    `scope` is the enum's `name` or, for an unnamed enum, the id of the input or record field
    that declares it (a packed document writes the symbols under it). So with the name
    `#main/s/Sex`, `#main/s/Sex/Unknown or not XX/XY` is `Unknown or not XX/XY`; `file.cwl#Sex/a`
    and `Sex/a` are `a`; a plain symbol such as `fr/rf` stays whole.
    """
    text = str(symbol)
    namespaced = "#" in text
    rest = text.split("#", 1)[1] if namespaced else text
    scope_path = str(scope or "").split("#", 1)[-1].strip("/")
    parts = [p for p in scope_path.split("/") if p]
    # Longest first: the whole name, then shorter tails (a symbol written in another file of a
    # packed document may carry only the enum's own short name).
    for start in range(len(parts)):
        prefix = "/".join(parts[start:]) + "/"
        if rest.startswith(prefix) and len(rest) > len(prefix):
            return rest[len(prefix) :]
    if namespaced:
        # A namespaced symbol under a name we were not told: its last part is the best guess.
        return rest.rsplit("/", 1)[-1]
    return text


def parse_file_types(value: Any) -> tuple[str, ...]:
    """`"BAM, Cram"` -> `("bam", "cram")`; `".fq.gz"` -> `("fq.gz",)`; duplicates dropped."""
    if value is None:
        return ()
    parts: Iterable[Any] = value if isinstance(value, list) else str(value).split(",")
    seen: list[str] = []
    for part in parts:
        ext = str(part).strip().lstrip(".").strip().lower()
        if ext and ext not in seen:
            seen.append(ext)
    return tuple(seen)


def parse_secondary_files(value: Any) -> tuple[SecondaryFile, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, dict) and (item.get("class") == "Expression" or "script" in item):
            # Draft-2 writes an expression as an object; only the platform can work it out.
            out.append(SecondaryFile(str(item.get("script") or ""), None, expression=True))
        elif isinstance(item, dict):
            pattern = item.get("pattern", "")
            out.append(SecondaryFile(str(pattern), item.get("required")))
        else:
            out.append(SecondaryFile(str(item), None))
    return tuple(out)


def _text(value: Any) -> str:
    """CWL lets `doc` be a string or a list of strings."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(v) for v in value if v is not None)
    return str(value)


def _items_of(section: Any, key_name: str) -> list[dict]:
    """A CWL section given as a list of objects or as a map keyed by id/name."""
    if isinstance(section, list):
        return [item for item in section if isinstance(item, dict)]
    if isinstance(section, dict):
        out = []
        for key, value in section.items():
            if isinstance(value, dict) and ("type" in value or key_name not in value):
                entry = dict(value)
                entry.setdefault(key_name, key)
            else:
                # `name: type` shorthand (a string or a list).
                entry = {key_name: key, "type": value}
            out.append(entry)
        return out
    return []


def _requirement_entries(doc: dict) -> list[dict]:
    out = []
    for section in ("requirements", "hints"):
        value = doc.get(section)
        if isinstance(value, list):
            out.extend(v for v in value if isinstance(v, dict))
        elif isinstance(value, dict):
            for cls, body in value.items():
                if isinstance(body, dict):
                    out.append({"class": cls, **body})
    return out


class _TypeReader:
    def __init__(self, doc: dict):
        self.named: dict[str, dict] = {}
        self._resolving: list[str] = []
        for req in _requirement_entries(doc):
            types = req.get("types")
            if req.get("class") == "SchemaDefRequirement" and isinstance(types, list):
                for named in types:
                    self._collect(named)
        for entry in _items_of(doc.get("inputs"), "id"):
            self._collect(entry.get("type"))

    def _collect(self, node: Any, depth: int = 0) -> None:
        """Remember every named record/enum so later references by name resolve."""
        if depth > _MAX_DEPTH:
            return
        if isinstance(node, list):
            for item in node:
                self._collect(item, depth + 1)
        elif isinstance(node, dict):
            name = node.get("name")
            if isinstance(name, str) and node.get("type") in ("record", "enum", "array"):
                for key in {name, name.lstrip("#"), strip_id(name)}:
                    self.named.setdefault(key, node)
            for key in ("type", "items", "fields"):
                value = node.get(key)
                if key == "fields" and isinstance(value, dict):
                    value = list(value.values())
                if isinstance(value, (list, dict)):
                    self._collect(value, depth + 1)

    def read(self, raw: Any, depth: int = 0, scope: str = "") -> tuple[TypeNode | object, bool]:
        """Return (node, nullable). node is `_NULL` for the bare `null` type.

        `scope` is the full id of the input or record field being read: the prefix of the
        symbols of an unnamed enum in it.
        """
        if depth > _MAX_DEPTH:
            return _unknown(raw, "This type is nested too deeply to draw."), False
        if raw is None:
            return _unknown(raw, "This input declares no type."), False
        if isinstance(raw, str):
            return self._read_name(raw, depth, scope)
        if isinstance(raw, list):
            return self._read_union(raw, depth, scope)
        if isinstance(raw, dict):
            kind = raw.get("type")
            if kind not in ("array", "enum", "record") and isinstance(kind, (str, list, dict)):
                # `{type: "File"}` or `{type: ["null", "File"]}`: a type wrapped in an object.
                return self.read(kind, depth + 1, scope)
            return self._read_dict(raw, depth, scope), False
        return _unknown(raw, "This type is written in a form the app reader does not know."), False

    def _read_name(self, raw: str, depth: int, scope: str) -> tuple[TypeNode | object, bool]:
        text = raw.strip()
        if text.endswith("?"):
            node, _ = self.read(text[:-1], depth + 1, scope)
            return node, True
        if text.endswith("[]"):
            items, nullable = self.read(text[:-2], depth + 1, scope)
            if items is _NULL:
                return _unknown(raw, _ONLY_NULLS, "null[]"), False
            return ArrayType(items, nullable), False
        if text == "null":
            return _NULL, True
        bare = text.rsplit(":", 1)[-1] if text.startswith(("sbg:", "cwl:", "sld:")) else text
        if bare.lower() in _PRIMITIVE_ALIASES:
            return PrimitiveType(_PRIMITIVE_ALIASES[bare.lower()]), False
        for key in (text, text.lstrip("#"), strip_id(text)):
            if key in self.named:
                if key in self._resolving:
                    note = "This type refers to itself; enter the value as JSON."
                    return _unknown(raw, note), False
                self._resolving.append(key)
                try:
                    return self._read_dict(self.named[key], depth + 1, key), False
                finally:
                    self._resolving.pop()
        return _unknown(raw, f"Unknown type name “{text}”."), False

    def label_of(self, raw: Any, depth: int = 0) -> str:
        """The label written on an enum or record type (given inline or by name, optional or
        not): what an input or field of that type is called when it has no label of its own."""
        if depth > _MAX_DEPTH:
            return ""
        if isinstance(raw, str):
            text = raw.strip().removesuffix("?")
            if text.endswith("[]"):
                return ""
            named = next(
                (
                    self.named[k]
                    for k in (text, text.lstrip("#"), strip_id(text))
                    if k in self.named
                ),
                None,
            )
            return self.label_of(named, depth + 1) if named is not None else ""
        if isinstance(raw, list):
            branches = [b for b in raw if b != "null"]
            return self.label_of(branches[0], depth + 1) if len(branches) == 1 else ""
        if isinstance(raw, dict):
            kind = raw.get("type")
            if kind in ("enum", "record"):
                return _text(raw.get("label")).strip()
            if kind != "array" and isinstance(kind, (str, list, dict)):
                return self.label_of(kind, depth + 1)
        return ""

    def _read_union(self, raw: list, depth: int, scope: str) -> tuple[TypeNode | object, bool]:
        nullable = False
        branches: list[TypeNode] = []
        for member in raw:
            node, member_nullable = self.read(member, depth + 1, scope)
            nullable = nullable or member_nullable
            if node is _NULL:
                continue
            # A union inside a union is the same as its branches side by side.
            parts = node.branches if isinstance(node, UnionType) else (node,)
            for part in parts:
                if part not in branches:
                    branches.append(part)
        if not branches:
            return _NULL, True
        if len(branches) == 1:
            return branches[0], nullable
        return UnionType(tuple(branches)), nullable

    def _read_dict(self, raw: dict, depth: int, scope: str = "") -> TypeNode:
        if "$import" in raw or "$include" in raw:
            return _unknown(raw, "This type is imported from another file that is not here.")
        kind = raw.get("type")
        if kind == "array":
            if "items" not in raw:
                return _unknown(raw, "This array type does not say what its items are.")
            items, nullable = self.read(raw["items"], depth + 1, scope)
            if items is _NULL:
                return _unknown(raw, _ONLY_NULLS, "null[]")
            return ArrayType(items, nullable)
        if kind == "enum":
            symbols = raw.get("symbols")
            if not isinstance(symbols, list) or not symbols:
                return _unknown(raw, "This enum lists no symbols.")
            name = raw.get("name") if isinstance(raw.get("name"), str) else None
            cleaned: list[str] = []
            for symbol in symbols:
                text = clean_symbol(symbol, name or scope)
                if text not in cleaned:
                    cleaned.append(text)
            return EnumType(tuple(cleaned), strip_id(name) if name else None)
        if kind == "record":
            return self._read_record(raw, depth)
        return _unknown(raw, "This type is written in a form the app reader does not know.")

    def _read_record(self, raw: dict, depth: int) -> TypeNode:
        fields = []
        for entry in _items_of(raw.get("fields"), "name"):
            full_name = str(entry.get("name", ""))
            name = strip_id(full_name)
            if not name:
                continue
            node, nullable = self.read(entry.get("type"), depth + 1, full_name)
            if node is _NULL:
                node, nullable = _unknown(None, "This field can only be null.", "null"), True
            fields.append(
                RecordField(
                    name=name,
                    type=node,  # type: ignore[arg-type]
                    required=not nullable,
                    label=_text(entry.get("label")) or self.label_of(entry.get("type"), depth + 1),
                    doc=_text(entry.get("doc", entry.get("description"))),
                    file_types=parse_file_types(entry.get("sbg:fileTypes")),
                    secondary_files=parse_secondary_files(entry.get("secondaryFiles")),
                )
            )
        name = raw.get("name") if isinstance(raw.get("name"), str) else None
        return RecordType(tuple(fields), strip_id(name) if name else None)


def _unknown(raw: Any, note: str, written: str = "") -> UnknownType:
    try:
        text = json.dumps(raw, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = repr(raw)
    return UnknownType(text, note, written)


def _revision(doc: dict) -> int | None:
    value = doc.get("sbg:revision")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _cwl_version(doc: dict) -> str | None:
    version = doc.get("cwlVersion")
    if isinstance(version, str) and version:
        return version
    # Draft-2 exports often carry no version: recognise them by shape.
    inputs = doc.get("inputs")
    listed = inputs if isinstance(inputs, list) else []
    ids = [i.get("id", "") for i in listed if isinstance(i, dict)]
    reqs = [r.get("class") for r in _requirement_entries(doc)]
    if any(str(i).startswith("#") for i in ids) or "ExpressionEngineRequirement" in reqs:
        return "sbg:draft-2"
    if any(isinstance(i, dict) and "description" in i for i in listed):
        return "sbg:draft-2"
    return None


def _bool_or_none(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _secondary_files(entry: dict) -> Any:
    """An input's `secondaryFiles`: draft-2 tools write them inside `inputBinding`."""
    if entry.get("secondaryFiles") is not None:
        return entry.get("secondaryFiles")
    binding = entry.get("inputBinding")
    return binding.get("secondaryFiles") if isinstance(binding, dict) else None


def parse_input(entry: dict, reader: _TypeReader) -> InputSpec:
    input_id = strip_id(entry.get("id", ""))
    declared = entry.get("type")
    if declared in ("enum", "record", "array"):
        # A loose spelling: the input object itself carries `symbols`, `fields` or `items`.
        declared = entry
    node, nullable = reader.read(declared, scope=str(entry.get("id", "")))
    if node is _NULL:
        node, nullable = _unknown(None, "This input can only be null.", "null"), True
    # Draft-2 may also say `required: false` next to the type.
    required = not nullable and entry.get("required") is not False
    return InputSpec(
        id=input_id,
        type=node,  # type: ignore[arg-type]
        required=required,
        label=_text(entry.get("label")) or reader.label_of(declared),
        doc=_text(entry.get("doc", entry.get("description"))),
        default=entry.get("default"),
        has_default="default" in entry and entry.get("default") is not None,
        file_types=parse_file_types(entry.get("sbg:fileTypes")),
        category=_text(entry.get("sbg:category")).strip(),
        tool_default=(
            None
            if entry.get("sbg:toolDefaultValue") is None
            else str(entry.get("sbg:toolDefaultValue"))
        ),
        suggested_value=entry.get("sbg:suggestedValue"),
        has_suggested_value=entry.get("sbg:suggestedValue") is not None,
        secondary_files=parse_secondary_files(_secondary_files(entry)),
        exposed=entry.get("sbg:exposed") is True,
        include_in_ports=_bool_or_none(entry.get("sbg:includeInPorts")),
    )


def parse_app(raw: Any) -> AppSpec:
    """Read an app's raw CWL (a dict, or its JSON text) into an `AppSpec`.

    Raises `AppSpecError` only when the document is not an object; every input it holds becomes
    an `InputSpec`, whatever its type looks like.
    """
    if isinstance(raw, (str, bytes)):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise AppSpecError("The app's description is not valid JSON.") from exc
    if not isinstance(raw, dict):
        raise AppSpecError("The app's description is not a CWL document.")
    raw = _main_process(raw)
    reader = _TypeReader(raw)
    inputs = []
    seen: set[str] = set()
    for entry in _items_of(raw.get("inputs"), "id"):
        spec = parse_input(entry, reader)
        if not spec.id or spec.id in seen:
            continue
        seen.add(spec.id)
        inputs.append(spec)
    batch_input = raw.get("sbg:batchInput")
    return AppSpec(
        inputs=inputs,
        label=_text(raw.get("label")),
        doc=_text(raw.get("doc", raw.get("description"))),
        cwl_version=_cwl_version(raw),
        app_class=raw.get("class") if isinstance(raw.get("class"), str) else None,
        app_id=_app_id(raw),
        revision=_revision(raw),
        batch_input=strip_id(batch_input) if isinstance(batch_input, str) and batch_input else None,
        batch_by=raw.get("sbg:batchBy"),
    )


def _main_process(raw: dict) -> dict:
    """A packed document (`$graph`) describes several processes: the app is the one named main."""
    graph = raw.get("$graph")
    if "inputs" in raw or not isinstance(graph, list):
        return raw
    processes = [p for p in graph if isinstance(p, dict)]
    main = next((p for p in processes if strip_id(p.get("id", "")) == "main"), None)
    if main is None:
        main = next((p for p in processes if p.get("class") == "Workflow"), None)
    if main is None and processes:
        main = processes[0]
    if main is None:
        return raw
    # Top-level keys (cwlVersion, sbg:* metadata) apply to the whole document.
    outer = {k: v for k, v in raw.items() if k != "$graph"}
    return {**outer, **main}


_API_APP_URL = re.compile(r"/v2/apps/(?P<id>[^/]+/[^/]+/[^/]+)(?:/(?P<rev>\d+))?")


def _app_id(raw: dict) -> str | None:
    """`owner/project/app` from `sbg:id` (preferred) or a top-level `id` in API URL form."""
    for value in (raw.get("sbg:id"), raw.get("id")):
        if not isinstance(value, str) or not value:
            continue
        match = _API_APP_URL.search(value)
        if match:
            return match.group("id")
        parts = value.strip("/").split("/")
        if len(parts) >= 3 and "://" not in value:
            return "/".join(parts[:3])
    return None
