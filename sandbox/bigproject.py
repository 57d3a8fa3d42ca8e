"""A project of 100,000 files that are computed from their index, never stored.

File ids encode their place: "5b16" + folder number (4 hex) + index (16 hex); folder 0 is the
project root. Folder ids are "5b16ffff" + folder number (16 hex). So looking a file up by id, or
listing a page at any offset, costs the same few microseconds.
"""

import functools
import re
from datetime import timedelta

import msgspec

from .http import json_string
from .seed import EPOCH, iso

PREFIX = "5b16"
FOLDER_TAG = "ffff"
ROOT_FILES = 100_000
FOLDER_FILES = 500
FOLDERS = ("batch-01", "batch-02", "batch-03", "batch-04")
# Lowercase hex only: int(..., 16) alone would also read "0x1", "+1" or "1_0" as the same record.
OWN_ID = re.compile(PREFIX + "[0-9a-f]{20}")
NAIVE_EPOCH = EPOCH.replace(tzinfo=None)
TEMPLATE_OMITS = {"type", "parent"}  # the keys a file's JSON may be written without (bulk)
JSON_KEPT = 100_000  # files whose JSON is kept: a load test walks 80,000 FASTQs. Once all 100,000
# were listed the sandbox holds about 170 MB (130 MB when it kept 40,000).
STORAGE_JSON = '"storage":{"type":"PLATFORM","hosted_on_locations":["aws:us-east-1"]},"origin":{}'


def json_text(text):
    return json_string(text).decode()


def folder_id(number):
    return f"{PREFIX}{FOLDER_TAG}{number:016x}"


def file_id(folder, index):
    return f"{PREFIX}{folder:04x}{index:016x}"


class BigProject:
    def __init__(self, project_id):
        self.project = project_id
        self.root_id = folder_id(0)
        self.root_name = project_id.split("/")[1]
        self._project_json = json_text(project_id)
        # A file's record depends on its id alone, and the store's records are read, never
        # changed, by whoever asks: the last ones made are kept, so a page that asks three
        # times for 1,000 files (a task's names, its check, its batch groups) makes them once.
        self._file = functools.lru_cache(maxsize=20_000)(self._file)
        self.get = functools.lru_cache(maxsize=20_000)(self.get)  # ids come back, by the 1,000
        # Its JSON too (bulk replies are mostly this): it also depends on the id alone, so what
        # is kept can never be stale. Kept whole, once per file, for as many files as a load
        # test walks through: a listing's JSON then serves the bulk look-ups of the same files
        # (which leave out `type` and maybe `parent`). Writing it took 2 ms of each bulk call
        # of 100 files nobody had asked for, and one process answers every call.
        self._whole_json = functools.lru_cache(maxsize=JSON_KEPT)(self._whole_json)

    def owns(self, any_id):
        return isinstance(any_id, str) and OWN_ID.fullmatch(any_id) is not None

    def get(self, any_id):
        """The file or folder record for an id of this project, or None."""
        if not self.owns(any_id):
            return None
        if any_id[4:8] == FOLDER_TAG:
            number = int(any_id[8:], 16)
            return self._folder(number) if 0 <= number <= len(FOLDERS) else None
        folder, index = int(any_id[4:8], 16), int(any_id[8:], 16)
        size = ROOT_FILES if folder == 0 else FOLDER_FILES
        if 0 <= folder <= len(FOLDERS) and 0 <= index < size:
            return self._file(folder, index)
        return None

    def json_without(self, any_id, omit):
        """JSON bytes of the record of one of our ids without the keys in `omit`, or None when
        the id has no record. msgspec writes the same bytes as dumps() for these records (made
        here: ASCII, no floats)."""
        if not self.owns(any_id):
            return None
        if any_id[4:8] == FOLDER_TAG or not set(omit) <= TEMPLATE_OMITS:
            record = self.get(any_id)
            if record is None:
                return None
            return msgspec.json.encode({k: v for k, v in record.items() if k not in omit})
        whole = self._whole_json(any_id)
        if whole is None:
            return None
        # Each key is there once, outside any string (a quote inside one is escaped).
        if "type" in omit:
            whole = whole.replace(b',"type":"file"', b"", 1)
        if "parent" in omit:
            parent = folder_id(int(any_id[4:8], 16)).encode()
            whole = whole.replace(b',"parent":"' + parent + b'"', b"", 1)
        return whole

    def _whole_json(self, any_id):
        """A file's JSON, written straight from its parts (a record made first cost twice)."""
        folder, index = int(any_id[4:8], 16), int(any_id[8:], 16)
        size = ROOT_FILES if folder == 0 else FOLDER_FILES
        if not (0 <= folder <= len(FOLDERS) and 0 <= index < size):
            return None
        return self._file_json(folder, index)

    def _file_json(self, folder, index):
        """`_file(folder, index)` as JSON, key for key in the record's order
        (tests/sandbox/test_sandbox_bigproject.py holds them equal)."""
        name, size, tags, meta = self._light(folder, index)
        stamp = (NAIVE_EPOCH + timedelta(seconds=index)).isoformat() + "Z"
        head = (
            f'{{"id":"{file_id(folder, index)}","name":{json_text(name)},"size":{size},'
            f'"project":{self._project_json},"parent":"{folder_id(folder)}","type":"file",'
            f'"created_on":"{stamp}","modified_on":"{stamp}",{STORAGE_JSON},'
        )
        tail = b',"metadata":' + msgspec.json.encode(meta) + b"}"
        return head.encode() + b'"tags":' + msgspec.json.encode(tags) + tail

    def _folder(self, number):
        stamp = iso(EPOCH)
        if number == 0:
            return {
                "id": self.root_id,
                "name": self.root_name,
                "project": self.project,
                "parent": None,
                "type": "folder",
                "created_on": stamp,
                "modified_on": stamp,
            }
        return {
            "id": folder_id(number),
            "name": FOLDERS[number - 1],
            "project": self.project,
            "parent": self.root_id,
            "type": "folder",
            "created_on": stamp,
            "modified_on": stamp,
        }

    def _light(self, folder, index):
        """(name, size, tags, metadata) of a file: all a filter needs, cheaper than the record."""
        if folder == 0:
            # Four files per sample: two lanes, paired reads.
            sample = index // 4
            lane, read = (index // 2) % 2 + 1, index % 2 + 1
            name = f"BS_{sample:08d}_L00{lane}_R{read}.fastq.gz"
            meta = {
                "sample_id": f"BS_{sample:08d}",
                "case_id": f"PT_{sample // 2:08d}",
                "library_id": f"BS_{sample:08d}-WGS-LIB1",
                "platform_unit_id": f"HBIGCOHRT.{lane}",
                "file_segment_number": "1",
                "experimental_strategy": "WGS",
                "platform": "Illumina",
                "paired_end": str(read),
            }
            if index % 997 == 13:  # a sprinkling of files that lost their sample id
                del meta["sample_id"]
            return name, 1_500_000_000 + (index * 7919) % 900_000_000, ["WGS"], meta
        sample = index // 2
        ext = "cram" if index % 2 == 0 else "cram.crai"
        meta = {"sample_id": f"BS_{folder:02d}{sample:06d}", "reference_genome": "GRCh38"}
        size = 20_000_000_000 + index * 1_000 if ext == "cram" else 1_200_000
        return f"BS_{folder:02d}{sample:06d}.{ext}", size, [], meta

    def _file(self, folder, index):
        name, size, tags, meta = self._light(folder, index)
        # isoformat() of a whole second is iso()'s text without its Z, at a third of the cost.
        stamp = (NAIVE_EPOCH + timedelta(seconds=index)).isoformat() + "Z"
        return {
            "id": file_id(folder, index),
            "name": name,
            "size": size,
            "project": self.project,
            "parent": folder_id(folder),
            "type": "file",
            "created_on": stamp,
            "modified_on": stamp,
            "storage": {"type": "PLATFORM", "hosted_on_locations": ["aws:us-east-1"]},
            "origin": {},
            "tags": tags,
            "metadata": meta,
        }

    def children(self, folder_record_id, stored=()):
        """A lazy sequence of the records directly inside a folder, or None if not ours.
        `stored` are records kept by the store in that folder (added, or copied in)."""
        record = self.get(folder_record_id)
        if record is None or record["type"] != "folder":
            return None
        number = int(folder_record_id[8:], 16)
        folders = [self._folder(n) for n in range(1, len(FOLDERS) + 1)] if number == 0 else []
        folders += [r for r in stored if r["type"] == "folder"]
        return LazyLevel(
            folders,
            ROOT_FILES if number == 0 else FOLDER_FILES,
            lambda i: self._file(number, i),
            lambda i: self._light(number, i),
            [r for r in stored if r["type"] != "folder"],
        )


class LazyLevel:
    """Folders first, then `count` files made on demand by make(i) (light(i) for filters), then
    the stored files `after` them."""

    def __init__(self, folders, count, make, light, after=()):
        self.folders, self.count, self.make, self.light = folders, count, make, light
        self.after = list(after)

    def __len__(self):
        return len(self.folders) + self.count + len(self.after)

    def __getitem__(self, i):
        if i < len(self.folders):
            return self.folders[i]
        if i >= len(self.folders) + self.count:
            return self.after[i - len(self.folders) - self.count]
        return self.make(i - len(self.folders))

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def select(self, test):
        """Records for which test(name, tags, metadata, origin) holds; scans cheaply."""
        found = [
            f
            for f in self.folders
            if test(f["name"], f.get("tags"), f.get("metadata"), f.get("origin"))
        ]
        for i in range(self.count):
            name, _, tags, meta = self.light(i)
            if test(name, tags, meta, {}):
                found.append(self.make(i))
        found += [
            r
            for r in self.after
            if test(r["name"], r.get("tags"), r.get("metadata"), r.get("origin"))
        ]
        return found
