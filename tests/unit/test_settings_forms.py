"""Execution and batch settings: parsing, validation messages, the task-body parts, and
pre-filling from a draft. The forms are mounted as the task form mounts them (prefixes
`execution-` and `batch-`)."""

import re
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader
from werkzeug.datastructures import MultiDict
from wtforms import Form, FormField

from appspec.types import ArrayType, InputSpec, PrimitiveType, RecordField, RecordType
from batching import BATCH_PRESET_LABELS, BATCH_PRESETS, preview
from forms.settings import (
    CUSTOM_INSTANCE_MESSAGE,
    WHOLE_NUMBER_MESSAGE,
    BatchForm,
    ExecutionSettingsForm,
    batch_body,
    batch_input_choices,
    execution_body,
    fill_batch,
    fill_execution,
)
from markup import file_items, group_rows, isolate

REPO = Path(__file__).resolve().parents[2]


class TaskSettings(Form):
    execution = FormField(ExecutionSettingsForm, separator="-")
    batch = FormField(BatchForm, separator="-")


SPECS = [
    InputSpec(id="reads", type=ArrayType(PrimitiveType("File")), required=True, label="Reads"),
    InputSpec(id="reference", type=PrimitiveType("File"), required=True, label="Reference"),
    InputSpec(id="bundle", type=PrimitiveType("Directory"), required=False),
    InputSpec(id="threads", type=PrimitiveType("int"), required=False, label="Threads"),
    InputSpec(id="names", type=ArrayType(PrimitiveType("string")), required=False),
    InputSpec(
        id="pair",
        type=RecordType((RecordField("left", PrimitiveType("File")),)),
        required=False,
    ),
]


def settings_form(**data):
    form = TaskSettings(MultiDict(data))
    form.batch.input.choices = batch_input_choices(SPECS)
    return form


def test_nothing_chosen_sends_nothing():
    form = settings_form()
    assert form.validate(), form.errors
    assert execution_body(form.execution) == ({}, None)
    assert batch_body(form.batch) == (None, None)


def test_every_execution_setting_reaches_the_body():
    form = settings_form(
        **{
            "execution-instance_type": "c5.2xlarge",
            "execution-max_parallel_instances": "4",
            "execution-use_memoization": "on",
            "execution-use_interruptible_instances": "off",
            "execution-use_elastic_disk": "on",
        }
    )
    assert form.validate(), form.errors
    settings, spot = execution_body(form.execution)
    assert settings == {
        "instance_type": "c5.2xlarge",
        "max_parallel_instances": 4,
        "use_memoization": True,
        "use_elastic_disk": True,
    }
    assert spot is False


def test_switches_left_at_project_default_are_absent():
    form = settings_form(
        **{
            "execution-use_memoization": "off",
            "execution-use_elastic_disk": "",
            "execution-use_interruptible_instances": "",
        }
    )
    assert form.validate(), form.errors
    assert execution_body(form.execution) == ({"use_memoization": False}, None)


def test_instance_labels_show_cpus_and_memory():
    choices = ExecutionSettingsForm().instance_type.choices
    labels = {choice.value: choice.label for choice in choices}
    assert labels["c5.2xlarge"] == "c5.2xlarge — 8 vCPU, 16 GiB"
    assert labels["r5.4xlarge"] == "r5.4xlarge — 16 vCPU, 128 GiB"
    assert labels[""] == "Project default"
    assert labels["custom"] == "Custom…"


def test_custom_instance_type_is_sent_as_typed():
    form = settings_form(
        **{
            "execution-instance_type": "custom",
            "execution-custom_instance_type": " c5.4xlarge;ebs-gp2;1024 ",
        }
    )
    assert form.validate(), form.errors
    assert execution_body(form.execution) == ({"instance_type": "c5.4xlarge;ebs-gp2;1024"}, None)


@pytest.mark.parametrize(
    "typed",
    [
        "c5.4xlarge",
        "c5.4xlarge;ebs-gp2",
        "c5.4xlarge;ebs-gp2;",
        "c5.4xlarge;ebs-gp2;lots",
        "c5.4xlarge;ebs-gp2;0",
        "c5 4xlarge;ebs-gp2;1024",
        "<b>c5</b>;ebs-gp2;10",
        "c5.4xlarge;;1024",
        "c5.huge;ebs-gp2;100",
        "c5.4xlarge;gp2;100",
        "c5.4xlarge;ebs-gp2;100000",
        "C5.4XLARGE;ebs-gp2;9",
    ],
)
def test_malformed_custom_instance_type_is_refused_and_kept(typed):
    form = settings_form(
        **{
            "execution-instance_type": "custom",
            "execution-custom_instance_type": typed,
        }
    )
    assert not form.validate()
    assert form.execution.custom_instance_type.errors == [CUSTOM_INSTANCE_MESSAGE]
    assert form.execution.custom_instance_type.data == typed  # nothing the user typed is lost
    assert form.execution.instance_type.data == "custom"


def test_custom_chosen_but_empty_asks_for_a_value():
    form = settings_form(**{"execution-instance_type": "custom"})
    assert not form.validate()
    assert form.execution.custom_instance_type.errors == [
        "Enter the custom instance type, or choose one from the list above."
    ]


def test_a_custom_value_with_a_listed_type_is_a_contradiction():
    form = settings_form(
        **{
            "execution-instance_type": "m5.large",
            "execution-custom_instance_type": "c5.4xlarge;ebs-gp2;1024",
        }
    )
    assert not form.validate()
    assert "Choose “Custom…”" in form.execution.custom_instance_type.errors[0]


@pytest.mark.parametrize(
    "typed",
    [
        "m5.large;ebs-gp3;500",
        "r5d.24xlarge;ebs-io1;16384",
        "m5.metal;ebs-gp2;1",
        "t3.medium;ebs-st1;99999",
        "x2iedn.32xlarge;ebs-gp2;2000",
    ],
)
def test_well_formed_custom_instance_types_pass(typed):
    form = settings_form(
        **{"execution-instance_type": "custom", "execution-custom_instance_type": typed}
    )
    assert form.validate(), form.errors


def test_a_custom_value_with_project_default_is_used():
    form = settings_form(**{"execution-custom_instance_type": "m5.large;ebs-gp3;500"})
    assert form.validate(), form.errors
    assert execution_body(form.execution)[0] == {"instance_type": "m5.large;ebs-gp3;500"}


def test_unknown_instance_choice_is_refused():
    form = settings_form(**{"execution-instance_type": "z9.huge"})
    assert not form.validate()
    assert form.execution.instance_type.errors


@pytest.mark.parametrize("typed", ["0", "-3", "1.5", "two", "1e3"])
def test_max_parallel_instances_must_be_a_whole_number_of_one_or_more(typed):
    form = settings_form(**{"execution-max_parallel_instances": typed})
    assert not form.validate()
    assert form.execution.max_parallel_instances.errors == [WHOLE_NUMBER_MESSAGE]
    assert form.execution.max_parallel_instances._value() == typed


def test_max_parallel_instances_empty_or_blank_is_unset():
    for typed in ("", "   "):
        form = settings_form(**{"execution-max_parallel_instances": typed})
        assert form.validate(), form.errors
        assert execution_body(form.execution) == ({}, None)


def test_unknown_switch_value_is_refused():
    form = settings_form(**{"execution-use_memoization": "maybe"})
    assert not form.validate()
    assert form.execution.use_memoization.errors


def test_every_control_has_a_line_of_help():
    form = TaskSettings()
    for sub in (form.execution, form.batch):
        for field in sub:
            if field.name != "batch-mode":
                assert field.description, field.name


def test_execution_round_trip_through_a_draft():
    chosen = {
        "execution-instance_type": "custom",
        "execution-custom_instance_type": "c5.4xlarge;ebs-gp2;1024",
        "execution-max_parallel_instances": "2",
        "execution-use_memoization": "off",
        "execution-use_interruptible_instances": "on",
        "execution-use_elastic_disk": "",
    }
    form = settings_form(**chosen)
    assert form.validate()
    settings, spot = execution_body(form.execution)
    draft = {"execution_settings": settings, "use_interruptible_instances": spot}
    assert fill_execution(draft) == chosen


def test_fill_execution_from_a_platform_task():
    task = {
        "execution_settings": {
            "instance_type": "r5.xlarge",
            "max_parallel_instances": 1,
            "use_memoization": True,
            "use_elastic_disk": False,
        },
        "use_interruptible_instances": False,
    }
    assert fill_execution(task) == {
        "execution-instance_type": "r5.xlarge",
        "execution-max_parallel_instances": "1",
        "execution-use_memoization": "on",
        "execution-use_interruptible_instances": "off",
        "execution-use_elastic_disk": "off",
    }
    assert fill_execution({}) == {
        "execution-use_memoization": "",
        "execution-use_interruptible_instances": "",
        "execution-use_elastic_disk": "",
    }


# --- batch -----------------------------------------------------------------------------------


def test_batch_input_choices_are_file_file_array_and_directory_inputs_only():
    choices = batch_input_choices(SPECS)
    assert [c.value for c in choices] == ["", "reads", "reference", "bundle"]
    assert choices[1].label == "Reads (reads, File[])"
    assert choices[3].label == "bundle (bundle, Directory)"


def test_batch_is_off_by_default():
    form = TaskSettings()
    assert form.batch.mode.data == "off"


def test_batch_by_file():
    form = settings_form(**{"batch-mode": "on", "batch-input": "reads", "batch-by": "item"})
    assert form.validate(), form.errors
    assert batch_body(form.batch) == ("reads", {"type": "ITEM"})


@pytest.mark.parametrize("preset", list(BATCH_PRESETS))
def test_batch_by_each_preset(preset):
    form = settings_form(**{"batch-mode": "on", "batch-input": "reads", "batch-by": preset})
    assert form.validate(), form.errors
    batch_input, batch_by = batch_body(form.batch)
    assert batch_input == "reads"
    assert batch_by == {"type": "CRITERIA", "criteria": list(BATCH_PRESETS[preset])}
    assert all(key.startswith("metadata.") for key in batch_by["criteria"])


def test_sample_preset_batches_by_sample_id():
    sample = next(name for name, label in BATCH_PRESET_LABELS.items() if label == "Sample")
    form = settings_form(**{"batch-mode": "on", "batch-input": "reads", "batch-by": sample})
    assert form.validate(), form.errors
    assert batch_body(form.batch)[1] == {"type": "CRITERIA", "criteria": ["metadata.sample_id"]}


def test_custom_keys_get_the_metadata_prefix_once():
    form = settings_form(
        **{
            "batch-mode": "on",
            "batch-input": "reads",
            "batch-by": "custom",
            "batch-custom_keys": " sample_id, metadata.library_id,,sample_id , lane-2",
        }
    )
    assert form.validate(), form.errors
    assert batch_body(form.batch) == (
        "reads",
        {
            "type": "CRITERIA",
            "criteria": ["metadata.sample_id", "metadata.library_id", "metadata.lane-2"],
        },
    )


def test_batching_on_requires_an_input():
    form = settings_form(**{"batch-mode": "on", "batch-by": "item"})
    assert not form.validate()
    assert form.batch.input.errors == ["Choose the input to batch over, or choose “No batch”."]


def test_batch_input_must_be_a_batchable_input():
    form = settings_form(**{"batch-mode": "on", "batch-input": "threads", "batch-by": "item"})
    assert not form.validate()
    assert form.batch.input.errors == ["This input cannot be batched; choose one from the list."]


def test_custom_batch_requires_keys():
    form = settings_form(
        **{
            "batch-mode": "on",
            "batch-input": "reads",
            "batch-by": "custom",
            "batch-custom_keys": " , ",
        }
    )
    assert not form.validate()
    assert form.batch.custom_keys.errors == [
        "Enter at least one metadata key, for example sample_id."
    ]


def test_custom_keys_with_spaces_or_markup_are_refused_and_kept():
    typed = "sample id, <script>"
    form = settings_form(
        **{
            "batch-mode": "on",
            "batch-input": "reads",
            "batch-by": "custom",
            "batch-custom_keys": typed,
        }
    )
    assert not form.validate()
    assert form.batch.custom_keys.errors[0].startswith("Not a metadata key: sample id, <script>.")
    assert form.batch.custom_keys.data == typed


def test_batch_off_ignores_the_other_batch_fields():
    form = settings_form(
        **{"batch-mode": "off", "batch-input": "", "batch-by": "custom", "batch-custom_keys": ""}
    )
    assert form.validate(), form.errors
    assert batch_body(form.batch) == (None, None)


@pytest.mark.parametrize(
    "task, expected",
    [
        ({}, {"batch-mode": "off"}),
        (
            {"batch_input": "reads", "batch_by": {"type": "item"}},
            {"batch-mode": "on", "batch-input": "reads", "batch-by": "item"},
        ),
        (
            {
                "batch_input": "reads",
                "batch_by": {"type": "CRITERIA", "criteria": ["metadata.case_id", "metadata.x"]},
            },
            {
                "batch-mode": "on",
                "batch-input": "reads",
                "batch-by": "custom",
                "batch-custom_keys": "metadata.case_id, metadata.x",
            },
        ),
    ],
)
def test_fill_batch(task, expected):
    assert fill_batch(task) == expected


@pytest.mark.parametrize("by", ["item", "custom", *BATCH_PRESETS])
def test_batch_round_trip_through_a_draft(by):
    chosen = {"batch-mode": "on", "batch-input": "reference", "batch-by": by}
    if by == "custom":
        chosen["batch-custom_keys"] = "metadata.sample_id, metadata.paired_end"
    form = settings_form(**chosen)
    assert form.validate(), form.errors
    batch_input, batch_by = batch_body(form.batch)
    assert fill_batch({"batch_input": batch_input, "batch_by": batch_by}) == chosen


# --- templates --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def jinja():
    env = Environment(loader=FileSystemLoader(REPO / "templates"), autoescape=True)
    env.globals["csrf_token"] = lambda: "unused"
    env.filters["bdi"] = isolate  # as the app registers them
    env.filters["file_items"] = file_items
    env.filters["group_rows"] = group_rows
    return env


def render_macro(jinja, template, macro, *args):
    return getattr(jinja.get_template(template).module, macro)(*args)


def test_settings_controls_are_labelled_and_described(jinja):
    form = settings_form(
        **{
            "execution-instance_type": "custom",
            "execution-custom_instance_type": "nope",
            "batch-mode": "on",
        }
    )
    assert not form.validate()
    markup = str(render_macro(jinja, "tasks/_settings.html", "render_execution", form.execution))
    markup += str(render_macro(jinja, "tasks/_settings.html", "render_batch", form.batch))
    ids = set(re.findall(r'\bid="([^"]+)"', markup))
    for control in re.findall(r"<(?:input|select)\b[^>]*>", markup):
        control_id = re.search(r'\bid="([^"]+)"', control).group(1)
        assert f'for="{control_id}"' in markup, control  # every control has its label
    for described in re.findall(r'aria-describedby="([^"]+)"', markup):
        assert set(described.split()) <= ids  # help and errors exist where they point
    custom = re.search(r'<input[^>]*name="execution-custom_instance_type"[^>]*>', markup).group(0)
    assert 'aria-invalid="true"' in custom
    assert "execution-custom_instance_type-error" in custom
    assert CUSTOM_INSTANCE_MESSAGE in markup
    assert "Choose the input to batch over" in markup


def test_batch_preview_counts_groups_and_left_out_files_as_text(jinja):
    files = [
        {"id": "1", "name": "a<script>.bam", "metadata": {"sample_id": "S1"}},
        {"id": "2", "name": "b.bam", "metadata": {"sample_id": "S1"}},
        {"id": "3", "name": "c.bam", "metadata": {"sample_id": "s1 "}},
        {"id": "4", "name": "d.bam", "metadata": {"case_id": "C"}},
    ]
    batch_by = {"type": "CRITERIA", "criteria": ["metadata.sample_id"]}
    markup = str(
        render_macro(
            jinja,
            "tasks/_batch_preview.html",
            "render_batch_preview",
            preview(files, batch_by),
            batch_by,
            ["f" * 24],
        )
    )
    text = " ".join(re.sub(r"<[^>]+>", " ", markup).split())
    assert "This batch will make 2 child tasks , one per distinct sample_id." in text
    assert "1 file is left out for missing metadata." in text
    assert "sample_id: S1" in text and "sample_id: s1" in text
    assert "a&lt;script&gt;.bam" in markup and "<script>" not in markup
    assert "Left out: 1 file" in text and "d.bam (missing: sample_id)" in text
    assert "differ only in case or spacing" in text  # S1 and "s1 " look alike
    assert "1 chosen id is not a file CAVATICA returned" in text


def test_batch_preview_by_file(jinja):
    files = [{"id": str(i), "name": f"f{i}.bam", "metadata": {}} for i in range(3)]
    markup = str(
        render_macro(
            jinja,
            "tasks/_batch_preview.html",
            "render_batch_preview",
            preview(files, {"type": "ITEM"}),
            {"type": "ITEM"},
        )
    )
    text = " ".join(re.sub(r"<[^>]+>", " ", markup).split())
    assert "This batch will make 3 child tasks , one per file." in text
    assert "Left out" not in text
