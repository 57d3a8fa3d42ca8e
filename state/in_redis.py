"""The shared state kept in Redis (REDIS_URL): any number of app processes, on any number of
machines, see the same rate budget, app revisions and one-draft-per-form registry (with the
deadline of each unknown outcome, so no process creates a form's draft again before it).

Values are JSON or msgpack (never pickles: what Redis hands back is data, not code).
Every key starts with `launcher:` and expires on its own, so the Redis can be shared and needs
no cleaning.
"""

import json
import secrets
import threading
import time

import msgspec

from drafts import DraftRegistry, Known

from .in_process import FILE_MEMORY_SECONDS, SENT_BODY_SECONDS, SENT_TASK_SECONDS, RevisionCache

PREFIX = "launcher:"
REVISION_TTL_SECONDS = 7 * 24 * 3600  # a revision never changes; this only bounds memory
DRAFT_TTL_SECONDS = 24 * 3600  # how long a form's draft (or unknown outcome) is remembered
WAIT_STEP_SECONDS = 0.01  # how often a request waiting for another's draft looks again (one MGET)

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

# claim(token, ttl): nobody else holds the claim and no draft is known yet.
_CLAIM = """
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then return 1 end
return 0
"""
# A claim is given up only by the request holding it (one that expired may be someone else's).
_DROP_OWN = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
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
    """App revisions for every process (`get`/`set`, as the client's `app_cache` uses them):
    the bytes the client hands in (its msgpack of the app), handed back as they are. The last
    few also stay in this process: a revision never changes, and an app can weigh 600 kB,
    which every form page would otherwise bring over from Redis."""

    def __init__(self, client, ttl=REVISION_TTL_SECONDS, local_size=16):
        self._redis, self.ttl = client, ttl
        self._local = RevisionCache(local_size)

    def get(self, key, default=None):
        raw = self._local.get(key)
        if raw is None:
            raw = self._redis.get(f"{PREFIX}app:{key}")
            if raw is not None:
                self._local.set(key, raw)
        return default if raw is None else raw

    def set(self, key, value):
        self._redis.set(f"{PREFIX}app:{key}", value, ex=self.ttl)
        self._local.set(key, value)


# set_all(ttl, value...): each of KEYS set to its value, expiring in ttl seconds.
_SET_ALL = """
for i = 1, #KEYS do
  redis.call('SET', KEYS[i], ARGV[i + 1], 'EX', ARGV[1])
end
"""


class RedisFileMemory:
    """FileMemory (see state.in_process) for every process: one key per account and file, each
    expiring on its own, read for a page in one MGET."""

    def __init__(self, client, ttl=FILE_MEMORY_SECONDS):
        self._redis, self.ttl = client, ttl
        self._set_all = client.register_script(_SET_ALL)

    def _key(self, account, file_id):
        return f"{PREFIX}file:{account}:{file_id}"

    def get_many(self, account, ids):
        ids = list(ids)
        if not ids:
            return {}
        values = self._redis.mget([self._key(account, i) for i in ids])
        found = {}
        for file_id, raw in zip(ids, values, strict=True):
            if raw is not None:
                try:
                    found[file_id] = msgspec.msgpack.decode(raw)
                except msgspec.DecodeError:
                    continue
        return found

    def put_many(self, account, files):
        if not files:
            return
        # One script call, not one SET each: a pipeline of 100 SETs costs the app 1.5 ms.
        keys = [self._key(account, file_id) for file_id in files]
        self._set_all(keys=keys, args=[self.ttl, *map(msgspec.msgpack.encode, files.values())])


class RedisSentDrafts:
    """SentDrafts (see state.in_process) for every process: the draft page may be served by
    another process than the create that redirected to it."""

    def __init__(self, client):
        self._redis = client

    def _key(self, kind, sender, task_id):
        return f"{PREFIX}sent:{kind}:{sender}:{task_id}"

    def keep(self, sender, task, body):
        with self._redis.pipeline(transaction=False) as pipe:
            pipe.set(
                self._key("task", sender, task["id"]),
                msgspec.msgpack.encode(task),
                ex=SENT_TASK_SECONDS,
            )
            pipe.set(
                self._key("body", sender, task["id"]),
                msgspec.msgpack.encode(body),
                ex=SENT_BODY_SECONDS,
            )
            pipe.execute()

    def take_task(self, sender, task_id):
        key = self._key("task", sender, task_id)
        with self._redis.pipeline(transaction=True) as pipe:  # shown once, by one request
            pipe.get(key)
            pipe.delete(key)
            raw, _deleted = pipe.execute()
        return _unpacked(raw)

    def body(self, sender, task_id):
        return _unpacked(self._redis.get(self._key("body", sender, task_id)))


def _unpacked(raw):
    if raw is None:
        return None
    try:
        return msgspec.msgpack.decode(raw)
    except msgspec.DecodeError:
        return None


class RedisDraftRegistry(DraftRegistry):
    """The one-draft-per-form registry (drafts.DraftRegistry) for every process: an atomic claim
    that expires (a process that dies mid-POST does not block the form for ever), the draft's
    id once known, and the "outcome unknown" marks."""

    def __init__(self, client, claim_ttl=120, ttl=DRAFT_TTL_SECONDS):
        self._redis = client
        self.claim_ttl, self.ttl = int(claim_ttl), ttl
        self._claim = client.register_script(_CLAIM)
        self._drop_own = client.register_script(_DROP_OWN)
        self._held = {}  # submission id -> this process's claim token
        self._lock = threading.Lock()

    def _keys(self, submission_id):
        base = f"{PREFIX}draft:{submission_id}:"
        return base + "claim", base + "task", base + "unknown"

    def claim(self, submission_id):
        claim, task, _ = self._keys(submission_id)
        token = secrets.token_hex(16)
        if not self._claim(keys=[claim, task], args=[token, self.claim_ttl]):
            return False
        with self._lock:
            self._held[submission_id] = token
        return True

    def _give_up(self, submission_id):
        with self._lock:
            token = self._held.pop(submission_id, None)
        if token is not None:
            self._drop_own(keys=[self._keys(submission_id)[0]], args=[token])

    def finish(self, submission_id, task_id):
        _, task, _ = self._keys(submission_id)
        self._redis.set(task, task_id, ex=self.ttl)
        self._give_up(submission_id)

    def release(self, submission_id):
        self._give_up(submission_id)

    def mark_unknown(self, submission_id, until):
        _, _, unknown = self._keys(submission_id)
        # The deadline (epoch seconds) is the value: every process creates nothing before it.
        self._redis.set(unknown, json.dumps(float(until)), ex=self.ttl)
        self._give_up(submission_id)

    def lookup(self, submission_id, wait=0.0):
        deadline = time.monotonic() + max(0.0, wait)
        while True:
            claim, task, unknown = self._redis.mget(*self._keys(submission_id))
            if task is not None or claim is None or time.monotonic() >= deadline:
                break
            time.sleep(WAIT_STEP_SECONDS)  # another process holds the claim: look again
        return Known(
            task_id=task.decode() if task is not None else None,
            in_progress=task is None and claim is not None,
            unknown_until=_deadline(unknown),
        )


def _deadline(raw):
    """The stored deadline of an unknown outcome; an unreadable one has passed (look first)."""
    if raw is None:
        return None
    try:
        return float(json.loads(raw))
    except (ValueError, TypeError):
        return 0.0
