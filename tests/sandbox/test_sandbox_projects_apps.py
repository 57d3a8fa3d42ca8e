"""Projects and apps: listing, details, revisions, raw CWL, visibility and access."""

import json
from pathlib import Path

from sandbox_helpers import assert_error

from sandbox import create_sandbox_app, serve_in_thread
from sandbox.store import REAL_APPS_DIR

DEMO_PROJECTS = {
    "demo-user/pediatric-wgs",
    "demo-user/rnaseq-pilot",
    "demo-user/big-cohort",
    "demo-user/scratch",
}


def test_projects_list_with_and_without_trailing_slash(raw_api, sandbox):
    plain = raw_api.get("/projects", params={"fields": "_all"})
    slash = raw_api.get("/projects/", params={"fields": "_all"})
    assert plain.status_code == slash.status_code == 200
    ids = {p["id"] for p in plain.json()["items"]}
    assert ids == {p["id"] for p in slash.json()["items"]}
    assert ids == DEMO_PROJECTS | {"other-user/shared-reference"}  # not the private one
    assert plain.headers["X-Total-Matching-Query"] == str(len(ids))
    first = plain.json()["items"][0]
    assert first["href"] == f"{sandbox.api_url}/projects/{first['id']}"
    assert first["root_folder"] and len(first["root_folder"]) == 24
    assert first["created_on"].endswith("Z")


def test_projects_by_owner_and_by_name(raw_api):
    mine = raw_api.get("/projects/demo-user").json()["items"]
    assert {p["id"] for p in mine} == DEMO_PROJECTS
    theirs = raw_api.get("/projects/other-user").json()["items"]
    assert [p["id"] for p in theirs] == ["other-user/shared-reference"]
    named = raw_api.get("/projects", params={"name": "rna"}).json()["items"]
    assert [p["id"] for p in named] == ["demo-user/rnaseq-pilot"]


def test_projects_paging(raw_api):
    first = raw_api.get("/projects", params={"limit": 2}).json()
    assert len(first["items"]) == 2
    assert [link["rel"] for link in first["links"]] == ["next"]
    second = raw_api.get(first["links"][0]["href"]).json()
    assert {link["rel"] for link in second["links"]} == {"next", "prev"}
    assert not {p["id"] for p in first["items"]} & {p["id"] for p in second["items"]}


def test_project_details_and_access(raw_api, other_api):
    project = raw_api.get("/projects/demo-user/pediatric-wgs").json()
    assert project["name"] == "Pediatric WGS Cohort"
    assert project["billing_group"].count("-") == 4
    assert project["settings"]["locked"] is False
    assert raw_api.get("/projects/other-user/shared-reference").status_code == 200
    assert_error(raw_api.get("/projects/other-user/private-study"), 403, 3001)
    assert_error(raw_api.get("/projects/demo-user/no-such-project"), 404, 3002)
    assert_error(other_api.get("/projects/demo-user/pediatric-wgs"), 403, 3001)
    # the public project lends its apps and files, not itself
    assert_error(raw_api.get("/projects/admin/sbg-public-data"), 403, 3001)


def test_apps_list_by_project_has_every_real_app_without_raw(raw_api, sandbox):
    response = raw_api.get("/apps", params={"project": "demo-user/pediatric-wgs", "limit": 100})
    items = response.json()["items"]
    stems = {p.stem for p in REAL_APPS_DIR.glob("*.json")}
    assert {a["id"].split("/")[2] for a in items} == stems
    assert response.headers["X-Total-Matching-Query"] == str(len(stems))
    for app in items:
        assert app["href"] == f"{sandbox.api_url}/apps/{app['id']}"
        assert isinstance(app["revision"], int)
        assert app["id"].endswith(f"/{app['revision']}")
        assert "raw" not in app
    with_raw = raw_api.get(
        "/apps", params={"project": "demo-user/pediatric-wgs", "limit": 2, "fields": "_all"}
    ).json()["items"]
    assert all("inputs" in app["raw"] for app in with_raw)


def test_apps_search_and_public_visibility(raw_api):
    found = raw_api.get("/apps", params={"q": "HaplotypeCaller"}).json()["items"]
    assert {a["id"].split("/")[2] for a in found} == {
        "sbg-gatk-haplotypecaller",
        "kfdrc-alignment-wf",
        "kfdrc-alignment-wf-sbpacked",
    }
    # every term must match (case-insensitively) the app's id or name
    found = raw_api.get("/apps", params={"q": "haplotypecaller SBG"}).json()["items"]
    assert [a["id"] for a in found] == [
        "demo-user/pediatric-wgs/sbg-gatk-haplotypecaller/7",
        "demo-user/big-cohort/sbg-gatk-haplotypecaller/7",
    ]
    assert raw_api.get("/apps", params={"q": "no-app-is-called-this"}).json()["items"] == []
    public = raw_api.get("/apps", params={"visibility": "public"}).json()["items"]
    assert public and all(a["project"] == "admin/sbg-public-data" for a in public)
    private = raw_api.get("/apps").json()
    assert all(a["project"] != "admin/sbg-public-data" for a in private["items"])
    assert_error(raw_api.get("/apps", params={"visibility": "everyone"}), 400, 6012)
    assert_error(raw_api.get("/apps", params={"project": "other-user/private-study"}), 403, 3001)


def test_app_details_latest_and_pinned_revision(raw_api):
    latest = raw_api.get("/apps/demo-user/pediatric-wgs/cavatica-bcf-call").json()
    source = json.loads((REAL_APPS_DIR / "cavatica-bcf-call.json").read_text())
    assert latest["revision"] == source["sbg:revision"] == 8
    assert latest["id"] == "demo-user/pediatric-wgs/cavatica-bcf-call/8"
    assert latest["raw"]["sbg:revision"] == 8 == latest["raw"]["sbg:latestRevision"]
    assert latest["raw"]["inputs"] == source["inputs"]
    older = raw_api.get("/apps/demo-user/pediatric-wgs/cavatica-bcf-call/3").json()
    assert older["revision"] == 3
    assert older["raw"]["sbg:revision"] == 3 and older["raw"]["sbg:latestRevision"] == 8
    assert older["raw"]["sbg:id"] == "demo-user/pediatric-wgs/cavatica-bcf-call/3"


def test_apps_without_platform_metadata_get_revisions_too(raw_api):
    app = raw_api.get("/apps/demo-user/pediatric-wgs/kfdrc-deepvariant").json()
    assert app["revision"] == 2
    assert app["raw"]["sbg:revision"] == 2
    assert raw_api.get("/apps/demo-user/pediatric-wgs/kfdrc-deepvariant/0").status_code == 200


def test_raw_endpoint_returns_only_the_cwl(raw_api, sandbox):
    raw = raw_api.get("/apps/demo-user/pediatric-wgs/sbg-bamtools-index-draft2/raw").json()
    assert raw["class"] == "CommandLineTool"
    assert raw["id"] == (
        f"{sandbox.api_url}/apps/demo-user/pediatric-wgs/sbg-bamtools-index-draft2/27/raw/"
    )
    pinned = raw_api.get("/apps/demo-user/pediatric-wgs/sbg-bamtools-index-draft2/5/raw").json()
    assert pinned["sbg:revision"] == 5


def test_an_app_named_raw_is_an_app(raw_api, sandbox):
    sandbox.add_app(
        "demo-user/scratch", "raw", {"class": "CommandLineTool", "label": "Raw", "inputs": []}
    )
    app = raw_api.get("/apps/demo-user/scratch/raw").json()
    assert app["id"] == "demo-user/scratch/raw/0" and app["name"] == "Raw"
    assert raw_api.get("/apps/demo-user/scratch/raw/raw").json()["class"] == "CommandLineTool"
    assert raw_api.get("/apps/demo-user/scratch/raw/0/raw").json()["sbg:revision"] == 0


def test_app_errors(raw_api):
    assert_error(raw_api.get("/apps/demo-user/pediatric-wgs/no-such-app"), 404, 6002)
    assert_error(raw_api.get("/apps/demo-user/pediatric-wgs/cavatica-bcf-call/99"), 404, 6002)
    assert_error(raw_api.get("/apps/demo-user/pediatric-wgs/cavatica-bcf-call/latest"), 400, 6011)
    assert_error(raw_api.get("/apps/just-one-part"), 400, 6011)
    # digits outside ASCII are no revision ("²" made int() fail, a 500)
    assert_error(raw_api.get("/apps/demo-user/pediatric-wgs/cavatica-bcf-call/²"), 400, 6011)
    assert_error(raw_api.get("/apps/demo-user/pediatric-wgs/cavatica-bcf-call/٣"), 400, 6011)
    assert_error(raw_api.get("/apps/other-user/private-study/fastq-qc"), 403, 6001)
    assert raw_api.get("/apps/other-user/shared-reference/fastq-qc").status_code == 200


def test_control_adds_an_app_and_a_new_revision(raw_api, sandbox):
    raw = {
        "cwlVersion": "v1.0",
        "class": "CommandLineTool",
        "label": "Tiny",
        "inputs": [{"id": "x", "type": "int"}],
        "outputs": [],
    }
    added = sandbox.add_app("demo-user/scratch", "tiny", raw)
    assert added["id"] == "demo-user/scratch/tiny/0"
    raw["inputs"].append({"id": "y", "type": "string?"})
    again = sandbox.add_app("demo-user/scratch", "tiny", raw)
    assert again["id"] == "demo-user/scratch/tiny/1"
    latest = raw_api.get("/apps/demo-user/scratch/tiny").json()
    assert [i["id"] for i in latest["raw"]["inputs"]] == ["x", "y"]
    first = raw_api.get("/apps/demo-user/scratch/tiny/0").json()
    assert [i["id"] for i in first["raw"]["inputs"]] == ["x"]


def test_apps_dir_installs_every_json_in_it(tmp_path):
    (tmp_path / "my-tool.json").write_text(
        json.dumps(
            {
                "cwlVersion": "v1.2",
                "class": "CommandLineTool",
                "label": "My Tool",
                "inputs": {"reads": "File"},
                "outputs": {},
            }
        )
    )
    handle = serve_in_thread(create_sandbox_app(apps_dir=tmp_path))
    try:
        from sandbox_helpers import ApiClient

        from sandbox import DEMO_TOKEN

        client = ApiClient(handle.api_url, DEMO_TOKEN)
        items = client.get("/apps", params={"project": "demo-user/pediatric-wgs"}).json()["items"]
        assert [(a["id"], a["name"]) for a in items] == [
            ("demo-user/pediatric-wgs/my-tool/0", "My Tool")
        ]
        client.session.close()
    finally:
        handle.shutdown()


def test_the_real_apps_live_inside_the_project():
    # A bare clone has nothing beside it: the sandbox seeds from its own copy.
    import sandbox.store

    repo = Path(sandbox.store.__file__).resolve().parents[1]
    assert sandbox.store.REAL_APPS_DIR.is_relative_to(repo)
    assert len(list(sandbox.store.REAL_APPS_DIR.glob("*.json"))) == 29
    assert (sandbox.store.REAL_APPS_DIR / "SOURCES.md").is_file()
