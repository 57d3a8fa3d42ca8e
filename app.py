"""The web app's factory: `create_app()` reads as a table of contents of the app's parts."""

import logging
import os
import secrets

from flask import Flask
from flask_wtf.csrf import CSRFProtect

import settings
from sessions import LauncherSessionInterface

log = logging.getLogger(__name__)


def create_app(test_config=None):
    """Build the app: defaults, then the environment, then `test_config`; then the parts.

    :param test_config: config keys that win over everything else (tests pass one).
    """
    app = Flask(__name__, instance_relative_config=True)
    configure(app, test_config)
    connect_platform(app)
    share_state(app)
    register_extensions(app)
    register_security_headers(app)
    guard_deployment_token(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_template_helpers(app)
    return app


def configure(app, test_config):
    """Config from settings.DEFAULTS, the environment and `test_config`, in that order."""
    app.config.from_mapping(settings.DEFAULTS)
    app.config.update(settings.from_environ())
    if test_config:
        app.config.update(test_config)
    settings.resolve_platform(app.config)
    # A CSRF token lives as long as the session: a long form must not expire under the user.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secrets.token_hex(32)
        log.warning(
            "SECRET_KEY is not set: using a random one, so sessions end when the app restarts."
        )


def connect_platform(app):
    """Use the configured platform, or start the embedded sandbox when none is configured."""
    if app.config.get("SB_API_ENDPOINT"):
        return
    if app.testing:
        raise RuntimeError("Tests must point SB_API_ENDPOINT at a sandbox.")
    import sandbox

    server = sandbox.serve_in_thread(sandbox.create_sandbox_app())
    app.extensions["sandbox_server"] = server
    app.config["SB_API_ENDPOINT"] = server.api_url
    app.config["SANDBOX"] = True
    log.warning("%s", sandbox_banner(server.api_url))


def sandbox_banner(api_url):
    """What `make run` prints: first where to open the app, then what the sandbox is.

    `flask run` reads its address from FLASK_RUN_HOST / FLASK_RUN_PORT (the Makefile sets them),
    so the app can name its own address before the server's "Running on" line."""
    host = os.environ.get("FLASK_RUN_HOST", "127.0.0.1")
    port = os.environ.get("FLASK_RUN_PORT", "5000")
    return (
        "\n"
        f"  Open http://{host}:{port}/ in your browser: the CAVATICA launcher.\n"
        "  It runs on a local sandbox with demo data; sign in as the demo user with one click.\n"
        f"  (API stand-in, not CAVATICA: {api_url}; set SB_API_ENDPOINT for the real platform.)\n"
    )


def share_state(app):
    """What every process of the deployment shares: in memory, or in Redis with REDIS_URL."""
    import state

    state.init_app(app)


def register_extensions(app):
    """Sessions (server-side once signed in, see sessions.py), and CSRF protection on every POST."""
    app.session_interface = LauncherSessionInterface(app)
    CSRFProtect(app)


def register_security_headers(app):
    """No framing, a strict Content-Security-Policy, no sniffing, no referrer to other sites."""
    import security

    security.init_app(app)


def guard_deployment_token(app):
    """One token for everyone: trust the sign-on proxy's user header, or serve loopback only."""
    import deployment

    deployment.init_app(app)


def register_blueprints(app):
    """The screens: sign-in, projects and apps, tasks, and the file picker."""
    import views

    views.init_app(app)


def register_error_handlers(app):
    """Friendly pages for every error; a traceback never reaches the browser."""
    from views import errors

    errors.init_app(app)


def register_template_helpers(app):
    """Every filter, global and page value the templates use (see views/template_helpers.py)."""
    from views import template_helpers

    template_helpers.init_app(app)


YOUNG_COLLECTION_EVERY = 50_000  # allocations (Python's default: 700)
GIL_HANDOVER_SECONDS = 0.0005  # Python's default: 0.005


def warm_up(app):
    """Ready a server process before its first visitor (gunicorn.conf.py calls it): every
    template compiled (the first visitor of a page waited 80-130 ms for its compilation), then
    what the process holds from its start set aside from the garbage collector, so that a full
    collection scans only what pages make (it took 50 ms in the middle of a page). Young
    objects are collected every 50,000 allocations rather than 700: a page with 1,000 files
    makes some 100,000 that live until its end, and the collector's passes over them took
    2-4 ms of it. A thread that waits for the interpreter gets it after at most 0.5 ms, not 5:
    a page sends its ten bulk look-ups from ten threads and meanwhile draws what it can, and
    each send waited for the drawing (7 ms of a 1,000-file preview); under load it changed
    nothing measurable."""
    import gc
    import sys

    sys.setswitchinterval(GIL_HANDOVER_SECONDS)

    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, *gc.get_threshold()[1:])
