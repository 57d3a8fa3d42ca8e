"""The shared state kept in this process's memory: right for one process with threads."""

import threading
import time
from collections import OrderedDict

import msgspec


class RateBudget:
    """The last `X-RateLimit-*` seen per account (token), so every request of the process knows
    how much of the platform's budget is left before it spends any."""

    def __init__(self, clock=time.time):
        self._seen = {}
        self._lock = threading.Lock()
        self._clock = clock

    def note(self, key, limit, remaining, reset):
        """A reply said so. Replies to calls sent at once come back in any order: within one
        window the lowest count is the latest; a later reset time is a new window."""
        with self._lock:
            old = self._seen.get(key)
            if old is None or reset is None or old["reset"] is None or reset > old["reset"]:
                self._seen[key] = {"limit": limit, "remaining": remaining, "reset": reset}
            else:
                old["remaining"] = min(old["remaining"], remaining)
                old["limit"] = limit

    def spend(self, key, calls=1):
        """`calls` are about to go out: count them now, before their replies say so."""
        with self._lock:
            seen = self._seen.get(key)
            if seen is not None and not self._ended(seen):
                seen["remaining"] = max(0, seen["remaining"] - calls)

    def get(self, key):
        """{"limit", "remaining", "reset"} as last seen, or None (unknown, or the window ended)."""
        with self._lock:
            seen = self._seen.get(key)
            if seen is None or self._ended(seen):
                return None
            return dict(seen)

    def _ended(self, seen):
        return seen["reset"] is not None and seen["reset"] <= self._clock()


FILE_MEMORY_SECONDS = 300  # how long a looked-up file is taken as it was (see FileMemory)


class FileMemory:
    """The files each account's pages looked up in the last few minutes, so that the next page
    of the same form (create after a preview, the draft page after create) need not ask the
    platform again for 1,000 files it has just described. Kept as msgpack bytes: each reader
    gets a copy of its own. Bounded: the oldest go first."""

    def __init__(self, ttl=FILE_MEMORY_SECONDS, size=100_000, clock=time.monotonic):
        self.ttl, self.size = ttl, size
        self._items = OrderedDict()  # (account, file id) -> (expires, packed file)
        self._lock = threading.Lock()
        self._clock = clock

    def get_many(self, account, ids):
        """{id: file} of the ids looked up by `account` within the last `ttl` seconds."""
        now = self._clock()
        found = {}
        with self._lock:
            for file_id in ids:
                item = self._items.get((account, file_id))
                if item is not None and item[0] > now:
                    found[file_id] = item[1]
        return {i: msgspec.msgpack.decode(packed) for i, packed in found.items()}

    def put_many(self, account, files):
        """`files` ({id: file}) were just looked up by `account`."""
        expires = self._clock() + self.ttl
        packed = {i: msgspec.msgpack.encode(f) for i, f in files.items()}
        with self._lock:
            for file_id, value in packed.items():
                self._items[(account, file_id)] = (expires, value)
                self._items.move_to_end((account, file_id))
            while len(self._items) > self.size:
                self._items.popitem(last=False)


SENT_TASK_SECONDS = 300  # a draft as it came back is shown once, on the page right after
SENT_BODY_SECONDS = 24 * 3600  # the body that made a draft is shown on its page for a day


class SentDrafts:
    """What each sender (account and sign-on user) just sent: the draft as it came back, shown
    once on the page the create redirects to (so that page needs no second read), and the
    body that made or last saved each draft. Kept here rather than in the session: a body
    with 1,000 files is 100 kB, and a session is read (and decrypted) on every request.
    Bounded by bytes: the oldest go first. Kept as msgpack bytes: each reader gets a copy."""

    def __init__(self, max_bytes=64 * 2**20, clock=time.monotonic):
        self.max_bytes = max_bytes
        self._items = OrderedDict()  # (kind, sender, task id) -> (expires, packed)
        self._bytes = 0
        self._lock = threading.Lock()
        self._clock = clock

    def keep(self, sender, task, body):
        """`task` came back from sending `body`."""
        now = self._clock()
        with self._lock:
            self._put(("task", sender, task["id"]), now + SENT_TASK_SECONDS, task)
            self._put(("body", sender, task["id"]), now + SENT_BODY_SECONDS, body)

    def take_task(self, sender, task_id):
        """The draft as it came back, once; None when it was not just sent (or was shown)."""
        with self._lock:
            item = self._items.pop(("task", sender, task_id), None)
            if item is not None:
                self._bytes -= len(item[1])
        if item is None or item[0] <= self._clock():
            return None
        return msgspec.msgpack.decode(item[1])

    def body(self, sender, task_id):
        """The body that made or last saved the draft, if this sender sent it lately."""
        with self._lock:
            item = self._items.get(("body", sender, task_id))
        if item is None or item[0] <= self._clock():
            return None
        return msgspec.msgpack.decode(item[1])

    def _put(self, key, expires, value):
        packed = msgspec.msgpack.encode(value)
        old = self._items.pop(key, None)
        if old is not None:
            self._bytes -= len(old[1])
        self._items[key] = (expires, packed)
        self._bytes += len(packed)
        while self._bytes > self.max_bytes and len(self._items) > 1:
            _key, (_expires, dropped) = self._items.popitem(last=False)
            self._bytes -= len(dropped)


class RevisionCache:
    """A small thread-safe LRU mapping for app revisions (a revision never changes)."""

    def __init__(self, size=128):
        self.size = size
        self._items = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, default=None):
        with self._lock:
            if key not in self._items:
                return default
            self._items.move_to_end(key)
            return self._items[key]

    def set(self, key, value):
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self):
        with self._lock:
            return len(self._items)
