"""Browser tests: Debian's Chromium, driven by Playwright, against the app and the sandbox.

One live app and one browser for the whole session; a fresh browser context (cookies, storage) per
test, so every test starts signed out. The `sandbox` fixture (tests/conftest.py) resets the upstream
before each test.
"""

import os

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect, sync_playwright
from user_steps import sign_in_as

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Short, so the timeout test waits seconds, not the default half a minute.
SB_TIMEOUT = 2.0
# The task page follows a run this often in the tests (5 s in use): seconds, not minutes.
TASK_REFRESH_SECONDS = 0.5
# Long enough for a slow CI machine, short enough that a missing element fails fast.
ACTION_TIMEOUT_MS = 10_000
expect.set_options(timeout=ACTION_TIMEOUT_MS)


def pytest_collection_modifyitems(items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def live_app(sandbox_server, tmp_path_factory):
    """The web app, configured for the sandbox, served on a free loopback port."""
    from app import create_app
    from sandbox import serve_in_thread

    app = create_app(
        {
            "SB_API_ENDPOINT": sandbox_server.api_url,
            # Every user signs in through the page: no deployment-wide token, whatever the
            # environment of the machine running the tests says.
            "SB_AUTH_TOKEN": None,
            "SB_PROFILE": None,
            "SECRET_KEY": "e2e-secret",
            "SB_TIMEOUT": SB_TIMEOUT,
            # A running task's page looks again every half second (3 s at most while quiet).
            "TASK_REFRESH_SECONDS": TASK_REFRESH_SECONDS,
            "SESSION_FILE_DIR": str(tmp_path_factory.mktemp("sessions")),
        }
    )
    server = serve_in_thread(app)
    yield server
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. Install Debian's package `chromium` "
            "(apt-get install chromium) or point the CHROMIUM variable at a Chromium binary."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_app, sandbox) -> Page:
    """A fresh, signed-out tab; fails the test if the page throws a JavaScript error."""
    context = browser.new_context(base_url=live_app.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    js_errors = []
    page.on("pageerror", lambda error: js_errors.append(str(error)))
    # A script or style the Content-Security-Policy refused is a bug of the page as well.
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and "Content Security Policy" in message.text
            and js_errors.append(message.text)
        ),
    )
    page.js_errors = js_errors  # a test that expects a refusal takes it out of the list
    yield page
    context.close()
    assert not js_errors, f"JavaScript errors on the page: {js_errors}"


@pytest.fixture
def other_site():
    """Another site on a loopback port (http://localhost:PORT, while the app is on 127.0.0.1):
    other_site.serve(path, html) publishes a page; other_site.url(path) is its address."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    pages = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path, "not here").encode()
            self.send_response(200 if self.path in pages else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    class Site:
        def serve(self, path, html):
            pages[path] = html

        def url(self, path):
            return f"http://localhost:{server.server_address[1]}{path}"

    yield Site()
    server.shutdown()
    server.server_close()


def check_accessible(page: Page) -> None:
    """axe-core finds no violation on the page as it is now (the full report on failure)."""
    results = Axe().run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


@pytest.fixture
def axe():
    """axe(page): fail with axe-core's report when the page has any accessibility violation."""
    return check_accessible


@pytest.fixture
def signed_in(page, sandbox) -> Page:
    """A tab signed in as the sandbox's demo user, on the projects page."""
    page.goto("/")
    sign_in_as(page, sandbox.token)
    return page


@pytest.fixture
def signed_in_without_javascript(browser, live_app, sandbox) -> Page:
    """A tab of a browser with JavaScript turned off, signed in as the demo user."""
    context = browser.new_context(base_url=live_app.url, java_script_enabled=False)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    page.goto("/")
    sign_in_as(page, sandbox.token)
    yield page
    context.close()


class Upstream:
    """What the sandbox holds, read through its API as the demo user (not through the app)."""

    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.http = requests.Session()
        self.http.headers["X-SBG-Auth-Token"] = sandbox.token

    def get(self, path, **params):
        params.setdefault("fields", "_all")  # lists otherwise send a default subset
        response = self.http.get(f"{self.sandbox.api_url}{path}", params=params, timeout=10)
        response.raise_for_status()
        return response.json()

    def listing(self, *, project=None, parent=None):
        where = {"project": project} if project else {"parent": parent}
        return self.get("/files", limit=100, **where)["items"]

    def folder(self, project, *path):
        """The items of the folder at `path` (folder names from the project's root)."""
        items = self.listing(project=project)
        for name in path:
            folder = next(i for i in items if i["name"] == name and i["type"] == "folder")
            items = self.listing(parent=folder["id"])
        return items

    def app_revision(self, project, app_name):
        return self.get(f"/apps/{project}/{app_name}")["revision"]

    def drafts_named(self, project, name):
        tasks = self.get("/tasks", project=project, status="DRAFT", limit=100)["items"]
        return [task for task in tasks if task.get("name") == name]


@pytest.fixture
def upstream(sandbox):
    client = Upstream(sandbox)
    yield client
    client.http.close()
