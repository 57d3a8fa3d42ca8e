"""The shared state kept in this process's memory: right for one process with threads."""

import threading
import time


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
