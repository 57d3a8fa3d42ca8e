"""Paste names in the picker: the names pasted (one a line, or a spreadsheet column) are looked
up at the level the picker shows, several names a call, and the answer says which were found,
which were not and which match several files."""

import pytest

from app import create_app
from views.files import pasted_names

SCRATCH = "demo-user/scratch"
BIG = "demo-user/big-cohort"


@pytest.fixture
def client(sandbox, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SB_API_ENDPOINT": sandbox.api_url,
            "SB_AUTH_TOKEN": sandbox.token,
            "SECRET_KEY": "paste-tests",
            "WTF_CSRF_ENABLED": False,
            "SESSION_FILE_DIR": str(tmp_path / "sessions"),
        }
    )
    return app.test_client()


def find(client, project, text, **form):
    return client.post(f"/projects/{project}/files/find-names", data={"names": text, **form})


def test_pasted_text_becomes_names_in_order_once_each():
    text = 'a.bam\r\n\n  b.bam  \n"c.bam"\tsample C\t42\n\t d.bam\na.bam\n'
    assert pasted_names(text) == ["a.bam", "b.bam", "c.bam", "d.bam"]
    assert pasted_names("\n \t \n") == []


def test_200_names_of_the_big_project_cost_a_few_calls(client, sandbox):
    names = [f"BS_{i // 4:08d}_L00{(i // 2) % 2 + 1}_R{i % 2 + 1}.fastq.gz" for i in range(197)]
    unknown = ["nope-1.fastq.gz", "nope-2.fastq.gz", "NOPE 3.fastq.gz"]
    sandbox.clear_requests()
    response = find(client, BIG, "\n".join(names + unknown))
    assert response.status_code == 200
    data = response.get_json()
    assert data["asked"] == 200
    assert [f["name"] for f in data["found"]] == names
    assert data["missing"] == unknown and data["several"] == []
    calls = sandbox.requests()["counts"]
    assert calls == {"GET /v2/files": 2}  # 100 names a call
    # Each call's address stays short enough for the platform's gateways.
    for entry in sandbox.requests()["requests"]:
        assert len(entry["query"]["name"]) <= 100


def test_a_name_that_matches_two_files_is_offered_as_a_choice(client, sandbox):
    sandbox.add_files(SCRATCH, [{"name": "S1.bam"}, {"name": "S2.bam"}, {"name": "S2.bam"}])
    data = find(client, SCRATCH, "S1.bam\nS2.bam\nS3.bam").get_json()
    assert [f["name"] for f in data["found"]] == ["S1.bam"]
    assert [entry["name"] for entry in data["several"]] == ["S2.bam"]
    assert len({f["id"] for f in data["several"][0]["files"]}) == 2
    assert data["missing"] == ["S3.bam"]


def test_names_are_looked_for_in_the_folder_shown_and_only_the_kind_wanted(client, sandbox):
    folder = sandbox.add_files(SCRATCH, [{"name": "run-1", "type": "folder"}])["items"][0]
    sandbox.add_files(SCRATCH, [{"name": "inside.bam"}], parent=folder["id"])
    at_root = find(client, SCRATCH, "inside.bam\nrun-1").get_json()
    assert at_root["missing"] == ["inside.bam", "run-1"]  # a folder is no file
    inside = find(client, SCRATCH, "inside.bam", parent=folder["id"]).get_json()
    assert [f["name"] for f in inside["found"]] == ["inside.bam"]
    folders = find(client, SCRATCH, "run-1", kind="Directory").get_json()
    assert [f["name"] for f in folders["found"]] == ["run-1"]


def test_an_empty_or_huge_paste_is_a_message(client, sandbox):
    empty = find(client, SCRATCH, " \n\n")
    assert empty.status_code == 400 and "Paste at least one" in empty.get_json()["error"]
    huge = find(client, SCRATCH, "\n".join(f"f{i}" for i in range(1001)))
    assert huge.status_code == 400 and "At most 1,000 names" in huge.get_json()["error"]
    sandbox.clear_requests()
    assert sandbox.requests()["counts"] == {}


def test_a_paste_needs_the_csrf_token(sandbox, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SB_API_ENDPOINT": sandbox.api_url,
            "SB_AUTH_TOKEN": sandbox.token,
            "SECRET_KEY": "paste-tests",
            "SESSION_FILE_DIR": str(tmp_path / "sessions"),
        }
    )
    response = app.test_client().post(
        f"/projects/{SCRATCH}/files/find-names", data={"names": "a.bam"}
    )
    assert response.status_code == 400
