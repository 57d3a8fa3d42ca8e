"""Batch preview: which child tasks a batch task will make, worked out from the chosen files.

Pure: no Flask, no HTTP. It follows the platform's grouping rules:

- `{"type": "item"}`: one child task per file; the group's value is the file's name.
- `{"type": "criteria", "criteria": ["metadata.sample_id", ...]}`: one child task per distinct
  combination of those metadata values. Values are compared exactly as stored (the platform does
  not tidy them), so "S1" and "s1" make two children; `warnings` points such near-duplicates out.
  A file missing any of the keys (absent, null or "") joins no child task: it is in `left_out`.

The batch type is compared case-insensitively (the platform's docs spell it `item`, `ITEM`,
`CRITERIA`). Groups come in the order their first file appears in `files`, so the preview follows
the order in which the user chose the files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

METADATA_PREFIX = "metadata."

# Common ways to batch by metadata, from the platform's batch docs. Keys are stable ids for forms.
BATCH_PRESETS: dict[str, list[str]] = {
    "sample": ["metadata.sample_id"],
    "case": ["metadata.case_id"],
    "library": ["metadata.sample_id", "metadata.library_id"],
    "platform_unit": [
        "metadata.sample_id",
        "metadata.library_id",
        "metadata.platform_unit_id",
    ],
    "file_segment": [
        "metadata.sample_id",
        "metadata.library_id",
        "metadata.platform_unit_id",
        "metadata.file_segment_number",
    ],
}
BATCH_PRESET_LABELS: dict[str, str] = {
    "sample": "Sample",
    "case": "Case",
    "library": "Library",
    "platform_unit": "Platform unit",
    "file_segment": "File segment",
}


@dataclass
class BatchGroup:
    """One future child task: its label (`value`), the metadata it was grouped by, its files."""

    value: str
    fields: dict[str, str]
    files: list[dict] = field(default_factory=list)


@dataclass
class BatchPreview:
    groups: list[BatchGroup]
    left_out: list[dict]
    warnings: list[str] = field(default_factory=list)

    @property
    def child_count(self) -> int:
        return len(self.groups)


def criteria_keys(criteria: Iterable[str]) -> list[str]:
    """`["metadata.sample_id"]` -> `["sample_id"]`. A bare key is read as a metadata key too
    (as the sandbox does); an empty key matches no file, so every file is left out."""
    keys = []
    for criterion in criteria:
        if not isinstance(criterion, str):
            raise ValueError(f"A batch criterion is a metadata key, not {criterion!r}.")
        keys.append(criterion.removeprefix(METADATA_PREFIX))
    return keys


def field_label(key: str) -> str:
    """A batch group's field key for people: `metadata.sample_id` -> `Sample id`."""
    words = str(key).removeprefix(METADATA_PREFIX).replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else str(key)


def preview(files: Iterable[Mapping[str, Any]], batch_by: Mapping[str, Any]) -> BatchPreview:
    """Group `files` (file dicts as the platform returns them) the way `batch_by` would.

    Raises ValueError only for a `batch_by` the platform would refuse: a type other than item
    or criteria, or criteria without any key."""
    files = list(files)
    batch_type = str((batch_by or {}).get("type", "")).lower()
    if batch_type == "item":
        return BatchPreview(
            groups=[BatchGroup(value=_file_label(f), fields={}, files=[f]) for f in files],
            left_out=[],
        )
    if batch_type != "criteria":
        raise ValueError("Batch by must be of type 'item' or 'criteria'.")
    criteria = batch_by.get("criteria") or []
    keys = criteria_keys([criteria] if isinstance(criteria, str) else criteria)
    if not keys:
        raise ValueError("Batching by criteria needs at least one metadata key.")

    groups: dict[tuple[str, ...], BatchGroup] = {}
    left_out = []
    for file in files:
        values = _criteria_values(file, keys)
        if values is None:
            left_out.append(file)
            continue
        group = groups.get(values)
        if group is None:
            group = groups[values] = BatchGroup(
                value=", ".join(values), fields=dict(zip(keys, values, strict=True))
            )
        group.files.append(file)
    return BatchPreview(
        groups=list(groups.values()),
        left_out=left_out,
        warnings=_near_duplicate_warnings(groups, keys),
    )


def _file_label(file: Mapping[str, Any]) -> str:
    return str(file.get("name") or file.get("id") or "")


def _criteria_values(file: Mapping[str, Any], keys: list[str]) -> tuple[str, ...] | None:
    """The file's value for each key as text, or None if any is missing."""
    metadata = file.get("metadata")
    if type(metadata) is not dict and not isinstance(metadata, Mapping):  # dict: the quick test
        return None
    values = []
    for key in keys:
        value = metadata.get(key)
        if not key or value is None or value == "":
            return None
        values.append(value if isinstance(value, str) else str(value))
    return tuple(values)


def _tidy(value: str) -> str:
    return " ".join(value.split()).casefold()


def _near_duplicate_warnings(
    groups: Mapping[tuple[str, ...], BatchGroup], keys: list[str]
) -> list[str]:
    """Values of one key that differ only in case or spacing: probably meant to be the same."""
    warnings = []
    for position, key in enumerate(keys):
        spellings: dict[str, list[str]] = {}
        for values in groups:
            seen = spellings.setdefault(_tidy(values[position]), [])
            if values[position] not in seen:
                seen.append(values[position])
        for variants in spellings.values():
            if len(variants) > 1:
                quoted = ", ".join(f'"{v}"' for v in variants)
                warnings.append(
                    f"{key}: {quoted} differ only in case or spacing, so they make separate "
                    "child tasks."
                )
    return warnings


# ---- a task's batch -------------------------------------------------------------------------


def task_preview(
    task: Mapping[str, Any], files: Mapping[str, Mapping[str, Any]]
) -> tuple[BatchPreview | None, list[str]]:
    """The preview of a task body's batch, and the ids of its batch input `files` lacks.

    `task` has `inputs`, `batch_input` and `batch_by`; `files` maps file ids to files (with
    their metadata). None when the criteria cannot be read here: the platform will judge them.
    """
    value = task["inputs"].get(task["batch_input"])
    items = [] if value is None else value if isinstance(value, list) else [value]
    ids = [item.get("path") for item in items if isinstance(item, dict) and item.get("path")]
    chosen = [files[i] for i in ids if i in files]
    try:
        batch = preview(chosen, task["batch_by"])
    except ValueError:
        return None, []
    return batch, [i for i in ids if i not in files]


def file_ids_in(value: Any) -> set[str]:
    """Every File/Directory path in an inputs object (nested in lists and records too)."""
    if isinstance(value, list):
        return {i for v in value for i in file_ids_in(v)}
    if isinstance(value, dict):
        if value.get("class") in ("File", "Directory") and isinstance(value.get("path"), str):
            return {value["path"]}
        return {i for v in value.values() for i in file_ids_in(v)}
    return set()
