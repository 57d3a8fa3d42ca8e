"""The screens (blueprints) and what they share: the platform client of the current request,
who is signed in, and the process-wide cache of app revisions."""

import functools
import threading
import time
from collections import OrderedDict
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, request, session, url_for

from cavatica import (
    CavaticaClient,
    Forbidden,
    NotFound,
    OutcomeUnknown,
    PlatformUnreachable,
    RateLimited,
    ServerError,
    Unauthorized,
    account_key,
)
from drafts import LocalDraftRegistry
from forms.task import error_list
from sessions import from_this_site

RATE_WARNING_SHARE = 0.1  # pages warn once this share of the rate budget is all that is left


class RevisionCache:
    """A small thread-safe LRU mapping for app revisions (a revision never changes)."""

    def __init__(self, size=128):
        self.size = size
        self._items = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, default=None):
        with self._lock:
            if key not in self._items:
                return default
            self._items.move_to_end(key)
            return self._items[key]

    def set(self, key, value):
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self):
        with self._lock:
            return len(self._items)


def init_app(app):
    """Register the blueprints and the shared state they use."""
    from . import auth, files, projects, reuse, runs, tasks

    # In process memory unless the shared state (state.init_app) keeps revisions in Redis.
    app.extensions.setdefault("app_revisions", RevisionCache(app.config["APP_CACHE_SIZE"]))
    app.extensions.setdefault("drafts", LocalDraftRegistry())  # unless in Redis (state.init_app)
    for module in (auth, projects, tasks, runs, reuse, files):
        app.register_blueprint(module.bp)
    app.teardown_appcontext(close_platform)
    app.context_processor(template_context)
    app.add_template_global(cavatica_task_url)
    app.add_template_global(error_list, "form_errors")


# ---- who is signed in ------------------------------------------------------------------------


def uses_deployment_token():
    """True when the whole deployment uses one token from the configuration (no sign-in)."""
    return bool(current_app.config.get("SB_AUTH_TOKEN"))


def current_token():
    """The token for this request: the deployment's, or the signed-in user's; None if neither."""
    return current_app.config.get("SB_AUTH_TOKEN") or session.get("token")


def make_client(token):
    """A platform client for `token`, sharing the process-wide app-revision cache."""
    return CavaticaClient(
        current_app.config["SB_API_ENDPOINT"],
        token,
        timeout=current_app.config["SB_TIMEOUT"],
        app_cache=current_app.extensions["app_revisions"],
        budget=current_app.extensions["rate_budget"],
    )


def platform():
    """The platform client of this request (made once per request)."""
    if "platform" not in g:
        token = current_token()
        if not token:
            raise NotSignedIn()
        g.platform = make_client(token)
    return g.platform


def draft_registry():
    """Which draft each submitted form made, shared by this app's requests (see `drafts`)."""
    return current_app.extensions["drafts"]


def close_platform(_error=None):
    """Close the request's platform client (its pooled connections) when the request ends."""
    client = g.pop("platform", None)
    if client is not None:
        client.close()


class NotSignedIn(Exception):
    """A view needed the platform but nobody is signed in."""


def login_required(view):
    """Send visitors who are not signed in to the sign-in page, then back here."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not current_token():
            if request.method == "POST":
                keep_posted_form()
            return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped


def keep_posted_form():
    """Keep what was posted to this page, so the form comes back filled after signing in.

    Only a form this site's own page posted, and only for the browser that posted it (its
    session, or the one that just expired): another site's auto-submitted form is never kept.
    :return: whether it was kept."""
    if not from_this_site() or not getattr(session, "can_keep", False):
        return False
    session["pending_form"] = {
        "path": request.path,
        "form": [(k, v) for k, v in request.form.items(multi=True) if k != "csrf_token"],
    }
    return True


def safe_next(target, default_endpoint="projects.index"):
    """`target` if it is a path on this site, else the default page (no open redirects).

    Control characters are refused outright: browsers drop tabs and line breaks, so `/<tab>/x`
    would lead to another site, and a line break cannot go in the Location header at all."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(ord(char) < 0x20 or ord(char) == 0x7F for char in target)
    ):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for(default_endpoint)


def send_to_sign_in(message, next_url):
    """The user's token was refused: forget it and ask for a new one, then come back."""
    session.pop("token", None)
    session.pop("user", None)
    flash(message, "warning")
    return redirect(url_for("auth.sign_in", next=next_url))


# ---- telling the user what the platform said ------------------------------------------------


def platform_problem(error):
    """A sentence for the user about a client error (never a traceback or a token)."""
    said = f" CAVATICA said: “{error.message}”" if error.status else ""
    if isinstance(error, Unauthorized):
        return "CAVATICA did not accept the token (it may have expired)." + said
    if isinstance(error, Forbidden):
        return "Your CAVATICA account is not allowed to do this." + said
    if isinstance(error, NotFound):
        return "CAVATICA could not find this, or your account cannot see it." + said
    if isinstance(error, RateLimited):
        return rate_limit_message(error)
    if isinstance(error, ServerError):
        return "CAVATICA had a problem and could not answer. Try again in a minute." + said
    if isinstance(error, PlatformUnreachable):
        return f"CAVATICA could not be reached. {error.message} Try again in a minute."
    if isinstance(error, OutcomeUnknown):
        return f"It is not known whether CAVATICA did this. {error.message}"
    return "CAVATICA refused the request." + said


def platform_status(error):
    """The HTTP status of a page that shows a platform error: the platform's own when it
    refused the request (4xx), 502 when it failed or could not be reached."""
    status = getattr(error, "status", None)
    if status is not None and 400 <= status < 500:
        return status
    return 502


def rate_limit_message(error):
    """'Too many requests' with when to try again, from the platform's reset time."""
    wait = error.retry_after_seconds
    if wait is None:
        return "CAVATICA has had too many requests from this account. Wait a few minutes."
    at = time.strftime("%H:%M:%S UTC", time.gmtime(error.reset_at))
    return (
        "CAVATICA has had too many requests from this account. "
        f"Try again in {wait} seconds (after {at})."
    )


# ---- template helpers -----------------------------------------------------------------------


def template_context():
    """Values every page can use."""
    return {
        "signed_in_user": session.get("user"),
        "deployment_token": uses_deployment_token(),
        "using_sandbox": current_app.config.get("SANDBOX", False),
        "rate_warning": rate_warning(),
    }


def rate_warning():
    """A sentence when this account has nearly spent the platform's rate budget, else None.
    With a deployment-wide token every user draws on the same budget."""
    token = current_token()
    budget = current_app.extensions.get("rate_budget")
    if not token or budget is None:
        return None
    seen = budget.get(account_key(current_app.config["SB_API_ENDPOINT"], token))
    if not seen or seen["remaining"] > seen["limit"] * RATE_WARNING_SHARE:
        return None
    whose = "this site's account" if uses_deployment_token() else "your account"
    until = ""
    if seen.get("reset"):
        until = " until " + time.strftime("%H:%M UTC", time.gmtime(seen["reset"]))
    if seen["remaining"] <= 0:
        return (
            f"CAVATICA accepts no more requests from {whose}{until}. "
            "Pages that need CAVATICA will say so; wait, then try again."
        )
    return (
        f"CAVATICA accepts only {seen['remaining']} more requests from {whose}{until}. "
        "File names may show as ids meanwhile; what is left is kept for creating drafts."
    )


def cavatica_task_url(project, task_id):
    """The task's page in the platform's web UI."""
    base = current_app.config["CAVATICA_UI_URL"].rstrip("/")
    return f"{base}/u/{project}/tasks/{task_id}/"
