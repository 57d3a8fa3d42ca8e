"""State that every process of a deployment must share, and where it lives.

Without `REDIS_URL` it lives in this process's memory (one process with threads, as `make run`
starts); with it, in Redis, so any number of processes and machines behind a load balancer act
as one app: sessions, the one-draft-per-form registry, app revisions and the rate budget.
"""

from .in_process import RateBudget

__all__ = ["RateBudget", "init_app"]


def init_app(app):
    """Put the shared state's parts in `app.extensions` (read by views and the client)."""
    app.extensions["rate_budget"] = RateBudget()
