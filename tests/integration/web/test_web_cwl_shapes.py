"""Apps in the shapes real tools write (packed `#main` ids, symbols under their enum's name):
what the form offers, the body it sends, and what the sandbox makes of it."""

import re

import pytest
from cwl_shapes import FILTER_VALUES, SEX_VALUES, labelled_main, packed_graph, packed_main
from web_helpers import PROJECT, app_specs, file_ref, folder_files, task_form, task_posts, text_of

APP = "packed-shapes"
NEW = f"/projects/{PROJECT}/apps/{APP}/new?revision=0"


@pytest.fixture
def packed(sandbox):
    sandbox.add_app(PROJECT, APP, packed_main())


def options(html, select_id):
    """The option values of one select (unescaped)."""
    body = html.split(f'id="{select_id}"', 1)[1].split("</select>", 1)[0]
    return [v.replace("&amp;", "&") for v in re.findall(r'<option value="([^"]*)"', body) if v]


def reads(demo_client):
    return [
        file_ref(f) for n, f in sorted(folder_files(demo_client).items()) if n.endswith(".fastq.gz")
    ]


@pytest.mark.usefixtures("packed")
def test_the_form_offers_whole_symbols(signed_in):
    html = signed_in.get(NEW).get_data(as_text=True)
    assert options(html, "inputs-filter") == list(FILTER_VALUES)
    assert options(html, "inputs-Samples-__row0__-Sex") == list(SEX_VALUES)


@pytest.mark.usefixtures("packed")
def test_whole_symbols_are_sent_and_accepted(signed_in, demo_client, sandbox):
    inputs = {
        "reads": reads(demo_client)[:2],
        "filter": "a, b",
        "plain": "fr/rf",
        "Samples": [{"id": "S1", "Sex": "Unknown or not XX/XY"}],
    }
    data = task_form(app_specs(demo_client, APP), inputs, name="Packed")
    sandbox.clear_requests()
    response = signed_in.post(NEW, data=data)
    assert response.status_code == 302, text_of(response)
    [body] = task_posts(sandbox)
    assert body["inputs"] == inputs
    draft = demo_client.task(response.location.rsplit("/", 1)[1])
    assert draft["errors"] == []
    assert "Unknown or not XX/XY" in text_of(signed_in.get(response.location))


def test_a_graph_document_gives_a_form_and_a_batch_the_sandbox_accepts(
    signed_in, demo_client, sandbox
):
    sandbox.add_app(PROJECT, "packed-graph", packed_graph())
    url = f"/projects/{PROJECT}/apps/packed-graph/new?revision=0"
    html = signed_in.get(url).get_data(as_text=True)
    assert 'name="inputs-reads"' in html and 'name="inputs-lines"' not in html
    assert options(html, "inputs-filter") == list(FILTER_VALUES)
    specs = app_specs(demo_client, "packed-graph")
    chosen = reads(demo_client)[:4]
    data = task_form(
        specs,
        {"reads": chosen, "filter": "fr/rf strand"},
        name="Packed batch",
        **{"batch-mode": "on", "batch-input": "reads", "batch-by": "sample"},
    )
    sandbox.clear_requests()
    response = signed_in.post(url, data=data)
    assert response.status_code == 302, text_of(response)
    [body] = task_posts(sandbox)
    assert body["inputs"] == {"reads": chosen, "filter": "fr/rf strand"}
    assert body["batch_input"] == "reads"
    draft = demo_client.task(response.location.rsplit("/", 1)[1])
    assert draft["batch"] is True and draft["errors"] == []
    assert "What CAVATICA found" not in text_of(signed_in.get(response.location))


def test_labels_from_types_and_the_null_array_hint_are_shown(signed_in, demo_client, sandbox):
    sandbox.add_app(PROJECT, "labelled", labelled_main())
    url = f"/projects/{PROJECT}/apps/labelled/new?revision=0"
    page = signed_in.get(url)
    html = page.get_data(as_text=True)
    assert re.search(r'<label for="inputs-strand">\s*Library strand\s*</label>', html)
    assert re.search(r"<legend>\s*Sample sheet\b", html)
    assert re.search(r'<label for="inputs-sheet-kind">\s*Library strand\s*</label>', html)
    assert re.search(r'<label for="inputs-own">\s*Own label\s*</label>', html)
    padding = html.split('id="inputs-padding@help"', 1)[1].split("</div>", 1)[0]
    assert "Type: <code>null[]</code>" in padding and "unknown" not in padding
    inputs = {
        "strand": "fr/rf",
        "sheet": {"kind": "unstranded", "id": "S1"},
        "own": "fr/rf",
        "padding": [],
    }
    data = task_form(app_specs(demo_client, "labelled"), inputs, name="Labelled")
    sandbox.clear_requests()
    response = signed_in.post(url, data=data)
    assert response.status_code == 302, text_of(response)
    [body] = task_posts(sandbox)
    assert body["inputs"] == inputs
    assert demo_client.task(response.location.rsplit("/", 1)[1])["errors"] == []


@pytest.mark.usefixtures("packed")
def test_editing_a_draft_keeps_whole_symbols_chosen(signed_in, demo_client, sandbox):
    inputs = {"reads": reads(demo_client)[:1], "filter": "PASS;LowQual", "plain": "x y"}
    draft = demo_client.create_task(
        {"name": "Edit me", "project": PROJECT, "app": f"{PROJECT}/{APP}/0", "inputs": inputs}
    )
    assert draft["errors"] == []
    url = f"/projects/{PROJECT}/tasks/{draft['id']}"
    html = signed_in.get(url + "/edit").get_data(as_text=True)
    assert '<option value="PASS;LowQual" selected>' in html
    assert '<option value="x y" selected>' in html
    assert "not allowed" not in html
