"""What every input kind shares to read and write values: `MISSING`, the parse context, text.

Reading a node gives the CWL value the platform expects, or `MISSING` (never an empty string)
when nothing usable was entered; each value that cannot be read leaves a message under its HTML
name. Writing gives the strings a browser would submit, so the two directions round-trip.

What a form cannot say, by design: an empty string or an empty list (empty means "not set", so
the input is left out; a JSON branch can still carry `[]`), and null, except as an item of a list
whose items may be null (an empty row).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any


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
TRUE_WORDS = ("true", "on", "1", "y", "yes")


@dataclass
class ParseContext:
    """The submitted strings, and what reading them found: messages by name, file ids seen
    (and where: `file_places` holds (HTML name, "file" or "folder", ids) for each box of ids, so
    an id the platform does not know is marked on the very box that holds it)."""

    formdata: Any
    errors: dict[str, list[str]] = field(default_factory=dict)
    file_ids: list[str] = field(default_factory=list)
    file_places: list[tuple[str, str, list[str]]] = field(default_factory=list)

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def first(self, name: str) -> str:
        values = self.formdata.getlist(name) if name in self.formdata else []
        return values[0] if values else ""

    def values(self, name: str) -> list[str]:
        return list(self.formdata.getlist(name)) if name in self.formdata else []

    def error_count(self) -> int:
        return sum(len(v) for v in self.errors.values())


def is_true(text: str) -> bool:
    """How a ticked checkbox (or a typed yes) reads."""
    return text.strip().lower() in TRUE_WORDS


def split_ids(text: str) -> list[str]:
    return [part for part in _ID_SEPARATORS.split(text or "") if part]


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
