"""The sandbox reads apps in the shapes real tools write (packed `#main` ids, enum symbols under
their enum's name) as the app's own reader does, and holds task inputs to what they mean."""

import json

import pytest
from app_fixtures import REAL_APP_PATHS
from cwl_shapes import FILTER_VALUES, PLAIN_VALUES, SEX_VALUES, packed_graph, packed_main

from appspec import EnumType, parse_app
from sandbox.cwl import read_inputs

SCRATCH = "demo-user/scratch"


def enum_symbols(node_type):
    """{path: symbols} of every enum in a sandbox type tree."""
    found = {}

    def walk(t, path):
        if t[0] == "enum":
            found[path] = t[1]
        elif t[0] in ("array", "union"):
            for part in (t[1],) if t[0] == "array" else t[1]:
                walk(part, path)
        elif t[0] == "record":
            for name, field_type in t[1].items():
                walk(field_type, f"{path}.{name}")

    walk(node_type, "")
    return found


def appspec_symbols(spec_type, path=""):
    found = {}
    if isinstance(spec_type, EnumType):
        found[path] = spec_type.symbols
    for child in getattr(spec_type, "branches", ()) + (
        (spec_type.items,) if hasattr(spec_type, "items") else ()
    ):
        found.update(appspec_symbols(child, path))
    for field in getattr(spec_type, "fields", ()):
        found.update(appspec_symbols(field.type, f"{path}.{field.name}"))
    return found


def test_the_sandbox_and_the_app_read_the_same_symbols():
    raw = packed_main()
    sandbox_view = {n.id: enum_symbols(n.type) for n in read_inputs(raw)}
    app_view = {i.id: appspec_symbols(i.type) for i in parse_app(raw).inputs}
    assert sandbox_view == app_view
    assert sandbox_view["Samples"] == {".Sex": SEX_VALUES}
    assert sandbox_view["filter"] == {"": FILTER_VALUES}
    assert sandbox_view["plain"] == {"": PLAIN_VALUES}


@pytest.fixture
def packed_app(sandbox, raw_api):
    sandbox.add_app(SCRATCH, "packed-shapes", packed_main())
    sandbox.add_files(SCRATCH, [{"name": "S1_R1.fastq.gz"}])
    reads = raw_api.files(SCRATCH)
    return {
        "app": f"{SCRATCH}/packed-shapes",
        "reads": [{"class": "File", "path": f["id"]} for f in reads],
    }


def draft(raw_api, packed_app, **inputs):
    body = {
        "project": SCRATCH,
        "app": packed_app["app"],
        "inputs": {"reads": packed_app["reads"], **inputs},
    }
    response = raw_api.post("/tasks", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_whole_symbols_are_accepted(raw_api, packed_app):
    task = draft(
        raw_api,
        packed_app,
        Samples=[{"id": "S1", "Sex": "Unknown or not XX/XY"}],
        filter="a, b",
        plain="fr/rf",
    )
    assert task["errors"] == []
    assert task["inputs"]["Samples"] == [{"id": "S1", "Sex": "Unknown or not XX/XY"}]


@pytest.mark.parametrize(
    "inputs",
    [
        {"filter": "rf strand"},  # the text after the last `/` is not the value
        {"filter": "#main/filter/a, b"},  # nor is the symbol as the document spells it
        {"Samples": [{"id": "S1", "Sex": "XX/XY"}]},
        {"plain": "rf"},
    ],
)
def test_a_piece_of_a_symbol_is_refused(raw_api, packed_app, inputs):
    task = draft(raw_api, packed_app, **inputs)
    [error] = task["errors"]
    assert error["type"] == "error/task_validation/input/schema"
    assert error["input_id"] == next(iter(inputs))


@pytest.fixture
def graph_app(sandbox, raw_api):
    """The `$graph` document installed, and three FASTQs of two samples in the project."""
    sandbox.add_app(SCRATCH, "packed-graph", packed_graph())
    sandbox.add_files(
        SCRATCH,
        [
            {"name": f"{sample}_{n}.fastq.gz", "metadata": {"sample_id": sample}}
            for sample, n in (("S1", 1), ("S1", 2), ("S2", 1))
        ],
    )
    return {
        "app": f"{SCRATCH}/packed-graph",
        "reads": [{"class": "File", "path": f["id"]} for f in raw_api.files(SCRATCH)],
    }


def test_a_graph_document_is_read_at_its_main_process(raw_api, graph_app):
    app = raw_api.get(f"/apps/{graph_app['app']}").json()
    assert app["name"] == "Packed shapes"  # the label of #main, not the file name
    task = draft(raw_api, graph_app, filter="PASS;LowQual", Samples=[{"id": "S1", "Sex": "XY"}])
    assert task["errors"] == []
    assert task["execution_status"]["steps_total"] == 1
    # The inputs of another process in the graph are no inputs of the app.
    task = draft(raw_api, graph_app, lines=True)
    assert [(e["type"], e["input_id"]) for e in task["errors"]] == [
        ("error/task_validation/input/unknown", "lines")
    ]


def test_a_batch_over_a_graph_documents_file_list_runs(raw_api, graph_app):
    body = {
        "project": SCRATCH,
        "app": graph_app["app"],
        "inputs": {"reads": graph_app["reads"]},
        "batch_input": "reads",
        "batch_by": {"type": "CRITERIA", "criteria": ["metadata.sample_id"]},
    }
    response = raw_api.post("/tasks", json=body)
    assert response.status_code == 200, response.text
    task = response.json()
    assert task["batch"] is True and task["errors"] == []
    run = raw_api.post(f"/tasks/{task['id']}/actions/run")
    assert run.status_code == 200, run.text
    children = raw_api.get("/tasks", params={"parent": task["id"], "fields": "_all"}).json()[
        "items"
    ]
    assert sorted(len(c["inputs"]["reads"]) for c in children) == [1, 2]


def test_a_type_named_inline_is_found_by_its_name():
    # A packed document declares a type once, where it is first used, and names it elsewhere.
    mode = {"type": "enum", "name": "#main/first/Mode", "symbols": ["#main/first/Mode/a b"]}
    raw = {
        "cwlVersion": "v1.2",
        "class": "CommandLineTool",
        "inputs": [
            {"id": "#main/first", "type": mode},
            {"id": "#main/second", "type": ["null", "#main/first/Mode"]},
        ],
    }
    sandbox_view = {n.id: enum_symbols(n.type) for n in read_inputs(raw)}
    assert sandbox_view == {i.id: appspec_symbols(i.type) for i in parse_app(raw).inputs}
    assert sandbox_view["second"] == {"": ("a b",)}


@pytest.mark.parametrize("path", REAL_APP_PATHS, ids=lambda p: p.stem)
def test_the_sandbox_and_the_app_read_the_same_symbols_in_real_apps(path):
    raw = json.loads(path.read_text(encoding="utf-8"))
    sandbox_view = {n.id: enum_symbols(n.type) for n in read_inputs(raw)}
    assert sandbox_view == {i.id: appspec_symbols(i.type) for i in parse_app(raw).inputs}
