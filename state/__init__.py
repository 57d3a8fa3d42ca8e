"""State that every process of a deployment must share, and where it lives.

Without `REDIS_URL` it lives in this process's memory (one process with threads, as `make run`
starts); with it, in Redis, where every process and machine of the deployment sees the same
one-draft-per-form registry, app revisions and rate budget (the sessions: see sessions.py).
"""

from .in_process import RateBudget

__all__ = ["RateBudget", "init_app"]


def init_app(app):
    """Put the shared state's parts in `app.extensions` (read by views and the client)."""
    url = app.config.get("REDIS_URL")
    if not url:
        app.extensions["rate_budget"] = RateBudget()
        return
    import redis

    from .in_redis import RedisDraftRegistry, RedisRateBudget, RedisRevisionCache

    client = redis.Redis.from_url(url, health_check_interval=30)
    app.extensions["redis"] = client
    app.extensions["rate_budget"] = RedisRateBudget(client)
    app.extensions["app_revisions"] = RedisRevisionCache(client)
    # A claim outlives any POST /tasks and the look-up after it, then lapses by itself.
    claim_ttl = int(app.config["SB_TIMEOUT"] * 3 + 15)
    app.extensions["drafts"] = RedisDraftRegistry(client, claim_ttl=claim_ttl)
