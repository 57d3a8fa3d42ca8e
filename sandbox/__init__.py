"""A local stand-in of the CAVATICA (Seven Bridges) API v2 for demos, development and tests.

    from sandbox import create_sandbox_app, serve_in_thread, DEMO_TOKEN
    handle = serve_in_thread(create_sandbox_app())
    handle.api_url  # http://127.0.0.1:<port>/v2

See sandbox/README.md for the users, projects, controls and the choices made.
"""

from .seed import DEMO_TOKEN, DEMO_USER, OTHER_TOKEN, OTHER_USER
from .server import create_sandbox_app, serve_in_thread

__all__ = [
    "DEMO_TOKEN",
    "DEMO_USER",
    "OTHER_TOKEN",
    "OTHER_USER",
    "create_sandbox_app",
    "serve_in_thread",
]
