"""Error pages: every failure becomes a page in plain words, never a traceback.

Platform errors that reach this point (a view did not handle them itself) are shown with what the
platform said; a refused user token sends the user to sign in again and back.
"""

import logging

from flask import flash, redirect, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from cavatica import ApiError, RateLimited, Unauthorized

from . import keep_posted_form, safe_next, send_to_sign_in
from .client import NotSignedIn, uses_deployment_token
from .problems import platform_problem, platform_status, problem_title

log = logging.getLogger(__name__)


def init_app(app):
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(NotSignedIn, not_signed_in)
    app.register_error_handler(ApiError, platform_error)
    app.register_error_handler(Exception, unexpected_error)


def back_here():
    """Where to come back to after signing in: this page for a GET, the previous page otherwise."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    return safe_next(_referrer_path())


def _referrer_path():
    referrer = request.referrer or ""
    host = request.host_url.rstrip("/")
    return referrer[len(host) :] if referrer.startswith(host + "/") else None


# Form pages whose typed content is kept when their CSRF token no longer matches (the session
# ended while the form was open); the form then comes back filled, to be checked and sent again.
KEEP_ON_CSRF_FAILURE = {"tasks.new", "tasks.edit"}


def csrf_error(error):
    if request.method == "POST" and request.endpoint in KEEP_ON_CSRF_FAILURE and keep_posted_form():
        flash("Your session had ended, so nothing was sent. What you entered is kept.", "warning")
        return redirect(request.full_path.rstrip("?"))
    message = (
        "This form could not be accepted: it was open for too long or came from another site. "
        "Go back, reload the page and try again."
    )
    return render_template("errors/error.html", title="Form expired", message=message), 400


def http_error(error):
    titles = {
        404: "Page not found",
        405: "Not allowed",
        400: "Bad request",
        413: "The form is too large",
        403: "Not served here",
    }
    title = titles.get(error.code, error.name)
    message = {
        404: "There is no page at this address. Check the link, or start again from Projects.",
        413: "Nothing was sent to CAVATICA: this form is larger than the 1 MB this site takes. "
        "A task form takes at most 5,000 file ids; split the work into several tasks.",
    }.get(error.code, error.description)
    return render_template("errors/error.html", title=title, message=message), error.code


def not_signed_in(error):
    return send_to_sign_in("Sign in to continue.", back_here())


def platform_error(error):
    if isinstance(error, Unauthorized):
        if not uses_deployment_token():
            return send_to_sign_in(
                "CAVATICA did not accept your token (it may have expired). Sign in again.",
                back_here(),
            )
        title, status = "The deployment's token was refused", 502
        message = (
            "CAVATICA did not accept the token this site is configured with. "
            "Ask whoever runs this site to renew SB_AUTH_TOKEN."
        )
        return render_template("errors/error.html", title=title, message=message), status
    status, title = platform_status(error), problem_title(error)
    response = render_template("errors/error.html", title=title, message=platform_problem(error))
    headers = {}
    if isinstance(error, RateLimited) and error.retry_after_seconds is not None:
        headers["Retry-After"] = str(error.retry_after_seconds)
    return response, status, headers


def unexpected_error(error):
    log.exception("Unexpected error on %s %s", request.method, request.path)
    message = "Something went wrong on our side. Go back and try again."
    return render_template("errors/error.html", title="Something went wrong", message=message), 500
