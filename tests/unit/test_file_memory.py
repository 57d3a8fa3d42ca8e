"""The files an account just looked up: taken as they were for a few minutes, then asked again."""

from state import FileMemory

FILE = {"id": "f1", "name": "S1_R1.fastq.gz", "parent": "root", "metadata": {"sample_id": "S1"}}


def test_a_file_is_remembered_for_its_account_until_it_expires():
    now = [100.0]
    memory = FileMemory(ttl=300, clock=lambda: now[0])
    memory.put_many("alice", {"f1": FILE})
    assert memory.get_many("alice", ["f1", "f2"]) == {"f1": FILE}
    assert memory.get_many("bob", ["f1"]) == {}  # what one account sees is not another's
    now[0] += 301
    assert memory.get_many("alice", ["f1"]) == {}


def test_a_reader_cannot_change_what_is_remembered():
    memory = FileMemory()
    memory.put_many("alice", {"f1": FILE})
    memory.get_many("alice", ["f1"])["f1"]["metadata"]["sample_id"] = "changed"
    assert memory.get_many("alice", ["f1"])["f1"]["metadata"]["sample_id"] == "S1"


def test_the_oldest_files_go_first_past_the_size():
    memory = FileMemory(size=2)
    memory.put_many("alice", {"f1": FILE, "f2": FILE, "f3": FILE})
    assert sorted(memory.get_many("alice", ["f1", "f2", "f3"])) == ["f2", "f3"]
