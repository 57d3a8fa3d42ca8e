"""Ids that are no file of the task's project are marked on the box that holds them, naming
the id, so the form says what to fix instead of making a draft the platform will fault."""

from werkzeug.datastructures import MultiDict

from appspec import parse_app
from forms.inputs import build_inputs_form, mark_files_not_in_project

PROJECT = "lab/study"
HERE = "5f4ffff4e4b0370371c05153"
ALSO_HERE = "5f4ffff4e4b0370371c05154"
ELSEWHERE = "6063901f357c3a53540ca84b"  # a file of another project this user can see
NOWHERE = "aaaaaaaaaaaaaaaaaaaaaaaa"  # no file the look-up returned
FOLDER_HERE = "5f4ffff4e4b0370371c0aaaa"

LOOKED_UP = {
    HERE: {"id": HERE, "name": "a.bam", "project": PROJECT},
    ALSO_HERE: {"id": ALSO_HERE, "name": "b.bam", "project": PROJECT},
    ELSEWHERE: {"id": ELSEWHERE, "name": "c.bam", "project": "other/project"},
    FOLDER_HERE: {"id": FOLDER_HERE, "name": "refs", "project": PROJECT},
}

APP = parse_app(
    {
        "cwlVersion": "v1.2",
        "class": "CommandLineTool",
        "inputs": {
            "bam": "File",
            "reads": "File[]?",
            "refs": "Directory?",
            "genome": {
                "type": [
                    "null",
                    {"type": "record", "fields": {"fasta": "File", "label": "string?"}},
                ]
            },
            "regions": ["null", "File", "string"],
            "pairs": {
                "type": [
                    "null",
                    {
                        "type": "array",
                        "items": {"type": "record", "fields": {"r1": "File", "r2": "File?"}},
                    },
                ]
            },
        },
    }
)


def marked(pairs):
    form = build_inputs_form(APP)(MultiDict(pairs), prefix="inputs")
    assert form.validate(), form.errors
    return form, mark_files_not_in_project(form, LOOKED_UP, PROJECT)


def test_files_of_the_project_are_not_marked():
    form, ids = marked(
        [
            ("inputs-bam", HERE),
            ("inputs-reads", f"{HERE} {ALSO_HERE}"),
            ("inputs-refs", FOLDER_HERE),
        ]
    )
    assert ids == [] and form.errors == {}


def test_an_unknown_id_in_a_file_input_is_marked_on_it_by_id():
    form, ids = marked([("inputs-bam", NOWHERE)])
    assert ids == [NOWHERE]
    message = f"{NOWHERE} is not a file of this project."
    assert form["bam"].errors == [message]
    assert form["bam"].errors_for("inputs-bam") == [message]
    assert form["bam"].value("inputs-bam") == NOWHERE  # kept as typed


def test_a_file_of_another_project_is_marked_too():
    form, ids = marked([("inputs-bam", ELSEWHERE)])
    assert ids == [ELSEWHERE]
    assert form["bam"].errors == [f"{ELSEWHERE} is not a file of this project."]


def test_in_a_file_list_only_the_foreign_ids_are_named():
    form, ids = marked([("inputs-bam", HERE), ("inputs-reads", f"{HERE} {NOWHERE} {ELSEWHERE}")])
    assert ids == [NOWHERE, ELSEWHERE]
    assert form["bam"].errors == []
    assert form["reads"].errors == [f"2 ids are not files of this project: {NOWHERE}, {ELSEWHERE}."]


def test_a_long_list_names_the_first_few_and_counts_the_rest():
    many = [f"{n:024x}" for n in range(8)]
    form, ids = marked([("inputs-bam", HERE), ("inputs-reads", " ".join(many))])
    assert ids == many
    [message] = form["reads"].errors
    assert message == (f"8 ids are not files of this project: {', '.join(many[:5])} and 3 more.")


def test_a_folder_input_says_folder():
    form, _ = marked([("inputs-bam", HERE), ("inputs-refs", NOWHERE)])
    assert form["refs"].errors == [f"{NOWHERE} is not a folder of this project."]


def test_a_file_in_a_record_is_marked_on_the_record_field():
    form, ids = marked(
        [("inputs-bam", HERE), ("inputs-genome-@set", "true"), ("inputs-genome-fasta", NOWHERE)]
    )
    assert ids == [NOWHERE]
    message = f"{NOWHERE} is not a file of this project."
    assert form["genome"].errors_for("inputs-genome-fasta") == [message]
    assert form["genome"].errors == [message]  # and on the input, for the summary


def test_a_file_in_a_union_branch_is_marked_on_that_branch():
    form, _ = marked(
        [("inputs-bam", HERE), ("inputs-regions-@type", "File"), ("inputs-regions-@File", NOWHERE)]
    )
    assert form["regions"].errors_for("inputs-regions-@File") == [
        f"{NOWHERE} is not a file of this project."
    ]


def test_a_file_in_a_row_of_records_is_marked_on_its_row():
    form, _ = marked(
        [
            ("inputs-bam", HERE),
            ("inputs-pairs-0-@row", "1"),
            ("inputs-pairs-0-r1", HERE),
            ("inputs-pairs-1-@row", "1"),
            ("inputs-pairs-1-r1", HERE),
            ("inputs-pairs-1-r2", ELSEWHERE),
        ]
    )
    assert form["pairs"].errors_for("inputs-pairs-0-r1") == []
    assert form["pairs"].errors_for("inputs-pairs-1-r2") == [
        f"{ELSEWHERE} is not a file of this project."
    ]


def test_a_branch_not_chosen_is_not_looked_at():
    form, ids = marked(
        [
            ("inputs-bam", HERE),
            ("inputs-regions-@type", "string"),
            ("inputs-regions-@string", "chr1"),
            ("inputs-regions-@File", NOWHERE),
        ]
    )
    assert ids == [] and form.errors == {}
