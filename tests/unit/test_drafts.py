"""Create the draft once for this submission: the service alone, without Flask or HTTP.

The platform here is a small in-memory stand-in with the two calls the service makes; what it
does on each call is set by the test (the client's own behaviour is tested in unit/cavatica
and against the sandbox in integration/).
"""

import threading

import pytest

from cavatica import NotFound, OutcomeUnknown, PlatformUnreachable
from drafts import LocalDraftRegistry, Outcome, create_draft_once, look_for_draft

PROJECT = "demo-user/project"
MARKER = "0123456789ab"
BODY = {"name": "A task", "description": f"Notes\n\nref {MARKER}"}
TIMEOUT = 2.0  # the client's timeout, as the lost tries below spend it
LOOK = 3 * TIMEOUT  # how long after a lost try began its draft may still appear


class Clock:
    """Epoch seconds that move only when a test (or the stand-in platform) says so."""

    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self):
        return self.now


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
        self.clock = Clock()
        self.create_takes = 0.0  # seconds each create spends before it answers (or is lost)
        self.lookup_takes = 0.0

    def create_task(self, body):
        self.creates += 1
        if self.before_create:
            self.before_create()
        self.clock.now += self.create_takes
        if self.fail_create:
            raise self.fail_create
        task = {"id": f"task-{len(self.drafts) + 1}", **body}
        self.drafts.append(task)
        if self.lose_answer:
            raise OutcomeUnknown("The answer never came.")
        return task

    def find_draft_by_marker(self, project_id, marker):
        self.lookups += 1
        self.clock.now += self.lookup_takes
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
        look_seconds=LOOK,
        clock=platform.clock,
    )


def look(platform, registry, submission_id="s1"):
    """One press of "Look again" on the page of that form."""
    return look_for_draft(
        platform,
        registry,
        submission_id,
        project_id=PROJECT,
        marker=MARKER,
        clock=platform.clock,
    )


def lost_before_it_was_made(platform):
    """POST /tasks whose answer is lost after the client's timeout, with no draft (yet)."""

    def create_task(body):
        platform.creates += 1
        platform.clock.now += TIMEOUT
        raise OutcomeUnknown("The answer never came.")

    return create_task


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
    platform.create_task = lost_before_it_was_made(platform)
    result = submit(platform, registry)
    assert result.outcome is Outcome.UNKNOWN
    assert isinstance(result.error, OutcomeUnknown) and result.lookup_error is None
    assert registry.lookup("s1").outcome_unknown

    # Meanwhile the draft appeared after all: the next try finds it and makes none.
    platform.drafts.append({"id": "late", "description": f"ref {MARKER}"})
    again = submit(platform, registry)
    assert again.outcome is Outcome.FOUND_AFTER_ALL and again.task_id == "late"
    assert platform.creates == 1
    assert submit(platform, registry).outcome is Outcome.ALREADY_CREATED


def test_the_deadline_is_counted_from_when_the_lost_try_began(platform, registry):
    began = platform.clock.now
    platform.create_task = lost_before_it_was_made(platform)  # spends the whole timeout
    result = submit(platform, registry)
    assert result.outcome is Outcome.UNKNOWN
    assert result.looking_until == began + LOOK
    assert registry.lookup("s1").unknown_until == began + LOOK


def test_sent_again_at_once_after_a_lost_answer_nothing_is_created(platform, registry):
    """The audit's case: the platform still making the draft when the form is sent again."""
    platform.create_task = lost_before_it_was_made(platform)
    first = submit(platform, registry)
    platform.clock.now += 0.5
    again = submit(platform, registry)
    assert again.outcome is Outcome.STILL_LOOKING
    assert again.looking_until == first.looking_until
    assert platform.creates == 1 and platform.lookups == 2  # it looked, and sent nothing

    # The platform finishes the first draft: the next try (or look) goes to it.
    platform.clock.now += 1.5
    platform.drafts.append({"id": "late", "description": f"ref {MARKER}"})
    found = submit(platform, registry)
    assert found.outcome is Outcome.FOUND_AFTER_ALL and found.task_id == "late"
    assert platform.creates == 1


def test_only_a_look_after_the_deadline_that_finds_nothing_lets_the_form_be_sent(
    platform, registry
):
    platform.create_task = lost_before_it_was_made(platform)
    first = submit(platform, registry)
    for _ in range(3):  # however often, until the deadline
        platform.clock.now = first.looking_until - 0.01
        assert submit(platform, registry).outcome is Outcome.STILL_LOOKING
    assert platform.creates == 1
    platform.clock.now = first.looking_until
    del platform.create_task  # the platform's own create, which answers this time
    created = submit(platform, registry)
    assert created.outcome is Outcome.CREATED
    assert platform.creates == 2 and platform.lookups == 5  # it looked once more first


def test_a_look_that_began_before_the_deadline_does_not_count_as_after_it(platform, registry):
    platform.create_task = lost_before_it_was_made(platform)
    first = submit(platform, registry)
    platform.clock.now = first.looking_until - 0.5
    platform.lookup_takes = 1.0  # ends after the deadline: the draft may have been made meanwhile
    assert submit(platform, registry).outcome is Outcome.STILL_LOOKING
    assert look(platform, registry).outcome is Outcome.NOT_MADE  # this one began after it
    assert platform.creates == 1


def test_a_failed_look_before_the_deadline_is_still_looking_and_sends_nothing(platform, registry):
    platform.create_task = lost_before_it_was_made(platform)
    first = submit(platform, registry)
    platform.fail_lookup = PlatformUnreachable("Connection refused.")
    again = submit(platform, registry)
    assert again.outcome is Outcome.STILL_LOOKING
    assert isinstance(again.lookup_error, PlatformUnreachable)
    # After the deadline, a look that fails cannot let the form be sent: the error is raised.
    platform.clock.now = first.looking_until + 1
    with pytest.raises(PlatformUnreachable):
        submit(platform, registry)
    with pytest.raises(PlatformUnreachable):
        look(platform, registry)
    assert platform.creates == 1
    assert registry.lookup("s1").outcome_unknown and not registry.lookup("s1").in_progress


def test_look_again_never_creates(platform, registry):
    platform.create_task = lost_before_it_was_made(platform)
    first = submit(platform, registry)
    still = look(platform, registry)
    assert still.outcome is Outcome.STILL_LOOKING and still.looking_until == first.looking_until
    platform.clock.now = first.looking_until + 0.1
    assert look(platform, registry).outcome is Outcome.NOT_MADE
    assert platform.creates == 1
    # The form may now be sent: that try looks once more, then creates.
    del platform.create_task
    assert submit(platform, registry).outcome is Outcome.CREATED


def test_look_again_finds_the_late_draft_and_the_form_then_leads_to_it(platform, registry):
    platform.create_task = lost_before_it_was_made(platform)
    submit(platform, registry)
    platform.drafts.append({"id": "late", "description": f"ref {MARKER}"})
    found = look(platform, registry)
    assert found.outcome is Outcome.FOUND_AFTER_ALL and found.task_id == "late"
    del platform.create_task
    again = submit(platform, registry)
    assert again.outcome is Outcome.ALREADY_CREATED and again.task_id == "late"
    assert platform.creates == 1


def test_look_again_while_another_request_creates_says_so(platform, registry):
    assert registry.claim("s1")
    assert look(platform, registry).outcome is Outcome.IN_PROGRESS
    registry.finish("s1", "task-7")
    done = look(platform, registry)
    assert done.outcome is Outcome.ALREADY_CREATED and done.task_id == "task-7"
    assert platform.lookups == 0 and platform.creates == 0


def test_a_lost_answer_holds_back_that_form_only(platform, registry):
    platform.create_task = lost_before_it_was_made(platform)
    submit(platform, registry, "s1")
    del platform.create_task
    other = create_draft_once(
        platform,
        registry,
        "s2",
        {"name": "Another", "description": "ref ba9876543210"},
        project_id=PROJECT,
        marker="ba9876543210",
        wait_seconds=1.0,
        look_seconds=LOOK,
        clock=platform.clock,
    )
    assert other.outcome is Outcome.CREATED
    assert submit(platform, registry, "s1").outcome is Outcome.STILL_LOOKING
    assert platform.creates == 2


def test_a_try_that_outlasts_the_deadline_and_finds_nothing_may_be_sent_again(platform, registry):
    def lost_very_late(body):
        platform.creates += 1
        platform.clock.now += LOOK + 1
        raise OutcomeUnknown("The answer never came.")

    platform.create_task = lost_very_late
    result = submit(platform, registry)
    assert result.outcome is Outcome.NOT_MADE and isinstance(result.error, OutcomeUnknown)
    del platform.create_task
    assert submit(platform, registry).outcome is Outcome.CREATED


def test_a_lost_answer_that_cannot_be_checked_says_why(platform, registry):
    platform.lose_answer = True
    platform.fail_lookup = PlatformUnreachable("Connection refused.")
    result = submit(platform, registry)
    assert result.outcome is Outcome.UNKNOWN
    assert isinstance(result.lookup_error, PlatformUnreachable)
    assert result.looking_until is not None
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
