"""Batch preview: the child tasks a batch will make, and the files it leaves out."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from batching import BATCH_PRESET_LABELS, BATCH_PRESETS, BatchPreview, field_label, preview


def bam(file_id, **metadata):
    return {"id": file_id, "name": f"{file_id}.bam", "type": "file", "metadata": metadata}


SAMPLE = {"type": "criteria", "criteria": ["metadata.sample_id"]}
LIBRARY = {"type": "criteria", "criteria": ["metadata.sample_id", "metadata.library_id"]}


def test_item_makes_one_child_per_file_named_after_it():
    files = [bam("a"), bam("b"), {"id": "c", "name": "", "metadata": None}]
    result = preview(files, {"type": "ITEM"})
    assert [g.value for g in result.groups] == ["a.bam", "b.bam", "c"]
    assert [g.files for g in result.groups] == [[files[0]], [files[1]], [files[2]]]
    assert result.left_out == [] and result.child_count == 3


def test_criteria_groups_by_sample_in_order_of_first_appearance():
    files = [bam("a", sample_id="S2"), bam("b", sample_id="S1"), bam("c", sample_id="S2")]
    result = preview(files, SAMPLE)
    assert [(g.value, g.fields, [f["id"] for f in g.files]) for g in result.groups] == [
        ("S2", {"sample_id": "S2"}, ["a", "c"]),
        ("S1", {"sample_id": "S1"}, ["b"]),
    ]
    assert result.left_out == [] and result.warnings == []


def test_several_keys_make_one_child_per_combination():
    files = [
        bam("a", sample_id="S1", library_id="L1"),
        bam("b", sample_id="S1", library_id="L2"),
        bam("c", sample_id="S1", library_id="L1"),
        bam("d", sample_id="S2", library_id="L1"),
    ]
    result = preview(files, LIBRARY)
    assert [g.value for g in result.groups] == ["S1, L1", "S1, L2", "S2, L1"]
    assert result.groups[0].fields == {"sample_id": "S1", "library_id": "L1"}
    assert [f["id"] for f in result.groups[0].files] == ["a", "c"]


@pytest.mark.parametrize("missing", [{}, {"sample_id": None}, {"sample_id": ""}])
def test_file_missing_a_key_is_left_out(missing):
    files = [bam("a", sample_id="S1", library_id="L1"), bam("b", library_id="L1", **missing)]
    result = preview(files, LIBRARY)
    assert [g.value for g in result.groups] == ["S1, L1"]
    assert result.left_out == [files[1]]


def test_file_without_metadata_or_folder_is_left_out():
    files = [
        {"id": "a", "name": "a.bam"},
        {"id": "f", "name": "dir", "type": "folder", "metadata": None},
    ]
    result = preview(files, SAMPLE)
    assert result.groups == [] and result.left_out == files


def test_numbers_group_with_their_text():
    files = [
        bam("a", sample_id="S1", file_segment_number=1),
        bam("b", sample_id="S1", file_segment_number="1"),
    ]
    result = preview(
        files,
        {"type": "criteria", "criteria": ["metadata.sample_id", "metadata.file_segment_number"]},
    )
    assert [(g.value, len(g.files)) for g in result.groups] == [("S1, 1", 2)]


def test_values_are_compared_exactly_and_near_duplicates_are_pointed_out():
    files = [
        bam("a", sample_id="S1"),
        bam("b", sample_id="s1"),
        bam("c", sample_id="S1 "),
        bam("d", sample_id="S2"),
    ]
    result = preview(files, {"type": "Criteria", "criteria": ["metadata.sample_id"]})
    assert [g.value for g in result.groups] == ["S1", "s1", "S1 ", "S2"]
    assert len(result.warnings) == 1
    assert '"S1", "s1", "S1 "' in result.warnings[0] and "sample_id" in result.warnings[0]


def test_bare_key_is_a_metadata_key_and_an_empty_key_leaves_every_file_out():
    files = [bam("a", sample_id="S1"), bam("b", sample_id="S2")]
    bare = preview(files, {"type": "criteria", "criteria": ["sample_id"]})
    assert [(g.value, g.fields) for g in bare.groups] == [
        ("S1", {"sample_id": "S1"}),
        ("S2", {"sample_id": "S2"}),
    ]
    single = preview(files, {"type": "criteria", "criteria": "metadata.sample_id"})
    assert [g.value for g in single.groups] == ["S1", "S2"]
    empty = preview(files, {"type": "criteria", "criteria": ["metadata."]})
    assert empty.groups == [] and empty.left_out == files


def test_no_files_make_no_children():
    assert preview([], SAMPLE) == BatchPreview(groups=[], left_out=[], warnings=[])


@pytest.mark.parametrize(
    "batch_by",
    [
        {},
        {"type": "sample"},
        {"type": "criteria"},
        {"type": "criteria", "criteria": []},
        {"type": "criteria", "criteria": [3]},
    ],
)
def test_unusable_batch_by_is_refused_with_a_message(batch_by):
    with pytest.raises(ValueError) as caught:
        preview([bam("a", sample_id="S1")], batch_by)
    assert str(caught.value)


def test_presets_build_on_each_other_and_have_labels():
    assert BATCH_PRESETS["sample"] == ["metadata.sample_id"]
    assert BATCH_PRESETS["case"] == ["metadata.case_id"]
    assert BATCH_PRESETS["library"] == ["metadata.sample_id", "metadata.library_id"]
    assert BATCH_PRESETS["platform_unit"] == [
        *BATCH_PRESETS["library"],
        "metadata.platform_unit_id",
    ]
    assert BATCH_PRESETS["file_segment"] == [
        *BATCH_PRESETS["platform_unit"],
        "metadata.file_segment_number",
    ]
    assert set(BATCH_PRESET_LABELS) == set(BATCH_PRESETS)
    for criteria in BATCH_PRESETS.values():
        preview([bam("a")], {"type": "criteria", "criteria": criteria})  # all are usable


metadata_value = st.one_of(
    st.none(), st.just(""), st.sampled_from(["S1", "S2", "s1", "S1 "]), st.integers(0, 2)
)
metadata = st.dictionaries(
    st.sampled_from(["sample_id", "library_id", "case_id"]), metadata_value, max_size=3
)
criteria = st.lists(
    st.sampled_from(["sample_id", "library_id", "case_id"]), min_size=1, max_size=3, unique=True
)


@given(st.lists(metadata, max_size=30), criteria)
def test_every_file_lands_in_exactly_one_place(all_metadata, keys):
    files = [bam(f"f{i}", **m) for i, m in enumerate(all_metadata)]
    result = preview(files, {"type": "criteria", "criteria": [f"metadata.{k}" for k in keys]})

    placed = [f["id"] for g in result.groups for f in g.files] + [f["id"] for f in result.left_out]
    assert sorted(placed) == sorted(f["id"] for f in files)

    complete = [f for f in files if all(f["metadata"].get(k) not in (None, "") for k in keys)]
    combinations = {tuple(str(f["metadata"][k]) for k in keys) for f in complete}
    assert len(result.groups) == len(combinations)
    assert len(result.left_out) == len(files) - len(complete)
    for group in result.groups:
        assert list(group.fields) == keys
        for file in group.files:
            assert {k: str(file["metadata"][k]) for k in keys} == group.fields


@given(st.lists(metadata, max_size=20))
def test_item_keeps_every_file_in_its_own_group(all_metadata):
    files = [bam(f"f{i}", **m) for i, m in enumerate(all_metadata)]
    result = preview(files, {"type": "item"})
    assert [g.files for g in result.groups] == [[f] for f in files]
    assert result.left_out == []


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("metadata.sample_id", "Sample id"),
        ("metadata.platform_unit_id", "Platform unit id"),
        ("case_id", "Case id"),
        ("metadata.", "metadata."),
    ],
)
def test_a_group_field_is_named_for_people(key, label):
    assert field_label(key) == label
