"""The sandbox Flask app: auth, rate limit, faults, request log and JSON errors around the API."""

import errno
import gc
import os
import re
import signal
import socket
import sys
import threading
import time
import uuid
from collections import Counter, deque

from flask import Flask, g, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.serving import WSGIRequestHandler, make_server

from . import controls
from .api import bp as api_bp
from .errors import GENERIC_CODES, ApiError, error_body
from .http import error_response, parse_json
from .seed import DEMO_TOKEN
from .store import Store, default_apps, load_apps_dir
from .tasks import Tasks

RATE_WINDOW_SECONDS = 300
LOG_LIMIT = 10_000
PUBLIC_PATHS = ("/v2/", "/v2")


class SandboxState:
    """Everything a reset restores, plus the knobs tests turn."""

    def __init__(self, apps, token, latency_ms, rate_limit, fail_share):
        self.lock = threading.RLock()
        self.apps, self.token = apps, token
        self.initial = {
            "latency_ms": latency_ms,
            "rate_limit": rate_limit,
            "fail_share": fail_share,
        }
        self.reset()

    def reset(self):
        with self.lock:
            self.store = Store(self.apps, self.token, self.initial["fail_share"])
            self.tasks = Tasks(self.store)
            controls.seed_tasks(self)
            self.faults = []
            self.log = deque(maxlen=LOG_LIMIT)  # a long `make run` must not grow without end
            self.counts = Counter()
            self.latency_ms = self.initial["latency_ms"]
            self.rate_limit = self.initial["rate_limit"]
            self.rate_window = RATE_WINDOW_SECONDS
            self.buckets = {}

    def take_fault(self, method, path):
        for fault in self.faults:
            if fault.matches(method, path):
                if fault.times is not None:
                    fault.times -= 1
                return fault
        return None

    def spend(self, key, count=True):
        """(limit, remaining, reset epoch s, allowed) for one request by key. A request that is
        not counted (GET /rate_limit) is always allowed: it is how a client sees when to retry."""
        now = time.time()
        start, used = self.buckets.get(key, (now, 0))
        if now >= start + self.rate_window:
            start, used = now, 0
        allowed = used < self.rate_limit or not count
        if count and allowed:
            used += 1
        self.buckets[key] = (start, used)
        return (
            self.rate_limit,
            max(0, self.rate_limit - used),
            int(start + self.rate_window),
            allowed,
        )


def _route_pattern():
    rule = request.url_rule.rule if request.url_rule is not None else request.path
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"<\1>", rule)


def _token():
    token = request.headers.get("X-SBG-Auth-Token")
    auth = request.headers.get("Authorization", "")
    if not token and auth.lower().startswith("bearer "):
        token = auth[7:].strip()
    return token


# When the request now being handled on this thread reached the sandbox, if its server knows
# (`python -m sandbox` does, see serve): its round trip is counted from then.
ARRIVAL = threading.local()


def create_sandbox_app(
    apps_dir=None, token=DEMO_TOKEN, latency_ms=0, rate_limit=1000, fail_share=0.0
):
    """The sandbox as a Flask app serving /v2/... and the /_sandbox/... controls."""
    if latency_ms < 0:  # every request would sleep a negative time: a 500 each
        raise ValueError("latency_ms must be 0 or more")
    app = Flask("sandbox")
    app.json.sort_keys = False
    app.json.compact = True  # also under FLASK_DEBUG: replies made from cached pieces are compact
    app.config["MAX_CONTENT_LENGTH"] = 8 * 1024 * 1024
    apps = load_apps_dir(apps_dir) if apps_dir else default_apps()
    st = SandboxState(apps, token, latency_ms, rate_limit, fail_share)
    app.extensions["sandbox"] = st
    app.register_blueprint(api_bp)
    app.register_blueprint(controls.bp)

    @app.before_request
    def before():
        g.request_id = uuid.uuid4().hex
        g.fault = None
        g.rate = None
        g.body = g.body_error = None
        data = request.get_data(cache=True)  # 413 past MAX_CONTENT_LENGTH (a JSON error)
        # Parsed once here for the request log; handlers read it (or its error) via json_body.
        try:
            g.body = parse_json(data)
        except ValueError as exc:
            g.body_error = str(exc)
        if not request.path.startswith("/v2"):
            st.lock.acquire()
            g.locked = True
            return None
        with st.lock:
            g.fault = st.take_fault(request.method, request.path)
            # The platform's round trip: each answer leaves latency_ms after its request came
            # in, the sandbox's own work counted in it (a platform's servers work on requests
            # side by side, inside its round trip; this one process would otherwise add each
            # request's wait for the others to its answer). Sent at teardown, after the lock.
            arrived, ARRIVAL.at = getattr(ARRIVAL, "at", None), None
            g.answer_at = (arrived or time.monotonic()) + st.latency_ms / 1000
            slow_to_act = g.fault.latency_ms if g.fault else 0
        if slow_to_act:
            time.sleep(slow_to_act / 1000)  # a fault's latency: the platform is slow to act
        g.username = st.store.tokens.get(_token() or "")
        key = g.username or f"anonymous:{request.remote_addr}"
        with st.lock:
            *g.rate, allowed = st.spend(key, count=request.path != "/v2/rate_limit")
        fault = g.fault
        if fault and fault.status and not (fault.drop_connection or fault.malformed):
            raise ApiError(fault.status, fault.code, "Injected fault (sandbox).")
        if g.username is None and not (request.method == "GET" and request.path in PUBLIC_PATHS):
            raise ApiError(401, 401, "Authentication failed: missing or unknown token.")
        if not allowed:
            raise ApiError(429, 1000, "Rate limit exceeded! Check response headers.")
        st.lock.acquire()
        g.locked = True
        st.tasks.settle()  # tasks that completed since the last request get their outputs
        return None

    @app.teardown_request
    def release(_exc):
        if g.pop("locked", False):
            st.lock.release()
        wait = g.pop("answer_at", 0.0) - time.monotonic()
        if wait > 0:
            time.sleep(wait)  # the rest of the round trip (the reply is sent after this)

    @app.after_request
    def after(response):
        response.headers["X-Request-Id"] = g.get("request_id") or uuid.uuid4().hex
        if not request.path.startswith("/v2"):
            return response
        if g.get("rate"):
            limit, remaining, reset = g.rate
            response.headers["X-RateLimit-Limit"] = str(limit)
            response.headers["X-RateLimit-Remaining"] = str(remaining)
            response.headers["X-RateLimit-Reset"] = str(reset)
        with st.lock:
            st.log.append(
                {
                    "method": request.method,
                    "path": request.path,
                    "query": {k: v for k, v in request.args.lists()},
                    "json": g.get("body"),
                    "status": response.status_code,
                }
            )
            st.counts[f"{request.method} {_route_pattern()}"] += 1
        fault = g.get("fault")
        if fault and fault.drop_connection:
            environ = request.environ
            sock = environ.get("werkzeug.socket") or environ.get("gunicorn.socket")
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            response.response = []
        elif fault and fault.malformed:
            data = response.get_data()
            response.set_data(data[: max(1, len(data) // 2)] + b"<!-- truncated")
        return response

    @app.errorhandler(ApiError)
    def api_error(exc):
        return error_response(exc)

    @app.errorhandler(HTTPException)
    def http_error(exc):
        status = exc.code or 500
        response = jsonify(
            error_body(status, GENERIC_CODES.get(status, 90000), exc.description or exc.name)
        )
        response.status_code = status
        return response

    @app.errorhandler(Exception)
    def unexpected(exc):
        app.logger.exception("sandbox: unexpected error")
        response = jsonify(error_body(500, 90004, "Unexpected server error."))
        response.status_code = 500
        return response

    return app


class ServerHandle:
    def __init__(self, server, thread):
        self._server, self._thread = server, thread
        host, port = server.server_address[:2]
        self.url = f"http://{host}:{port}"
        self.api_url = self.url + "/v2"

    def shutdown(self):
        self._server.shutdown()
        self._thread.join(timeout=5)
        self._server.server_close()


class QuietRequestHandler(WSGIRequestHandler):
    """Leaves out this server's request lines (errors are still logged). Only this server's:
    the werkzeug logger is shared, so turning it down would also silence the web app beside it."""

    def log_request(self, code="-", size="-"):
        pass


def serve_in_thread(app, host="127.0.0.1", port=0):
    """Serve app with werkzeug's threaded server in a daemon thread; returns a handle."""
    server = make_server(host, port, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="sandbox-server", daemon=True)
    thread.start()
    return ServerHandle(server, thread)


# gunicorn for `python -m sandbox`: one process (the sandbox's state is its memory), its threaded
# worker keeping connections open between requests. Threads: one per request in flight, as
# many as werkzeug's server would start, so that injected latency is not queued behind other
# requests' sleeps. Request lines and headers as long as werkzeug's server takes.
GUNICORN_SETTINGS = {
    "workers": 1,
    "worker_class": "gthread",
    "threads": 1000,
    "worker_connections": 4000,
    "keepalive": 75,
    "limit_request_line": 0,  # no limit (any other value is at most 8190)
    "limit_request_field_size": 65536,
    "control_socket_disable": True,
    "accesslog": None,
    "loglevel": "warning",
}


def listen(host, port):
    """A listening socket on host:port; a busy port is a short message and exit status 1."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        return socket.create_server((host, port), family=family, backlog=1024)
    except OSError as exc:
        print(exc.strerror, file=sys.stderr)
        if exc.errno == errno.EADDRINUSE:
            print(
                f"Port {port} is in use by another program. Either identify and stop that "
                "program, or start the server with a different port.",
                file=sys.stderr,
            )
        sys.exit(1)


def arrival_stamping_worker():
    """gunicorn's threaded worker, noting when a request reaches a kept-alive connection.
    Its one thread that watches the sockets sees a request come in before a worker thread,
    busy with the others' replies for a few ms each, gets round to it: answers to requests
    sent together then leave together, L after they came, as the platform's would."""
    from gunicorn.workers.gthread import ThreadWorker

    class ArrivalStampingWorker(ThreadWorker):
        def on_client_socket_readable(self, conn, client):
            conn.sandbox_arrival = time.monotonic()
            super().on_client_socket_readable(conn, client)

        def handle(self, conn):
            # A new connection or one whose request was read ahead has no stamp: the
            # handler's own clock then (it is a moment later).
            ARRIVAL.at, conn.sandbox_arrival = getattr(conn, "sandbox_arrival", None), None
            return super().handle(conn)

    return ArrivalStampingWorker


def serve(app, sock):
    """Serve app on a listening socket until stopped (SIGINT or SIGTERM), with gunicorn.
    werkzeug's server (serve_in_thread) closes the connection after every reply, so each
    request there also costs a new connection and a new thread."""
    from gunicorn.app.base import BaseApplication
    from gunicorn.arbiter import Arbiter

    class QuickStop(Arbiter):
        """SIGTERM and Ctrl+C end the worker at once: its state is memory only, so nothing is
        lost, and gunicorn's own quick stop can hang when the signal comes as the worker
        starts a thread."""

        def handle_term(self):
            for pid in list(self.WORKERS):
                try:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                except OSError:
                    pass
                self.WORKERS.pop(pid, None)
            raise StopIteration

        handle_int = handle_term

    class Sandbox(BaseApplication):
        def load_config(self):
            settings = {**GUNICORN_SETTINGS, "worker_class": arrival_stamping_worker()}
            for key, value in {**settings, "bind": [f"fd://{sock.fileno()}"]}.items():
                self.cfg.set(key, value)

        def load(self):
            return app

        def run(self):
            QuickStop(self).run()

    # The state built at start-up (apps, seeded projects) is set aside from the garbage
    # collector, and young objects are collected every 50,000 allocations, not 700: its passes
    # over a heap of 100,000 files stopped every request for 2-28 ms, which the platform's
    # servers, each with its own heap, do not do to each other's replies.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, *gc.get_threshold()[1:])
    Sandbox().run()
