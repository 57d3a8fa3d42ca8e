"""The task form on its own (no HTTP): the body it makes, the reference line, errors listed."""

import pytest
from werkzeug.datastructures import MultiDict

from app import create_app
from forms.task import (
    build_task_form,
    description_with_marker,
    draft_formdata,
    edit_body,
    error_list,
    split_marker,
    split_note,
    task_body,
)

FILE = {"class": "File", "path": "5f0c1e2d3a4b5c6d7e8f9012"}


@pytest.fixture
def specs(real_apps):
    return real_apps.spec("sbg-bamtools-index-draft2").inputs


@pytest.fixture
def request_context(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SB_API_ENDPOINT": "http://127.0.0.1:9/v2",
            "SB_AUTH_TOKEN": None,
            "SECRET_KEY": "k",
            "WTF_CSRF_ENABLED": False,
            "SESSION_FILE_DIR": str(tmp_path),
        }
    )
    with app.test_request_context(method="POST"):
        yield


def make_form(specs, **data):
    values = {
        "name": "T",
        "submission_id": "0123456789abcdef0123456789abcdef",
        "batch-mode": "off",
        **data,
    }
    form = build_task_form(specs)(formdata=MultiDict(values))
    return form


def test_only_what_is_set_is_sent(request_context, specs):
    form = make_form(specs, **{"inputs-input_bam_file": FILE["path"]})
    assert form.validate(), error_list(form)
    assert task_body(form, specs, "me/p", "me/p/app/3") == {
        "name": "T",
        "project": "me/p",
        "app": "me/p/app/3",
        "description": "Submitted from the draft-task launcher, ref 0123456789ab",
        "inputs": {"input_bam_file": FILE},
    }


def test_the_reference_line_is_never_doubled():
    text = description_with_marker("notes", "0123456789ab")
    assert text == "notes\n\nSubmitted from the draft-task launcher, ref 0123456789ab"
    assert description_with_marker(text, "0123456789ab") == text
    assert split_marker(text) == ("notes", "0123456789ab")
    assert split_marker("plain") == ("plain", None)


def test_the_pre_flight_note_sits_above_the_reference_line_and_is_replaced_on_each_save():
    note = (
        "Pre-flight check: 1 of 2 chosen files lacked a required companion file:\n"
        "- x.bam: .bai missing"
    )
    text = description_with_marker("notes", "0123456789ab", note)
    assert text == f"notes\n\n{note}\n\nSubmitted from the draft-task launcher, ref 0123456789ab"
    # Saved again with every companion there: the old note goes, the user's text stays.
    assert description_with_marker(text, "0123456789ab") == description_with_marker(
        "notes", "0123456789ab"
    )
    assert description_with_marker(note, "0123456789ab", note).count("Pre-flight") == 1
    assert split_note(split_marker(text)[0]) == "notes"


def test_an_edit_that_turns_batch_off_clears_it(request_context, specs):
    draft = {
        "name": "T",
        "batch_input": "input_bam_file",
        "batch_by": {"type": "ITEM"},
        "inputs": {"input_bam_file": [FILE]},
    }
    form = make_form(specs, **{"inputs-input_bam_file": FILE["path"]})
    assert form.validate(), error_list(form)
    body = edit_body(form, specs, draft)
    assert body["batch"] is False
    assert "batch_input" not in body and "batch_by" not in body
    assert "project" not in body and "app" not in body


def test_a_draft_fills_the_form_and_comes_back_the_same(request_context, specs):
    draft = {
        "name": "Round trip",
        "description": "Hi\n\nSubmitted from the draft-task launcher, ref 0123456789ab",
        "inputs": {"input_bam_file": FILE, "bti_format": True},
        "execution_settings": {"instance_type": "c5.large", "use_memoization": False},
        "use_interruptible_instances": True,
    }
    form = build_task_form(specs)(formdata=draft_formdata(draft, specs))
    assert form.validate(), error_list(form)
    body = edit_body(form, specs, draft)
    assert body == {key: draft[key] for key in body}
    assert set(body) == set(draft)


def test_errors_are_listed_with_the_field_to_jump_to(request_context, specs):
    form = make_form(specs, name="", **{"execution-max_parallel_instances": "0"})
    assert not form.validate()
    listed = {(field_id, message) for field_id, _label, message in error_list(form)}
    assert ("name", "Give the task a name.") in listed
    assert any(field_id == "execution-max_parallel_instances" for field_id, _ in listed)
