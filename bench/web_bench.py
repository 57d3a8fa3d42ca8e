"""Web app: upstream calls per page and page latency as a multiple of the upstream round trip.

The app runs in process (Flask's test client, so no browser or HTTP server of its own is timed);
the sandbox runs on loopback and answers every API request LATENCY_MS after it arrived. A page
that makes n upstream calls one after the other cannot be faster than n round trips, so its
median wall time divided by the injected latency should sit just above its number of calls; far
above it means the app itself is slow, and a count that grows with the data (files, pages) would
show here too.
"""

import os
import statistics
import tempfile
import time
import uuid

import requests

from bench.flow import batch_settings, csrf_token, is_sample_fastq, missed

LATENCY_MS = 50
REQUESTS = 15  # timed requests per page (after one untimed request that also counts the calls)
PROJECT = "demo-user/pediatric-wgs"
BIG = "demo-user/big-cohort"
BIG_APP = "sbg-gatk-haplotypecaller"  # 132 inputs
BATCH_APP = "sbg-wes-bwa-gatk4-cwl1"
BIG_BATCH = 1000  # FASTQs of the big project chosen in one form


class Sandbox:
    """The sandbox's /_sandbox controls, over HTTP."""

    def __init__(self, handle, token):
        self.url, self.api_url = handle.url, handle.api_url
        self.http = requests.Session()
        self.api = requests.Session()
        self.api.headers["X-SBG-Auth-Token"] = token

    def control(self, method, path, json=None):
        response = self.http.request(method, f"{self.url}/_sandbox/{path}", json=json, timeout=30)
        response.raise_for_status()
        return response.json()

    def calls(self):
        return len(self.control("GET", "requests")["requests"])

    def get(self, path, **params):
        # Everything, as the app asks: a list's default items carry no metadata.
        params = {"fields": "_all", **params}
        response = self.api.get(f"{self.api_url}{path}", params=params, timeout=30)
        response.raise_for_status()
        return response.json()


class Flow:
    """One thing a user does: `prepare()` (untimed, fresh each time) then `act()` (timed),
    which must reach the page of `step` (see bench.flow) to count."""

    def __init__(self, name, act, step, prepare=None):
        self.name, self.act, self.step, self.prepare = name, act, step, prepare


class MissedPage(Exception):
    """A step reached another page than its own: its time would measure nothing."""


def measure(flow, sandbox, requests_count):
    """(upstream calls of one run, median ms, p90 ms)."""

    def once():
        state = flow.prepare() if flow.prepare else None
        sandbox.control("DELETE", "requests")
        started = time.perf_counter()
        response = flow.act(state)
        elapsed = (time.perf_counter() - started) * 1000
        reached = missed(flow.step, response)
        if reached is not None:
            raise MissedPage(f"{flow.name}: reached {reached}, not the {flow.step} page")
        return elapsed, sandbox.calls()

    _, calls = once()  # warm-up: also the call count
    times = sorted(once()[0] for _ in range(requests_count))
    return calls, statistics.median(times), times[max(0, int(len(times) * 0.9) - 1)]


def run(report):
    from app import create_app
    from sandbox import DEMO_TOKEN, create_sandbox_app, serve_in_thread

    handle = serve_in_thread(create_sandbox_app())  # the real apps: the flows need BIG_APP
    sandbox = Sandbox(handle, DEMO_TOKEN)
    # The bench sends far more than the platform's 1,000 requests per 5 minutes.
    sandbox.control("POST", "rate_limit", {"limit": 10**7, "window_seconds": 300})
    sessions = tempfile.TemporaryDirectory()
    try:
        # Signed in through the sign-in form, whatever token the environment holds.
        app = create_app(
            {
                "SB_API_ENDPOINT": handle.api_url,
                "SB_AUTH_TOKEN": None,
                "SB_PROFILE": None,
                "SECRET_KEY": "bench",
                "SESSION_FILE_DIR": sessions.name,
            }
        )
        client = app.test_client()
        flows = build_flows(app, client, sandbox, DEMO_TOKEN)
        rows = []
        for latency in (0, LATENCY_MS):
            sandbox.control("POST", "latency", {"latency_ms": latency})
            for flow in flows:
                calls, median, p90 = measure(flow, sandbox, REQUESTS)
                rows.append((flow.name, latency, calls, median, p90))
    finally:
        sandbox.control("POST", "reset")
        sandbox.http.close()
        sandbox.api.close()
        handle.shutdown()
        sessions.cleanup()

    report.section("Web app: upstream calls and latency per page")
    report.text(
        f"Each page requested {REQUESTS} times through Flask's test client (after one untimed "
        f"request), against the sandbox on loopback, first with no injected latency (the app's "
        f"own cost), then with {LATENCY_MS} ms as every API request's round trip. *Calls* are the "
        "API requests the sandbox logged for one request of the page; *ratio* is the median at "
        f"{LATENCY_MS} ms divided by {LATENCY_MS} ms: a page whose calls go one after the other "
        "cannot go below its number of calls. Load average when measured: "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (figures grow with load)."
    )
    own = {name: median for name, latency, _, median, _ in rows if latency == 0}
    table = []
    for name, latency, calls, median, p90 in rows:
        if latency == 0:
            continue
        table.append(
            [
                name,
                calls,
                f"{own[name]:.1f}",
                f"{median:.1f}",
                f"{p90:.1f}",
                f"{median / LATENCY_MS:.2f}",
            ]
        )
    report.table(
        [
            "page",
            "calls",
            "median ms, 0 ms upstream",
            f"median ms, {LATENCY_MS} ms upstream",
            f"p90 ms, {LATENCY_MS} ms upstream",
            "ratio",
        ],
        table,
    )


def build_flows(app, client, sandbox, token):
    from state import FileMemory, WrittenLater
    from views.client import PARSED_APPS, RevisionCache

    big_revision = sandbox.get(f"/apps/{PROJECT}/{BIG_APP}")["revision"]
    big_form = f"/projects/{PROJECT}/apps/{BIG_APP}/new?revision={big_revision}"
    small = batch_fixture(sandbox, PROJECT, None)
    big = batch_fixture(sandbox, BIG, BIG_BATCH)

    def sign_in_page():
        client.post("/sign-out", data={"csrf_token": csrf_token(client.get("/sign-in").text)})
        return csrf_token(client.get("/sign-in").text)

    def sign_in(csrf):
        return client.post("/sign-in", data={"csrf_token": csrf, "token": token})

    def form_data(fixture, action):
        html = client.get(fixture["form"]).text
        return dict(
            fixture["data"],
            csrf_token=csrf_token(html),
            submission_id=uuid.uuid4().hex,
            name="bench batch",
            action=action,
        )

    def post_form(fixture):
        return lambda data: client.post(fixture["form"], data=data)

    def new_draft(fixture, seen=False):
        def make():
            response = client.post(fixture["form"], data=form_data(fixture, "create"))
            reached = missed("create", response)
            if reached is not None:
                raise MissedPage(f"creating a draft to show: reached {reached}")
            if seen:
                client.get(response.headers["Location"])  # shown once from what create kept
            return response.headers["Location"]

        return make

    def cold_app_cache():
        app.extensions["app_revisions"] = RevisionCache(app.config["APP_CACHE_SIZE"])
        app.extensions["parsed_apps"] = RevisionCache(PARSED_APPS)

    def first_look(fixture, action):
        """The form as posted when none of its files was looked up in the last minutes (the
        app remembers them for a while: a page timed again and again would measure that)."""

        def prepare():
            app.extensions["file_memory"] = WrittenLater(FileMemory())
            return form_data(fixture, action)

        return prepare

    def after_preview(fixture):
        def prepare():
            data = first_look(fixture, "preview")()
            reached = missed("batch preview", client.post(fixture["form"], data=data))
            if reached is not None:
                raise MissedPage(f"the preview before a create: reached {reached}")
            return dict(data, action="create")

        return prepare

    def picker(offset):
        return lambda _: client.get(f"/projects/{BIG}/files?fragment=1&offset={offset}")

    # Signed in once for every page but the sign-in itself.
    sign_in(sign_in_page())
    flows = [
        Flow("sign in (POST token)", sign_in, "sign in", prepare=sign_in_page),
        Flow("projects", lambda _: client.get("/projects"), "projects"),
        Flow(
            "project (apps and recent tasks)",
            lambda _: client.get(f"/projects/{PROJECT}"),
            "project",
        ),
        Flow(
            f"new task, {BIG_APP} (132 inputs), app not cached",
            lambda _: client.get(big_form),
            "new task form",
            prepare=cold_app_cache,
        ),
        Flow(
            f"new task, {BIG_APP} (132 inputs), app cached",
            lambda _: client.get(big_form),
            "new task form",
        ),
        Flow("picker, 100,000-file project, offset 0", picker(0), "picker page"),
        Flow("picker, 100,000-file project, offset 99,900", picker(99_900), "picker page"),
    ]
    for fixture in (small, big):
        count = f"{fixture['count']:,} FASTQs"
        flows += [
            Flow(
                f"batch preview, {count} by sample",
                post_form(fixture),
                "batch preview",
                prepare=first_look(fixture, "preview"),
            ),
            Flow(
                f"create the draft right after its preview, {count}",
                post_form(fixture),
                "create",
                prepare=after_preview(fixture),
            ),
            Flow(
                f"create the draft with no preview before, {count}",
                post_form(fixture),
                "create",
                prepare=first_look(fixture, "create"),
            ),
            Flow(
                f"draft page after create, {count}",
                lambda url: client.get(url),
                "draft page",
                prepare=new_draft(fixture),
            ),
            Flow(
                f"draft page opened again (read from the platform), {count}",
                lambda url: client.get(url),
                "draft page",
                prepare=new_draft(fixture, seen=True),
            ),
        ]
    return flows


def batch_fixture(sandbox, project, count):
    """The batch app's form in `project`, filled as a user would: `count` FASTQs that carry a
    sample id (all of them at the project's root when None) and the project's own references,
    whose companion files are all there, so the pre-flight check lets the draft through."""
    revision = sandbox.get(f"/apps/{project}/{BATCH_APP}")["revision"]
    fastqs = []
    offset = 0
    while count is None or len(fastqs) < count:
        page = sandbox.get("/files", project=project, offset=offset, limit=100)["items"]
        fastqs += [f["id"] for f in page if is_sample_fastq(f)]
        offset += 100
        if count is None or not page:
            break
    fastqs = fastqs[:count] if count else fastqs
    return {
        "form": f"/projects/{project}/apps/{BATCH_APP}/new?revision={revision}",
        "count": len(fastqs),
        "data": {**batch_settings(sandbox.get, project), "inputs-fastq": " ".join(fastqs)},
    }
