"""The 100,000-file project's records are computed from their ids: the fast way of writing them
must give the very bytes and dates the sandbox's general JSON writer gives."""

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandbox.bigproject import FOLDERS, ROOT_FILES, BigProject, file_id, folder_id
from sandbox.http import dumps
from sandbox.seed import EPOCH, iso

IDS = [
    file_id(0, 0),
    file_id(0, 13),  # one that lost its sample id
    file_id(0, 86_399),
    file_id(0, 86_401),  # a day and more after the epoch
    file_id(0, ROOT_FILES - 1),
    file_id(len(FOLDERS), 0),
    file_id(1, 499),
    folder_id(0),
    folder_id(2),
]


@pytest.mark.parametrize("record_id", IDS)
@pytest.mark.parametrize("omit", [(), ("type",), ("type", "parent"), ("metadata",)])
def test_a_record_is_written_as_the_general_writer_writes_it(record_id, omit):
    project = BigProject("demo-user/big-cohort")
    written = project.json_without(record_id, omit)  # first: straight from its parts
    record = project.get(record_id)
    assert written == dumps({k: v for k, v in record.items() if k not in omit})


@given(st.integers(0, ROOT_FILES - 1), st.sampled_from([(), ("type",), ("type", "parent")]))
def test_every_root_file_is_written_as_the_general_writer_writes_it(index, omit):
    project = BigProject("demo-user/big-cohort")
    record = project.get(file_id(0, index))
    expected = dumps({k: v for k, v in record.items() if k not in omit})
    assert project.json_without(file_id(0, index), omit) == expected


@pytest.mark.parametrize(
    "record_id", [file_id(0, ROOT_FILES), file_id(len(FOLDERS) + 1, 0), folder_id(9), "5b16x"]
)
def test_an_id_of_no_record_has_no_json(record_id):
    assert BigProject("demo-user/big-cohort").json_without(record_id, ("type",)) is None


@pytest.mark.parametrize("index", [0, 1, 59, 3_599, 86_401, ROOT_FILES - 1])
def test_a_files_dates_are_the_epoch_plus_its_index_in_seconds(index):
    record = BigProject("demo-user/big-cohort").get(file_id(0, index))
    assert record["created_on"] == iso(EPOCH + timedelta(seconds=index))
    assert record["modified_on"] == record["created_on"]
