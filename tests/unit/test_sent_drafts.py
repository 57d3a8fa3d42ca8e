"""The drafts a sender just sent: each shown once as it came back, its body kept for its page."""

from state import SentDrafts

TASK = {"id": "t1", "name": "QC", "inputs": {"reads": [{"class": "File", "path": "f1"}]}}
BODY = {"name": "QC", "project": "p", "inputs": TASK["inputs"]}


def test_a_draft_as_it_came_back_is_shown_once_and_its_body_stays():
    sent = SentDrafts()
    sent.keep("alice:", TASK, BODY)
    assert sent.take_task("alice:", "t1") == TASK
    assert sent.take_task("alice:", "t1") is None  # a second visit asks the platform
    assert sent.body("alice:", "t1") == BODY
    assert sent.body("alice:", "t1") == BODY


def test_one_sender_never_sees_what_another_sent():
    sent = SentDrafts()
    sent.keep("alice:", TASK, BODY)
    assert sent.take_task("alice:bob", "t1") is None
    assert sent.body("carol:", "t1") is None
    assert sent.take_task("alice:", "t1") == TASK


def test_the_draft_is_kept_minutes_and_the_body_a_day():
    now = [0.0]
    sent = SentDrafts(clock=lambda: now[0])
    sent.keep("alice:", TASK, BODY)
    now[0] += 301
    assert sent.take_task("alice:", "t1") is None
    assert sent.body("alice:", "t1") == BODY
    now[0] += 24 * 3600
    assert sent.body("alice:", "t1") is None


def test_a_reader_cannot_change_what_is_kept():
    sent = SentDrafts()
    sent.keep("alice:", TASK, BODY)
    sent.body("alice:", "t1")["inputs"]["reads"].clear()
    assert sent.body("alice:", "t1") == BODY


def test_the_oldest_go_first_past_the_bytes_it_may_hold():
    sent = SentDrafts(max_bytes=600)
    for number in range(10):
        sent.keep("alice:", dict(TASK, id=f"t{number}"), dict(BODY, name="x" * 50))
    assert sent.body("alice:", "t0") is None
    assert sent.body("alice:", "t9") is not None
