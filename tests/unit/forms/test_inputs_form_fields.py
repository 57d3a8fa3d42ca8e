"""The inputs form: typed parsing, messages on the right control, values kept as typed."""

import pytest
from flask import Flask
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import FormField

from appspec import parse_app
from forms.inputs import (
    build_inputs_form,
    file_ids,
    inputs_body,
    inputs_formdata,
    set_batch_input,
    validate_inputs,
)

FILE_A = "5f4ffff4e4b0370371c05153"
FILE_B = "6063901f357c3a53540ca84b"


def app_of(inputs, **extra):
    return parse_app({"cwlVersion": "v1.2", "class": "CommandLineTool", "inputs": inputs, **extra})


def submit(spec, pairs):
    form = build_inputs_form(spec)(MultiDict(pairs), prefix="inputs")
    ok = form.validate()
    return form, ok


SCALARS = app_of(
    {
        "count": "int",
        "big": "long?",
        "ratio": "float?",
        "name": "string?",
        "flag": "boolean",
        "maybe": "boolean?",
        "mode": {"type": "enum", "symbols": ["fast", "BAM Unsorted", "0"]},
        "extra": "Any?",
    }
)


def test_valid_scalars_become_typed_values_and_empty_optionals_are_left_out():
    form, ok = submit(
        SCALARS,
        [
            ("inputs-count", " 42 "),
            ("inputs-big", "20000000000"),
            ("inputs-ratio", "1e-3"),
            ("inputs-name", ""),
            ("inputs-maybe", "false"),
            ("inputs-mode", "BAM Unsorted"),
            ("inputs-extra", '{"a": [1, null]}'),
        ],
    )
    assert ok, form.errors
    assert inputs_body(form, SCALARS) == {
        "count": 42,
        "big": 20000000000,
        "ratio": 0.001,
        "flag": False,  # an unticked required boolean is sent as false
        "maybe": False,  # the optional boolean said false, which is not the same as unset
        "mode": "BAM Unsorted",
        "extra": {"a": [1, None]},
    }


@pytest.mark.parametrize(
    ("name", "typed", "message"),
    [
        ("count", "ten", "whole number"),
        ("count", "1.5", "decimals are not allowed"),
        ("count", "2147483648", "from -2147483648 to 2147483647"),
        ("big", "9223372036854775808", "to 9223372036854775807"),
        ("ratio", "abc", "Enter a number"),
        ("ratio", "1e999", "too large"),
        ("mode", "slow", "not one of the choices"),
        ("extra", "{nope", "not valid JSON"),
        ("maybe", "perhaps", "true or false"),
    ],
)
def test_invalid_values_get_a_message_on_that_field_and_everything_else_stays(name, typed, message):
    pairs = {
        "inputs-count": "7",
        "inputs-big": "5",
        "inputs-ratio": "0.5",
        "inputs-name": "<b>kept</b>",
        "inputs-mode": "fast",
        "inputs-extra": "[1]",
        "inputs-maybe": "true",
        "inputs-flag": "true",
    }
    pairs[f"inputs-{name}"] = typed
    form, ok = submit(SCALARS, list(pairs.items()))
    assert not ok
    assert list(form.errors) == [name]
    assert message in " ".join(form[name].errors)
    assert form[name].errors_for(f"inputs-{name}")
    for other, value in pairs.items():
        field_id = other.removeprefix("inputs-")
        assert form[field_id].value(other) == value  # as typed, for the re-rendered page


def test_missing_required_inputs_are_named():
    form, ok = submit(SCALARS, [("inputs-name", "x")])
    assert not ok
    assert set(form.errors) == {"count", "mode"}
    assert form["count"].errors == ["This input is required."]
    assert form["name"].value("inputs-name") == "x"


FILES = app_of(
    {
        "reads": {"type": "File", "sbg:fileTypes": "BAM, Cram"},
        "many": "File[]?",
        "folder": "Directory?",
    }
)


def test_file_ids_are_checked_and_turned_into_file_objects():
    form, ok = submit(
        FILES,
        [
            ("inputs-reads", FILE_A),
            ("inputs-many", f"{FILE_A}, {FILE_B}\n"),
            ("inputs-folder", FILE_B),
        ],
    )
    assert ok, form.errors
    assert inputs_body(form, FILES) == {
        "reads": {"class": "File", "path": FILE_A},
        "many": [{"class": "File", "path": FILE_A}, {"class": "File", "path": FILE_B}],
        "folder": {"class": "Directory", "path": FILE_B},
    }
    assert file_ids(form, FILES) == [FILE_A, FILE_B]


def test_a_bad_file_id_is_refused_clearly():
    form, ok = submit(FILES, [("inputs-reads", "my_reads.bam")])
    assert not ok
    assert "“my_reads.bam” is not a file id" in form["reads"].errors[0]


def test_several_files_in_a_single_file_input_only_for_the_batch_input():
    pairs = [("inputs-reads", f"{FILE_A} {FILE_B}")]
    form, ok = submit(FILES, pairs)
    assert not ok and "Choose one file" in form["reads"].errors[0]
    form = build_inputs_form(FILES)(MultiDict(pairs), prefix="inputs")
    assert validate_inputs(form, FILES, batch_input="#reads")
    assert inputs_body(form, FILES, batch_input="reads") == {
        "reads": [{"class": "File", "path": FILE_A}, {"class": "File", "path": FILE_B}]
    }
    # One file in the batch input is still sent as a list.
    form = build_inputs_form(FILES)(MultiDict([("inputs-reads", FILE_A)]), prefix="inputs")
    set_batch_input(form, "reads")
    assert form.validate()
    assert inputs_body(form, FILES, "reads") == {"reads": [{"class": "File", "path": FILE_A}]}


AWKWARD_IDS = app_of(
    {
        "data": "string",
        "errors": "int?",
        "meta": "string?",
        "process": "string?",
        "validate": "string?",
        "populate_obj": "string?",
        "rel-check": "string?",
        "my.input": "int?",
        "_private": "string?",
        "class": "string?",
        "filter_x": "string?",
    }
)


def test_ids_that_are_not_identifiers_or_collide_with_form_attributes_still_work():
    pairs = [(f"inputs-{i.id}", str(n)) for n, i in enumerate(AWKWARD_IDS.inputs)]
    form, ok = submit(AWKWARD_IDS, pairs)
    assert ok, form.errors
    body = inputs_body(form, AWKWARD_IDS)
    assert body == {
        i.id: (n if i.type.kind == "int" else str(n)) for n, i in enumerate(AWKWARD_IDS.inputs)
    }
    assert form.data == body
    assert [f.name for f in form] == [f"inputs-{i.id}" for i in AWKWARD_IDS.inputs]
    assert "rel-check" in form and form["validate"].short_name == "validate"
    assert callable(form.validate) and callable(form.process)


def test_mounted_in_a_flask_task_form_the_names_are_inputs_dash_id():
    app = Flask(__name__)
    app.config.update(SECRET_KEY="test", WTF_CSRF_ENABLED=False)
    inputs_class = build_inputs_form(AWKWARD_IDS)

    class TaskForm(FlaskForm):
        inputs = FormField(inputs_class, separator="-")

    pairs = [("inputs-data", "d"), ("inputs-errors", "x"), ("inputs-rel-check", "r")]
    with app.test_request_context(method="POST", data=MultiDict(pairs)):
        form = TaskForm()
        assert not form.validate()
        assert form.errors == {"inputs": {"errors": ["Enter a whole number, like 42."]}}
        assert form.inputs["rel-check"].name == "inputs-rel-check"
        assert form.inputs["rel-check"].data == "r"
        assert form.inputs.form["data"].data == "d"
        assert inputs_body(form.inputs, AWKWARD_IDS) == {"data": "d", "rel-check": "r"}


def test_defaults_prefill_the_first_display_only():
    spec = app_of(
        {"n": {"type": "int?", "default": 3}, "flag": {"type": "boolean", "default": True}}
    )
    form = build_inputs_form(spec)(None, prefix="inputs")
    assert form["n"].value("inputs-n") == "3"
    assert inputs_body(form, spec) == {"n": 3, "flag": True}
    form, ok = submit(spec, [("inputs-n", "")])
    assert ok and inputs_body(form, spec) == {"flag": False}


def test_inputs_formdata_accepts_prefixed_keys_and_keeps_misfits_visible():
    md = inputs_formdata(SCALARS, {"#count": "ten", "#main/name": "x", "unknown": 1})
    form = build_inputs_form(SCALARS)(md, prefix="inputs")
    assert not form.validate()
    assert form["count"].value("inputs-count") == "ten"
    assert form["name"].data == "x"


def test_validating_twice_does_not_repeat_messages():
    form = build_inputs_form(FILES)(
        MultiDict([("inputs-reads", f"{FILE_A} {FILE_B}"), ("inputs-many", "x")]), prefix="inputs"
    )
    assert not form.validate()
    assert not form.validate()
    assert form["reads"].errors == ["Choose one file: this input takes a single file."]
    assert form["reads"].errors_for("inputs-reads") == form["reads"].errors
    assert len(form["many"].errors) == 1


def test_unknown_types_take_json_and_say_why():
    spec = app_of({"odd": {"type": {"type": "map", "values": "string"}}})
    form, ok = submit(spec, [("inputs-odd", '{"a": "b"}')])
    assert ok and inputs_body(form, spec) == {"odd": {"a": "b"}}
    control = form["odd"].controls()
    assert control.kind == "json" and "Enter the value as JSON" in control.help.note
    form, ok = submit(spec, [("inputs-odd", "{'a': 1}")])
    assert not ok and "not valid JSON" in form["odd"].errors[0]


def test_optional_record_is_sent_only_when_ticked_even_empty():
    spec = parse_app(
        {
            "inputs": {
                "genome": {
                    "type": [
                        "null",
                        {
                            "type": "record",
                            "fields": [
                                {"name": "gz", "type": "boolean?"},
                                {"name": "rel-check", "type": "boolean?"},
                            ],
                        },
                    ]
                }
            }
        }
    )
    form, ok = submit(spec, [])
    assert ok and inputs_body(form, spec) == {}
    form, ok = submit(spec, [("inputs-genome-@set", "true")])
    assert ok and inputs_body(form, spec) == {"genome": {}}
    form, ok = submit(spec, [("inputs-genome-@set", "true"), ("inputs-genome-rel-check", "true")])
    assert ok and inputs_body(form, spec) == {"genome": {"rel-check": True}}
    # Values filled in but the record not ticked: said, not silently dropped.
    form, ok = submit(spec, [("inputs-genome-gz", "false")])
    assert not ok and "not ticked" in form["genome"].errors[0]


def test_rows_drop_empty_items_and_keep_nulls_where_null_is_allowed():
    spec = parse_app(
        {
            "inputs": {
                "tags": "string[]",
                "lanes": {"type": {"type": "array", "items": ["null", "string"]}},
            }
        }
    )
    form, ok = submit(
        spec,
        [
            ("inputs-tags-0", "a"),
            ("inputs-tags-1", ""),
            ("inputs-tags-5", "b"),
            ("inputs-lanes-0", ""),
            ("inputs-lanes-1", "L1"),
        ],
    )
    assert ok, form.errors
    assert inputs_body(form, spec) == {"tags": ["a", "b"], "lanes": [None, "L1"]}
    form, ok = submit(spec, [("inputs-tags-0", ""), ("inputs-lanes-0-@row", "1")])
    assert not ok and form["tags"].errors == ["Add at least one item."]


def test_a_row_number_too_long_to_read_is_no_row_rather_than_a_crash():
    # Python refuses to read integers of more than 4300 digits; a posted name may have them.
    spec = parse_app({"inputs": {"tags": "string[]?"}})
    form, ok = submit(spec, [("inputs-tags-" + "9" * 5000, "a"), ("inputs-tags-0", "b")])
    assert ok, form.errors
    assert inputs_body(form, spec) == {"tags": ["b"]}


def test_union_branch_is_the_chosen_one_or_the_only_one_filled():
    spec = parse_app({"inputs": {"regions": ["null", "File", "string"]}})
    form, ok = submit(
        spec,
        [
            ("inputs-regions-@type", "string"),
            ("inputs-regions-@string", "chr1"),
            ("inputs-regions-@File", "typed but not chosen"),
        ],
    )
    assert ok and inputs_body(form, spec) == {"regions": "chr1"}
    form, ok = submit(spec, [("inputs-regions-@type", ""), ("inputs-regions-@File", FILE_A)])
    assert ok and inputs_body(form, spec) == {"regions": {"class": "File", "path": FILE_A}}
    form, ok = submit(spec, [("inputs-regions-@File", FILE_A), ("inputs-regions-@string", "x")])
    assert not ok and form["regions"].errors == ["Choose which kind of value to send."]
    form, ok = submit(spec, [("inputs-regions-@type", "string")])
    assert not ok and form["regions"].errors == ["Enter a value of the chosen kind."]
    assert form["regions"].errors_for("inputs-regions-@string") == form["regions"].errors


def test_a_batch_draft_fills_the_single_file_input_with_all_its_files():
    objects = [{"class": "File", "path": FILE_A}, {"class": "File", "path": FILE_B}]
    formdata = inputs_formdata(FILES, {"reads": objects})
    assert formdata["inputs-reads"] == f"{FILE_A} {FILE_B}"
    form = build_inputs_form(FILES)(formdata, prefix="inputs")
    assert validate_inputs(form, FILES, "reads")
    assert inputs_body(form, FILES, "reads") == {"reads": objects}


def test_layout_groups_by_category_required_first():
    spec = parse_app(
        {
            "inputs": [
                {"id": "b", "type": "int?", "sbg:category": "Execution"},
                {"id": "a", "type": "File"},
                {"id": "c", "type": "int?", "sbg:exposed": True},
                {"id": "d", "type": "string", "sbg:category": "Execution"},
            ]
        }
    )
    form = build_inputs_form(spec)(MultiDict([("inputs-b", "3")]), prefix="inputs")
    layout = form.layout(spec)
    assert [(g.title, [c.name for c in g.controls]) for g in layout.required] == [
        ("Inputs", ["inputs-a"]),
        ("Execution", ["inputs-d"]),
    ]
    assert [(g.title, [c.name for c in g.controls]) for g in layout.optional] == [
        ("Execution", ["inputs-b"]),
        ("App settings", ["inputs-c"]),
    ]
    assert (layout.optional_count, layout.optional_set) == (2, 1)


def test_a_bad_row_is_named_and_the_rest_stays():
    spec = parse_app(
        {
            "inputs": {
                "sizes": "int[]",
                "recs": {
                    "type": {
                        "type": "array",
                        "items": {"type": "record", "fields": {"id": "string", "n": "int?"}},
                    }
                },
            }
        }
    )
    form, ok = submit(
        spec,
        [
            ("inputs-sizes-0", "1"),
            ("inputs-sizes-1", "two"),
            ("inputs-sizes-2", " "),
            ("inputs-recs-0-@row", "1"),
            ("inputs-recs-0-id", "a"),
            ("inputs-recs-1-@row", "1"),
            ("inputs-recs-1-n", "5"),
        ],
    )
    assert not ok
    assert form["sizes"].errors_for("inputs-sizes-1") == ["Enter a whole number, like 42."]
    assert form["sizes"].errors_for("inputs-sizes-2") == []  # a blank row is no item
    assert form["recs"].errors_for("inputs-recs-1-id") == ["This field is required."]
    assert form["sizes"].value("inputs-sizes-1") == "two"
    assert form["recs"].value("inputs-recs-1-n") == "5"
    assert form["sizes"].data is None and form["recs"].data is None


def test_inputs_problems_name_what_cannot_be_carried_over():
    from forms.inputs import inputs_problems

    problems = inputs_problems(
        FILES,
        {
            "#reads": [{"class": "File", "path": FILE_A}],  # a batch draft's list: fine
            "many": "not a list of files",
            "gone": 1,
        },
    )
    assert problems == [
        "The value of “many” does not fit its type; check it below.",
        "“gone” is not an input of this app, so it was left out.",
    ]
    assert inputs_problems(SCALARS, {"count": 3, "mode": "fast", "flag": True}) == []
