"""The public reference files (admin/sbg-public-data) and POST /files/{id}/actions/copy."""

from app_fixtures import load_real_app
from sandbox_helpers import assert_error

PUBLIC = "admin/sbg-public-data"
WGS = "demo-user/pediatric-wgs"
SHARED = "other-user/shared-reference"


def suggested_fasta():
    """The reference FASTA the bcf-call app suggests: a file of the public project."""
    raw = load_real_app("cavatica-bcf-call")
    [spec] = [i for i in raw["inputs"] if i["id"].lstrip("#") == "reference_fasta"]
    return spec["sbg:suggestedValue"]


def test_the_files_real_apps_suggest_are_in_the_public_reference_project(raw_api, other_api):
    fasta = suggested_fasta()
    record = raw_api.get(f"/files/{fasta['path']}").json()
    assert (record["name"], record["project"]) == (fasta["name"], PUBLIC)
    index = fasta["secondaryFiles"][0]
    assert raw_api.get(f"/files/{index['path']}").json()["name"] == index["name"]
    listed = raw_api.files(PUBLIC)
    assert fasta["path"] in {f["id"] for f in listed} and len(listed) > 30
    assert other_api.get(f"/files/{fasta['path']}").status_code == 200  # every user reads it
    assert PUBLIC not in {p["id"] for p in raw_api.get("/projects").json()["items"]}


def test_a_copy_is_a_new_file_of_the_project_with_its_name_and_metadata(raw_api):
    fasta = suggested_fasta()
    source = raw_api.get(f"/files/{fasta['path']}").json()
    copied = raw_api.post(f"/files/{fasta['path']}/actions/copy", json={"project": WGS})
    assert copied.status_code == 200, copied.text
    copy = copied.json()
    assert copy["id"] != source["id"] and copy["project"] == WGS
    assert (copy["name"], copy["size"], copy["metadata"]) == (
        source["name"],
        source["size"],
        source["metadata"],
    )
    root = raw_api.get(f"/projects/{WGS}").json()["root_folder"]
    assert copy["parent"] == root and copy["type"] == "file"
    assert copy["id"] in {f["id"] for f in raw_api.files(WGS)}
    assert raw_api.get(f"/files/{fasta['path']}").json() == source  # the original stays

    # Into a folder, under another name.
    folder = raw_api.folder_path(WGS, "references", "GRCh38")
    renamed = raw_api.post(
        f"/files/{fasta['path']}/actions/copy",
        json={"parent": folder["id"], "name": "GRCh38-from-public.fasta"},
    ).json()
    assert (renamed["parent"], renamed["name"]) == (folder["id"], "GRCh38-from-public.fasta")


def test_copy_errors_as_on_the_platform(raw_api, other_api):
    fasta = suggested_fasta()["path"]
    url = f"/files/{fasta}/actions/copy"
    assert raw_api.post(url, json={"project": WGS}).status_code == 200
    assert_error(raw_api.post(url, json={"project": WGS}), 409, 5003)  # that name is taken
    folder = raw_api.file_named(WGS, "alignments")
    assert_error(
        raw_api.post(f"/files/{folder['id']}/actions/copy", json={"project": WGS}), 400, 5018
    )
    assert_error(raw_api.post(url, json={"project": WGS, "parent": folder["id"]}), 400, 5031)
    assert_error(raw_api.post(url, json={}), 400, 90000)
    assert_error(raw_api.post(url, json={"project": WGS, "name": " "}), 400, 90000)
    assert_error(raw_api.post(url, json={"project": SHARED}), 403, 3001)  # read-only for demo-user
    assert_error(raw_api.post(url, json={"project": PUBLIC}), 403, 3001)
    assert_error(raw_api.post(url, json={"project": "demo-user/nothing-here"}), 404, 3002)
    private = other_api.files("other-user/private-study")[0]["id"]
    assert_error(raw_api.post(f"/files/{private}/actions/copy", json={"project": WGS}), 403, 5001)
    assert_error(
        raw_api.post("/files/" + "0" * 24 + "/actions/copy", json={"project": WGS}), 404, 5002
    )
    a_file = raw_api.file_named(WGS, "samplesheet.csv")
    assert_error(raw_api.post(url, json={"parent": a_file["id"]}), 400, 5022)


def test_a_copy_into_the_big_project_joins_its_stored_files(raw_api):
    fasta = suggested_fasta()
    copy = raw_api.post(
        f"/files/{fasta['path']}/actions/copy", json={"project": "demo-user/big-cohort"}
    ).json()
    last = raw_api.get(
        "/files", params={"project": "demo-user/big-cohort", "offset": 100_005, "limit": 5}
    ).json()
    assert [f["id"] for f in last["items"]] == [copy["id"]]
