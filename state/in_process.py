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
