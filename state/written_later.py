"""The files a page looked up, written to the shared memory once the page has been sent.

A 1,000-file page writes 1,000 files to the file memory (FileMemory or RedisFileMemory): in
Redis, a third of a millisecond of this process's time per 100, in the middle of the page's
look-ups, where every other reply waits for it. The next page that reads the memory is the
user's next click, so the writes can wait until this page has gone: `write_pending` runs then
(views/client.py). Reads first write what is still pending in this process, so a page never
misses what an earlier page of the same process looked up.

With a shared memory in Redis, a process also keeps `near` (in its own memory, for a minute)
what its own pages looked up: the create after a preview, usually served by the process that
served the preview, then reads its 1,000 files here (2 ms) instead of from Redis (8-15 ms).
A near copy is at most a minute old, younger than the shared memory's own five minutes, so
it is never staler than a read of the shared memory may be.
"""

import threading


class WrittenLater:
    """`memory` (get_many / put_many) whose put_many is held until `write_pending`."""

    def __init__(self, memory, near=None):
        self.memory, self.near = memory, near
        self._pending = []  # (account, files), in the order they came
        self._lock = threading.Lock()

    def put_many(self, account, files):
        if files:
            with self._lock:
                self._pending.append((account, files))

    def get_many(self, account, ids):
        self.write_pending()
        if self.near is None:
            return self.memory.get_many(account, ids)
        found = self.near.get_many(account, ids)
        rest = [i for i in ids if i not in found]
        return {**found, **self.memory.get_many(account, rest)} if rest else found

    def write_pending(self):
        """Write what is held, each once (whichever thread comes first writes it)."""
        with self._lock:
            pending, self._pending = self._pending, []
        for account, files in pending:
            self.memory.put_many(account, files)
            if self.near is not None:
                self.near.put_many(account, files)

    @property
    def has_pending(self):
        return bool(self._pending)
