"""Many users at once: N simulated users walk the whole flow for a bounded time against the
sandbox (its own process, every API request delayed by L), first against one app process with
threads, then against several gunicorn workers sharing Redis. Figures are multiples of L.

Each user signs in with its own session and repeats: projects, a project, the new-task form,
a picker page of the 100,000-file project, a batch preview of F chosen files, create (posted
twice at once, as a double click does), and the draft page. Errors are answers other than the
page's own (a 5xx, a timeout, a 409 to a single click). A duplicate draft is a second draft for
one submitted form; a page showing another user's data is a draft page without this user's own
task name on it.

    python -m bench.load_bench        # this part alone; `make bench` runs every part
    BENCH_USERS=50 BENCH_SECONDS=40 BENCH_LATENCY_MS=100 BENCH_FILES=100 (the defaults)
"""

import os
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
from collections import defaultdict
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
USERS = int(os.environ.get("BENCH_USERS", 50))
SECONDS = float(os.environ.get("BENCH_SECONDS", 40))
LATENCY_MS = int(os.environ.get("BENCH_LATENCY_MS", 100))
FILES = int(os.environ.get("BENCH_FILES", 100))  # chosen files per form, 50 users
ONE_USER_FILES = 1000  # chosen files per form, one user
ONE_USER_SECONDS = 20
PROJECT = "demo-user/pediatric-wgs"
BIG = "demo-user/big-cohort"
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
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
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
        self.wrong_user = 0
        self.markers = []
        self.lock = threading.Lock()

    def record(self, page, seconds, ok):
        with self.lock:
            self.times[page].append(seconds)
            if not ok:
                self.errors[page] += 1


class User:
    """One person in a browser: their own session, walking the flow until `stop`."""

    def __init__(self, base, token, fixture, results, files, number):
        self.base, self.token, self.fixture = base, token, fixture
        self.results, self.files, self.number = results, files, number
        self.http = requests.Session()

    def timed(self, page, method, path, expect, **kwargs):
        started = time.perf_counter()
        try:
            response = self.http.request(
                method, self.base + path, allow_redirects=False, timeout=60, **kwargs
            )
            ok = response.status_code in expect
        except requests.RequestException:
            response, ok = None, False
        self.results.record(page, time.perf_counter() - started, ok)
        return response if ok else None

    def sign_in(self):
        html = self.http.get(self.base + "/sign-in", timeout=60).text
        self.http.post(
            self.base + "/sign-in",
            timeout=60,
            allow_redirects=False,
            data={"csrf_token": CSRF.search(html).group(1), "token": self.token},
        )

    def walk(self, stop, iteration):
        fixture = self.fixture
        if not self.timed("projects", "GET", "/projects", {200}):
            return
        self.timed("project", "GET", f"/projects/{PROJECT}", {200})
        form = self.timed("new task form", "GET", fixture["form"], {200})
        if form is None:
            return
        csrf = CSRF.search(form.text).group(1)
        offset = (self.number * 997 + iteration * 100) % 99_900
        self.timed("picker page", "GET", f"/projects/{BIG}/files?fragment=1&offset={offset}", {200})
        name = f"bench user {self.number} run {iteration} {uuid.uuid4().hex[:6]}"
        data = dict(
            fixture["data"],
            csrf_token=csrf,
            name=name,
            **{"inputs-fastq": " ".join(fixture["reads"][: self.files])},
        )
        self.timed(
            "batch preview", "POST", fixture["form"], {200}, data=dict(data, action="preview")
        )
        if stop.is_set():
            return
        # A double click: the same form posted twice at once, to whichever process.
        submission = dict(data, action="create", submission_id=uuid.uuid4().hex)
        twin = threading.Thread(
            target=self.timed,
            args=("create", "POST", fixture["form"], {302, 409}),
            kwargs={"data": submission},
        )
        twin.start()
        created = self.timed("create", "POST", fixture["form"], {302, 409}, data=submission)
        twin.join()
        with self.results.lock:
            self.results.markers.append(submission["submission_id"][:12])
        if created is None or created.status_code != 302:
            return
        draft = self.timed("draft page", "GET", created.headers["Location"], {200})
        if draft is not None and name not in draft.text:
            with self.results.lock:
                self.results.wrong_user += 1

    def run(self, stop):
        try:
            self.sign_in()
        except requests.RequestException:
            self.results.record("projects", 0, False)
            return
        iteration = 0
        while not stop.is_set():
            self.walk(stop, iteration)
            iteration += 1


def fixture_of(sandbox_url, token):
    api = requests.Session()
    api.headers["X-SBG-Auth-Token"] = token
    v2 = sandbox_url + "/v2"

    def get(path, **params):
        response = api.get(v2 + path, params={"fields": "_all", **params}, timeout=60)
        response.raise_for_status()
        return response.json()

    revision = get(f"/apps/{PROJECT}/{APP}")["revision"]
    top = next(
        f for f in get("/files", project=PROJECT, limit=100)["items"] if f["name"] == "references"
    )
    grch38 = get("/files", parent=top["id"])["items"][0]
    refs = {f["name"]: f["id"] for f in get("/files", parent=grch38["id"], limit=100)["items"]}
    reads = []
    offset = 0
    while len(reads) < ONE_USER_FILES:
        reads += [
            f["id"]
            for f in get("/files", project=BIG, offset=offset, limit=100)["items"]
            if f["name"].endswith(".fastq.gz")
        ]
        offset += 100
    vcf = refs["Homo_sapiens_assembly38.dbsnp138.vcf.gz"]
    bed = refs["exome_calling_regions.v1.1.hg38.bed"]
    return {
        "form": f"/projects/{PROJECT}/apps/{APP}/new?revision={revision}",
        "reads": reads[:ONE_USER_FILES],
        "data": {
            "description": "",
            "inputs-indels_1000g_phase1": vcf,
            "inputs-database": bed,
            "inputs-reference": refs["Homo_sapiens_assembly38.fasta"],
            "inputs-mills": vcf,
            "inputs-dbsnp": vcf,
            "inputs-intervals_file": bed,
            "execution-instance_type": "c5.2xlarge",
            "batch-mode": "on",
            "batch-input": "fastq",
            "batch-by": "sample",
        },
    }


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


def run_load(base, sandbox_url, token, fixture, users, seconds, files):
    control(sandbox_url, "rate_limit", {"limit": 10**7, "window_seconds": 300})
    results = Results()
    people = [User(base, token, fixture, results, files, n) for n in range(users)]
    warm = User(base, token, fixture, Results(), files, -1)  # one walk, untimed, to warm up
    warm.sign_in()
    warm.walk(threading.Event(), 0)
    stop = threading.Event()
    threads = [threading.Thread(target=p.run, args=(stop,), daemon=True) for p in people]
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
    return results, elapsed, duplicates


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


def run(report):
    from sandbox import DEMO_TOKEN

    servers = Servers()
    scenarios = []
    try:
        sandbox_url = servers.sandbox()
        fixture = fixture_of(sandbox_url, DEMO_TOKEN)
        redis_url = servers.redis() if shutil.which("redis-server") else None
        plans = [
            ("1 user, 1 process with threads", 1, 8, None, 1, ONE_USER_SECONDS, ONE_USER_FILES),
            (f"{USERS} users, 1 process with 32 threads", 1, 32, None, USERS, SECONDS, FILES),
        ]
        if redis_url:
            plans.append(
                (
                    f"{USERS} users, 2 gunicorn workers x 16 threads, Redis",
                    2,
                    16,
                    redis_url,
                    USERS,
                    SECONDS,
                    FILES,
                )
            )
        for title, workers, threads, redis, users, seconds, files in plans:
            print(f"  load: {title} ...", flush=True)
            base, process = servers.app(sandbox_url + "/v2", workers, threads, redis)
            results, elapsed, duplicates = run_load(
                base, sandbox_url, DEMO_TOKEN, fixture, users, seconds, files
            )
            servers.stop(process)
            scenarios.append((title, files, results, elapsed, duplicates))
    finally:
        servers.close()

    report.section("Many users at once: pages as multiples of the upstream latency L")
    report.text(
        f"L = {LATENCY_MS} ms added by the sandbox (its own process) to every API request. "
        "Each user has its own session and walks the flow again and again (a create is posted "
        "twice at once, as a double click); times are measured by the users, from request to "
        "answer. p50/p99 are multiples of L. Servers are `gunicorn --config gunicorn.conf.py` "
        f"on loopback; the machine has {os.cpu_count()} CPUs shared by the users, the app and "
        f"the sandbox (load average when measured {os.getloadavg()[0]:.1f}). Targets: one user "
        "every page p50 <= 1.5 L with 1,000 files; 50 users p99 <= 3 L on every page, 0 "
        "errors, 0 duplicate drafts, 0 pages showing another user's data."
    )
    for title, files, results, elapsed, duplicates in scenarios:
        pages = sum(len(t) for t in results.times.values())
        report.text(
            f"**{title}**, {files} chosen files, {elapsed:.0f} s: {pages} pages, "
            f"{pages / elapsed:.1f} pages/s; errors {sum(results.errors.values())}; duplicate "
            f"drafts {duplicates} of {len(results.markers)} double-clicked creates; pages with "
            f"another user's data {results.wrong_user}."
        )
        report.table(["page", "requests", "p50 (x L)", "p99 (x L)", "errors"], rows_of(results))


if __name__ == "__main__":
    from bench import Report

    out = Report()
    run(out)
    print(out.markdown())
