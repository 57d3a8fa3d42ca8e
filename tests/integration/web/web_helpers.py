"""Small helpers the web tests share: page text, seed look-ups, the sandbox's request log."""

import re

PROJECT = "demo-user/pediatric-wgs"


def text_of(response):
    """The page's visible text, whitespace collapsed (tags dropped)."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def find_file(demo_client, name, project=PROJECT, parent=None):
    """The file called `name` at the project root (or in folder `parent`)."""
    page = demo_client.files(project=None if parent else project, parent=parent, names=[name])
    assert page.items, f"no file {name} in the sandbox seed"
    return page.items[0]


def upstream_counts(sandbox):
    return sandbox.requests()["counts"]


def task_posts(sandbox):
    """The bodies of every POST /v2/tasks the sandbox received, in order."""
    return [
        entry["json"]
        for entry in sandbox.requests()["requests"]
        if entry["method"] == "POST" and entry["path"] == "/v2/tasks"
    ]


def folder_files(demo_client, *path, project=PROJECT):
    """{name: file} of the folder at `path` (folder names from the project root)."""
    parent = None
    for name in path:
        page = demo_client.files(project=None if parent else project, parent=parent, names=[name])
        assert page.items, f"no folder {name} in the sandbox seed"
        parent = page.items[0]["id"]
    page = demo_client.files(project=None if parent else project, parent=parent, limit=100)
    return {item["name"]: item for item in page.items}


def a_bam(demo_client):
    """One aligned BAM of the pediatric WGS project."""
    files = folder_files(demo_client, "alignments")
    return next(f for name, f in sorted(files.items()) if name.endswith(".bam"))


def app_specs(demo_client, app_name, revision=None, project=PROJECT):
    """The input specs of an app as the sandbox serves it."""
    from appspec import parse_app

    app = demo_client.app(f"{project}/{app_name}", revision)
    return parse_app(app["raw"]).inputs


def task_form(
    specs,
    inputs,
    name="My task",
    submission_id="0123456789abcdef0123456789abcdef",
    action="create",
    **fields,
):
    """POST data of the task form: `inputs` as the platform's inputs object, other fields by
    their HTML names (e.g. `**{"execution-instance_type": "c5.large"}`)."""
    from forms.inputs import inputs_formdata

    data = inputs_formdata(specs, inputs)
    data.add("name", name)
    data.add("submission_id", submission_id)
    data.add("action", action)
    data.setdefault("batch-mode", "off")
    for key, value in fields.items():
        data[key] = value
    return data


def file_ref(item):
    return {"class": "File", "path": item["id"]}
