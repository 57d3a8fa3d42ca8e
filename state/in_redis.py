"""The shared state kept in Redis (REDIS_URL): any number of app processes, on any number of
machines, see the same rate budget and app revisions.

Values are JSON (never pickles: what Redis hands back is data, not code). Every key starts with
`launcher:` and expires on its own, so the Redis can be shared and needs no cleaning.
"""

import json
import time

PREFIX = "launcher:"
REVISION_TTL_SECONDS = 7 * 24 * 3600  # a revision never changes; this only bounds memory

# note(limit, remaining, reset, now): within one window keep the lowest count (replies to calls
# sent at once arrive in any order); a later reset is a new window. -1: no reset was given.
_NOTE = """
local old = redis.call('HMGET', KEYS[1], 'remaining', 'reset')
local remaining, reset = tonumber(ARGV[2]), tonumber(ARGV[3])
if old[1] and reset ~= -1 and tonumber(old[2]) ~= -1 and tonumber(old[2]) >= reset then
  if remaining < tonumber(old[1]) then redis.call('HSET', KEYS[1], 'remaining', remaining) end
  redis.call('HSET', KEYS[1], 'limit', ARGV[1])
else
  redis.call('HSET', KEYS[1], 'limit', ARGV[1], 'remaining', remaining, 'reset', reset)
end
local ttl = 600
if reset ~= -1 then ttl = math.max(1, reset - tonumber(ARGV[4])) end
redis.call('EXPIRE', KEYS[1], ttl)
"""
_SPEND = """
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HINCRBY', KEYS[1], 'remaining', -ARGV[1]) end
"""


class RedisRateBudget:
    """RateBudget (see state.in_process) for every process: one hash per account."""

    def __init__(self, client, clock=time.time):
        self._redis = client
        self._note = client.register_script(_NOTE)
        self._spend = client.register_script(_SPEND)
        self._clock = clock

    def _key(self, key):
        return f"{PREFIX}rate:{key}"

    def note(self, key, limit, remaining, reset):
        reset = -1 if reset is None else int(reset)
        self._note(keys=[self._key(key)], args=[limit, remaining, reset, int(self._clock())])

    def spend(self, key, calls=1):
        self._spend(keys=[self._key(key)], args=[calls])

    def get(self, key):
        limit, remaining, reset = self._redis.hmget(self._key(key), "limit", "remaining", "reset")
        if limit is None or remaining is None:
            return None
        reset = int(reset)
        if reset != -1 and reset <= self._clock():
            return None
        return {
            "limit": int(limit),
            "remaining": max(0, int(remaining)),
            "reset": None if reset == -1 else reset,
        }


class RedisRevisionCache:
    """App revisions for every process (`get`/`set`, as the client's `app_cache` uses them)."""

    def __init__(self, client, ttl=REVISION_TTL_SECONDS):
        self._redis, self.ttl = client, ttl

    def get(self, key, default=None):
        raw = self._redis.get(f"{PREFIX}app:{key}")
        return default if raw is None else json.loads(raw)

    def set(self, key, value):
        self._redis.set(f"{PREFIX}app:{key}", json.dumps(value), ex=self.ttl)
