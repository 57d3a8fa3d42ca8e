"""The HTML names of an input's controls, and where a node sits in its input.

Every input is one form field named `inputs-<id>`; below a node named `N`:

- records: `N-<field>`; an optional record also has the checkbox `N-@set` ("send this record"),
  because an empty record `{}` is a meaningful value;
- lists drawn as rows: `N-<i>` for row i, plus a hidden `N-<i>-@row` marker in every row so a
  row whose controls submit nothing (an unticked checkbox) still exists; the spare row drawn for
  pages without JavaScript carries `N-<i>-@spare` instead, and is no row while left blank;
- File[] / Directory[] and enum[] are one control each (`N`, several ids or ticked boxes);
- unions: the branch choice `N-@type` (a branch key such as `File`, `string`, `record`) and each
  branch's control under `N-@<key>`.

Names of helpers start with `@`, which no input id or record field name contains.
"""

from __future__ import annotations

import re
from typing import Any

from appspec import PrimitiveType, UnionType, UnknownType

ROW_MARKER = "@row"
SPARE_MARKER = "@spare"
SET_FLAG = "@set"
UNION_CHOICE = "@type"
_MARKERS = ("-" + ROW_MARKER, "-" + SPARE_MARKER)

# Where a node sits decides how it is drawn and what "required" means: a required boolean of an
# input or a record field is a checkbox (unticked means false), elsewhere a boolean must be
# chosen; an empty list item and an empty union branch get their own messages.
TOP, FIELD, LIST_ITEM, BRANCH = "top", "field", "list item", "branch"


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
    """Row numbers present under `name` (`name-3`, `name-3-...`), in order, blank spares aside.

    The page numbers rows from 0; a number of more than 9 digits is no row (Python refuses to
    read integers of thousands of digits, and a posted name may have them)."""
    pattern = re.compile(re.escape(name) + r"-(\d{1,9})(?:-|$)")
    found = set()
    for key in formdata:
        match = pattern.match(key)
        if match:
            found.add(int(match.group(1)))
    return [i for i in sorted(found) if not is_blank_spare(formdata, f"{name}-{i}")]


def is_blank(formdata: Any, name: str) -> bool:
    """True when nothing at all was entered under `name` (row markers do not count)."""
    prefix = name + "-"
    for key in formdata:
        if key == name or key.startswith(prefix):
            if key.endswith(_MARKERS):
                continue
            if any(str(v) != "" for v in formdata.getlist(key)):
                return False
    return True


def is_blank_spare(formdata: Any, row: str) -> bool:
    """A spare row (drawn for pages without JavaScript) that was left as it came."""
    return f"{row}-{SPARE_MARKER}" in formdata and is_blank(formdata, row)
