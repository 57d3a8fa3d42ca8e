"""Just enough of a CWL reader to validate task inputs the way the platform does.

Reads the input nodes of an app's raw CWL (sbg:draft-2, v1.0, v1.1, v1.2; inputs as a list or a
map) into small type trees, and checks a task's input values against them. Unknown named types are
treated as "Any": the sandbox must never reject an app it cannot fully read.
"""

from dataclasses import dataclass

PRIMITIVES = {
    "null",
    "boolean",
    "int",
    "long",
    "float",
    "double",
    "string",
    "File",
    "Directory",
    "Any",
}


@dataclass(frozen=True)
class InputNode:
    id: str
    type: tuple
    required: bool


def _short(name):
    """`#main/reads` or `file.cwl#reads` -> `reads`."""
    return str(name).split("#")[-1].split("/")[-1]


def symbol_value(symbol, scope):
    """An enum symbol's value: the text after the enum's own name (its `name`, or for an unnamed
    enum the id of the input or field declaring it), kept whole: with the name `#main/s/Sex`, the
    symbol `#main/s/Sex/Unknown or not XX/XY` is `Unknown or not XX/XY`; `fr/rf` stays `fr/rf`."""
    text = str(symbol)
    namespaced = "#" in text
    rest = text.split("#", 1)[1] if namespaced else text
    parts = [p for p in str(scope or "").split("#", 1)[-1].split("/") if p]
    for start in range(len(parts)):  # longest first; another file may use only the short name
        prefix = "/".join(parts[start:]) + "/"
        if rest.startswith(prefix) and len(rest) > len(prefix):
            return rest[len(prefix) :]
    return rest.rsplit("/", 1)[-1] if namespaced else text


def _list(value):
    """value if it is a list, else []: an app's CWL is not checked on install, so a list-valued
    key may hold anything."""
    return value if isinstance(value, list) else []


def _schema_defs(raw):
    defs = {}
    for section in ("requirements", "hints"):
        reqs = raw.get(section)
        if isinstance(reqs, dict):
            reqs = [dict(v, **{"class": k}) for k, v in reqs.items() if isinstance(v, dict)]
        for req in _list(reqs):
            if isinstance(req, dict) and req.get("class") == "SchemaDefRequirement":
                for t in _list(req.get("types")):
                    if isinstance(t, dict) and t.get("name"):
                        defs[_short(t["name"])] = t
    return defs


def _inline_named(node, defs, depth=0):
    """Add the records and enums named where an input declares them: another input (or field)
    may refer to them by that name, as a packed document does."""
    if depth > 20:
        return
    if isinstance(node, list):
        for item in node:
            _inline_named(item, defs, depth + 1)
    elif isinstance(node, dict):
        name = node.get("name")
        if isinstance(name, str) and name and node.get("type") in ("record", "enum"):
            defs.setdefault(_short(name), node)
        fields = node.get("fields")
        for part in (
            node.get("type"),
            node.get("items"),
            list(fields.values()) if isinstance(fields, dict) else fields,
        ):
            if isinstance(part, list | dict):
                _inline_named(part, defs, depth + 1)


def parse_type(t, defs, depth=0, scope=""):
    """A CWL type expression -> tuple tree: ("prim", name) | ("array", item) | ("enum", symbols)
    | ("record", {field: type}) | ("union", (types...)). scope: the full id of the input or field
    being read (the prefix of an unnamed enum's symbols)."""
    if depth > 20:
        return ("prim", "Any")
    if isinstance(t, str):
        if t.endswith("?"):
            return ("union", (("prim", "null"), parse_type(t[:-1], defs, depth + 1, scope)))
        if t.endswith("[]"):
            return ("array", parse_type(t[:-2], defs, depth + 1, scope))
        if t in PRIMITIVES:
            return ("prim", t)
        name = _short(t)
        if name in defs:
            return parse_type(defs[name], defs, depth + 1, scope)
        return ("prim", "Any")
    if isinstance(t, list):
        return ("union", tuple(parse_type(x, defs, depth + 1, scope) for x in t))
    if isinstance(t, dict):
        kind = t.get("type")
        if kind == "array":
            return ("array", parse_type(t.get("items", "Any"), defs, depth + 1, scope))
        if kind == "enum":
            prefix = t.get("name") if isinstance(t.get("name"), str) else scope
            return ("enum", tuple(symbol_value(s, prefix) for s in _list(t.get("symbols"))))
        if kind == "record":
            fields = t.get("fields")
            if isinstance(fields, dict):
                fields = [
                    dict(v, name=k) if isinstance(v, dict) else {"name": k, "type": v}
                    for k, v in fields.items()
                ]
            return (
                "record",
                {
                    _short(f.get("name", "")): parse_type(
                        f.get("type", "Any"), defs, depth + 1, str(f.get("name", ""))
                    )
                    for f in _list(fields)
                    if isinstance(f, dict)
                },
            )
        if kind is not None:
            return parse_type(kind, defs, depth + 1, scope)
    return ("prim", "Any")


def nullable(t):
    if t == ("prim", "null") or t == ("prim", "Any"):
        return True
    return t[0] == "union" and any(nullable(x) for x in t[1])


def main_process(raw):
    """The app's own process. A packed document (`$graph`, as `cwltool --pack` writes) holds
    several: the app is the one with id `#main` (else its workflow, else its first process), read
    with the document's top-level keys (cwlVersion, sbg:* metadata)."""
    graph = raw.get("$graph")
    if "inputs" in raw or not isinstance(graph, list):
        return raw
    processes = [p for p in graph if isinstance(p, dict)]
    main = next((p for p in processes if _short(p.get("id", "")) == "main"), None)
    main = main or next((p for p in processes if p.get("class") == "Workflow"), None)
    main = main or (processes[0] if processes else {})
    return {**{k: v for k, v in raw.items() if k != "$graph"}, **main}


def read_inputs(raw):
    """The app's input nodes, in document order."""
    raw = main_process(raw)
    defs = _schema_defs(raw)
    inputs = raw.get("inputs")
    if isinstance(inputs, dict):
        inputs = [
            dict(v, id=k) if isinstance(v, dict) else {"id": k, "type": v}
            for k, v in inputs.items()
        ]
    for item in _list(inputs):
        if isinstance(item, dict):
            _inline_named(item.get("type"), defs)
    nodes = []
    for item in _list(inputs):
        if not isinstance(item, dict) or "id" not in item:
            continue
        t = parse_type(item.get("type", "Any"), defs, scope=str(item["id"]))
        nodes.append(InputNode(_short(item["id"]), t, not nullable(t) and "default" not in item))
    return nodes


def _made_of(t, leaves):
    """The type's non-null branches are all one of `leaves`, or arrays of them."""
    if t[0] == "union":
        branches = [x for x in t[1] if x != ("prim", "null")]
        return bool(branches) and all(_made_of(x, leaves) for x in branches)
    if t[0] == "array":
        return _made_of(t[1], leaves)
    return t in leaves


def is_file_like(t):
    """The type's non-null branches are all File/Directory or arrays of them."""
    return _made_of(t, (("prim", "File"), ("prim", "Directory")))


def is_single_file(t):
    """File or File? (not an array): the platform batches over a list given to such an input."""
    if t[0] == "union":
        branches = [x for x in t[1] if x != ("prim", "null")]
        return len(branches) == 1 and is_single_file(branches[0])
    return t in (("prim", "File"), ("prim", "Directory"))


class Mismatch(Exception):
    """A value does not fit its type. kind: "schema" (wrong shape) or "file" (names no file)."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


def check_value(value, t, find_file):
    """Raise Mismatch unless value fits type t. find_file(id, cls) -> bool (exists in project)."""
    kind = t[0]
    if kind == "union":
        problems = []
        for branch in t[1]:
            try:
                check_value(value, branch, find_file)
                return
            except Mismatch as exc:
                problems.append(exc)
        file_problems = [p for p in problems if p.kind == "file"]
        raise file_problems[0] if file_problems else problems[0]
    if kind == "array":
        if not isinstance(value, list):
            raise Mismatch("schema", "Value for this input does not match the expected type.")
        for item in value:
            check_value(item, t[1], find_file)
        return
    if kind == "enum":
        if not isinstance(value, str) or value not in t[1]:
            # Quoted: a symbol may itself hold commas.
            raise Mismatch(
                "schema",
                "Value is not one of the allowed symbols: "
                + ", ".join(f'"{s}"' for s in t[1])
                + ".",
            )
        return
    if kind == "record":
        if not isinstance(value, dict):
            raise Mismatch("schema", "Value for this input does not match the expected type.")
        for name, field_type in t[1].items():
            field_value = value.get(name)
            if field_value is None:
                if not nullable(field_type):
                    raise Mismatch("schema", f"Record field '{name}' is required.")
                continue
            check_value(field_value, field_type, find_file)
        return
    _check_primitive(value, t[1], find_file)


PRIMITIVE_CHECKS = {
    "Any": lambda v: True,
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool) and -(2**31) <= v < 2**31,
    "long": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "double": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
}


def _check_primitive(value, name, find_file):
    if name in ("File", "Directory"):
        if not (
            isinstance(value, dict)
            and value.get("class") == name
            and isinstance(value.get("path"), str)
            and value["path"]
        ):
            raise Mismatch(
                "schema",
                f"Value for this input must be a {name} object "
                '{"class": "' + name + '", "path": "<id>"}.',
            )
        if not find_file(value["path"], name):
            what = "file" if name == "File" else "folder"
            raise Mismatch("file", f"The {what} {value['path']} does not exist in the project.")
        return
    if not PRIMITIVE_CHECKS[name](value):
        raise Mismatch("schema", "Value for this input does not match the expected type.")


def read_outputs(raw):
    """[(output id, type, glob or None)] of the app's outputs that are files (or arrays of
    files), in document order: what a finished task of the app gives back."""
    raw = main_process(raw)
    defs = _schema_defs(raw)
    outputs = raw.get("outputs")
    if isinstance(outputs, dict):
        outputs = [
            dict(v, id=k) if isinstance(v, dict) else {"id": k, "type": v}
            for k, v in outputs.items()
        ]
    found = []
    for item in _list(outputs):
        if not isinstance(item, dict) or "id" not in item:
            continue
        t = parse_type(item.get("type", "Any"), defs, scope=str(item["id"]))
        if not _only_files(t):
            continue
        binding = item.get("outputBinding")
        glob = binding.get("glob") if isinstance(binding, dict) else None
        if isinstance(glob, list):
            glob = next((g for g in glob if isinstance(g, str)), None)
        found.append((_short(item["id"]), t, glob if isinstance(glob, str) else None))
    return found


def _only_files(t):
    """File, File?, File[] and the like; no Directory."""
    return _made_of(t, (("prim", "File"),))


def is_array(t):
    """The type (or its non-null branch) is an array."""
    if t[0] == "union":
        return any(is_array(x) for x in t[1] if x != ("prim", "null"))
    return t[0] == "array"
