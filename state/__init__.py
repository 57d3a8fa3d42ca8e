"""State that every process of a deployment must share, and where it lives.

Without `REDIS_URL` it lives in this process's memory (one process with threads, as `make run`
starts); with it, in Redis, where every process and machine of the deployment sees the same
one-draft-per-form registry, app revisions, rate budget, the files just looked up and the
drafts just sent (the sessions: see sessions.py).
"""

from .in_process import FileMemory, RateBudget, RevisionCache, SentDrafts
from .written_later import WrittenLater

__all__ = [
    "FileMemory",
    "RateBudget",
    "RevisionCache",
    "SentDrafts",
    "WrittenLater",
    "init_app",
    "redis_client",
]


# What a process keeps of its own pages' look-ups beside Redis (state/written_later.py).
NEAR_FILE_SECONDS = 60
NEAR_FILES = 20_000


def redis_client(app):
    """The process's one Redis client (and so one pool of connections) for REDIS_URL, shared
    by the sessions and everything here."""
    client = app.extensions.get("redis")
    if client is None:
        import redis

        client = redis.Redis.from_url(app.config["REDIS_URL"], health_check_interval=30)
        app.extensions["redis"] = client
    return client


def init_app(app):
    """Put the shared state's parts in `app.extensions` (read by views and the client)."""
    url = app.config.get("REDIS_URL")
    if not url:
        app.extensions["rate_budget"] = RateBudget()
        app.extensions["file_memory"] = WrittenLater(FileMemory())
        app.extensions["sent_drafts"] = SentDrafts()
        return
    from .in_redis import (
        RedisDraftRegistry,
        RedisFileMemory,
        RedisRateBudget,
        RedisRevisionCache,
        RedisSentDrafts,
    )

    client = redis_client(app)
    app.extensions["rate_budget"] = RedisRateBudget(client)
    near = FileMemory(ttl=NEAR_FILE_SECONDS, size=NEAR_FILES)
    app.extensions["file_memory"] = WrittenLater(RedisFileMemory(client), near=near)
    app.extensions["sent_drafts"] = RedisSentDrafts(client)
    app.extensions["app_revisions"] = RedisRevisionCache(client)
    # A claim outlives any POST /tasks and the look-up after it, then lapses by itself.
    claim_ttl = int(app.config["SB_TIMEOUT"] * 3 + 15)
    app.extensions["drafts"] = RedisDraftRegistry(client, claim_ttl=claim_ttl)
