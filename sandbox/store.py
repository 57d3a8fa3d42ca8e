"""The sandbox's in-memory world: users, projects, apps, files and tasks, rebuilt from the seed."""

import json
import random
import time
import uuid
from pathlib import Path

from . import seed
from .bigproject import BigProject
from .cwl import main_process
from .errors import APPS, FILES, PROJECTS, TASKS, ApiError, bad_request, no_access, not_found
from .http import dumps

PACKAGE_DIR = Path(__file__).resolve().parent
DEMO_APPS_DIR = PACKAGE_DIR / "demo_apps"
# The 29 real public apps (raw CWL, with their sources and licences in SOURCES.md): the sandbox
# seeds from here and every test reads them through tests/app_fixtures.py.
REAL_APPS_DIR = PACKAGE_DIR / "real_apps"

WRITE = ("admin", "write")


def load_apps_dir(path):
    """[(app short name, raw dict)] for every *.json in path, sorted by file name."""
    apps = []
    for file in sorted(Path(path).glob("*.json")):
        try:
            raw = json.loads(file.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ValueError(f"{file}: not a JSON document ({exc})") from None
        if isinstance(raw, dict):
            apps.append((file.stem.lower().replace("_", "-"), raw))
    return apps


def default_apps():
    return load_apps_dir(REAL_APPS_DIR)


def _display_name(raw, short_name):
    label = main_process(raw).get("label")
    return label.strip() if isinstance(label, str) and label.strip() else short_name


class Store:
    def __init__(self, apps, demo_token, fail_share=0.0):
        self.fail_share = fail_share
        self.clock_offset = 0.0
        self.tasks = {}
        self.running = set()  # ids of run tasks that will get their outputs when they complete
        self.task_seq = 0
        self.rng = random.Random(seed.SEED + 2)  # ids of files added later; not the seed's stream
        self.users = {u["username"]: u for u in seed.users(demo_token)}
        self.tokens = {u["token"]: u["username"] for u in self.users.values()}
        root_folders = self._seed_projects()
        self.files = {}
        self.children = {}
        for root in root_folders:
            self._add_file(root)
        root_ids = {pid: project["root_folder"] for pid, project in self.projects.items()}
        for record in seed.seed_files(root_ids):
            self._add_file(record)
        public_root = root_ids[seed.PUBLIC_PROJECT]
        refs_rng = random.Random(seed.SEED + 3)  # its own stream: later ids stay the same
        for record in seed.public_reference_files(apps, public_root, refs_rng):
            self._add_file(record)
        self.apps = {}
        for name, raw in apps:
            self.install_app("demo-user/pediatric-wgs", name, raw)
        demo_apps = load_apps_dir(DEMO_APPS_DIR)
        for name, raw in demo_apps:
            self.install_app("demo-user/rnaseq-pilot", name, raw)
            self.install_app("other-user/shared-reference", name, raw)
            self.install_app("other-user/private-study", name, raw)
        by_name = dict(apps)
        for name in seed.BIG_PROJECT_APPS:
            if name in by_name:
                self.install_app(seed.BIG_PROJECT, name, by_name[name])
        for name, raw in demo_apps:
            self.install_app(seed.BIG_PROJECT, name, raw)
        for name in seed.PUBLIC_APPS:
            if name in by_name:
                self.install_app(seed.PUBLIC_PROJECT, name, by_name[name])
        if not any(a["project"] == seed.PUBLIC_PROJECT for a in self.apps.values()):
            for name, raw in demo_apps:
                self.install_app(seed.PUBLIC_PROJECT, name, raw)

    # ----- clock -------------------------------------------------------------------------
    def now(self):
        return time.time() + self.clock_offset

    # ----- projects ----------------------------------------------------------------------
    def _seed_projects(self):
        """Fill self.projects; returns the root folder records (the big project makes its own)."""
        self.projects, root_folders = {}, []
        id_rng = random.Random(seed.SEED + 1)
        self.big = BigProject(seed.BIG_PROJECT)
        for n, (pid, name, description, members) in enumerate(seed.PROJECTS):
            owner = pid.split("/")[0]
            if pid == seed.BIG_PROJECT:
                root_id = self.big.root_id
            else:
                root_id = f"{id_rng.getrandbits(96):024x}"
                root_folders.append(
                    {
                        "id": root_id,
                        "name": pid.split("/")[1],
                        "project": pid,
                        "parent": None,
                        "type": "folder",
                        "created_on": seed.iso(seed.EPOCH),
                        "modified_on": seed.iso(seed.EPOCH),
                    }
                )
            stamp = seed.iso(seed.EPOCH.replace(day=1 + n))
            self.projects[pid] = {
                "id": pid,
                "name": name,
                "description": description,
                "billing_group": str(uuid.UUID(int=id_rng.getrandbits(128), version=4)),
                "type": "v2",
                "tags": [],
                "settings": {
                    "locked": False,
                    "use_interruptible_instances": True,
                    "use_memoization": False,
                    "allow_network_access": False,
                },
                "root_folder": root_id,
                "created_by": owner,
                "created_on": stamp,
                "modified_on": stamp,
                "category": "PRIVATE",
                "_members": dict(members),
            }
        return root_folders

    def permission(self, pid, username):
        project = self.projects.get(pid)
        if project is None:
            return None
        if pid == seed.PUBLIC_PROJECT and username in self.users:
            return "read"  # the public reference files: every user reads them, nobody writes
        return project["_members"].get(username)

    def visible_projects(self, username):
        return [p for pid, p in self.projects.items() if username in p["_members"]]

    def project_for(self, pid, username, write=False):
        """The project, or the platform's error: malformed id 400, unknown 404, no rights 403."""
        if not isinstance(pid, str) or pid.count("/") != 1 or "" in pid.split("/"):
            raise bad_request("Malformed project id, expected owner/project.", 3012)
        project = self.projects.get(pid)
        perm = self.permission(pid, username)
        if project is None:
            raise not_found(PROJECTS, "project")
        if perm is None or (write and perm not in WRITE):
            raise no_access(PROJECTS, "project")
        return project

    # ----- files -------------------------------------------------------------------------
    def _add_file(self, record):
        self.files[record["id"]] = record
        if record.get("parent"):
            self.children.setdefault(record["parent"], []).append(record["id"])

    def file(self, file_id):
        record = self.big.get(file_id)  # kept by the big project, None for an id not of its form
        if record is None and not self.big.owns(file_id):
            record = self.files.get(file_id)
        return record

    def file_for(self, file_id, username):
        record = self.file(file_id)
        if record is None:
            raise not_found(FILES, "file")
        if self.permission(record["project"], username) is None:
            raise no_access(FILES, "file")
        return record

    def file_json_for(self, file_id, username, omit):
        """file_for(...) as JSON bytes without the keys in `omit`, with the same errors. A file
        of the big project is written without making its record first (a bulk look-up of
        files nobody asked for before is mostly this)."""
        if not self.big.owns(file_id):
            record = self.file_for(file_id, username)
            return dumps({k: v for k, v in record.items() if k not in omit})
        rest = self.big.json_without(file_id, omit)
        if rest is None:
            raise not_found(FILES, "file")
        if self.permission(self.big.project, username) is None:
            raise no_access(FILES, "file")
        return rest

    def folder_for(self, folder_id, username):
        """The folder, or the platform's error (400 5022 for a file)."""
        folder = self.file_for(folder_id, username)
        if folder["type"] != "folder":
            raise bad_request("The requested resource is not a folder.", 5022)
        return folder

    def level(self, folder_id):
        """Everything directly inside a folder (a list or a lazy sequence)."""
        stored = [self.files[i] for i in self.children.get(folder_id, [])]
        lazy = self.big.children(folder_id, stored)
        return stored if lazy is None else lazy

    def add_files(self, pid, parent, items):
        """Control: add files/folders to a project (at its root or in a folder)."""
        project = self.projects.get(pid)
        if project is None:
            raise not_found(PROJECTS, "project")
        parent = parent or project["root_folder"]
        folder = self.file(parent)
        if folder is None or folder["type"] != "folder" or folder["project"] != pid:
            raise bad_request("parent must be a folder of the project.", 5022)
        maker = seed.FileMaker(self.rng)
        for item in items:
            # Any non-empty name goes: tests use hostile names to check escaping.
            if (
                not isinstance(item, dict)
                or not isinstance(item.get("name"), str)
                or not item["name"].strip()
            ):
                raise bad_request("Each file needs a name.")
            size = item.get("size", 1024)
            if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size < 2**63:
                raise bad_request("'size' must be a whole number of bytes.")
            metadata, tags = item.get("metadata") or {}, item.get("tags") or []
            if not isinstance(metadata, dict) or not all(
                isinstance(v, str | int | float | bool) or v is None for v in metadata.values()
            ):
                raise bad_request("'metadata' must map keys to plain values.")
            if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
                raise bad_request("'tags' must be a list of strings.")
            kind = item.get("type", "file")
            if not isinstance(kind, str) or kind.lower() not in ("file", "folder"):
                raise bad_request("'type' must be file or folder.", 5012)
            if kind.lower() == "folder":
                maker.folder(pid, parent, item["name"])
            else:
                maker.file(pid, parent, item["name"], size, metadata, tags)
        for record in maker.records:
            self._add_file(record)
        return maker.records

    def add_outputs(self, pid, names, metadata, task_id):
        """A finished task's output files at the project's root. A name already there gets a
        `_1_` (`_2_`, ...) prefix, as the platform does."""
        root = self.projects[pid]["root_folder"]
        taken = {self.files[i]["name"] for i in self.children.get(root, [])}
        maker = seed.FileMaker(self.rng)
        for name in names:
            unique, n = name, 0
            while unique in taken:
                n += 1
                unique = f"_{n}_{name}"
            taken.add(unique)
            maker.file(pid, root, unique, 4096 * (len(unique) + 1), dict(metadata))
            maker.records[-1]["origin"] = {"task": task_id}
        for record in maker.records:
            self._add_file(record)
        return maker.records

    def copy_file(self, file_id, username, project=None, parent=None, name=None):
        """POST /files/{id}/actions/copy: a new file (new id, same content and metadata) in a
        project's root or in a folder, or the platform's error."""
        source = self.file_for(file_id, username)
        if source["type"] == "folder":
            raise bad_request("Folders cannot be copied.", 5018)
        if project is not None and parent is not None:
            raise bad_request("Give either project or parent, not both.", 5031)
        if project is None and parent is None:
            raise bad_request("Give the project (or the parent folder) to copy the file into.")
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise bad_request("'name' must be a file name.")
        if project is not None:
            target = self.project_for(project, username, write=True)["root_folder"]
            pid = project
        else:
            folder = self.folder_for(parent, username)
            pid = self.project_for(folder["project"], username, write=True)["id"]
            target = folder["id"]
        name = name if name is not None else source["name"]
        level = self.level(target)

        def same(other, *_):
            return other == name

        taken = (
            level.select(same)
            if hasattr(level, "select")
            else [r for r in level if r["name"] == name]
        )
        if taken:
            raise ApiError(409, 5003, f"A file named '{name}' already exists there.")
        maker = seed.FileMaker(self.rng)
        maker.file(
            pid,
            target,
            name,
            source.get("size", 0),
            source.get("metadata"),
            source.get("tags") or (),
        )
        [record] = maker.records
        record["storage"] = dict(source.get("storage") or record["storage"])
        self._add_file(record)
        return record

    # ----- apps --------------------------------------------------------------------------
    def install_app(self, pid, name, raw):
        """Install raw CWL as app pid/name: a new revision if it already exists."""
        app_id = f"{pid}/{name}"
        app = self.apps.get(app_id)
        if app is None:
            latest = raw.get("sbg:revision")
            if not isinstance(latest, int) or isinstance(latest, bool) or latest < 0:
                latest = seed.EXTRA_REVISIONS.get(name, 0)
            app = {
                "id": app_id,
                "project": pid,
                "name": _display_name(raw, name),
                "revisions": dict.fromkeys(range(latest + 1), raw),
                "latest": latest,
            }
            self.apps[app_id] = app
        else:
            app["latest"] += 1
            app["revisions"][app["latest"]] = raw
            app["name"] = _display_name(raw, name)
        return app

    def app_for(self, app_ref, username):
        """(app, revision) for `owner/project/app[/rev]`, or the platform's error."""
        if not isinstance(app_ref, str) or not app_ref:
            raise bad_request("App id is empty.", 7015)
        parts = app_ref.split("/")
        if len(parts) not in (3, 4) or "" in parts:
            raise bad_request("Malformed app id, expected owner/project/app_name[/revision].", 6011)
        revision = None
        if len(parts) == 4:
            if not (parts[3].isascii() and parts[3].isdigit()):  # not "²", which int() refuses
                raise bad_request("App revision must be a number.", 6011)
            revision = int(parts[3])
        app = self.apps.get("/".join(parts[:3]))
        if app is None:
            raise not_found(APPS, "app")
        public = app["project"] == seed.PUBLIC_PROJECT
        if not public and self.permission(app["project"], username) is None:
            raise no_access(APPS, "app")
        if revision is None:
            revision = app["latest"]
        if revision not in app["revisions"]:
            raise ApiError(404, 6002, "Requested app revision does not exist.")
        return app, revision

    def raw_for(self, app, revision):
        """The app's CWL at a revision, carrying the platform's sbg: keys."""
        raw = dict(app["revisions"][revision])
        project = self.projects[app["project"]]
        raw.update(
            {
                "sbg:id": f"{app['id']}/{revision}",
                "sbg:revision": revision,
                "sbg:latestRevision": app["latest"],
                "sbg:project": app["project"],
                "sbg:projectName": project["name"],
            }
        )
        raw.setdefault("sbg:createdBy", project["created_by"])
        raw.setdefault("sbg:validationErrors", [])
        return raw

    # ----- tasks -------------------------------------------------------------------------
    def task_for(self, task_id, username, write=False):
        task = self.tasks.get(task_id)
        if task is None:
            try:
                uuid.UUID(str(task_id))
            except ValueError:
                raise bad_request("Task id is not a valid UUID.", 7005) from None
            raise not_found(TASKS, "task")
        perm = self.permission(task["project"], username)
        if perm is None or (write and perm not in WRITE):
            raise no_access(TASKS, "task")
        return task
