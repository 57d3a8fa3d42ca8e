"""Many users at once: N simulated users walk the whole flow for a bounded time against the
sandbox (its own process, every API request answered L after it arrived), on one app process
with threads and on two gunicorn workers sharing Redis, one user alone and N together. Figures
are multiples of L.

Each user signs in with its own session and repeats: projects, a project, the new-task form,
a picker page of the 100,000-file project, a batch preview of F chosen FASTQs of that project,
create (posted twice at once, as a double click does), and the draft page. A step counts only
when it reaches its own page (`bench.flow`): anything else (a 5xx, a timeout, the pre-flight page
instead of the draft, the form with a problem instead of the preview) is an error, named in the
report. A pre-flight page is then confirmed as a user would ("Create draft anyway"). A duplicate
draft is a second draft for one submitted form; a page showing another user's data is a draft
page without this user's own task name on it.

One user walks without pausing (the page times of a person alone). The N users pause between
pages as people do (reading, choosing; BENCH_THINK_SECONDS on average, spread 0.5x to 1.5x):
without pauses N simulated users are N browsers clicking as fast as the machine answers, which
measures the machine's throughput, not what N people see.

    python -m bench.load_bench        # this part alone; `make bench` runs every part
    BENCH_USERS=50 BENCH_SECONDS=40 BENCH_LATENCY_MS=100 BENCH_FILES=100 BENCH_THINK_SECONDS=2
    (the defaults)
"""

import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bench.flow import batch_settings, csrf_token, is_sample_fastq, missed, preflight_ack

REPO = Path(__file__).resolve().parents[1]
USERS = int(os.environ.get("BENCH_USERS", 50))
SECONDS = float(os.environ.get("BENCH_SECONDS", 40))
LATENCY_MS = int(os.environ.get("BENCH_LATENCY_MS", 100))
FILES = int(os.environ.get("BENCH_FILES", 100))  # chosen files per form, N users
THINK_SECONDS = float(os.environ.get("BENCH_THINK_SECONDS", 2))  # N users' mean pause
ONE_USER_FILES = 1000  # chosen files per form, one user
# FASTQs handed out to the walks, each walk its own: the app remembers the files a page looked
# up for a few minutes, and a walk that chose the same files as the last one would measure that.
POOL_FILES = int(os.environ.get("BENCH_POOL_FILES", 80_000))
ONE_USER_SECONDS = float(os.environ.get("BENCH_ONE_USER_SECONDS", 20))
PROJECT = "demo-user/big-cohort"  # the form, its files and its drafts: all in one project
APP = "sbg-wes-bwa-gatk4-cwl1"
PAGES = (
    "projects",
    "project",
    "new task form",
    "picker page",
    "batch preview",
    "create",
    "draft page",
)
MARKER = re.compile(r"ref ([0-9a-f]{12})")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url, process, what, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            requests.get(url, timeout=30)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not start within {timeout} s")


class Servers:
    """The sandbox, optionally a redis-server, and a gunicorn: all on loopback, all stopped."""

    def __init__(self):
        self.processes = []
        self.folder = tempfile.mkdtemp(prefix="launcher-bench-")

    def start(self, args, what, url=None, env=None):
        process = subprocess.Popen(
            args, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.processes.append(process)
        if url:
            wait_for(url, process, what)
        return process

    def sandbox(self):
        port = free_port()
        self.start(
            [sys.executable, "-m", "sandbox", "--port", str(port), "--latency-ms", str(LATENCY_MS)],
            "the sandbox",
            f"http://127.0.0.1:{port}/v2/",
        )
        return f"http://127.0.0.1:{port}"

    def redis(self):
        port = free_port()
        process = self.start(
            [
                "redis-server",
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            "redis-server",
        )
        import redis

        client = redis.Redis(port=port)
        for _ in range(100):
            try:
                client.ping()
                return f"redis://127.0.0.1:{port}/0"
            except redis.ConnectionError:
                if process.poll() is not None:
                    break
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def app(self, api_url, workers, threads, redis_url=None):
        port = free_port()
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SB_", "REDIS_", "WEB_", "SECRET_KEY"))
        }
        env.update(
            {
                "SB_API_ENDPOINT": api_url,
                "SECRET_KEY": uuid.uuid4().hex,
                "BIND": f"127.0.0.1:{port}",
                "WEB_WORKERS": str(workers),
                "WEB_THREADS": str(threads),
                "SB_TIMEOUT": "30",
                "SESSION_FILE_DIR": os.path.join(self.folder, f"sessions-{port}"),
            }
        )
        if redis_url:
            env["REDIS_URL"] = redis_url
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        process = self.start(
            [gunicorn, "--config", "gunicorn.conf.py", "--access-logfile", "/dev/null"],
            "gunicorn",
            f"http://127.0.0.1:{port}/sign-in",
            env,
        )
        return f"http://127.0.0.1:{port}", process

    def stop(self, process):
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def close(self):
        for process in reversed(self.processes):
            if process.poll() is None:
                self.stop(process)
        shutil.rmtree(self.folder, ignore_errors=True)


class Results:
    def __init__(self):
        self.times = defaultdict(list)  # page -> seconds
        self.errors = defaultdict(int)
        self.reasons = Counter()  # (page, what it reached instead) -> how often
        self.wrong_user = 0
        self.markers = []
        self.lock = threading.Lock()

    def record(self, page, seconds, reason=None):
        with self.lock:
            self.times[page].append(seconds)
            if reason is not None:
                self.errors[page] += 1
                self.reasons[(page, reason)] += 1


class User:
    """One person in a browser: their own session, walking the flow until `stop`."""

    def __init__(self, base, token, fixture, results, files, number, think=0.0):
        self.base, self.token, self.fixture = base, token, fixture
        self.results, self.files, self.number = results, files, number
        self.think = think
        self.random = random.Random(number)
        self.http = requests.Session()

    def timed(self, page, method, path, name=None, **kwargs):
        """The response when it is the page's own, else None (and an error is counted)."""
        started = time.perf_counter()
        try:
            response = self.http.request(
                method, self.base + path, allow_redirects=False, timeout=60, **kwargs
            )
            reason = missed(page, response, name)
        except requests.RequestException as error:
            response, reason = None, f"no answer ({type(error).__name__})"
        self.results.record(page, time.perf_counter() - started, reason)
        if reason == "a draft page without this user's task name":
            with self.results.lock:
                self.results.wrong_user += 1
        return response if reason is None else None

    def pause(self, stop):
        """What a person spends reading the page and choosing the next step; True when the
        time is up meanwhile. A walk then ends there: without it every user would go through
        the rest of the walk at once, with no pauses, and the last second would measure a
        burst that no person clicks."""
        if self.think:
            stop.wait(self.think * self.random.uniform(0.5, 1.5))
        return stop.is_set()

    def sign_in(self):
        html = self.http.get(self.base + "/sign-in", timeout=60).text
        self.http.post(
            self.base + "/sign-in",
            timeout=60,
            allow_redirects=False,
            data={"csrf_token": csrf_token(html), "token": self.token},
        )

    def walk(self, stop, iteration):
        fixture = self.fixture
        if not self.timed("projects", "GET", "/projects"):
            return
        if self.pause(stop):
            return
        self.timed("project", "GET", f"/projects/{PROJECT}")
        if self.pause(stop):
            return
        form = self.timed("new task form", "GET", fixture["form"])
        if form is None:
            return
        csrf = csrf_token(form.text)
        if self.pause(stop):
            return
        offset = (self.number * 997 + iteration * 100) % 99_900
        self.timed("picker page", "GET", f"/projects/{PROJECT}/files?fragment=1&offset={offset}")
        if self.pause(stop):
            return
        name = f"bench user {self.number} run {iteration} {uuid.uuid4().hex[:6]}"
        data = dict(
            fixture["data"],
            csrf_token=csrf,
            name=name,
            **{"inputs-fastq": " ".join(fixture["reads"].take(self.files))},
        )
        self.timed("batch preview", "POST", fixture["form"], data=dict(data, action="preview"))
        if self.pause(stop):
            return
        # A double click: the same form posted twice at once, to whichever process.
        submission = dict(data, action="create", submission_id=uuid.uuid4().hex)
        twin = threading.Thread(
            target=self.timed, args=("create", "POST", fixture["form"]), kwargs={"data": submission}
        )
        twin.start()
        started = time.perf_counter()
        try:
            created = self.http.post(
                self.base + fixture["form"], data=submission, allow_redirects=False, timeout=60
            )
        except requests.RequestException as error:
            created, reason = None, f"no answer ({type(error).__name__})"
        else:
            reason = missed("create", created)
        self.results.record("create", time.perf_counter() - started, reason)
        twin.join()
        with self.results.lock:
            self.results.markers.append(submission["submission_id"][:12])
        ack = preflight_ack(created.text) if created is not None and reason else None
        if ack:
            # Held back at the pre-flight check (an error above): confirm it as a person would.
            created = self.timed(
                "create", "POST", fixture["form"], data=dict(submission, preflight_ack=ack)
            )
        elif reason:
            return
        if created is None or created.status_code != 302 or self.pause(stop):
            return
        self.timed("draft page", "GET", created.headers["Location"], name=name)
        self.pause(stop)

    def run(self, stop):
        try:
            self.sign_in()
        except (requests.RequestException, ValueError):
            self.results.record("projects", 0, "could not sign in")
            return
        iteration = 0
        while not stop.is_set():
            self.walk(stop, iteration)
            iteration += 1


def fixture_of(sandbox_url, token):
    """The form's address and what a user fills in: 1,000 FASTQs of the big project and its
    own references, whose companion files (.fai, .dict, .tbi) are all there, so the pre-flight
    check lets the draft be created at the first press."""
    api = requests.Session()
    api.headers["X-SBG-Auth-Token"] = token
    v2 = sandbox_url + "/v2"

    def get(path, **params):
        response = api.get(v2 + path, params={"fields": "_all", **params}, timeout=60)
        response.raise_for_status()
        return response.json()

    revision = get(f"/apps/{PROJECT}/{APP}")["revision"]

    def fastqs(offset):
        return [
            f["id"]
            for f in get("/files", project=PROJECT, offset=offset, limit=100)["items"]
            if is_sample_fastq(f)
        ]

    with ThreadPoolExecutor(max_workers=16) as pool:  # L each: 800 pages at once, 16 by 16
        pages = pool.map(fastqs, range(0, POOL_FILES, 100))
        reads = Reads([i for page in pages for i in page])
    return {
        "form": f"/projects/{PROJECT}/apps/{APP}/new?revision={revision}",
        "reads": reads,
        "data": batch_settings(get, PROJECT),
    }


class Reads:
    """The pool of FASTQ ids: each walk takes the next ones (after the last, the first again)."""

    def __init__(self, ids):
        self.ids, self.next, self.wrapped = ids, 0, 0
        self.lock = threading.Lock()

    def take(self, count):
        with self.lock:
            if self.next + count > len(self.ids):
                self.next, self.wrapped = 0, self.wrapped + 1
            taken = self.ids[self.next : self.next + count]
            self.next += count
        return taken


def drafts_per_marker(sandbox_url, token):
    """{submission marker: drafts made} from the project's drafts, as the platform lists them."""
    api = requests.Session()
    api.headers["X-SBG-Auth-Token"] = token
    counts = defaultdict(int)
    offset = 0
    while True:
        response = api.get(
            f"{sandbox_url}/v2/tasks",
            timeout=60,
            params={
                "project": PROJECT,
                "status": "DRAFT",
                "offset": offset,
                "limit": 100,
                "fields": "id,description",
            },
        )
        items = response.json().get("items", [])
        for task in items:
            found = MARKER.search(task.get("description") or "")
            if found:
                counts[found.group(1)] += 1
        if len(items) < 100:
            return counts
        offset += 100


def control(sandbox_url, path, body):
    requests.post(f"{sandbox_url}/_sandbox/{path}", json=body, timeout=30).raise_for_status()


def run_load(base, sandbox_url, token, fixture, users, seconds, files, think):
    control(sandbox_url, "rate_limit", {"limit": 10**7, "window_seconds": 300})
    results = Results()
    people = [User(base, token, fixture, results, files, n, think) for n in range(users)]
    warm = User(base, token, fixture, Results(), files, -1)  # one walk, untimed, to warm up
    warm.sign_in()
    warm.walk(threading.Event(), 0)
    stop = threading.Event()
    threads = [threading.Thread(target=p.run, args=(stop,), daemon=True) for p in people]
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    for thread in threads:
        thread.start()
        time.sleep(min(0.05, 2.0 / max(1, users)))  # users arrive over a second or two
    time.sleep(max(0.0, seconds - (time.monotonic() - started)))
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.monotonic() - started
    made = drafts_per_marker(sandbox_url, token)
    duplicates = sum(max(0, made.get(marker, 0) - 1) for marker in results.markers)
    return Outcome(results, elapsed, duplicates, (load_before, os.getloadavg()[0]))


class Outcome:
    def __init__(self, results, elapsed, duplicates, load):
        self.results, self.elapsed, self.duplicates, self.load = results, elapsed, duplicates, load

    @property
    def pages(self):
        return sum(len(t) for t in self.results.times.values())

    @property
    def errors(self):
        return sum(self.results.errors.values())

    def worst(self, share):
        """The highest per-page percentile, as a multiple of L (None without figures)."""
        figures = [percentile(t, share) for t in self.results.times.values() if t]
        return max(figures) / (LATENCY_MS / 1000) if figures else None


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def rows_of(results):
    latency = LATENCY_MS / 1000
    rows = []
    for page in PAGES:
        times = results.times.get(page, [])
        if not times:
            rows.append([page, 0, "-", "-", results.errors.get(page, 0)])
            continue
        rows.append(
            [
                page,
                len(times),
                f"{statistics.median(times) / latency:.2f}",
                f"{percentile(times, 0.99) / latency:.2f}",
                results.errors.get(page, 0),
            ]
        )
    return rows


def plans(redis_url):
    """(title, workers, threads, Redis, users, seconds, files, pause): each scenario."""
    alone = ("1 user", 1, ONE_USER_SECONDS, ONE_USER_FILES, 0.0)
    many = (f"{USERS} users", USERS, SECONDS, FILES, THINK_SECONDS)
    servers = [("1 process with threads", 1, None)]
    if redis_url:
        servers.append(("2 gunicorn workers, Redis", 2, redis_url))
    out = []
    for who, users, seconds, files, think in (alone, many):
        for where, workers, redis in servers:
            threads = 8 if users == 1 else max(8, 32 // workers)
            title = f"{who}, {where} ({workers} x {threads} threads)"
            out.append((title, workers, threads, redis, users, seconds, files, think))
    return out


def run(report):
    from sandbox import DEMO_TOKEN

    servers = Servers()
    scenarios = []
    try:
        sandbox_url = servers.sandbox()
        fixture = fixture_of(sandbox_url, DEMO_TOKEN)
        redis_url = servers.redis() if shutil.which("redis-server") else None
        for title, workers, threads, redis, users, seconds, files, think in plans(redis_url):
            print(f"  load: {title} ...", flush=True)
            base, process = servers.app(sandbox_url + "/v2", workers, threads, redis)
            outcome = run_load(base, sandbox_url, DEMO_TOKEN, fixture, users, seconds, files, think)
            servers.stop(process)
            scenarios.append((title, users, files, think, outcome))
    finally:
        servers.close()

    report.section("Many users at once: pages as multiples of the upstream latency L")
    report.text(
        f"L = {LATENCY_MS} ms: the sandbox (its own process) answers every API request L after "
        "it arrived, its own work counted in L as a platform's servers' work is in its round trip "
        "(its CPU is still spent on this machine, beside the app's). "
        "Each user has its own session and walks the flow again and again (a create is posted "
        "twice at once, as a double click); times are measured by the users, from request to "
        "answer. p50/p99 are multiples of L. A step counts as an error when it does not reach "
        "its own page (what it reached is listed). Each walk chooses FASTQs no walk chose "
        f"before it (from {len(fixture['reads'].ids):,}; "
        + (
            f"the pool was gone through {fixture['reads'].wrapped} times, so some walks chose "
            "files looked up minutes before"
            if fixture["reads"].wrapped
            else "none was chosen twice"
        )
        + "), as the app remembers the files a page looked up for 5 minutes. "
        "One user walks without pausing; "
        f"{USERS} users pause {THINK_SECONDS:g} s on average (0.5x to 1.5x) after each page, "
        "as people do. Servers are `gunicorn --config gunicorn.conf.py` on loopback; the "
        f"machine has {os.cpu_count()} CPUs shared by the users, the app, the sandbox and "
        "whatever else runs there (the load average is given per scenario)."
    )
    report.table(["target", "measured", "met"], targets_of(scenarios))
    for title, _users, files, think, outcome in scenarios:
        results = outcome.results
        pause = f", pauses of {think:g} s on average" if think else ", no pauses"
        report.text(
            f"**{title}**, {files} chosen files{pause}, {outcome.elapsed:.0f} s, load "
            f"average {outcome.load[0]:.1f} then {outcome.load[1]:.1f}: {outcome.pages} pages, "
            f"{outcome.pages / outcome.elapsed:.1f} pages/s; errors {outcome.errors}; duplicate "
            f"drafts {outcome.duplicates} of {len(results.markers)} double-clicked creates; "
            f"pages with another user's data {results.wrong_user}."
        )
        report.table(["page", "requests", "p50 (x L)", "p99 (x L)", "errors"], rows_of(results))
        if results.reasons:
            report.text(
                "Errors: "
                + "; ".join(
                    f"{page}: {reason} ({count})"
                    for (page, reason), count in results.reasons.most_common()
                )
                + "."
            )


def targets_of(scenarios):
    """The targets of issue 10 against what each scenario measured."""
    rows = []
    for title, users, _files, _think, outcome in scenarios:
        if users == 1:
            worst = outcome.worst(0.5)
            rows.append(
                [
                    f"{title}: every page p50 <= 1.5 L",
                    "-" if worst is None else f"worst p50 {worst:.2f} L",
                    "yes" if worst is not None and worst <= 1.5 else "no",
                ]
            )
        else:
            worst = outcome.worst(0.99)
            clean = outcome.errors == 0 and outcome.duplicates == 0
            clean = clean and outcome.results.wrong_user == 0
            rows.append(
                [
                    f"{title}: every page p99 <= 3 L; 0 errors, duplicates, others' pages",
                    ("-" if worst is None else f"worst p99 {worst:.2f} L")
                    + f"; {outcome.errors} errors, {outcome.duplicates} duplicates, "
                    f"{outcome.results.wrong_user} others' pages",
                    "yes" if worst is not None and worst <= 3 and clean else "no",
                ]
            )
    return rows


if __name__ == "__main__":
    from bench import Report

    out = Report()
    run(out)
    print(out.markdown())
