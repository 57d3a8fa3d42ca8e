"""A form kept over a sign-in: when the token is refused mid-form, what was typed is kept in
the session, the user signs in again, and the same page shows the form as it was sent."""

from flask import request, session
from werkzeug.datastructures import MultiDict

from cavatica import Unauthorized
from forms.task import keep_valid_submission_id

from .. import keep_posted_form, send_to_sign_in
from ..client import uses_deployment_token


def keep_form_and_sign_in():
    """The user's token was refused mid-form: keep what they typed, sign in, come back to it."""
    if uses_deployment_token():
        raise Unauthorized("The deployment's token was refused.", status=401)
    keep_posted_form()
    return send_to_sign_in(
        "CAVATICA did not accept your token (it may have expired). Sign in again and you will "
        "be brought back to your form with everything you entered.",
        request.full_path.rstrip("?"),
    )


def take_pending_form():
    """The form data kept when the token was refused on this page, once."""
    pending = session.get("pending_form")
    if not pending or pending.get("path") != request.path or request.method != "GET":
        return None
    session.pop("pending_form")
    return MultiDict(pending["form"])


def restored_form(form_class, formdata, draft=None):
    """The form kept over a sign-in, checked as it was when sent, so the page shows its
    problems and the body it would send. Its data comes from the session, not from this
    request, so there is no CSRF token to check."""
    form = form_class(formdata=formdata, meta={"csrf": False})
    keep_valid_submission_id(form, draft)
    form.validate()
    return form
