"""What the session remembers of the drafts this user just sent: each draft as it came back
(shown once, so the page needs no second read) and the bodies that made the last few."""

from flask import session

KEEP_SENT_BODIES = 10  # bodies of big batches are large, and the session is read on every request


def remember_sent(task, body):
    """Keep the draft as it came back (shown once) and the body that made it (shown after)."""
    session["created_task"] = task
    sent = dict(session.get("sent_bodies") or {})
    sent[task["id"]] = body
    while len(sent) > KEEP_SENT_BODIES:
        sent.pop(next(iter(sent)))
    session["sent_bodies"] = sent


def take_just_created(task_id):
    """The draft `task_id` as it came back from being sent, once; None when not just sent."""
    created = session.get("created_task")
    if created and created.get("id") == task_id:
        session.pop("created_task")
        return created
    return None


def sent_body(task_id):
    """The body that made or last saved the draft, if it was sent from this session."""
    return (session.get("sent_bodies") or {}).get(task_id)
