"""The files a page looked up are written to the memory after the page has gone; a read in
the meantime first writes what is held, so no page misses an earlier page's files."""

import threading

from state import FileMemory, WrittenLater

FILE = {"id": "f1", "name": "S1_R1.fastq.gz", "parent": "root"}


class CountingMemory(FileMemory):
    def __init__(self):
        super().__init__()
        self.writes = 0

    def put_many(self, account, files):
        self.writes += 1
        super().put_many(account, files)


def test_writes_wait_for_write_pending():
    memory = CountingMemory()
    later = WrittenLater(memory)
    later.put_many("alice", {"f1": FILE})
    later.put_many("alice", {})  # nothing to hold
    assert memory.writes == 0 and later.has_pending
    later.write_pending()
    assert memory.writes == 1 and not later.has_pending
    assert memory.get_many("alice", ["f1"]) == {"f1": FILE}


def test_a_read_first_writes_what_is_held():
    later = WrittenLater(FileMemory())
    later.put_many("alice", {"f1": FILE})
    assert later.get_many("alice", ["f1"]) == {"f1": FILE}
    assert later.get_many("bob", ["f1"]) == {}  # still one account's files


def test_each_held_write_is_written_once_whatever_threads_write_them():
    memory = CountingMemory()
    later = WrittenLater(memory)
    for n in range(200):
        later.put_many("alice", {f"f{n}": dict(FILE, id=f"f{n}")})
    start = threading.Barrier(8)

    def write():
        start.wait()
        later.write_pending()

    threads = [threading.Thread(target=write) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert memory.writes == 200
    assert len(memory.get_many("alice", [f"f{n}" for n in range(200)])) == 200


class CountingReads(FileMemory):
    """A shared memory that counts the ids it is asked for."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.asked = []

    def get_many(self, account, ids):
        self.asked.extend(ids)
        return super().get_many(account, ids)


def test_a_process_reads_its_own_look_ups_near_and_the_rest_from_the_shared_memory():
    now = [0.0]
    shared = CountingReads(clock=lambda: now[0])
    near = FileMemory(ttl=60, clock=lambda: now[0])
    later = WrittenLater(shared, near=near)
    later.put_many("alice", {"f1": FILE})
    shared.put_many("alice", {"f2": dict(FILE, id="f2")})  # another process looked it up
    found = later.get_many("alice", ["f1", "f2"])
    assert set(found) == {"f1", "f2"}
    assert shared.asked == ["f2"]  # f1 was written here: read here
    assert later.get_many("bob", ["f1"]) == {}  # near, too, keeps each account's own
    now[0] = 61.0  # the near copy has lapsed; the shared one (5 minutes) answers
    assert later.get_many("alice", ["f1"]) == {"f1": FILE}
    assert shared.asked[-1] == "f1"
