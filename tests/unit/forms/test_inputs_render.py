"""The inputs macro: every input drawn, labelled and described; hostile app text stays text."""

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from app_fixtures import REAL_APP_PATHS
from flask import Flask, render_template_string
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from inputs_strategies import inputs_for, raw_apps
from werkzeug.datastructures import MultiDict

from appspec import parse_app
from forms.inputs import build_inputs_form, inputs_body, inputs_formdata
from markup import render_doc

REPO = Path(__file__).resolve().parents[3]
REAL_APPS = REAL_APP_PATHS
PAGE = '{% from "tasks/_inputs.html" import render_inputs %}{{ render_inputs(form, specs, names) }}'
FILE_A = "5f4ffff4e4b0370371c05153"


@pytest.fixture(scope="module")
def app():
    app = Flask(
        __name__, template_folder=str(REPO / "templates"), static_folder=str(REPO / "static")
    )
    app.jinja_env.filters["doc"] = render_doc
    return app


class Page(HTMLParser):
    """Elements outside <template>s (what the browser shows), with their text."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.elements = []  # (tag, attrs)
        self.template_elements = []
        self.text = []
        self._template_depth = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "template":
            self._template_depth += 1
            return
        (self.template_elements if self._template_depth else self.elements).append((tag, attrs))

    def handle_endtag(self, tag):
        if tag == "template":
            self._template_depth -= 1

    def handle_data(self, data):
        if not self._template_depth:
            self.text.append(data)

    def all(self, tag=None, **wanted):
        return [
            a
            for t, a in self.elements
            if (tag is None or t == tag) and all(a.get(k) == v for k, v in wanted.items())
        ]

    @property
    def ids(self):
        return [a["id"] for _, a in self.elements if "id" in a]

    @property
    def full_text(self):
        return " ".join("".join(self.text).split())


def render(app, spec, form, names=None):
    with app.test_request_context():
        return render_template_string(PAGE, form=form, specs=spec, names=names or {})


def check_accessible_structure(page):
    ids = page.ids
    assert len(ids) == len(set(ids)), "ids are unique"
    labelled = {a["for"] for a in page.all("label")}
    for tag, attrs in page.elements:
        if tag in ("select", "textarea") or (tag == "input" and attrs.get("type") != "hidden"):
            assert attrs.get("id") in labelled, f"control {attrs.get('name')} has a label"
        for ref in (attrs.get("aria-describedby") or "").split():
            assert ref in ids, f"aria-describedby points at {ref}"


@pytest.mark.parametrize("path", REAL_APPS, ids=lambda p: p.stem)
def test_every_input_of_every_real_app_is_drawn_labelled_and_described(app, path):
    spec = parse_app(json.loads(path.read_text()))
    form = build_inputs_form(spec)(None, prefix="inputs")
    page = Page(render(app, spec, form))
    ids = set(page.ids)
    for item in spec.inputs:
        assert f"inputs-{item.id}" in ids, f"{item.id} is drawn"
    check_accessible_structure(page)
    # Nothing is chosen for the user: no file input is pre-filled without a CWL default.
    for attrs in page.elements:
        if "data-picker" in attrs[1]:
            name = attrs[1]["name"].removeprefix("inputs-")
            item = spec.input(name)
            if item is not None and not item.has_default:
                assert attrs[1].get("value", "") == ""


def test_after_a_failed_submit_errors_are_tied_to_controls_and_values_stay(app):
    spec = parse_app(
        {
            "inputs": {
                "count": "int",
                "big": "long?",
                "mode": {"type": {"type": "enum", "symbols": ["a", "b"]}},
                "name": "string",
                "reads": "File",
                "opts": {"type": ["null", {"type": "record", "fields": {"x": "int?"}}]},
            }
        }
    )
    formdata = MultiDict(
        [
            ("inputs-count", "1.5"),
            ("inputs-big", "99999999999999999999"),
            ("inputs-mode", "c"),
            ("inputs-name", 'typed "as is" <kept>'),
            ("inputs-reads", "not-an-id"),
            ("inputs-opts-x", "12"),
        ]
    )
    form = build_inputs_form(spec)(formdata, prefix="inputs")
    assert not form.validate()
    page = Page(render(app, spec, form))
    check_accessible_structure(page)
    for name in ("count", "big", "mode", "reads"):
        found = page.all("input", id=f"inputs-{name}") or page.all("select", id=f"inputs-{name}")
        control = found[0]
        assert control["aria-invalid"] == "true"
        assert f"inputs-{name}@error" in control["aria-describedby"]
    assert page.all("input", id="inputs-count")[0]["value"] == "1.5"
    assert page.all("input", id="inputs-big")[0]["value"] == "99999999999999999999"
    assert page.all("input", id="inputs-name")[0]["value"] == 'typed "as is" <kept>'
    assert page.all("input", id="inputs-reads")[0]["value"] == "not-an-id"
    assert page.all("input", id="inputs-opts-x")[0]["value"] == "12"
    # The unknown symbol is kept selected, marked as not allowed.
    assert "selected" in page.all("option", value="c")[0]
    text = page.full_text
    assert "Enter a whole number: decimals are not allowed here." in text
    assert "“c” is not one of the choices." in text
    assert "“not-an-id” is not a file id" in text
    assert "“Send these values” is not ticked" in text
    # Optional inputs with problems are not hidden in a closed section.
    assert "open" in page.all("details")[0]


def test_required_first_optional_in_details_grouped_by_category(app):
    spec = parse_app(
        {
            "inputs": [
                {"id": "opt_exec", "type": "int?", "sbg:category": "Execution"},
                {"id": "req_file", "type": "File", "sbg:category": "Input files"},
                {"id": "opt_plain", "type": "string?"},
                {"id": "req_exec", "type": "int", "sbg:category": "Execution"},
            ]
        }
    )
    form = build_inputs_form(spec)(None, prefix="inputs")
    html = render(app, spec, form)
    details_at = html.index("<details")
    assert html.index('id="inputs-req_file"') < details_at
    assert html.index('id="inputs-req_exec"') < details_at
    assert html.index('id="inputs-opt_exec"') > details_at
    assert html.index('id="inputs-opt_plain"') > details_at
    legends = [t for t in Page(html).full_text.split() if t in ("Execution", "Inputs")]
    assert legends.count("Execution") == 2  # a required and an optional group
    assert "open" not in Page(html).all("details")[0]


def test_suggested_values_are_offered_never_chosen(app, real_apps):
    spec = real_apps.spec("sbg-wes-bwa-gatk4-cwl1")
    form = build_inputs_form(spec)(None, prefix="inputs")
    page = Page(render(app, spec, form))
    suggested = spec.input("reference").suggested_value
    buttons = page.all("button", **{"data-fill-target": "inputs-reference"})
    assert buttons and buttons[0]["data-fill-value"] == suggested["path"]
    assert page.all("input", id="inputs-reference")[0]["value"] == ""
    assert suggested["name"] in page.full_text


def test_file_inputs_carry_picker_attributes_and_show_names(app):
    spec = parse_app(
        {"inputs": {"reads": {"type": "File", "sbg:fileTypes": "BAM, Cram"}, "more": "File[]?"}}
    )
    formdata = MultiDict([("inputs-reads", FILE_A), ("inputs-more", FILE_A)])
    form = build_inputs_form(spec)(formdata, prefix="inputs")
    page = Page(render(app, spec, form, {FILE_A: "sample <1>.bam"}))
    reads = page.all("input", id="inputs-reads")[0]
    assert reads["data-picker"] == "File"
    assert reads["data-picker-file-types"] == "bam,cram"
    assert "data-picker-multiple" not in reads
    assert page.all("input", id="inputs-more")[0]["data-picker-multiple"] == "1"
    assert "sample <1>.bam" in page.full_text


def test_rows_have_a_template_for_new_rows_and_markers(app):
    spec = parse_app({"inputs": {"tags": "string[]", "nums": "int[]?"}})
    formdata = MultiDict([("inputs-tags-0", "a"), ("inputs-tags-3", "b")])
    form = build_inputs_form(spec)(formdata, prefix="inputs")
    page = Page(render(app, spec, form))
    assert [
        a["value"]
        for a in page.all("input")
        if a.get("name", "").startswith("inputs-tags-") and a.get("type") == "text"
    ] == ["a", "b"]
    assert page.all("fieldset", id="inputs-tags")[0]["data-next-index"] == "4"
    names = [a.get("name") for _, a in page.template_elements]
    assert "inputs-tags-__row0__" in names and "inputs-tags-__row0__-@row" in names


HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">"\'&'


def hostile_app():
    return parse_app(
        {
            "cwlVersion": "v1.2",
            "class": "CommandLineTool",
            "inputs": [
                {
                    "id": "evil",
                    "label": HOSTILE,
                    "doc": '[click](javascript:window.__pwned=3) <a href="javascript:x()">a</a>'
                    "\n\n# <script>window.__pwned=4</script>\n\n" + HOSTILE,
                    "type": {"type": "enum", "symbols": [HOSTILE, 'ok"><script>x</script>']},
                    "sbg:toolDefaultValue": HOSTILE,
                    "sbg:category": HOSTILE,
                    "sbg:fileTypes": '"><script>x</script>',
                },
                {
                    "id": "rec",
                    "label": "Record " + HOSTILE,
                    "type": {
                        "type": "record",
                        "fields": [
                            {"name": "f", "label": HOSTILE, "doc": HOSTILE, "type": "string"}
                        ],
                    },
                },
                {"id": "files", "type": "File[]", "sbg:fileTypes": '" onmouseover="x()'},
                {
                    "id": "sugg",
                    "type": "string?",
                    "sbg:suggestedValue": '" onclick="window.__pwned=5',
                },
            ],
        }
    )


def test_hostile_labels_docs_and_symbols_are_shown_as_text(app):
    spec = hostile_app()
    formdata = MultiDict([("inputs-evil", HOSTILE), ("inputs-rec-f", HOSTILE)])
    form = build_inputs_form(spec)(formdata, prefix="inputs")
    form.validate()
    page = Page(render(app, spec, form, {}))
    tags = {tag for tag, _ in page.elements} | {tag for tag, _ in page.template_elements}
    assert "img" not in tags
    # The only script is the form's own enhancement, loaded from the app's static files.
    assert [a.get("src") for a in page.all("script")] == ["/static/inputs.js"]
    for _, attrs in page.elements + page.template_elements:
        assert not [k for k in attrs if k.startswith("on")], attrs
        assert not (attrs.get("href") or "").lower().startswith("javascript")
    text = page.full_text
    assert "<script>window.__pwned=1</script>" in text  # the label, as text
    assert text.count('<img src=x onerror="window.__pwned=2">"\'&') >= 4
    assert "[click](javascript:window.__pwned=3)" in text
    assert [a["value"] for a in page.all("option")][1:3] == [HOSTILE, 'ok"><script>x</script>']


class Submission(HTMLParser):
    """What a browser would send for the rendered form (controls inside <template> are inert)."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.pairs = []
        self._template_depth = 0
        self._select = None  # [name, options]
        self._textarea = None  # [name, text]
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "template":
            self._template_depth += 1
        if self._template_depth:
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("text", "hidden") or (kind == "checkbox" and "checked" in attrs):
                self.pairs.append((attrs["name"], attrs.get("value", "")))
        elif tag == "select":
            self._select = [attrs["name"], []]
        elif tag == "option" and self._select is not None:
            self._select[1].append((attrs["value"], "selected" in attrs))
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "template":
            self._template_depth -= 1
        elif tag == "select" and self._select is not None:
            name, options = self._select
            chosen = [value for value, selected in options if selected] or [options[0][0]]
            self.pairs.append((name, chosen[-1]))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.pairs.append(tuple(self._textarea))
            self._textarea = None


def resubmit(app, spec, inputs):
    """inputs -> form -> rendered page -> what the browser sends -> form -> body."""
    form_class = build_inputs_form(spec)
    form = form_class(inputs_formdata(spec, inputs), prefix="inputs")
    assert form.validate(), form.errors
    html = render(app, spec, form)
    page = Page(html)
    check_accessible_structure(page)
    sent = MultiDict(Submission(html).pairs)
    again = form_class(sent, prefix="inputs")
    assert again.validate(), (again.errors, list(sent.items(multi=True)))
    return inputs_body(again, spec)


@pytest.mark.parametrize("path", REAL_APPS, ids=lambda p: p.stem)
def test_what_the_page_shows_is_what_it_sends_back_real_apps(app, path):
    spec = parse_app(json.loads(path.read_text()))

    @settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
    @given(inputs_for(spec.inputs))
    def check(inputs):
        assert resubmit(app, spec, inputs) == inputs

    check()


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_what_the_page_shows_is_what_it_sends_back_generated_apps(app, data):
    spec = parse_app(data.draw(raw_apps()))
    inputs = data.draw(inputs_for(spec.inputs))
    assert resubmit(app, spec, inputs) == inputs


def test_secondary_files_are_described_in_plain_words(app):
    spec = parse_app(
        {
            "inputs": {
                "bam": {
                    "type": "File",
                    "secondaryFiles": [
                        ".bai",
                        {"pattern": "^.crai", "required": False},
                        "${ return self.basename + '.x' }",
                    ],
                }
            }
        }
    )
    page = Page(render(app, spec, build_inputs_form(spec)(None, prefix="inputs")))
    assert "Comes with: .bai, ^.crai (if present), files the app works out" in page.full_text
    assert "return self.basename" not in page.full_text


BAD_VALUES = {
    "int": ["ten", "1.5", "2147483648", "-2147483649"],
    "long": ["9223372036854775808", "1e3", "x"],
    "float": ["abc", "1e999", "1,5"],
    "double": ["nan", "--1"],
    "enum": ["not a symbol", "<script>x</script>"],
    "Any": ["{nope", "[1,", "NaN"],
    "File": ["my.bam", "5f4ffff4e4b0370371c0515"],
    "boolean": [],
}


def scalar_inputs(spec):
    return [i for i in spec.inputs if BAD_VALUES.get(i.type.kind)]


@pytest.mark.parametrize(
    "path",
    [p for p in REAL_APPS if scalar_inputs(parse_app(json.loads(p.read_text())))],
    ids=lambda p: p.stem,
)
def test_one_bad_value_is_named_and_everything_else_comes_back_as_typed(app, path):
    spec = parse_app(json.loads(path.read_text()))
    form_class = build_inputs_form(spec)

    @settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
    @given(inputs_for(spec.inputs), st.data())
    def check(inputs, data):
        target = data.draw(st.sampled_from(scalar_inputs(spec)))
        bad = data.draw(st.sampled_from(BAD_VALUES[target.type.kind]))
        sent = inputs_formdata(spec, inputs)
        sent.setlist(f"inputs-{target.id}", [bad])
        form = form_class(sent, prefix="inputs")
        assert not form.validate()
        assert list(form.errors) == [target.id]
        html = render(app, spec, form)
        page = Page(html)
        control = [a for _, a in page.elements if a.get("id") == f"inputs-{target.id}"][0]
        assert control["aria-invalid"] == "true"
        # The page sends back exactly what was sent, the bad value included.
        back = MultiDict(Submission(html).pairs)
        for name, values in sent.lists():
            assert back.getlist(name) == values, name

    check()


def test_a_default_the_form_cannot_hold_is_named_not_prefilled(app):
    spec = parse_app(
        {
            "inputs": {
                "ref": {
                    "type": "File?",
                    "default": {"class": "File", "location": "s3://bucket/ref.fa"},
                },
                "n": {"type": "int?", "default": 4},
            }
        }
    )
    form = build_inputs_form(spec)(None, prefix="inputs")
    assert form["ref"].value("inputs-ref") == "" and form["n"].value("inputs-n") == "4"
    page = Page(render(app, spec, form))
    assert "Left empty, the app uses its default: s3://bucket/ref.fa" in page.full_text
    assert form.validate() and inputs_body(form, spec) == {"n": 4}


@pytest.mark.parametrize("path", REAL_APPS, ids=lambda p: p.stem)
def test_every_real_default_is_prefilled(path):
    spec = parse_app(json.loads(path.read_text()))
    form = build_inputs_form(spec)(None, prefix="inputs")
    for item in spec.inputs:
        if item.has_default:
            assert not form[item.id].default_unused, item.id
            assert form[item.id].data == item.default, item.id


def without_javascript(html):
    """What a browser without JavaScript sends for the page as drawn, as a dict of lists."""
    return MultiDict(Submission(html).pairs)


def test_without_javascript_optional_lists_of_records_and_of_mixed_types_get_rows(app):
    record = {"type": "record", "fields": {"id": "string", "n": "int?"}}
    spec = parse_app(
        {
            "inputs": {
                "lanes": ["null", {"type": "array", "items": record}],
                "mixed": ["null", {"type": "array", "items": ["string", "int"]}],
            }
        }
    )
    form_class = build_inputs_form(spec)
    # The empty form offers one spare row in each list; sent blank, it is no item.
    html = render(app, spec, form_class(prefix="inputs"))
    spares = [a for a in Page(html).all("li") if "data-spare-row" in a]
    assert len(spares) == 2
    sent = without_javascript(html)
    blank = form_class(sent, prefix="inputs")
    assert blank.validate(), blank.errors
    assert inputs_body(blank, spec) == {}

    # Fill the spare rows in and send: each becomes an item.
    sent["inputs-lanes-0-id"] = "L1"
    sent["inputs-mixed-0-@type"] = "int"
    sent["inputs-mixed-0-@int"] = "7"
    first = form_class(sent, prefix="inputs")
    assert first.validate(), first.errors
    assert inputs_body(first, spec) == {"lanes": [{"id": "L1"}], "mixed": [7]}

    # The page drawn again keeps them, with a new spare row after each, so the lists grow again.
    again = without_javascript(render(app, spec, first))
    assert again["inputs-lanes-0-id"] == "L1" and again["inputs-mixed-0-@int"] == "7"
    again["inputs-lanes-1-id"] = "L2"
    again["inputs-lanes-1-n"] = "2"
    second = form_class(again, prefix="inputs")
    assert second.validate(), second.errors
    assert inputs_body(second, spec) == {
        "lanes": [{"id": "L1"}, {"id": "L2", "n": 2}],
        "mixed": [7],
    }


def test_a_spare_row_filled_in_half_is_an_item_with_its_problem_named(app):
    record = {"type": "record", "fields": {"id": "string", "n": "int?"}}
    spec = parse_app({"inputs": {"lanes": ["null", {"type": "array", "items": record}]}})
    form_class = build_inputs_form(spec)
    sent = without_javascript(render(app, spec, form_class(prefix="inputs")))
    sent["inputs-lanes-0-n"] = "3"
    form = form_class(sent, prefix="inputs")
    assert not form.validate()
    page = Page(render(app, spec, form))
    assert "This field is required." in page.full_text
    assert page.all("input", name="inputs-lanes-0-n")[0]["value"] == "3"
