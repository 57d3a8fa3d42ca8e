"""What this sender (the account and, behind a sign-on proxy, its user) just sent: each draft
as it came back (shown once, so the page needs no second read) and the body that made it.

Kept in the shared state (`state.SentDrafts`), not the session: a session is read and
decrypted on every request, and a body with 1,000 files weighs 100 kB."""

from flask import current_app

from deployment import deployment_user
from views.client import get_client


def sender():
    """Who sends: the account (never its token) and the sign-on user, as the draft guard."""
    return f"{get_client().account}:{deployment_user() or ''}"


def remember_sent(task, body):
    """Keep the draft as it came back (shown once) and the body that made it (shown after)."""
    current_app.extensions["sent_drafts"].keep(sender(), task, body)


def take_just_created(task_id):
    """The draft `task_id` as it came back from being sent, once; None when not just sent."""
    return current_app.extensions["sent_drafts"].take_task(sender(), task_id)


def sent_body(task_id):
    """The body that made or last saved the draft, if this sender sent it lately."""
    return current_app.extensions["sent_drafts"].body(sender(), task_id)
