"""The inputs form in a real browser: hostile app text stays text, no script runs, and the form's
own script (rows, union branches, suggestions) produces the body the platform expects.

A small Flask app in a thread renders the `render_inputs` macro for a given app, and on POST shows
either the errors (same page) or the `inputs` body it computed, as JSON in a <pre>.
"""

import json
import threading
from pathlib import Path

import pytest
from app_fixtures import load_real_app
from flask import Flask, render_template_string, request
from playwright.sync_api import expect
from werkzeug.serving import make_server

from appspec import parse_app
from forms.inputs import build_inputs_form, inputs_body
from markup import render_doc

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">"\'&'
FILE_A = "5f4ffff4e4b0370371c05153"
FILE_B = "6063901f357c3a53540ca84b"

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Inputs</title>
<link rel="stylesheet" href="{{ url_for('static', filename='style.css') }}"></head>
<body><main>
<h1>Inputs of {{ label }}</h1>
{% from "tasks/_inputs.html" import render_inputs %}
<form method="post" action="" novalidate>
  {{ render_inputs(form, specs, names) }}
  <button type="submit">Send</button>
</form>
{% if body is not none %}<h2>Body</h2><pre id="body">{{ body }}</pre>{% endif %}
</main></body></html>"""

HOSTILE_APP = {
    "cwlVersion": "v1.2",
    "class": "CommandLineTool",
    "inputs": [
        {
            "id": "evil",
            "label": HOSTILE,
            "doc": '[click me](javascript:window.__pwned=3)\n\n<a href="javascript:x()">raw</a> '
            + HOSTILE,
            "type": {"type": "enum", "symbols": [HOSTILE, "plain"]},
            "sbg:toolDefaultValue": HOSTILE,
            "sbg:category": "Cat " + HOSTILE,
        },
        {
            "id": "note",
            "label": 'Note " onfocus="window.__pwned=6',
            "type": "string?",
            "sbg:suggestedValue": '" onclick="window.__pwned=5',
        },
        {
            "id": "rec",
            "type": {
                "type": "record",
                "fields": [{"name": "f", "label": HOSTILE, "doc": HOSTILE, "type": "string?"}],
            },
        },
    ],
}

FEATURES_APP = {
    "cwlVersion": "v1.2",
    "class": "CommandLineTool",
    "inputs": {
        "reads": {
            "type": "File",
            "sbg:suggestedValue": {"class": "File", "path": FILE_A, "name": "sample.bam"},
        },
        "tags": "string[]",
        "regions": ["null", "File", "string"],
        "flag": "boolean",
        "maybe": "boolean?",
        "samples": {
            "type": {
                "type": "array",
                "items": {"type": "record", "name": "s", "fields": {"id": "string", "n": "int?"}},
            }
        },
    },
}


def make_app(raw):
    spec = parse_app(raw)
    form_class = build_inputs_form(spec)
    app = Flask(
        __name__, template_folder=str(REPO / "templates"), static_folder=str(REPO / "static")
    )
    app.jinja_env.filters["doc"] = render_doc

    @app.route("/", methods=["GET", "POST"])
    def index():
        body = None
        if request.method == "POST":
            form = form_class(request.form, prefix="inputs")
            if form.validate():
                body = json.dumps(inputs_body(form, spec), sort_keys=True)
        else:
            form = form_class(None, prefix="inputs")
        return render_template_string(
            PAGE, form=form, specs=spec, names={}, body=body, label=spec.label or "an app"
        )

    return app


class Server:
    def __init__(self, app):
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}/"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def shutdown(self):
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture
def serve():
    servers = []

    def start(raw):
        server = Server(make_app(raw))
        servers.append(server)
        return server.url

    yield start
    for server in servers:
        server.shutdown()


@pytest.fixture
def tab(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.dialogs = []
    page.js_errors = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    yield page
    context.close()
    assert not page.js_errors, page.js_errors


def pwned(page):
    return page.evaluate("() => window.__pwned === undefined ? null : window.__pwned")


def test_hostile_app_text_is_shown_as_text_and_runs_nothing(serve, tab, axe):
    tab.goto(serve(HOSTILE_APP))
    assert pwned(tab) is None and tab.dialogs == []
    # The label, the tool default, the category and the doc show the raw text...
    expect(tab.get_by_role("combobox", name=HOSTILE, exact=True)).to_be_visible()
    expect(tab.get_by_text("Tool default: " + HOSTILE)).to_be_visible()
    expect(tab.locator("legend", has_text="Cat " + HOSTILE)).to_be_visible()
    expect(tab.get_by_text("[click me](javascript:window.__pwned=3)")).to_be_visible()
    # ...and nothing in it became an element.
    assert tab.locator("main img, main script:not([src]), main a").count() == 0
    # Clicking and focusing everything a user might touch runs nothing either.
    tab.get_by_text("[click me](javascript:window.__pwned=3)").click()
    tab.locator("summary").click()
    tab.get_by_label('Note " onfocus="window.__pwned=6').focus()
    tab.get_by_role("button", name="Use the suggestion").click()
    expect(tab.get_by_label('Note " onfocus="window.__pwned=6')).to_have_value(
        '" onclick="window.__pwned=5'
    )
    # The hostile symbol is a choice like any other, and comes back as typed.
    tab.get_by_role("combobox", name=HOSTILE, exact=True).select_option(HOSTILE)
    tab.locator("[id='inputs-rec-f']").fill(HOSTILE)
    tab.get_by_role("button", name="Send").click()
    body = json.loads(tab.locator("#body").text_content())
    assert body == {
        "evil": HOSTILE,
        "note": '" onclick="window.__pwned=5',
        "rec": {"f": HOSTILE},
    }
    assert pwned(tab) is None
    assert tab.dialogs == []
    axe(tab)


def test_invalid_values_come_back_with_messages_and_as_typed(serve, tab, axe):
    tab.goto(serve(FEATURES_APP))
    tab.get_by_label("Item 1").fill("<b>tag</b>")
    tab.get_by_label("reads", exact=True).fill("not a file id")
    tab.get_by_role("button", name="Send").click()
    expect(tab.locator("#body")).to_have_count(0)
    reads = tab.get_by_label("reads", exact=True)
    expect(reads).to_have_value("not a file id")
    expect(reads).to_have_attribute("aria-invalid", "true")
    expect(tab.get_by_text("“not” is not a file id")).to_be_visible()
    expect(tab.get_by_label("Item 1").first).to_have_value("<b>tag</b>")
    assert pwned(tab) is None
    axe(tab)


def test_rows_unions_and_suggestions_build_the_body_in_the_browser(serve, tab, axe):
    tab.goto(serve(FEATURES_APP))
    # A suggestion is offered, not chosen.
    reads = tab.get_by_label("reads", exact=True)
    expect(reads).to_have_value("")
    tab.locator("[data-fill-target='inputs-reads']").click()
    expect(reads).to_have_value(FILE_A)

    # Rows of a string list: the first is there, more are added, one is removed.
    tags = tab.locator("[id='inputs-tags']")
    tags.get_by_label("Item 1").fill("first")
    tags.get_by_role("button", name="Add an item to tags").click()
    tags.get_by_label("Item 2").fill("dropped")
    tags.get_by_role("button", name="Add an item to tags").click()
    tags.get_by_label("Item 3").fill("third")
    tags.get_by_role("button", name="Remove item 2").click()
    expect(tags.get_by_label("Item 2")).to_have_value("third")

    # A required list of records starts with one record; add a second one.
    samples = tab.locator("[id='inputs-samples']")
    samples.get_by_label("id", exact=True).fill("s1")
    samples.get_by_role("button", name="Add an item to samples").click()
    samples.get_by_label("id", exact=True).nth(1).fill("s2")
    samples.get_by_label("n", exact=True).nth(1).fill("7")

    tab.get_by_label("flag").check()
    tab.locator("summary").click()
    # A union shows only the chosen branch.
    choice = tab.get_by_label("Kind of value for regions")
    expect(tab.locator("[id='inputs-regions-@string']")).to_be_hidden()
    choice.select_option("string")
    expect(tab.locator("[id='inputs-regions-@string']")).to_be_visible()
    expect(tab.locator("[id='inputs-regions-@File']")).to_be_hidden()
    tab.locator("[id='inputs-regions-@string']").fill("chr1:1-100")
    tab.get_by_label("maybe").select_option("false")
    axe(tab)

    tab.get_by_role("button", name="Send").click()
    body = json.loads(tab.locator("#body").text_content())
    assert body == {
        "reads": {"class": "File", "path": FILE_A},
        "tags": ["first", "third"],
        "samples": [{"id": "s1"}, {"id": "s2", "n": 7}],
        "flag": True,
        "maybe": False,
        "regions": "chr1:1-100",
    }


@pytest.mark.parametrize(
    "name", ["sbpack-clt1-records", "kfdrc-star-align-records", "sbg-bcbio-somatic-v1"]
)
def test_complex_real_apps_pass_axe(serve, tab, axe, name):
    raw = load_real_app(name)
    tab.goto(serve(raw))
    tab.get_by_role("button", name="Send").click()  # with the messages of an empty submit
    details = tab.locator("details")
    if details.count() and not details.first.get_attribute("open"):
        tab.locator("summary").click()
    axe(tab)


def test_lists_of_lists_and_of_records_add_rows_at_every_level(serve, tab):
    tab.goto(
        serve(
            {
                "cwlVersion": "v1.2",
                "inputs": {
                    "matrix": "string[][]",
                    "files": {
                        "type": {"type": "array", "items": {"type": "array", "items": "File"}}
                    },
                },
            }
        )
    )
    matrix = tab.locator("[id='inputs-matrix']")
    matrix.locator("[id='inputs-matrix-0-0']").fill("a")
    matrix.get_by_role("button", name="Add an item to item 1").click()
    matrix.locator("[id='inputs-matrix-0-1']").fill("b")
    matrix.get_by_role("button", name="Add an item to matrix").click()
    matrix.locator("[id='inputs-matrix-1-0']").fill("c")
    matrix.get_by_role("button", name="Add an item to item 2").click()
    matrix.get_by_role("button", name="Add an item to item 2").click()  # left empty: dropped
    files = tab.locator("[id='inputs-files']")
    files.get_by_label("Item 1").fill(f"{FILE_A} {FILE_B}")
    files.get_by_role("button", name="Add an item to files").click()
    files.get_by_label("Item 2").fill(FILE_B)
    expect(files.get_by_label("Item 2")).to_have_attribute("data-picker-multiple", "1")
    tab.get_by_role("button", name="Send").click()
    body = json.loads(tab.locator("#body").text_content())
    assert body == {
        "matrix": [["a", "b"], ["c"]],
        "files": [
            [{"class": "File", "path": FILE_A}, {"class": "File", "path": FILE_B}],
            [{"class": "File", "path": FILE_B}],
        ],
    }


def test_without_javascript_every_control_still_works(serve, browser):
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(serve(FEATURES_APP))
        # Buttons that need the script are not offered; the suggestion is still readable.
        expect(page.get_by_role("button", name="Add an item to tags")).to_be_hidden()
        expect(page.get_by_role("button", name="Use the suggestion")).to_be_hidden()
        expect(page.get_by_text("Suggested: sample.bam")).to_be_visible()
        page.get_by_label("reads", exact=True).fill(FILE_B)
        page.locator("[id='inputs-tags']").get_by_label("Item 1").fill("only")
        page.locator("[id='inputs-samples']").get_by_label("id", exact=True).fill("s1")
        page.locator("summary").click()
        # Every branch of a union is shown; filling one is enough.
        page.locator("[id='inputs-regions-@File']").fill(FILE_A)
        page.get_by_role("button", name="Send").click()
        body = json.loads(page.locator("#body").text_content())
        assert body == {
            "reads": {"class": "File", "path": FILE_B},
            "tags": ["only"],
            "samples": [{"id": "s1"}],
            "flag": False,
            "regions": {"class": "File", "path": FILE_A},
        }
    finally:
        context.close()


def test_filling_an_optional_record_ticks_send_these_values(serve, tab):
    tab.goto(
        serve(
            {
                "cwlVersion": "v1.2",
                "inputs": {
                    "genome": {
                        "type": [
                            "null",
                            {"type": "record", "fields": {"gz": "boolean?", "min": "int?"}},
                        ]
                    },
                    "mendel": {
                        "type": [
                            "null",
                            {"type": "record", "fields": {"summaries-only": "boolean?"}},
                        ]
                    },
                },
            }
        )
    )
    # With no required inputs, the optional ones are shown open.
    flag = tab.get_by_label("Send these values (genome)")
    expect(flag).not_to_be_checked()
    tab.locator("[id='inputs-genome-min']").fill("3")
    tab.locator("[id='inputs-genome-min']").blur()
    expect(flag).to_be_checked()
    # An empty record is a value too: ticked alone, it turns the feature on.
    tab.get_by_label("Send these values (mendel)").check()
    tab.get_by_role("button", name="Send").click()
    assert json.loads(tab.locator("#body").text_content()) == {"genome": {"min": 3}, "mendel": {}}
