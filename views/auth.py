"""Signing in with a CAVATICA token (checked with GET /user) and signing out.

The token is kept only in the server-side session; the browser holds a random session id.
With a deployment-wide token (SB_AUTH_TOKEN) there is nothing to sign in to.
"""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from cavatica import ApiError, Unauthorized
from forms.auth import ActionForm, SignInForm

from . import safe_next
from .client import make_client, uses_deployment_token
from .problems import platform_problem

bp = Blueprint("auth", __name__)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """Ask for a token; a token CAVATICA accepts signs the user in."""
    next_url = safe_next(request.values.get("next"))
    if uses_deployment_token():
        return redirect(next_url)
    form = SignInForm()
    problem = None
    if form.validate_on_submit():
        try:
            return _start_session(form.token.data.strip(), next_url)
        except Unauthorized:
            form.token.errors.append(
                "CAVATICA did not accept this token. Check that you copied all of it, or "
                "create a new one in CAVATICA under Developer › Authentication token."
            )
        except ApiError as error:
            problem = platform_problem(error)
    return render_template(
        "auth/sign_in.html",
        form=form,
        next_url=next_url,
        problem=problem,
        pending_form="pending_form" in session,
    )


@bp.route("/sign-in/demo", methods=["POST"])
def sign_in_demo():
    """Sign in as the sandbox's demo user (only when the app runs on its embedded sandbox)."""
    if not current_app.config.get("SANDBOX") or uses_deployment_token():
        abort(404)
    next_url = safe_next(request.form.get("next"))
    if not ActionForm().validate_on_submit():
        abort(400)
    import sandbox

    return _start_session(sandbox.DEMO_TOKEN, next_url)


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    """Forget the token and everything else of this session."""
    if ActionForm().validate_on_submit():
        session.clear()
        flash("You are signed out.", "info")
    return redirect(url_for("auth.sign_in"))


def _start_session(token, next_url):
    """Check the token with GET /user, then keep it in a fresh session (a new session id)."""
    with make_client(token) as client:
        user = client.me()
    current_app.session_interface.regenerate(session)
    session["token"] = token
    session["user"] = {
        "username": user.get("username", ""),
        "name": " ".join(filter(None, [user.get("first_name"), user.get("last_name")]))
        or user.get("username", ""),
    }
    flash(f"Signed in as {session['user']['name']}.", "info")
    return redirect(next_url)
