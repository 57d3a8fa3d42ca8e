"""The platform client of the current request, made once per request and kept on `g` (as
Flask's tutorial keeps its database connection), and who it acts for.

Every client shares the process-wide cache of app revisions (`RevisionCache`): a revision
never changes, so it is fetched once per process whoever asks.
"""

from flask import after_this_request, current_app, g, has_request_context, session

from appspec import parse_app
from cavatica import CavaticaClient
from state import RevisionCache

# The most one page may spend of the account's rate budget (the client refuses more calls).
REQUEST_SHARE = 0.1
PARSED_APPS = 16  # apps kept unpacked per process: a few MB at most


class NotSignedIn(Exception):
    """A view needed the platform but nobody is signed in."""


def init_app(app):
    """The shared cache of app revisions, and the client closed when each request ends."""
    # In process memory unless the shared state (state.init_app) keeps revisions in Redis.
    app.extensions.setdefault("app_revisions", RevisionCache(app.config["APP_CACHE_SIZE"]))
    # The apps this process has read, unpacked with their inputs (views.tasks.form).
    app.extensions["parsed_apps"] = RevisionCache(PARSED_APPS)
    app.teardown_appcontext(close_client)


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
        request_share=REQUEST_SHARE,
        file_memory=current_app.extensions.get("file_memory"),
    )


def get_client():
    """The platform client of this request (made once per request).

    :raise NotSignedIn: there is no token for this request.
    """
    if "client" not in g:
        token = current_token()
        if not token:
            raise NotSignedIn()
        g.client = make_client(token)
        memory = g.client.file_memory
        if hasattr(memory, "write_pending") and has_request_context():
            after_this_request(write_files_when_sent(memory))
    return g.client


def write_files_when_sent(memory):
    """The files this request looked up are written to the memory once its page has gone
    (state/written_later.py): the server closes a response after sending its last byte."""

    def on_response(response):
        response.call_on_close(memory.write_pending)
        return response

    return on_response


def close_client(_error=None):
    """Close the request's platform client (its pooled connections) when the request ends."""
    client = g.pop("client", None)
    if client is not None:
        client.close()


def app_and_specs(client, app_id, revision):
    """The app at `revision` and its InputSpecs, read once per process and account: a revision
    never changes, and each page of its form (and its drafts' pages) would otherwise unpack the
    app (600 kB for some) and read its CWL again. Shared read-only: no view changes an app or
    its specs (frozen)."""
    parsed = current_app.extensions["parsed_apps"]
    key = (client.account, app_id, int(revision))
    found = parsed.get(key)
    if found is None:
        app = client.app(app_id, revision)
        found = (app, parse_app(app.get("raw") or {}).inputs)
        parsed.set(key, found)
    return found
