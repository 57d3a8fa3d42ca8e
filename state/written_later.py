"""The files a page looked up, written to the shared memory once the page has been sent.

A 1,000-file page writes 1,000 files to the file memory (FileMemory or RedisFileMemory): in
Redis, a third of a millisecond of this process's time per 100, in the middle of the page's
look-ups, where every other reply waits for it. The next page that reads the memory is the
user's next click, so the writes can wait until this page has gone: `write_pending` runs then
(views/client.py). Reads first write what is still pending in this process, so a page never
misses what an earlier page of the same process looked up.
"""

import threading


class WrittenLater:
    """`memory` (get_many / put_many) whose put_many is held until `write_pending`."""

    def __init__(self, memory):
        self.memory = memory
        self._pending = []  # (account, files), in the order they came
        self._lock = threading.Lock()

    def put_many(self, account, files):
        if files:
            with self._lock:
                self._pending.append((account, files))

    def get_many(self, account, ids):
        self.write_pending()
        return self.memory.get_many(account, ids)

    def write_pending(self):
        """Write what is held, each once (whichever thread comes first writes it)."""
        with self._lock:
            pending, self._pending = self._pending, []
        for account, files in pending:
            self.memory.put_many(account, files)

    @property
    def has_pending(self):
        return bool(self._pending)
