"""The screens (blueprints) and what they share: who is signed in, sending them to sign in and
back, and the draft registry. The platform client of a request is in `views.client`, the words
for platform errors in `views.problems`, the template helpers in `views.template_helpers`."""

import functools
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, session, url_for

from drafts import LocalDraftRegistry
from sessions import from_this_site

from .client import current_token


def init_app(app):
    """Register the blueprints and the shared state they use."""
    from . import auth, client, files, projects, reuse, runs, tasks

    client.init_app(app)
    app.extensions.setdefault("drafts", LocalDraftRegistry())  # unless in Redis (state.init_app)
    for module in (auth, projects, tasks, runs, reuse, files):
        app.register_blueprint(module.bp)


def draft_registry():
    """Which draft each submitted form made, shared by this app's requests (see `drafts`)."""
    return current_app.extensions["drafts"]


# ---- who is signed in ------------------------------------------------------------------------


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
