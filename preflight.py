"""Pre-flight checks of a task form, before any draft is made: which chosen files lack the
companion files (indexes) the app says they come with, which do not look like the input's file
types, and which required inputs are left empty.

Pure: no Flask, no HTTP. The caller plans the look-ups with `names_to_look_up`, asks the platform
which of those names exist (one folder at a time), and passes what it found to `check_input`.

Companion rules follow CWL's `secondaryFiles`:

- a pattern is appended to the chosen file's name: `.bai` on `x.bam` is `x.bam.bai`;
- each leading `^` first strips one extension: `^.bai` on `x.bam` is `x.bai`, `^^.dict` on
  `ref.fa.gz` is `ref.dict` (a name with no extension left stays as it is);
- `required: false`, or (v1.1+) a trailing `?`, makes a companion optional; v1.0 and draft-2
  companions are always required;
- a pattern that is an expression (`$(...)`, `${...}`, a draft-2 `{"class": "Expression"}`) is
  worked out by the platform at run time: it is reported as not checkable, never guessed.

The companion is looked for in the chosen file's own folder, where the platform looks for it.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from appspec import (
    ArrayType,
    InputSpec,
    RecordType,
    SecondaryFile,
    TypeNode,
    UnionType,
)

FOUND = "found"
MISSING = "missing"
UNCHECKED = "unchecked"  # an expression (only the platform can work it out), or no folder known

# CWL versions where a trailing "?" means optional (before v1.1 it was part of the name).
_OPTIONAL_MARK_FROM = ("v1.1", "v1.2", "v1.3")


def is_expression(text: str) -> bool:
    return "$(" in text or "${" in text


@dataclass(frozen=True)
class Rule:
    """One expected companion of a chosen file, as the app's CWL describes it."""

    pattern: str  # as written, without a trailing "?"; an expression's text when `expression`
    required: bool | None = True  # None: an expression decides at run time
    expression: bool = False

    @property
    def label(self) -> str:
        """What the user reads for this companion: `.bai`, `^.dict`, or `an expression`."""
        return "an expression" if self.expression else self.pattern

    def companion_of(self, name: str) -> str | None:
        """The companion's file name for a chosen file called `name` (None for an expression)."""
        if self.expression:
            return None
        return companion_name(name, self.pattern)


def companion_name(name: str, pattern: str) -> str:
    """`x.bam` + `.bai`: `x.bam.bai`; + `^.bai`: `x.bai`; `ref.fa.gz` + `^^.dict`: `ref.dict`."""
    rest = pattern
    while rest.startswith("^"):
        rest = rest[1:]
        stem, dot, _ext = name.rpartition(".")
        if dot and stem:  # a leading dot (".bashrc") is not an extension
            name = stem
    return name + rest


def rules_of(secondary_files: Iterable[Any], cwl_version: str | None = None) -> tuple[Rule, ...]:
    """The companion rules of one input, from `appspec`'s `SecondaryFile`s or from the raw CWL
    forms: draft-2 strings and `{"class": "Expression", "script"}` objects, v1.0 lists of
    strings, v1.1+ `{pattern, required}` objects and strings with a trailing `?`."""
    marks_optional = (cwl_version or "").startswith(_OPTIONAL_MARK_FROM)
    rules: list[Rule] = []
    for item in secondary_files or ():
        rule = _rule(item, marks_optional)
        if rule is not None and rule not in rules:
            rules.append(rule)
    return tuple(rules)


def _rule(item: Any, marks_optional: bool) -> Rule | None:
    required: Any = True
    if isinstance(item, SecondaryFile):
        if item.expression:
            return Rule(item.pattern, None, expression=True)
        pattern, required = item.pattern, item.required
    elif isinstance(item, Mapping):
        if item.get("class") == "Expression" or "script" in item:  # draft-2
            return Rule(str(item.get("script") or ""), None, expression=True)
        pattern, required = item.get("pattern", ""), item.get("required")
    else:
        pattern = item
    if not isinstance(pattern, str):
        return None
    if is_expression(pattern):
        return Rule(
            pattern,
            None if required is None or isinstance(required, str) else required,
            expression=True,
        )
    if not pattern.strip("^"):
        return None  # "" or "^" names the chosen file itself: nothing to look for
    if marks_optional and pattern.endswith("?"):
        pattern, required = pattern[:-1], False
    if required is None:
        required = True  # CWL's default for inputs
    elif isinstance(required, str):
        required = None if is_expression(required) else required.strip().lower() != "false"
    else:
        required = bool(required)
    return Rule(pattern, required)


# ---- what was chosen -----------------------------------------------------------------------


@dataclass(frozen=True)
class ChosenFile:
    id: str
    name: str
    folder: str | None  # the folder that holds it (the platform's `parent`)


def chosen_file(file: Mapping[str, Any]) -> ChosenFile:
    """A file as the platform returns it -> what the checks need."""
    return ChosenFile(str(file.get("id") or ""), str(file.get("name") or ""), file.get("parent"))


@dataclass(frozen=True)
class Target:
    """The chosen file ids of one input (or one record field of it) and the rules they follow."""

    file_ids: tuple[str, ...]
    rules: tuple[Rule, ...]
    file_types: tuple[str, ...]


def targets_of(spec: InputSpec, value: Any, cwl_version: str | None = None) -> list[Target]:
    """Where the chosen files of an input sit in its value, each with its rules and types.

    Files directly in the value (a File, a list of them) follow the input's own rules; files in a
    record field follow that field's rules."""
    out: list[Target] = []
    direct = _direct_file_ids(value)
    if direct:
        out.append(
            Target(tuple(direct), rules_of(spec.secondary_files, cwl_version), spec.file_types)
        )
    for record in _records(spec.type):
        for field in record.fields:
            ids = [
                i
                for item in _as_list(value)
                if isinstance(item, Mapping)
                for i in _direct_file_ids(item.get(field.name))
            ]
            if ids:
                out.append(
                    Target(
                        tuple(ids), rules_of(field.secondary_files, cwl_version), field.file_types
                    )
                )
    return out


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _direct_file_ids(value: Any) -> list[str]:
    ids: dict[str, None] = {}  # in order, each once (a list's `in` made 1,000 files cost 500,000)
    for item in _as_list(value):
        if (type(item) is dict or isinstance(item, Mapping)) and item.get("class") == "File":
            path = item.get("path")
            if isinstance(path, str) and path:
                ids[path] = None
    return list(ids)


def _records(node: TypeNode) -> list[RecordType]:
    if isinstance(node, RecordType):
        return [node]
    if isinstance(node, ArrayType):
        return _records(node.items)
    if isinstance(node, UnionType):
        return [r for branch in node.branches for r in _records(branch)]
    return []


# ---- the look-ups --------------------------------------------------------------------------


def names_to_look_up(
    targets: Iterable[Target], files: Mapping[str, Mapping[str, Any]]
) -> dict[str, set[str]]:
    """{folder id: companion names to ask the platform about}, for every target at once, so a
    folder is asked once per page, whatever the number of inputs. A name that is itself one of
    the chosen files (`files`, as the platform returned them) is known to exist: not asked."""
    known = None  # made only when some target has a companion to look for
    wanted: dict[str, set[str]] = {}
    for target in targets:
        if not target.rules:
            continue
        if known is None:
            known = known_names(files)
        for file_id in target.file_ids:
            file = files.get(file_id)
            if file is None:
                continue
            chosen = chosen_file(file)
            if not chosen.folder:
                continue
            for rule in target.rules:
                name = rule.companion_of(chosen.name)
                if name and name not in known.get(chosen.folder, ()):
                    wanted.setdefault(chosen.folder, set()).add(name)
    return wanted


def known_names(files: Mapping[str, Mapping[str, Any]]) -> dict[str, set[str]]:
    """{folder id: names} of files already at hand."""
    known: dict[str, set[str]] = {}
    for file in files.values():
        chosen = chosen_file(file)
        if chosen.folder and chosen.name:
            known.setdefault(chosen.folder, set()).add(chosen.name)
    return known


# ---- the results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Companion:
    rule: Rule
    name: str | None  # the name looked for; None for an expression
    state: str  # FOUND, MISSING or UNCHECKED
    why: str = "expression"  # why it is UNCHECKED

    @property
    def text(self) -> str:
        if self.state == UNCHECKED:
            return f"{self.rule.label} cannot be checked here ({self.why})"
        optional = "optional " if self.rule.required is not True else ""
        return f"{optional}{self.rule.label} {self.state}"


@dataclass(frozen=True)
class FileCheck:
    """The pre-flight result of one chosen file."""

    file: ChosenFile
    companions: tuple[Companion, ...] = ()
    type_warning: str | None = None
    # The required companions that are not there: asked of every file several times a page,
    # so worked out once (a cached_property takes a lock on each read in this Python).
    lacking: tuple[Companion, ...] = dataclasses.field(init=False)
    lacks_required: bool = dataclasses.field(init=False)
    needs_attention: bool = dataclasses.field(init=False)  # a lacking companion, or a type

    def __post_init__(self) -> None:
        missing = ()
        if self.companions:  # most files have none (FASTQs): nothing to go through
            missing = tuple(
                c for c in self.companions if c.state == MISSING and c.rule.required is True
            )
        object.__setattr__(self, "lacking", missing)
        object.__setattr__(self, "lacks_required", bool(missing))
        object.__setattr__(self, "needs_attention", bool(missing) or self.type_warning is not None)

    @property
    def text(self) -> str:
        """`NA12878.bam: .bai found`, `HG002.cram: .crai missing; optional ^.crai missing`."""
        return f"{self.file.name}: " + "; ".join(c.text for c in self.companions)


def check_file(
    chosen: ChosenFile,
    rules: Iterable[Rule],
    present: Mapping[str, Iterable[str]],
    file_types: tuple[str, ...] = (),
) -> FileCheck:
    """Which companions of `chosen` are in its folder, given `present`: {folder id: the names
    the platform says are there} (only the names looked up need be in it)."""
    if not rules:  # most inputs (FASTQs): only the type to match, for 1,000 files a page
        return FileCheck(chosen, (), type_warning(chosen.name, file_types))
    here = present.get(chosen.folder or "", ())
    if not isinstance(here, set | frozenset):
        here = set(here)
    companions = []
    for rule in rules:
        name = rule.companion_of(chosen.name)
        if name is None:
            companions.append(Companion(rule, None, UNCHECKED))
        elif not chosen.folder:
            # The platform did not say which folder holds the file: nowhere to look.
            companions.append(Companion(rule, name, UNCHECKED, "its folder is not known"))
        else:
            companions.append(Companion(rule, name, FOUND if name in here else MISSING))
    return FileCheck(chosen, tuple(companions), type_warning(chosen.name, file_types))


def check_targets(
    targets: Iterable[Target],
    files: Mapping[str, Mapping[str, Any]],
    present: Mapping[str, Iterable[str]],
) -> list[FileCheck]:
    """One `FileCheck` per chosen file of the targets that has a companion rule or a type to
    match (files the platform did not return are skipped: they are reported elsewhere)."""
    return _checks_of(targets, files, _merge(present, known_names(files)))


def _checks_of(targets, files, merged) -> list[FileCheck]:
    """`check_targets` with the names known per folder already merged (once for a page)."""
    out = []
    for target in targets:
        if not target.rules and not target.file_types:
            continue
        for file_id in target.file_ids:
            file = files.get(file_id)
            if file is not None:
                out.append(check_file(chosen_file(file), target.rules, merged, target.file_types))
    return out


def _merge(*maps: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    merged: dict[str, set[str]] = {}
    for names_by_folder in maps:
        for folder, names in names_by_folder.items():
            merged.setdefault(folder, set()).update(names)
    return merged


@lru_cache(maxsize=256)
def _suffixes(file_types: tuple[str, ...]) -> tuple[str, ...]:
    """`("bam", "cram")` -> `(".bam", ".cram")`, made once per input (checked per file)."""
    return tuple("." + ext for ext in file_types)


def type_warning(name: str, file_types: tuple[str, ...]) -> str | None:
    """A warning when `name` ends in none of the input's `sbg:fileTypes` (as `appspec` reads
    them: lower case, no dot); None when it matches or the input names no types."""
    if not file_types:
        return None
    if name.lower().endswith(_suffixes(file_types)):
        return None
    listed = ", ".join(ext.upper() for ext in file_types)
    return f"{name} is not a file of the types this input takes ({listed})."


# ---- the form as a whole -------------------------------------------------------------------


def is_empty(value: Any) -> bool:
    return value is None or value == [] or value == ""


def empty_required(specs: Iterable[InputSpec], values: Mapping[str, Any]) -> list[InputSpec]:
    """Required inputs (no null allowed, no default) that have no value: the platform takes such
    a draft, but it will not run until they are set."""
    return [s for s in specs if s.required and not s.has_default and is_empty(values.get(s.id))]


@dataclass(frozen=True)
class Summary:
    checked: int  # chosen files with a companion rule or file types to match
    lacking: int  # of them, files without a required companion
    mistyped: int
    unchecked: int  # files with a companion that cannot be checked here

    @property
    def text(self) -> str:
        """`3 of 24 files lack a required companion.` (empty when there is nothing to say)."""
        parts = []
        if self.lacking:
            parts.append(
                f"{self.lacking} of {self.checked} {_files(self.checked)} "
                f"{'lacks' if self.lacking == 1 else 'lack'} a required companion."
            )
        if self.mistyped:
            parts.append(
                f"{self.mistyped} {_files(self.mistyped)} "
                f"{'does' if self.mistyped == 1 else 'do'} not match the input's file types."
            )
        if self.unchecked:
            parts.append(
                f"{self.unchecked} {_files(self.unchecked)} "
                f"{'has' if self.unchecked == 1 else 'have'} companion files that cannot be "
                "checked here (marked on the input)."
            )
        return " ".join(parts)


def _files(count: int) -> str:
    return "file" if count == 1 else "files"


def summarise(checks: Iterable[FileCheck]) -> Summary:
    """Counts over every chosen file (a file chosen for two inputs counts once per input)."""
    checks = list(checks)
    return Summary(
        checked=len(checks),
        lacking=sum(1 for c in checks if c.lacks_required),
        mistyped=sum(1 for c in checks if c.type_warning),
        unchecked=sum(1 for c in checks if any(x.state == UNCHECKED for x in c.companions)),
    )


def lacking_lines(checks: Iterable[FileCheck]) -> list[str]:
    """`HG002.cram: .crai missing` for each file without a required companion, for a draft's
    description."""
    lines: dict[str, None] = {}  # in order, each once
    for check in checks:
        if check.lacks_required:
            names = ", ".join(c.rule.label for c in check.lacking)
            lines[f"{check.file.name}: {names} missing"] = None
    return list(lines)


def group_checks(
    groups: Iterable[Any], checks_by_file: Mapping[str, FileCheck]
) -> list[list[FileCheck]]:
    """For each batch group (anything with `.files`, file dicts), the checks of its files that
    lack a required companion: the child tasks that would fail for it."""
    out = []
    for group in groups:
        files = getattr(group, "files", None) or []
        found = []
        for file in files:
            check = checks_by_file.get(str(file.get("id")))
            if check is not None and check.lacks_required and check not in found:
                found.append(check)
        out.append(found)
    return out


# ---- one page's report ---------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """Everything the form page says before a draft is made, for one state of the form."""

    checks: Mapping[str, list[FileCheck]]  # {input id: the checks of its chosen files}
    empty: tuple[InputSpec, ...] = ()  # required inputs left empty
    unavailable: str | None = None  # why the companions could not be looked up, if so

    # A report does not change once made, and its page asks these of 1,000 files several times.
    @cached_property
    def all_checks(self) -> list[FileCheck]:
        return [check for checks in self.checks.values() for check in checks]

    @cached_property
    def summary(self) -> Summary:
        return summarise(self.all_checks)

    @cached_property
    def lacks_required(self) -> bool:
        return any(check.lacks_required for check in self.all_checks)

    @cached_property
    def _lacking_lines(self) -> list[str]:
        return lacking_lines(self.all_checks)

    @cached_property
    def _by_file(self) -> dict[str, FileCheck]:
        """{file id: its check}; a file chosen for several inputs keeps its worst result."""
        out: dict[str, FileCheck] = {}
        for check in self.all_checks:
            if check.file.id not in out or check.lacks_required:
                out[check.file.id] = check
        return out

    def groups(self, groups: Iterable[Any]) -> list[list[FileCheck]]:
        """Per batch group, the checks of its files that lack a required companion."""
        if not self.lacks_required:  # the common case, and 1,000 files to go through
            return [[] for _group in groups]
        return group_checks(groups, self._by_file)

    def note(self) -> str:
        """What a draft's description keeps of the check: the files without a required
        companion when it was saved (empty when none lacked one)."""
        lines = self._lacking_lines
        if not lines:
            return ""
        summary = self.summary
        head = (
            f"{NOTE_HEADING} {summary.lacking} of {summary.checked} chosen "
            f"{_files(summary.checked)} lacked a required companion file:"
        )
        return "\n".join([head, *(f"- {line}" for line in lines)])

    def fingerprint(self) -> str:
        """Stands for the files that lack a companion: a "create anyway" made for these
        results does not count for others."""
        lines = sorted(self._lacking_lines)
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16] if lines else ""


NOTE_HEADING = "Pre-flight check:"


def plan(
    specs: Iterable[InputSpec], values: Mapping[str, Any], cwl_version: str | None = None
) -> dict[str, list[Target]]:
    """{input id: its targets} for every input with chosen files."""
    out = {}
    for spec in specs:
        targets = targets_of(spec, values.get(spec.id), cwl_version)
        if targets:
            out[spec.id] = targets
    return out


def all_targets(planned: Mapping[str, list[Target]]) -> list[Target]:
    return [target for targets in planned.values() for target in targets]


def report(
    specs: Iterable[InputSpec],
    values: Mapping[str, Any],
    planned: Mapping[str, list[Target]],
    files: Mapping[str, Mapping[str, Any]],
    present: Mapping[str, Iterable[str]] | None,
    unavailable: str | None = None,
) -> Report:
    """The page's report from the plan, the chosen files as the platform returned them and the
    companion names found (`present` None: they could not be looked up, see `unavailable`)."""
    checks = {}
    if present is None:
        # Without the look-up, only the file types can still be said.
        planned = {
            input_id: [Target(t.file_ids, (), t.file_types) for t in targets]
            for input_id, targets in planned.items()
        }
    # The names known per folder, once for the page (not once per input), and only when some
    # file has a companion to look for.
    with_rules = any(t.rules for targets in planned.values() for t in targets)
    merged = _merge(present or {}, known_names(files)) if with_rules else {}
    for input_id, targets in planned.items():
        found = _checks_of(targets, files, merged)
        if found:
            checks[input_id] = found
    return Report(checks, tuple(empty_required(specs, values)), unavailable)
