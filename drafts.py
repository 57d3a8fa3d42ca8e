"""Create the draft once for this submission: no Flask here, so it is tested without a server.

A task form carries a submission id. However often that form is posted (a double click, a
resubmitted page, a retry after a lost answer), `create_draft_once` sends POST /tasks for it at
most once at a time, and never again once a draft is known:

1. claim the submission id in the registry; when another request holds it, wait for that one,
   and go to its draft (or report that it is still in progress);
2. if an earlier try of this id had no answer, look for its draft by the reference written at
   the end of its description before creating anything; while the platform may still be making
   that draft (until the deadline the lost try set), create nothing, however often it is sent;
3. create the draft; when the platform's answer is lost (`OutcomeUnknown`), look for it by
   that reference, and report what is known: found after all, or not found yet, with the time
   until which the platform may still be making it.

One look is not enough after a lost answer: a platform that took longer than the client waited
is often still making the draft, and a form sent again at once would make a second one. So a
lost try sets a deadline (`look_seconds` after it began); only a look begun after that deadline
that finds nothing lets the form be sent again. `look_for_draft` is that look, alone ("Look
again" on the page): it never creates.

Other platform errors are raised as they are, after releasing the claim, so the form can show
them and be sent again. Nothing here retries a write.
"""

from __future__ import annotations

import enum
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cavatica import ApiError, OutcomeUnknown


class Outcome(enum.Enum):
    CREATED = "created"  # this call created the draft
    ALREADY_CREATED = "already created"  # an earlier post of the same form did
    FOUND_AFTER_ALL = "found after all"  # the answer was lost, but the draft exists
    IN_PROGRESS = "in progress"  # another request is still creating it
    UNKNOWN = "unknown"  # this try's answer was lost and the draft is not found (yet)
    STILL_LOOKING = "still looking"  # an earlier try's was: the draft may still appear
    NOT_MADE = "not made"  # looked after the deadline and found nothing: may be sent again


@dataclass(frozen=True)
class DraftResult:
    """What became of one submission.

    `task` is the draft as the platform returned it (created or found), `task_id` its id (also
    for ALREADY_CREATED, where the draft itself is not at hand). For UNKNOWN, `error` is the
    lost answer (`OutcomeUnknown`); for UNKNOWN and STILL_LOOKING, `looking_until` is the time
    (epoch seconds) before which the form will not be sent again, and `lookup_error` the error
    that stopped the look-up, if any. NOT_MADE: the draft was looked for after that time and is
    not there, so the form may be sent again.
    """

    outcome: Outcome
    task: dict | None = None
    task_id: str | None = None
    error: ApiError | None = None
    lookup_error: ApiError | None = None
    looking_until: float | None = None


@dataclass(frozen=True)
class Known:
    """What the registry knows of a submission id."""

    task_id: str | None = None  # the draft it made
    in_progress: bool = False  # a request holds its claim and has not finished
    # An earlier try had no answer: look before creating, and create nothing before this time.
    unknown_until: float | None = None

    @property
    def outcome_unknown(self) -> bool:
        return self.unknown_until is not None


class DraftRegistry:
    """Which draft each submission id made, shared by every request that may handle that form.

    The interface another store implements (one shared by several app processes, say Redis):

    - `claim(submission_id) -> bool`: True for the one caller that may now create the draft;
      False while another holds the claim or once the draft is known. Atomic (a Redis
      implementation: SET NX with an expiry longer than a POST can take).
    - `finish(submission_id, task_id)`: the draft exists; every later lookup returns its id.
    - `release(submission_id)`: the try failed with a clear answer; the id may be claimed again.
    - `mark_unknown(submission_id, until)`: the try had no answer; release the claim and remember
      that every later try must look for the draft first, and create nothing before `until`
      (epoch seconds: every process and machine reads the same time).
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

    def mark_unknown(self, submission_id: str, until: float) -> None:
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
        self._unknown: OrderedDict[str, float] = OrderedDict()  # id -> create nothing before
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

    def mark_unknown(self, submission_id, until):
        with self._lock:
            self._unknown[submission_id] = float(until)
            _trim(self._unknown, self.size)
        self.release(submission_id)

    def lookup(self, submission_id, wait=0.0):
        with self._lock:
            entry = self._entries.get(submission_id)
            unknown_until = self._unknown.get(submission_id)
        if entry is not None and wait > 0:
            entry.done.wait(wait)
        if entry is None:
            return Known(unknown_until=unknown_until)
        return Known(
            task_id=entry.task_id,
            in_progress=not entry.done.is_set(),
            unknown_until=unknown_until,
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
    look_seconds: float,
    clock: Callable[[], float] = time.time,
) -> DraftResult:
    """POST /tasks with `body` at most once for `submission_id`, and say what came of it.

    :param client: the platform client (`create_task`, `find_draft_by_marker`).
    :param marker: the reference at the end of the body's description, to find the draft by.
    :param wait_seconds: how long to wait for another request that is creating this draft.
    :param look_seconds: how long after a try began its draft may still appear when the answer
        is lost (at least twice the client's timeout: the try's own wait, and as long again).
    :param clock: the time in epoch seconds (shared by every process).
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
        earlier = registry.lookup(submission_id)
        if earlier.outcome_unknown:
            # An earlier try of this very form got no answer: its draft may have appeared since,
            # or may still appear.
            looked = _look(client, registry, submission_id, project_id, marker, earlier, clock)
            if looked.outcome is Outcome.STILL_LOOKING:
                registry.release(submission_id)  # the unknown outcome and its deadline stay
            if looked.outcome is not Outcome.NOT_MADE:
                return looked
        started = clock()
        try:
            task = client.create_task(body)
        except OutcomeUnknown as error:
            until = started + look_seconds
            return _after_lost_answer(
                client, registry, submission_id, project_id, marker, error, until, clock
            )
    except BaseException:
        registry.release(submission_id)  # an earlier unknown outcome is kept as it was
        raise
    registry.finish(submission_id, task["id"])
    return DraftResult(Outcome.CREATED, task=task, task_id=task["id"])


def look_for_draft(
    client: Any,
    registry: DraftRegistry,
    submission_id: str,
    *,
    project_id: str,
    marker: str,
    clock: Callable[[], float] = time.time,
) -> DraftResult:
    """Look for the draft of `submission_id` without ever creating it ("Look again").

    :return: ALREADY_CREATED or FOUND_AFTER_ALL (the draft), IN_PROGRESS (another request is
        creating it), STILL_LOOKING (not found, and it may still appear), or NOT_MADE (not found
        by a look begun after the deadline, or nothing was ever lost: the form may be sent).
    :raise ApiError: the look itself failed (nothing is changed: look again later).
    """
    known = registry.lookup(submission_id)
    if known.task_id:
        return DraftResult(Outcome.ALREADY_CREATED, task_id=known.task_id)
    if known.in_progress:
        return DraftResult(Outcome.IN_PROGRESS)
    return _look(client, registry, submission_id, project_id, marker, known, clock)


def _look(client, registry, submission_id, project_id, marker, known, clock):
    """One look for the draft by its reference, judged against the deadline in `known`.
    A look that fails before the deadline is STILL_LOOKING with the error; after it, raised."""
    until = known.unknown_until
    looked_at = clock()  # a look counts as 'after the deadline' only if it began after it
    waiting = until is not None and looked_at < until
    try:
        found = client.find_draft_by_marker(project_id, marker)
    except ApiError as lookup_error:
        if not waiting:
            raise
        return DraftResult(Outcome.STILL_LOOKING, lookup_error=lookup_error, looking_until=until)
    if found is not None:
        registry.finish(submission_id, found["id"])
        return DraftResult(Outcome.FOUND_AFTER_ALL, task=found, task_id=found["id"])
    if waiting:
        return DraftResult(Outcome.STILL_LOOKING, looking_until=until)
    return DraftResult(Outcome.NOT_MADE)


def _after_lost_answer(client, registry, submission_id, project_id, marker, error, until, clock):
    """The answer to POST /tasks was lost: look for the draft by its reference at once (a
    dropped connection often follows a draft that was made), and remember the deadline."""
    looked_at = clock()
    try:
        found = client.find_draft_by_marker(project_id, marker)
    except ApiError as lookup_error:
        registry.mark_unknown(submission_id, until)
        return DraftResult(
            Outcome.UNKNOWN, error=error, lookup_error=lookup_error, looking_until=until
        )
    except BaseException:
        registry.mark_unknown(submission_id, until)
        raise
    if found is not None:
        registry.finish(submission_id, found["id"])
        return DraftResult(Outcome.FOUND_AFTER_ALL, task=found, task_id=found["id"])
    registry.mark_unknown(submission_id, until)
    if looked_at >= until:  # the try outlasted the deadline: this look was after it
        return DraftResult(Outcome.NOT_MADE, error=error)
    return DraftResult(Outcome.UNKNOWN, error=error, looking_until=until)
