"""The platform's API v2 routes (the subset the project uses), under /v2."""

from flask import Blueprint, g, jsonify, request

from .errors import PROJECTS, USERS, ApiError, bad_request, no_access, not_found
from .http import (
    api_base,
    bool_arg,
    dumps,
    fast_dumps,
    json_body,
    json_bytes_response,
    json_string,
    page,
    state,
)
from .seed import PUBLIC_PROJECT

bp = Blueprint("api", __name__, url_prefix="/v2")

MAX_BULK = 100
# What a list item carries when the request names no `fields`: the platform's documented default
# subset (the folder-listing example shows these six for files). Everything else needs
# `fields=<name,...>` or `fields=_all`, so a client that reads more must ask for it.
LIST_FIELDS = {
    "files": ("href", "id", "name", "project", "parent", "type"),
    "projects": ("href", "id", "name"),
    "apps": ("href", "id", "project", "name", "revision"),
    "tasks": ("href", "id", "name", "status", "project", "app"),
}
# The platform's POST /bulk/files/get items carry neither `type` nor `parent` (its documented
# example has neither): whether an id is a folder must be learnt elsewhere. `parent` is what the
# advance-access header adds to a file's details, so with that header it is sent.
BULK_OMITS = ("type", "parent")
ADVANCE_ACCESS = "X-SBG-Advance-Access"


# ----- serialisers ------------------------------------------------------------------------
def user_json(user, me=False):
    out = {"href": f"{api_base()}/users/{user['username']}"}
    out.update((k, v) for k, v in user.items() if k != "token")
    if me:
        out["tags"] = []
    return out


def project_json(project):
    out = {"href": f"{api_base()}/projects/{project['id']}"}
    out.update((k, v) for k, v in project.items() if not k.startswith("_"))
    return out


def app_json(app, revision, with_raw):
    href = f"{api_base()}/apps/{app['id']}/{revision}"
    out = {
        "href": href,
        "id": f"{app['id']}/{revision}",
        "project": app["project"],
        "name": app["name"],
        "revision": revision,
    }
    if with_raw:
        out["raw"] = raw_json(app, revision)
    return out


def raw_json(app, revision):
    raw = state().store.raw_for(app, revision)
    raw["id"] = f"{api_base()}/apps/{app['id']}/{revision}/raw/"
    return raw


def file_json(record):
    return {"href": f"{api_base()}/files/{record['id']}", **record}


def task_json(task):
    return with_href(state().tasks.view(task))


def task_reply(task):
    """A task as a reply (a 1,000-file draft is 100 kB of JSON: written the fast way)."""
    return json_bytes_response(fast_dumps(selected(task_json(task))))


def with_href(view):
    return {"href": f"{api_base()}/tasks/{view['id']}", **view}


def _fields():
    return {f.strip() for f in (request.args.get("fields") or "").split(",") if f.strip()}


def selected(record, default=None):
    """`record` as `?fields=` selects it: `_all` (or nothing, for a single resource) is all of
    it; `a,b` is those fields; `!a` is everything but a; nothing on a list is `default`, the
    documented subset. `href` always stays: clients follow it to fetch what they left out."""
    fields = _fields()
    if not fields:
        return record if default is None else _only(record, default)
    if "_all" in fields:
        return record
    dropped = {f[1:] for f in fields if f.startswith("!")}
    wanted = {f for f in fields if not f.startswith("!")}
    if wanted:
        record = _only(record, ("href", *sorted(wanted)))
    return {k: v for k, v in record.items() if k not in dropped or k == "href"}


def _only(record, names):
    return {k: v for k, v in record.items() if k in names}


def whole_computed_files():
    """to_bytes for page() when `fields` asks for whole files: a computed file's (or folder's)
    JSON as the big project keeps it; None (to_json then) for any other item or request."""
    if "_all" not in _fields():
        return None
    big, files_url = state().store.big, api_base() + "/files/"

    def to_bytes(record):
        if not big.owns(record["id"]):
            return None
        rest = big.json_without(record["id"], ())
        return b'{"href":' + json_string(files_url + record["id"]) + b"," + rest[1:]

    return to_bytes


def listed(kind, to_json):
    """to_json for one list item of `kind`, trimmed to what `fields` asks for."""
    return lambda item: selected(to_json(item), LIST_FIELDS[kind])


# ----- root, users, rate limit ------------------------------------------------------------
@bp.get("/")
def paths():
    base = api_base()
    names = (
        "rate_limit",
        "user",
        "users",
        "billing",
        "projects",
        "files",
        "tasks",
        "apps",
        "action",
        "upload",
        "storage",
    )
    return jsonify({f"{n}_url": f"{base}/{n}" for n in names})


@bp.get("/user")
@bp.get("/user/")
def me():
    return jsonify(selected(user_json(state().store.users[g.username], me=True)))


@bp.get("/users/<username>")
def user(username):
    users = state().store.users
    if username == g.username:
        return jsonify(selected(user_json(users[username])))
    if username in users:
        raise no_access(USERS, "user")
    raise not_found(USERS, "user")


@bp.get("/rate_limit")
def rate_limit():
    limit, remaining, reset = g.rate
    return jsonify(
        {
            "rate": {"limit": limit, "remaining": remaining, "reset": reset},
            "instance_limit": {"limit": 25, "remaining": 25},
        }
    )


# ----- projects ---------------------------------------------------------------------------
@bp.get("/projects")
@bp.get("/projects/")
@bp.get("/projects/<owner>")
def projects(owner=None):
    found = state().store.visible_projects(g.username)
    if owner is not None:
        found = [p for p in found if p["id"].split("/")[0] == owner]
    name = request.args.get("name")
    if name:
        found = [p for p in found if name.lower() in p["name"].lower()]
    return page(found, listed("projects", project_json))


@bp.get("/projects/<owner>/<name>")
def project(owner, name):
    if f"{owner}/{name}" == PUBLIC_PROJECT:  # it lends its apps and files, not itself
        raise no_access(PROJECTS, "project")
    return jsonify(selected(project_json(state().store.project_for(f"{owner}/{name}", g.username))))


# ----- apps -------------------------------------------------------------------------------
@bp.get("/apps")
def apps():
    store = state().store
    visibility = request.args.get("visibility")
    project_id = request.args.get("project")
    if visibility is not None and visibility.lower() not in ("public", "private"):
        raise bad_request("Visibility must be one of PUBLIC, PRIVATE.", 6012)
    if visibility and visibility.lower() == "public":
        found = [a for a in store.apps.values() if a["project"] == PUBLIC_PROJECT]
    else:
        found = [
            a
            for a in store.apps.values()
            if a["project"] != PUBLIC_PROJECT
            and store.permission(a["project"], g.username) is not None
        ]
    if project_id:
        store.project_for(project_id, g.username)
        found = [a for a in found if a["project"] == project_id]
    terms = (request.args.get("q") or "").lower().split()
    if terms:
        found = [a for a in found if all(t in f"{a['id']} {a['name']}".lower() for t in terms)]
    fields = _fields()
    with_raw = bool(fields & {"_all", "raw"}) and "!raw" not in fields
    return page(found, listed("apps", lambda a: app_json(a, a["latest"], with_raw)))


@bp.get("/apps/<path:app_ref>")
def app_detail(app_ref):
    app_ref = app_ref.rstrip("/")
    # `owner/project/raw` is an app named raw; `/raw` after an app id is its CWL.
    want_raw = app_ref.endswith("/raw") and app_ref.count("/") >= 3
    if want_raw:
        app_ref = app_ref[: -len("/raw")]
    app, revision = state().store.app_for(app_ref, g.username)
    if want_raw:
        return jsonify(raw_json(app, revision))
    fields = _fields()
    with_raw = "!raw" not in fields and (not fields or bool(fields & {"_all", "raw"}))
    return jsonify(selected(app_json(app, revision, with_raw)))


# ----- files ------------------------------------------------------------------------------
def _file_filter(names, tags, metadata, origin_task):
    """test(name, tags, metadata, origin) for the documented rules: OR within a key, AND across."""

    def test(name, file_tags, values, origin):
        if names and name not in names:
            return False
        if tags and not set(tags) & set(file_tags or ()):
            return False
        if origin_task and (origin or {}).get("task") != origin_task:
            return False
        values = values or {}
        return all(k in values and str(values[k]) in wanted for k, wanted in metadata.items())

    return test


@bp.get("/files")
def files():
    store = state().store
    project_id, parent = request.args.get("project"), request.args.get("parent")
    if project_id and parent:
        raise bad_request("Use either project or parent, not both.", 5031)
    if not project_id and not parent:
        raise bad_request("Exactly one of project or parent is required.")
    if project_id:
        if project_id.count("/") != 1 or "" in project_id.split("/"):
            raise bad_request("Malformed project id, expected ?project=owner/project.", 5005)
        folder_id = store.project_for(project_id, g.username)["root_folder"]
    else:
        folder_id = store.folder_for(parent, g.username)["id"]
    seq = store.level(folder_id)
    names, tags = request.args.getlist("name"), request.args.getlist("tag")
    metadata = {
        k[len("metadata.") :]: request.args.getlist(k)
        for k in request.args
        if k.startswith("metadata.")
    }
    origin_task = request.args.get("origin.task")
    if names or tags or metadata or origin_task:
        test = _file_filter(names, tags, metadata, origin_task)
        if hasattr(seq, "select"):  # the big project: filter without building every record
            seq = seq.select(test)
        else:
            seq = [
                r for r in seq if test(r["name"], r.get("tags"), r.get("metadata"), r.get("origin"))
            ]
    return page(seq, listed("files", file_json), whole_computed_files())


@bp.get("/files/<file_id>")
def file_detail(file_id):
    return jsonify(selected(file_json(state().store.file_for(file_id, g.username))))


@bp.get("/files/<file_id>/list")
def folder_list(file_id):
    store = state().store
    return page(
        store.level(store.folder_for(file_id, g.username)["id"]),
        listed("files", file_json),
        whole_computed_files(),
    )


@bp.post("/files/<file_id>/actions/copy")
def file_copy(file_id):
    body = json_body()
    if not isinstance(body, dict):
        raise bad_request("The body must be an object with 'project' or 'parent'.")
    for key in ("project", "parent"):
        if body.get(key) is not None and not isinstance(body[key], str):
            raise bad_request(f"'{key}' must be a string.")
    record = state().store.copy_file(
        file_id,
        g.username,
        project=body.get("project"),
        parent=body.get("parent"),
        name=body.get("name"),
    )
    return jsonify(selected(file_json(record)))


@bp.post("/bulk/files/get")
def bulk_files_get():
    body = json_body()
    if not isinstance(body, dict) or not isinstance(body.get("file_ids"), list):
        raise bad_request("The body must be an object with a 'file_ids' list.")
    ids = body["file_ids"]
    if len(ids) > MAX_BULK:
        raise bad_request(f"At most {MAX_BULK} file ids per request.")
    store = state().store
    advance = request.headers.get(ADVANCE_ACCESS, "").lower() == "advance"
    omit = ("type",) if advance else BULK_OMITS
    files_url, username = api_base() + "/files/", g.username
    # Each item's JSON is written on its own and the reply joined from them: a computed file's
    # JSON comes ready from the big project, which is most of what a 1,000-file page asks for.
    items = []
    for file_id in ids:
        try:
            if not isinstance(file_id, str) or not file_id:
                raise bad_request("File id is empty or not a string.", 5004)
            rest = store.file_json_for(file_id, username, omit)
            href = json_string(files_url + file_id)
            items.append(b'{"resource":{"href":' + href + b"," + rest[1:] + b"}")
        except ApiError as exc:
            items.append(dumps({"error": exc.body()}))
    return json_bytes_response(b'{"items":[' + b",".join(items) + b"]}")


# ----- tasks ------------------------------------------------------------------------------
@bp.get("/tasks")
def tasks():
    args = request.args
    found = state().tasks.query(
        g.username,
        project=args.get("project"),
        status=args.get("status"),
        parent=args.get("parent"),
        order_by=args.get("order_by"),
        order=args.get("order"),
    )
    return page(found, listed("tasks", with_href))


def _run_flags():
    action = request.args.get("action")
    if action not in (None, "", "run"):
        raise bad_request(f"Invalid task action '{action}'.", 7009)
    batch = bool_arg("batch")
    return action == "run", batch is not False


@bp.post("/tasks")
def create_task():
    body = json_body()
    run, batch = _run_flags()
    task = state().tasks.create(g.username, body, run=run, batch=batch)
    return task_reply(task)


@bp.get("/tasks/<task_id>")
def task_detail(task_id):
    return task_reply(state().store.task_for(task_id, g.username))


@bp.patch("/tasks/<task_id>")
def task_patch(task_id):
    body = json_body()
    st = state()
    task = st.store.task_for(task_id, g.username, write=True)
    return task_reply(st.tasks.patch(task, body, g.username))


@bp.delete("/tasks/<task_id>")
def task_delete(task_id):
    json_body()
    st = state()
    st.tasks.delete(st.store.task_for(task_id, g.username, write=True))
    return "", 204


@bp.post("/tasks/<task_id>/actions/<action>")
def task_action(task_id, action):
    json_body()  # the SDK sends the JSON text null; anything unreadable is still a 400
    st = state()
    if action not in ("run", "abort", "clone"):
        raise bad_request(f"Invalid task action '{action}'.", 7009)
    task = st.store.task_for(task_id, g.username, write=True)
    if action == "run":
        batch = bool_arg("batch")
        task = st.tasks.run(
            task, batch=batch is not False, interruptible=bool_arg("use_interruptible_instances")
        )
    elif action == "abort":
        task = st.tasks.abort(task)
    else:
        run, _ = _run_flags()
        task = st.tasks.clone(task, g.username, run=run)
    return task_reply(task)
