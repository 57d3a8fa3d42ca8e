"""gunicorn settings for `make serve` (every one can be set from the environment).

    make serve                          # one process, 8 threads: no Redis needed
    REDIS_URL=redis://host:6379/0 make serve   # 2 processes by default, any number of machines

Without REDIS_URL the one-draft-per-form guard lives in a process's memory, so this config
refuses more than one worker rather than let a double click make two drafts.
"""

import logging
import os
import secrets

log = logging.getLogger("gunicorn.error")

wsgi_app = "app:create_app()"
bind = os.environ.get("BIND", "127.0.0.1:8000")
worker_class = "gthread"  # threads: a page waits on the platform far more than it computes
workers = int(os.environ.get("WEB_WORKERS") or (2 if os.environ.get("REDIS_URL") else 1))
threads = int(os.environ.get("WEB_THREADS") or 8)
# Longer than a create that waits for another click's draft (2 x SB_TIMEOUT + 5 s).
timeout = int(os.environ.get("WEB_TIMEOUT") or 90)
graceful_timeout = 30
keepalive = 5
# No control socket: it lives in one place per user, so a second server on the machine clashes.
control_socket_disable = True
accesslog = "-"
# The access log shows paths without their query strings (an id pasted there is no secret,
# but a log needs no more than the page).
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
# Behind a load balancer that terminates HTTPS, list its address here (FORWARDED_ALLOW_IPS).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

if workers > 1 and not os.environ.get("REDIS_URL"):
    raise SystemExit(
        "WEB_WORKERS > 1 needs REDIS_URL: without Redis each process has its own guard against "
        "double submissions and its own sessions' state. Set REDIS_URL, or use threads."
    )


def on_starting(server):
    """Before the workers start: what they must all share, made once in this master process."""
    if not os.environ.get("SECRET_KEY"):
        # Every worker must sign sessions and CSRF tokens alike; a restart ends them.
        os.environ["SECRET_KEY"] = secrets.token_hex(32)
        log.warning("SECRET_KEY is not set: using a random one until this server stops.")
    platform = ("SB_API_ENDPOINT", "SB_AUTH_TOKEN", "SB_PROFILE")
    if not any(os.environ.get(name) for name in platform):
        # One sandbox for every worker (each would otherwise start its own, with its own data).
        import sandbox

        handle = sandbox.serve_in_thread(sandbox.create_sandbox_app())
        os.environ["SB_API_ENDPOINT"] = handle.api_url
        os.environ["SANDBOX"] = "1"
        log.warning("No platform configured: serving the local sandbox at %s", handle.api_url)


def post_worker_init(worker):
    """Each worker compiles its templates and freezes its start-up heap before it serves
    (app.warm_up): no first visitor of a page waits for that."""
    from app import warm_up

    if hasattr(worker.wsgi, "jinja_env"):  # not gunicorn's page for an app that failed to load
        warm_up(worker.wsgi)
