"""`fields` selects what a response carries, as on the platform: lists send a default subset
unless asked for more, single resources send everything unless asked for less."""

import pytest

WGS = "demo-user/pediatric-wgs"
RNA = "demo-user/rnaseq-pilot"


def first_item(raw_api, path, **params):
    response = raw_api.get(path, params={"limit": 1, **params})
    assert response.status_code == 200, response.text
    return response.json()["items"][0]


@pytest.mark.parametrize(
    ("path", "params", "default"),
    [
        ("/files", {"project": WGS}, {"href", "id", "name", "project", "parent", "type"}),
        ("/projects", {}, {"href", "id", "name"}),
        ("/apps", {"project": WGS}, {"href", "id", "project", "name", "revision"}),
        ("/tasks", {"project": RNA}, {"href", "id", "name", "status", "project", "app"}),
    ],
)
def test_lists_send_the_default_subset_unless_asked_for_all(raw_api, path, params, default):
    assert set(first_item(raw_api, path, **params)) == default
    everything = first_item(raw_api, path, fields="_all", **params)
    assert set(everything) > default


def test_a_file_list_without_fields_has_no_metadata_and_with_fields_only_those(raw_api):
    plain = first_item(raw_api, "/files", project=WGS)
    assert "metadata" not in plain and "size" not in plain
    picked = first_item(raw_api, "/files", project=WGS, fields="id,metadata")
    assert set(picked) == {"href", "id", "metadata"}  # href stays: clients follow it


def test_single_resources_send_everything_unless_asked_for_less(raw_api):
    folder = first_item(raw_api, "/files", project=WGS)
    detail = raw_api.get(f"/files/{folder['id']}").json()
    assert {"created_on", "modified_on", "parent", "type"} <= set(detail)
    assert raw_api.get(f"/files/{folder['id']}", params={"fields": "name, type"}).json() == {
        "href": folder["href"],
        "name": folder["name"],
        "type": folder["type"],
    }
    project = raw_api.get(f"/projects/{WGS}", params={"fields": "root_folder"}).json()
    assert set(project) == {"href", "root_folder"}
    assert set(raw_api.get("/user", params={"fields": "username"}).json()) == {"href", "username"}


def test_an_exclamation_mark_leaves_a_field_out(raw_api):
    app = raw_api.get(f"/apps/{WGS}/cavatica-bcf-call", params={"fields": "!raw"}).json()
    assert "raw" not in app and app["revision"] == 8
    assert "raw" in raw_api.get(f"/apps/{WGS}/cavatica-bcf-call").json()
    listed = first_item(raw_api, "/apps", project=WGS, fields="_all")
    assert "raw" in listed
    assert "raw" not in first_item(raw_api, "/apps", project=WGS, fields="id,name,revision")


def test_a_task_is_trimmed_alike_when_created_and_when_read(raw_api):
    body = {"project": RNA, "app": f"{RNA}/fastq-qc", "name": "trimmed", "inputs": {}}
    created = raw_api.post("/tasks", params={"fields": "id,status"}, json=body)
    assert created.status_code == 200 and set(created.json()) == {"href", "id", "status"}
    task_id = created.json()["id"]
    assert raw_api.get(f"/tasks/{task_id}", params={"fields": "name"}).json()["name"] == "trimmed"
    assert "inputs" in raw_api.get(f"/tasks/{task_id}").json()
