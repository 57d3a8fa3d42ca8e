"""The file picker's endpoints: browse a project's files one folder level and one page at a time.

`GET /projects/<owner>/<project>/files` answers with an HTML fragment when `static/picker.js` asks
(header `X-Requested-With: picker` or `?fragment=1`) and with a whole page otherwise (a browser that
works without JavaScript and shows ids to copy). Each page costs a constant number of platform
calls, whatever the size of the project: one list call, plus one bulk call for the breadcrumbs
inside a folder.

Also: `GET .../files/tasks` (completed tasks; `batch=` a parent's children),
`GET .../files?task=<id>` (that task's outputs), `POST .../files/find-names` (`names`, `parent`,
`kind`: JSON found, several, missing), `GET .../files/matching` (the listing as JSON, 100 a page,
for "Choose all N that match") and `GET .../files/names` (names and sizes of ids).
"""

from dataclasses import dataclass, field, replace

from flask import Blueprint, abort, jsonify, render_template, request, url_for

from cavatica import ApiError, NotFound, Unauthorized

from .client import NotSignedIn, get_client
from .problems import platform_problem, platform_status

bp = Blueprint("files", __name__)

PAGE_SIZE = 50
MAX_TRAIL = 20  # folders deeper than this lose their oldest breadcrumbs
MAX_WALK_UP = 8  # GETs spent finding a folder's ancestors when the link did not carry them
MAX_NAME_IDS = 500  # ids per names look-up (5 bulk calls)
MAX_PASTED_NAMES = 1000  # names a paste may hold (about ten calls)
TASKS_PAGE = 25  # finished tasks a page, to choose among their outputs
CHOOSE_ALL_PAGE = 100  # the platform's largest page
CHOOSE_ALL_LIMIT = 5000  # "Choose all N that match" up to this many items
# Metadata shown beside each file: the keys people batch and choose by.
SHOWN_METADATA = ("sample_id", "case_id", "platform_unit_id", "paired_end")
KINDS = ("File", "Directory")
NOT_A_FOLDER = 5022  # the platform's code for listing the contents of a file


@dataclass(frozen=True)
class PickerQuery:
    """What the picker shows, as carried in the query string of every link it makes."""

    parent: str = ""  # folder id; empty = the project's root
    trail: tuple[str, ...] = ()  # ids of the root folder and the folders down to `parent`
    name: str = ""  # exact file name (the platform has no partial match)
    metadata: tuple[tuple[str, str], ...] = ()  # (key, value) pairs, key without "metadata."
    offset: int = 0
    types: tuple[str, ...] = ()  # extensions without the dot, lower case
    all_types: bool = False
    kind: str = "File"  # what the input takes: File or Directory
    multiple: bool = False
    fragment: bool = False
    task: str = ""  # a task id: only the files it made (its outputs)

    @classmethod
    def from_args(cls, args, headers):
        pairs = zip(args.getlist("mkey"), args.getlist("mval"), strict=False)
        metadata = tuple(
            (key.strip().removeprefix("metadata."), value.strip())
            for key, value in pairs
            if key.strip().removeprefix("metadata.") and value.strip()
        )
        kind = args.get("kind", "File")
        return cls(
            parent=args.get("parent", "").strip(),
            trail=tuple(_split(args.get("trail", ""), ","))[-MAX_TRAIL:],
            name=args.get("name", "").strip(),
            metadata=tuple(dict.fromkeys(metadata)),
            offset=_offset(args),
            types=tuple(t.lower().lstrip(".") for t in _split(args.get("types", ""), ",")),
            all_types=args.get("all_types") == "1",
            kind=kind if kind in KINDS else "File",
            multiple=args.get("multiple") == "1",
            fragment=args.get("fragment") == "1" or headers.get("X-Requested-With") == "picker",
            task=args.get("task", "").strip(),
        )

    def metadata_filter(self):
        """{key: [values]}: values of one key are OR'ed, different keys AND'ed by the platform."""
        wanted = {}
        for key, value in self.metadata:
            wanted.setdefault(key, []).append(value)
        return wanted

    def args(self, **changes):
        """Query-string arguments for a link to this view with some parts changed."""
        query = replace(self, **changes)
        args = {
            "parent": query.parent or None,
            "trail": ",".join(query.trail) or None,
            "name": query.name or None,
            "mkey": [key for key, _ in query.metadata] or None,
            "mval": [value for _, value in query.metadata] or None,
            "offset": query.offset or None,
            "types": ",".join(query.types) or None,
            "all_types": "1" if query.all_types else None,
            "kind": query.kind if query.kind != "File" else None,
            "multiple": "1" if query.multiple else None,
            "task": query.task or None,
        }
        return {key: value for key, value in args.items() if value is not None}


@dataclass
class Listing:
    """One page of one folder level, ready to draw."""

    folders: list[dict] = field(default_factory=list)
    files: list[dict] = field(default_factory=list)
    hidden: int = 0  # files of this page hidden by the type filter (or because folders are wanted)
    total: int = 0
    offset: int = 0
    count: int = 0  # items the platform returned for this page, hidden ones included


def _split(text, separator):
    return [part.strip() for part in text.split(separator) if part.strip()]


def _non_negative_int(text):
    try:
        return max(0, int(text or 0))
    except ValueError:
        return 0


def _offset(args):
    """From `offset`, or from `page` (1-based) when the page-number box was used."""
    if args.get("page"):
        return max(0, _non_negative_int(args.get("page")) - 1) * PAGE_SIZE
    return _non_negative_int(args.get("offset"))


def human_size(size):
    """1536 -> "1.5 KB": sizes in bytes, as the platform gives them, in decimal units."""
    if not isinstance(size, int | float):
        return ""
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1000
    return ""


def is_folder(item):
    return str(item.get("type", "")).lower() == "folder"


def matches_types(name, types):
    lowered = (name or "").lower()
    return any(lowered.endswith("." + ext) for ext in types)


@bp.get("/projects/<owner>/<project>/files")
def browse(owner, project):
    project_id = f"{owner}/{project}"
    query = PickerQuery.from_args(request.args, request.headers)
    try:
        client = get_client()
        folder, ancestors, root = _folder_and_trail(client, project_id, query)
        if folder is not None and folder["id"] == root:  # the root folder is the project's top
            folder, query = None, replace(query, parent="", trail=())
        if folder is not None:
            trail = [root] if root else []
            query = replace(query, trail=tuple(trail + [f["id"] for f in ancestors]))
        origin = _origin_task(client, project_id, query)
        listing = _list(client, project_id, query)
    except (ApiError, NotSignedIn) as error:
        if not query.fragment:
            raise  # the app's error pages (and the sign-in redirect) take over
        return _fragment_error(error)
    template = "files/_listing.html" if query.fragment else "files/browse.html"
    return render_template(
        template,
        choose_all_limit=CHOOSE_ALL_LIMIT,
        owner=owner,
        project=project,
        project_id=project_id,
        query=query,
        folder=folder,
        ancestors=ancestors,
        origin=origin,
        listing=listing,
        child_trail=_child_trail(query, listing),
        page_size=PAGE_SIZE,
        human_size=human_size,
        shown_metadata=SHOWN_METADATA,
        link=lambda **changes: url_for(
            "files.browse", owner=owner, project=project, **query.args(**changes)
        ),
    )


def _child_trail(query, listing):
    """The `trail` of links to the folders listed: this folder's trail plus this folder; at the
    top, the root folder (the parent of everything listed there)."""
    if query.parent:
        return (*query.trail, query.parent)
    root = next((item.get("parent") for item in listing.folders if item.get("parent")), None)
    return (root,) if root else ()


def _fragment_error(error):
    """The picker dialog shows the problem in place; the page under it keeps what was typed."""
    if isinstance(error, NotSignedIn | Unauthorized):
        message = (
            "Your CAVATICA sign-in has expired. Close this dialog and submit the form: you will "
            "be asked to sign in again, and what you entered is kept."
        )
        status = 401
    else:
        message = platform_problem(error)
        status = platform_status(error)
    return render_template("files/_error.html", message=message), status


def _list(client, project_id, query, limit=PAGE_SIZE):
    where = {"parent": query.parent} if query.parent else {"project": project_id}
    try:
        page = client.files(
            **where,
            names=[query.name] if query.name else (),
            metadata=query.metadata_filter(),
            offset=query.offset,
            limit=limit,
            origin_task=query.task or None,
        )
    except ApiError as error:
        if error.code == NOT_A_FOLDER:  # the id in the link is a file's
            raise _no_such_folder() from error
        raise
    listing = Listing(total=page.total, offset=query.offset, count=len(page.items))
    filter_types = bool(query.types) and not query.all_types
    for item in page.items:
        if is_folder(item):
            listing.folders.append(item)
        elif query.kind == "Directory":
            listing.hidden += 1  # a Directory input takes folders only
        elif filter_types and not matches_types(item.get("name"), query.types):
            listing.hidden += 1
        else:
            listing.files.append(item)
    return listing


@bp.get("/projects/<owner>/<project>/files/matching")
def matching(owner, project):
    """One page of 100 of what the picker's listing shows (same folder, filters and type rule)
    as JSON {total, offset, count, items: [{id, name, size}]}: "Choose all N that match" asks
    for the pages in parallel. One GET /files each."""
    query = PickerQuery.from_args(request.args, request.headers)
    try:
        listing = _list(get_client(), f"{owner}/{project}", query, limit=CHOOSE_ALL_PAGE)
    except (NotSignedIn, Unauthorized):
        return jsonify(error="Your sign-in has expired: submit the form to sign in again."), 401
    except ApiError as error:
        return jsonify(error=platform_problem(error)), platform_status(error)
    chosen = listing.folders if query.kind == "Directory" else listing.files
    return jsonify(
        total=listing.total,
        offset=listing.offset,
        count=listing.count,
        items=[_file_row(item) for item in chosen],
    )


def _origin_task(client, project_id, query):
    """The task whose outputs are listed (one GET), or None when the listing is not filtered."""
    if not query.task:
        return None
    task = client.task(query.task)
    if task.get("project") != project_id:
        raise NotFound("This task is not in this project.", status=404)
    return task


@bp.get("/projects/<owner>/<project>/files/tasks")
def tasks(owner, project):
    """The project's completed tasks, newest first, to list the outputs of one (one GET /tasks
    a page). `batch`: the completed child tasks of that batch task instead."""
    project_id = f"{owner}/{project}"
    query = replace(PickerQuery.from_args(request.args, request.headers), task="")
    batch = request.args.get("batch", "").strip()
    try:
        client = get_client()
        parent = client.task(batch) if batch else None
        page = client.tasks(
            project=project_id,
            parent=batch or None,
            status="COMPLETED",
            order_by="end_time",
            order="desc",
            offset=_non_negative_int(request.args.get("offset")),
            limit=TASKS_PAGE,
        )
    except (ApiError, NotSignedIn) as error:
        if not query.fragment:
            raise
        return _fragment_error(error)
    files_args = query.args(parent="", trail=(), name="", metadata=(), offset=0)
    return render_template(
        "files/_tasks.html" if query.fragment else "files/browse.html",
        listing_template="files/_tasks.html",
        owner=owner,
        project=project,
        project_id=project_id,
        query=query,
        parent=parent,
        page=page,
        files_link=url_for("files.browse", owner=owner, project=project, **files_args),
        outputs_link=lambda task_id: url_for(
            "files.browse", owner=owner, project=project, task=task_id, **files_args
        ),
        tasks_link=lambda **changes: url_for(
            "files.tasks", owner=owner, project=project, **files_args, **changes
        ),
    )


def _no_such_folder():
    return NotFound("This folder was not found in this project.", status=404)


def _folder_and_trail(client, project_id, query):
    """The folder being shown (None at the project root), its ancestors below the root (from the
    top down), and the root folder's id (None when not known).

    The links the picker makes carry the ids of the root and the ancestors (`trail`), all taken
    from listings that said they were folders, so one bulk call names them. Bulk items say
    neither whether an id is a folder nor what its parent is: listing the folder settles the
    first (the platform refuses to list a file, 5022), and a link without a usable trail (a
    bookmark, say) costs one GET per level up the parent chain instead.
    """
    if not query.parent:
        return None, [], None
    if query.trail:
        found = client.files_by_id([*query.trail[1:], query.parent])
        chain = [found.get(folder_id) for folder_id in (*query.trail[1:], query.parent)]
        if all(item is not None and item.get("project") == project_id for item in chain):
            return chain[-1], chain[:-1], query.trail[0]
    folder = client.file(query.parent)
    if not is_folder(folder) or folder.get("project") != project_id:
        raise _no_such_folder()
    return (folder, *_walk_up(client, project_id, folder))


def _walk_up(client, project_id, folder):
    """(ancestors below the root, root id), with one GET per level (at most MAX_WALK_UP)."""
    root = client.project(project_id).get("root_folder")
    ancestors = []
    current = folder
    while current.get("parent") and current["parent"] != root and len(ancestors) < MAX_WALK_UP:
        current = client.file(current["parent"])
        if not is_folder(current) or current.get("project") != project_id:
            break
        ancestors.insert(0, current)
    return ancestors, root


def pasted_names(text):
    """The file names in pasted text: one a line, or the first filled cell of each row copied
    from a spreadsheet (cells split by tabs), without surrounding spaces or quotes; each name
    once, in the order given."""
    names = []
    for line in text.splitlines():
        cells = (cell.strip().strip('"').strip() for cell in line.split("\t"))
        name = next((cell for cell in cells if cell), "")
        if name:
            names.append(name)
    return list(dict.fromkeys(names))


def _file_row(item):
    return {"id": item["id"], "name": item.get("name", ""), "size": human_size(item.get("size"))}


@bp.post("/projects/<owner>/<project>/files/find-names")
def find_names(owner, project):
    """Which pasted names are files (or folders, `kind=Directory`) at one level of the project
    (`parent`, else its root): {found, several, missing}. Several names a call upstream."""
    names = pasted_names(request.form.get("names", ""))
    if not names:
        return jsonify(error="Paste at least one file name, one a line."), 400
    if len(names) > MAX_PASTED_NAMES:
        return jsonify(
            error=f"At most {MAX_PASTED_NAMES:,} names at a time; this list has {len(names):,}."
        ), 400
    project_id = f"{owner}/{project}"
    parent = request.form.get("parent", "").strip()
    want_folders = request.form.get("kind") == "Directory"
    try:
        where = {"parent": parent} if parent else {"project": project_id}
        matches = get_client().files_named(names, **where)
    except (NotSignedIn, Unauthorized):
        return jsonify(error="Your sign-in has expired: submit the form to sign in again."), 401
    except ApiError as error:
        return jsonify(error=platform_problem(error)), platform_status(error)
    found, several, missing = [], [], []
    for name in names:
        items = [
            item
            for item in matches.get(name, [])
            if item.get("project", project_id) == project_id and is_folder(item) == want_folders
        ]
        if len(items) == 1:
            found.append(_file_row(items[0]))
        elif items:
            several.append({"name": name, "files": [_file_row(item) for item in items]})
        else:
            missing.append(name)
    return jsonify(asked=len(names), found=found, several=several, missing=missing)


@bp.get("/projects/<owner>/<project>/files/names")
def names(owner, project):
    """{"names": {id: name}, "sizes": {id: "1.5 GB"}} for the ids given (`id`, repeatable):
    one bulk call per 100 ids. Lets the picker show the names of ids typed into a field."""
    ids = list(dict.fromkeys(i.strip() for i in request.args.getlist("id") if i.strip()))
    if len(ids) > MAX_NAME_IDS:
        abort(400)
    try:
        found = get_client().files_by_id(ids) if ids else {}
    except NotSignedIn:
        return jsonify(error="Sign in again."), 401
    except ApiError as error:
        return jsonify(error=platform_problem(error)), platform_status(error)
    project_id = f"{owner}/{project}"
    mine = {file_id: item for file_id, item in found.items() if item.get("project") == project_id}
    return jsonify(
        names={file_id: item.get("name", "") for file_id, item in mine.items()},
        sizes={file_id: human_size(item.get("size")) for file_id, item in mine.items()},
    )
