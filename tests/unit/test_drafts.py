"""Create the draft once for this submission: the service alone, without Flask or HTTP.

The platform here is a small in-memory stand-in with the two calls the service makes; what it
does on each call is set by the test (the client's own behaviour is tested in unit/cavatica
and against the sandbox in integration/).
"""

import threading

import pytest

from cavatica import NotFound, OutcomeUnknown, PlatformUnreachable
from drafts import LocalDraftRegistry, Outcome, create_draft_once

PROJECT = "demo-user/project"
MARKER = "0123456789ab"
BODY = {"name": "A task", "description": f"Notes\n\nref {MARKER}"}


class Platform:
    """POST /tasks and the look-up by reference, with scripted answers."""

    def __init__(self):
        self.drafts = []  # what exists on the platform
        self.creates = 0
        self.lookups = 0
        self.lose_answer = False  # the draft is made, but the answer never comes
        self.fail_create = None  # an error to raise instead of creating
        self.fail_lookup = None
        self.before_create = None  # called inside create_task (to hold it open)

    def create_task(self, body):
        self.creates += 1
        if self.before_create:
            self.before_create()
        if self.fail_create:
            raise self.fail_create
        task = {"id": f"task-{len(self.drafts) + 1}", **body}
        self.drafts.append(task)
        if self.lose_answer:
            raise OutcomeUnknown("The answer never came.")
        return task

    def find_draft_by_marker(self, project_id, marker):
        self.lookups += 1
        if self.fail_lookup:
            raise self.fail_lookup
        return next((t for t in self.drafts if t["description"].endswith(marker)), None)


@pytest.fixture
def platform():
    return Platform()


@pytest.fixture
def registry():
    return LocalDraftRegistry()


def submit(platform, registry, submission_id="s1", wait=1.0):
    """One post of the form whose submission id is `submission_id`."""
    return create_draft_once(
        platform,
        registry,
        submission_id,
        BODY,
        project_id=PROJECT,
        marker=MARKER,
        wait_seconds=wait,
    )


def test_the_first_post_creates_the_draft(platform, registry):
    result = submit(platform, registry)
    assert result.outcome is Outcome.CREATED
    assert result.task["name"] == "A task" and result.task_id == "task-1"
    assert platform.creates == 1 and platform.lookups == 0


def test_the_same_form_posted_again_goes_to_the_same_draft(platform, registry):
    first = submit(platform, registry)
    again = submit(platform, registry)
    assert again.outcome is Outcome.ALREADY_CREATED and again.task_id == first.task_id
    assert platform.creates == 1


def test_another_form_makes_another_draft(platform, registry):
    submit(platform, registry, "s1")
    other = submit(platform, registry, "s2")
    assert other.outcome is Outcome.CREATED and platform.creates == 2


def test_a_double_click_waits_for_the_first_post_and_makes_one_draft(platform, registry):
    inside, go_on = threading.Event(), threading.Event()

    def hold_open():
        inside.set()
        go_on.wait(5)

    platform.before_create = hold_open
    results = {}
    first = threading.Thread(target=lambda: results.setdefault("first", submit(platform, registry)))
    first.start()
    assert inside.wait(5)
    second = threading.Thread(
        target=lambda: results.setdefault("second", submit(platform, registry))
    )
    second.start()
    go_on.set()
    first.join(5)
    second.join(5)
    assert results["first"].outcome is Outcome.CREATED
    assert results["second"].outcome is Outcome.ALREADY_CREATED
    assert results["second"].task_id == results["first"].task_id
    assert platform.creates == 1


def test_a_post_still_in_progress_is_reported_after_the_wait(platform, registry):
    assert registry.claim("s1")  # another request is creating this very draft
    result = submit(platform, registry, wait=0.05)
    assert result.outcome is Outcome.IN_PROGRESS
    assert platform.creates == 0


def test_a_refusal_is_raised_and_the_form_may_be_sent_again(platform, registry):
    platform.fail_create = NotFound("No such project.", status=404)
    with pytest.raises(NotFound):
        submit(platform, registry)
    platform.fail_create = None
    assert submit(platform, registry).outcome is Outcome.CREATED
    assert platform.creates == 2


def test_a_lost_answer_whose_draft_exists_is_found_after_all(platform, registry):
    platform.lose_answer = True
    result = submit(platform, registry)
    assert result.outcome is Outcome.FOUND_AFTER_ALL and result.task_id == "task-1"
    # Sent again, the form goes to that draft: no second POST /tasks.
    platform.lose_answer = False
    assert submit(platform, registry).outcome is Outcome.ALREADY_CREATED
    assert platform.creates == 1


def test_a_lost_answer_with_no_draft_is_unknown_and_the_next_try_looks_first(platform, registry):
    def lost_before_it_was_made(body):  # the answer is lost, and no draft was made
        platform.creates += 1
        raise OutcomeUnknown("The answer never came.")

    platform.create_task = lost_before_it_was_made
    result = submit(platform, registry)
    assert result.outcome is Outcome.UNKNOWN
    assert isinstance(result.error, OutcomeUnknown) and result.lookup_error is None
    assert registry.lookup("s1").outcome_unknown

    # Meanwhile the draft appeared after all: the next try finds it and makes none.
    platform.drafts.append({"id": "late", "description": f"ref {MARKER}"})
    again = submit(platform, registry)
    assert again.outcome is Outcome.FOUND_AFTER_ALL and again.task_id == "late"
    assert platform.creates == 1


def test_a_lost_answer_that_cannot_be_checked_says_why(platform, registry):
    platform.lose_answer = True
    platform.fail_lookup = PlatformUnreachable("Connection refused.")
    result = submit(platform, registry)
    assert result.outcome is Outcome.UNKNOWN
    assert isinstance(result.lookup_error, PlatformUnreachable)
    # The next try looks first and, the platform back, finds the draft made the first time.
    platform.fail_lookup = None
    again = submit(platform, registry)
    assert again.outcome is Outcome.FOUND_AFTER_ALL and again.task_id == "task-1"
    assert platform.creates == 1


def test_the_registry_forgets_the_oldest_ids_beyond_its_size(platform):
    registry = LocalDraftRegistry(size=2)
    for submission_id in ("a", "b", "c"):
        submit(platform, registry, submission_id)
    assert registry.lookup("a").task_id is None
    assert registry.lookup("c").task_id == "task-3"
