"""Create the draft once for this submission: no Flask here, so it is tested without a server.

A task form carries a submission id. However often that form is posted (a double click, a
resubmitted page, a retry after a lost answer), `create_draft_once` sends POST /tasks for it at
most once at a time, and never again once a draft is known:

1. claim the submission id in the registry; when another request holds it, wait for that one,
   and go to its draft (or report that it is still in progress);
2. if an earlier try of this id had no answer, look for its draft by the reference written at
   the end of its description before creating anything;
3. create the draft; when the platform's answer is lost (`OutcomeUnknown`), look for it by
   that reference, and report what is known: found after all, or still unknown (so the next
   try looks first).

Other platform errors are raised as they are, after releasing the claim, so the form can show
them and be sent again. Nothing here retries a write.
"""

from __future__ import annotations

import enum
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from cavatica import ApiError, OutcomeUnknown


class Outcome(enum.Enum):
    CREATED = "created"  # this call created the draft
    ALREADY_CREATED = "already created"  # an earlier post of the same form did
    FOUND_AFTER_ALL = "found after all"  # the answer was lost, but the draft exists
    IN_PROGRESS = "in progress"  # another request is still creating it
    UNKNOWN = "unknown"  # the answer was lost and the draft was not found


@dataclass(frozen=True)
class DraftResult:
    """What became of one submission.

    `task` is the draft as the platform returned it (created or found), `task_id` its id (also
    for ALREADY_CREATED, where the draft itself is not at hand). For UNKNOWN, `error` is the
    lost answer (`OutcomeUnknown`) and `lookup_error` the error that stopped the look-up, if
    any: with none, the draft was looked for and is not there, so the form may be sent again.
    """

    outcome: Outcome
    task: dict | None = None
    task_id: str | None = None
    error: ApiError | None = None
    lookup_error: ApiError | None = None


@dataclass(frozen=True)
class Known:
    """What the registry knows of a submission id."""

    task_id: str | None = None  # the draft it made
    in_progress: bool = False  # a request holds its claim and has not finished
    outcome_unknown: bool = False  # an earlier try had no answer: look before creating


class DraftRegistry:
    """Which draft each submission id made, shared by every request that may handle that form.

    The interface another store implements (one shared by several app processes, say Redis):

    - `claim(submission_id) -> bool`: True for the one caller that may now create the draft;
      False while another holds the claim or once the draft is known. Atomic (a Redis
      implementation: SET NX with an expiry longer than a POST can take).
    - `finish(submission_id, task_id)`: the draft exists; every later lookup returns its id.
    - `release(submission_id)`: the try failed with a clear answer; the id may be claimed again.
    - `mark_unknown(submission_id)`: the try had no answer; release the claim and remember that
      the next try must look for the draft first.
    - `lookup(submission_id, wait=0.0) -> Known`: what is known, after waiting up to `wait`
      seconds while another request holds the claim.

    Entries may be forgotten after a while (the store is bounded); a forgotten id is claimable.
    """

    def claim(self, submission_id: str) -> bool:
        raise NotImplementedError

    def finish(self, submission_id: str, task_id: str) -> None:
        raise NotImplementedError

    def release(self, submission_id: str) -> None:
        raise NotImplementedError

    def mark_unknown(self, submission_id: str) -> None:
        raise NotImplementedError

    def lookup(self, submission_id: str, wait: float = 0.0) -> Known:
        raise NotImplementedError


class _Entry:
    def __init__(self):
        self.task_id = None
        self.done = threading.Event()


class LocalDraftRegistry(DraftRegistry):
    """The registry in this process's memory: right for one process with several threads."""

    def __init__(self, size: int = 1000):
        self.size = size
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._unknown: OrderedDict[str, bool] = OrderedDict()
        self._lock = threading.Lock()

    def claim(self, submission_id):
        with self._lock:
            if submission_id in self._entries:
                return False
            self._entries[submission_id] = _Entry()
            _trim(self._entries, self.size)
            return True

    def finish(self, submission_id, task_id):
        with self._lock:
            entry = self._entries.setdefault(submission_id, _Entry())
        entry.task_id = task_id
        entry.done.set()

    def release(self, submission_id):
        with self._lock:
            entry = self._entries.pop(submission_id, None)
        if entry is not None:
            entry.done.set()

    def mark_unknown(self, submission_id):
        with self._lock:
            self._unknown[submission_id] = True
            _trim(self._unknown, self.size)
        self.release(submission_id)

    def lookup(self, submission_id, wait=0.0):
        with self._lock:
            entry = self._entries.get(submission_id)
            unknown = submission_id in self._unknown
        if entry is not None and wait > 0:
            entry.done.wait(wait)
        if entry is None:
            return Known(outcome_unknown=unknown)
        return Known(
            task_id=entry.task_id,
            in_progress=not entry.done.is_set(),
            outcome_unknown=unknown,
        )


def _trim(entries: OrderedDict, size: int) -> None:
    while len(entries) > size:
        entries.popitem(last=False)


def create_draft_once(
    client: Any,
    registry: DraftRegistry,
    submission_id: str,
    body: dict,
    *,
    project_id: str,
    marker: str,
    wait_seconds: float,
) -> DraftResult:
    """POST /tasks with `body` at most once for `submission_id`, and say what came of it.

    :param client: the platform client (`create_task`, `find_draft_by_marker`).
    :param marker: the reference at the end of the body's description, to find the draft by.
    :param wait_seconds: how long to wait for another request that is creating this draft.
    :raise ApiError: the platform refused or failed with a clear answer (the claim is released,
        so the same form may be sent again).
    """
    while not registry.claim(submission_id):
        known = registry.lookup(submission_id, wait=wait_seconds)
        if known.task_id:
            return DraftResult(Outcome.ALREADY_CREATED, task_id=known.task_id)
        if known.in_progress:
            return DraftResult(Outcome.IN_PROGRESS)
        # The other try ended without a draft: this one may claim the id now.
    try:
        if registry.lookup(submission_id).outcome_unknown:
            # An earlier try of this very form got no answer; its draft may have appeared since.
            found = client.find_draft_by_marker(project_id, marker)
            if found is not None:
                registry.finish(submission_id, found["id"])
                return DraftResult(Outcome.FOUND_AFTER_ALL, task=found, task_id=found["id"])
        task = client.create_task(body)
    except OutcomeUnknown as error:
        return _after_lost_answer(client, registry, submission_id, project_id, marker, error)
    except BaseException:
        registry.release(submission_id)  # an earlier unknown outcome is kept as it was
        raise
    registry.finish(submission_id, task["id"])
    return DraftResult(Outcome.CREATED, task=task, task_id=task["id"])


def _after_lost_answer(client, registry, submission_id, project_id, marker, error):
    """The answer to POST /tasks was lost: look for the draft by its reference."""
    try:
        found = client.find_draft_by_marker(project_id, marker)
    except ApiError as lookup_error:
        registry.mark_unknown(submission_id)
        return DraftResult(Outcome.UNKNOWN, error=error, lookup_error=lookup_error)
    except BaseException:
        registry.mark_unknown(submission_id)
        raise
    if found is None:
        registry.mark_unknown(submission_id)
        return DraftResult(Outcome.UNKNOWN, error=error)
    registry.finish(submission_id, found["id"])
    return DraftResult(Outcome.FOUND_AFTER_ALL, task=found, task_id=found["id"])
