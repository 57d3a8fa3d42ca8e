"""Tasks: validation on create, drafts with errors, batching, lifecycle on the clock, actions."""

import json
import uuid

import pytest
from sandbox_helpers import assert_error

RNA = "demo-user/rnaseq-pilot"
WGS = "demo-user/pediatric-wgs"
BWA = f"{RNA}/bwa-mem-align"
QC = f"{RNA}/fastq-qc"


def file_obj(record):
    return {"class": "File", "path": record["id"]}


@pytest.fixture
def rna(raw_api):
    """The RNA project's files: reads (paired FASTQs) and the reference FASTA."""
    root = raw_api.files(RNA)
    reads = [f for f in root if f["name"].endswith(".fastq.gz")]
    folder = next(f for f in root if f["type"] == "folder")
    fasta = raw_api.file_named(RNA, "GRCh38.primary_assembly.genome.fa", parent=folder["id"])
    return {"reads": reads, "fasta": fasta, "folder": folder}


def valid_bwa_body(rna, **overrides):
    body = {
        "name": "align one",
        "project": RNA,
        "app": BWA,
        "inputs": {
            "reads": [file_obj(f) for f in rna["reads"][:2]],
            "reference": file_obj(rna["fasta"]),
            "sample_name": "S1",
        },
    }
    body.update(overrides)
    return body


def create(raw_api, body, **params):
    response = raw_api.post("/tasks", json=body, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_valid_draft_has_the_platform_shape(raw_api, rna, sandbox):
    task = create(raw_api, valid_bwa_body(rna, description="first try"))
    assert uuid.UUID(task["id"]).version == 4
    assert task["href"] == f"{sandbox.api_url}/tasks/{task['id']}"
    assert task["status"] == "DRAFT" and task["errors"] == [] and task["warnings"] == []
    assert task["app"] == f"{BWA}/0" and task["project"] == RNA
    assert task["batch"] is False and task["description"] == "first try"
    assert task["created_time"].endswith("Z") and task["start_time"] is None
    assert task["created_by"] == "demo-user"
    # file objects come back with their names
    assert task["inputs"]["reads"][0] == {
        **file_obj(rna["reads"][0]),
        "name": rna["reads"][0]["name"],
    }
    assert task["inputs"]["sample_name"] == "S1"
    assert raw_api.get(task["href"]).json() == task


def test_missing_required_inputs_still_make_a_draft_with_errors(raw_api):
    task = create(raw_api, {"project": RNA, "app": BWA, "inputs": {"sample_name": "S1"}})
    assert task["status"] == "DRAFT"
    assert sorted((e["type"], e["input_id"]) for e in task["errors"]) == [
        ("error/task_validation/input/required", "reads"),
        ("error/task_validation/input/required", "reference"),
    ]
    assert all(e["message"] for e in task["errors"])
    assert task["name"].startswith("BWA-MEM Alignment")  # a default name, as the platform gives


@pytest.mark.parametrize(
    "input_id, value",
    [
        ("sample_name", 42),
        ("reads", {"class": "File", "path": "x"}),  # a single file where a list is wanted
        ("platform", "SOLEXA"),  # not one of the enum's symbols
        ("mark_duplicates", "true"),  # a string, not a boolean
        ("min_seed_length", 19.5),
        ("min_seed_length", True),
        ("reference", {"path": "abc"}),  # no class
        ("reference", "abc"),
    ],
)
def test_wrong_types_are_schema_errors(raw_api, rna, input_id, value):
    body = valid_bwa_body(rna)
    body["inputs"][input_id] = value
    task = create(raw_api, body)
    assert [(e["type"], e["input_id"]) for e in task["errors"]] == [
        ("error/task_validation/input/schema", input_id)
    ]


def test_unknown_inputs_and_missing_files_are_errors(raw_api, rna, other_api):
    body = valid_bwa_body(rna)
    body["inputs"]["not_an_input"] = 1
    other_file = other_api.files("other-user/private-study")[0]
    wgs_file = raw_api.files(WGS)[0]
    body["inputs"]["reads"] = [file_obj(other_file), file_obj(wgs_file)]
    body["inputs"]["reference"] = {"class": "File", "path": "0" * 24}
    errors = {e["input_id"]: e["type"] for e in create(raw_api, body)["errors"]}
    assert errors == {
        "not_an_input": "error/task_validation/input/unknown",
        "reads": "error/task_validation/input/file",
        "reference": "error/task_validation/input/file",
    }


def test_directory_inputs_need_a_folder_of_the_project(raw_api):
    root = raw_api.files(WGS)
    folder = next(f for f in root if f["type"] == "folder")
    a_file = next(f for f in root if f["type"] == "file")
    app = f"{WGS}/kfdrc-cellranger-10x-wf"
    good = create(
        raw_api,
        {
            "project": WGS,
            "app": app,
            "inputs": {
                "output_basename": "x",
                "sample_name": "s",
                "reference": {"class": "Directory", "path": folder["id"]},
            },
        },
    )
    assert good["errors"] == []
    bad = create(
        raw_api,
        {
            "project": WGS,
            "app": app,
            "inputs": {
                "output_basename": "x",
                "sample_name": "s",
                "reference": {"class": "Directory", "path": a_file["id"]},
            },
        },
    )
    assert [e["input_id"] for e in bad["errors"]] == ["reference"]


def test_record_inputs_are_checked_field_by_field(raw_api, rna):
    app = f"{WGS}/kfdrc-plink-process-binary"
    files = raw_api.files(WGS)
    bed = next(f for f in files if f["type"] == "file")
    inputs = {"input_bed": file_obj(bed), "input_bim": file_obj(bed), "input_fam": file_obj(bed)}
    ok = create(
        raw_api,
        {"project": WGS, "app": app, "inputs": {**inputs, "genome": {"gz": True, "full": False}}},
    )
    assert ok["errors"] == []
    bad = create(raw_api, {"project": WGS, "app": app, "inputs": {**inputs, "genome": {"gz": "y"}}})
    assert [e["input_id"] for e in bad["errors"]] == ["genome"]


def test_draft2_apps_are_read_too(raw_api):
    bam = next(
        f
        for f in raw_api.files(parent=raw_api.file_named(WGS, "alignments")["id"])
        if f["name"].endswith(".bam")
    )
    app = f"{WGS}/sbg-bamtools-index-draft2"
    ok = create(raw_api, {"project": WGS, "app": app, "inputs": {"input_bam_file": file_obj(bam)}})
    assert ok["errors"] == [] and ok["app"] == f"{app}/27"
    missing = create(raw_api, {"project": WGS, "app": app, "inputs": {"bti_format": "yes"}})
    assert sorted((e["input_id"], e["type"].rsplit("/", 1)[1]) for e in missing["errors"]) == [
        ("bti_format", "schema"),
        ("input_bam_file", "required"),
    ]


@pytest.mark.parametrize(
    "change, status, code",
    [
        ({"project": None}, 400, 3006),
        ({"project": "no-slash"}, 400, 3012),
        ({"project": "demo-user/nope"}, 404, 3002),
        ({"project": "other-user/shared-reference"}, 403, 3001),  # read-only for the demo user
        ({"project": "other-user/private-study"}, 403, 3001),
        ({"app": None}, 400, 7015),
        ({"app": "too/short"}, 400, 6011),
        ({"app": f"{RNA}/nope"}, 404, 6002),
        ({"app": f"{BWA}/9"}, 404, 6002),
        ({"app": "other-user/private-study/fastq-qc"}, 403, 6001),
    ],
)
def test_project_and_app_are_checked(raw_api, rna, change, status, code):
    body = valid_bwa_body(rna)
    body.update(change)
    assert_error(raw_api.post("/tasks", json=body), status, code)
    assert raw_api.get("/tasks", params={"project": RNA, "status": "DRAFT"}).json()["items"] == []


def test_public_and_shared_apps_can_be_used_in_own_projects(raw_api):
    for app in (
        "admin/sbg-public-data/sbg-bamtools-index-draft2",
        "other-user/shared-reference/fastq-qc",
    ):
        assert raw_api.post("/tasks", json={"project": WGS, "app": app}).status_code == 200


@pytest.mark.parametrize(
    "batch, code",
    [
        ({"batch_input": "", "batch_by": {"type": "item"}}, 7018),
        ({"batch_input": "reads"}, 7023),
        ({"batch_by": {"type": "item"}}, 7023),
        ({"batch_input": "reads", "batch_by": {"type": "files"}}, 7020),
        ({"batch_input": "reads", "batch_by": {}}, 7020),
        ({"batch_input": "reads", "batch_by": {"type": "criteria"}}, 7019),
        ({"batch_input": "reads", "batch_by": {"type": "criteria", "criteria": []}}, 7019),
        ({"batch_input": "no_such_input", "batch_by": {"type": "item"}}, 7018),
        ({"batch_input": "sample_name", "batch_by": {"type": "item"}}, 7018),  # not a file input
    ],
)
def test_batch_rules(raw_api, rna, batch, code):
    assert_error(raw_api.post("/tasks", json=valid_bwa_body(rna, **batch)), 400, code)


@pytest.mark.parametrize(
    "settings",
    [
        {"instance_type": "c5.2xlarge"},
        {
            "instance_type": "c5.2xlarge;ebs-gp2;1024",
            "max_parallel_instances": 4,
            "use_memoization": True,
            "use_elastic_disk": False,
        },
    ],
)
def test_valid_execution_settings_are_kept(raw_api, rna, settings):
    location = {"main_location": "/Analysis/run-1/"}
    task = create(
        raw_api,
        valid_bwa_body(
            rna,
            execution_settings=settings,
            output_location=location,
            use_interruptible_instances=False,
        ),
    )
    assert task["execution_settings"] == settings
    assert task["output_location"] == location
    assert task["use_interruptible_instances"] is False


@pytest.mark.parametrize(
    "change",
    [
        {"execution_settings": {"instance_type": ""}},
        {"execution_settings": {"instance_type": "big machine"}},
        {"execution_settings": {"instance_type": "c5.2xlarge;ebs-gp2;lots"}},
        {"execution_settings": {"instance_type": "c5.2xlarge;ebs-gp2;1024\n"}},
        {"execution_settings": {"max_parallel_instances": 0}},
        {"execution_settings": {"max_parallel_instances": "2"}},
        {"execution_settings": {"use_memoization": "yes"}},
        {"execution_settings": {"colour": "blue"}},
        {"execution_settings": ["c5.2xlarge"]},
        {"use_interruptible_instances": "no"},
        {"name": 7},
        {"inputs": ["reads"]},
    ],
)
def test_bad_settings_and_field_types_are_400(raw_api, rna, change):
    assert_error(raw_api.post("/tasks", json=valid_bwa_body(rna, **change)), 400, 90000)


def test_create_and_run_then_the_clock_moves_it_along(raw_api, rna, sandbox):
    task = create(raw_api, valid_bwa_body(rna), action="run")
    assert task["status"] == "QUEUED" and task["executed_by"] == "demo-user"
    sandbox.advance_clock(60)
    running = raw_api.get(task["href"]).json()
    assert running["status"] == "RUNNING" and running["start_time"].endswith("Z")
    assert running["end_time"] is None
    sandbox.advance_clock(3600)
    done = raw_api.get(task["href"]).json()
    assert done["status"] == "COMPLETED" and done["end_time"] > done["start_time"]
    assert done["execution_status"]["steps_completed"] == done["execution_status"]["steps_total"]


def test_a_configurable_share_of_tasks_fails(raw_api, rna, sandbox):
    raw_api.session.post(f"{sandbox.url}/_sandbox/fail_share", json={"fail_share": 1.0}, timeout=10)
    task = create(raw_api, valid_bwa_body(rna), action="run")
    sandbox.advance_clock(3600)
    assert raw_api.get(task["href"]).json()["status"] == "FAILED"
    raw_api.session.post(f"{sandbox.url}/_sandbox/fail_share", json={"fail_share": 0.5}, timeout=10)
    outcomes = []
    for _ in range(6):
        outcomes.append(create(raw_api, valid_bwa_body(rna), action="run")["id"])
    sandbox.advance_clock(3600)
    statuses = [raw_api.get(f"/tasks/{i}").json()["status"] for i in outcomes]
    assert set(statuses) == {"COMPLETED", "FAILED"}


def test_run_with_errors_leaves_a_draft_carrying_them(raw_api):
    task = create(raw_api, {"project": RNA, "app": BWA, "inputs": {}}, action="run")
    assert task["status"] == "DRAFT" and task["errors"]
    assert_error(raw_api.post(f"/tasks/{task['id']}/actions/run"), 400, 7024)


def test_run_flags(raw_api, rna):
    assert_error(
        raw_api.post("/tasks", json=valid_bwa_body(rna), params={"batch": "false"}), 400, 7021
    )
    assert_error(
        raw_api.post("/tasks", json=valid_bwa_body(rna), params={"action": "go"}), 400, 7009
    )
    draft = create(raw_api, valid_bwa_body(rna))
    assert_error(
        raw_api.post(f"/tasks/{draft['id']}/actions/run", params={"batch": "false"}), 400, 7022
    )
    ran = raw_api.post(
        f"/tasks/{draft['id']}/actions/run",
        data="null",
        params={"use_interruptible_instances": "false"},
    ).json()
    assert ran["status"] == "QUEUED" and ran["use_interruptible_instances"] is False
    assert_error(raw_api.post(f"/tasks/{draft['id']}/actions/run"), 400, 7007)
    assert_error(raw_api.post(f"/tasks/{draft['id']}/actions/jump"), 400, 7009)


def sample_of(record):
    return record["metadata"].get("sample_id")


def test_batch_by_criteria_groups_by_metadata_and_leaves_out_files_missing_a_key(raw_api):
    fastqs = [f for f in raw_api.files(WGS) if f["name"].endswith(".fastq.gz")]
    body = {
        "name": "QC by sample",
        "project": WGS,
        "app": QC,
        "inputs": {"reads": [file_obj(f) for f in fastqs]},
        "batch_input": "reads",
        "batch_by": {"type": "CRITERIA", "criteria": ["metadata.sample_id"]},
    }
    draft = create(raw_api, body)
    assert draft["batch"] is True and draft["batch_input"] == "reads"
    assert draft["batch_by"] == body["batch_by"]  # echoed as sent
    assert raw_api.get("/tasks", params={"parent": draft["id"]}).json()["items"] == []

    parent = raw_api.post(f"/tasks/{draft['id']}/actions/run").json()
    children = raw_api.get(
        "/tasks", params={"parent": parent["id"], "limit": 100, "fields": "_all"}
    ).json()["items"]
    samples = {sample_of(f) for f in fastqs} - {None}
    assert len(children) == len(samples) == 6
    for child in children:
        # The keys keep their prefix, as in the platform's documentation.
        assert list(child["batch_group"]["fields"]) == ["metadata.sample_id"]
        sample = child["batch_group"]["fields"]["metadata.sample_id"]
        assert child["batch_group"]["value"] == sample
        assert child["name"] == f"QC by sample - {sample}"
        assert child["batch"] is False and child["parent"] == parent["id"]
        assert child["status"] == "QUEUED"
        assert {
            sample_of(raw_api.get(f"/files/{i['path']}").json()) for i in child["inputs"]["reads"]
        } == {sample}
    given = sum(len(c["inputs"]["reads"]) for c in children)
    assert given == len([f for f in fastqs if sample_of(f)])  # files without sample_id left out
    assert parent["execution_status"]["queued"] == 6


def test_batch_by_two_criteria(raw_api):
    fastqs = [f for f in raw_api.files(WGS) if f["name"].endswith(".fastq.gz")]
    body = {
        "project": WGS,
        "app": QC,
        "inputs": {"reads": [file_obj(f) for f in fastqs]},
        "batch_input": "reads",
        "batch_by": {
            "type": "criteria",
            "criteria": ["metadata.sample_id", "metadata.platform_unit_id"],
        },
    }
    parent = create(raw_api, body, action="run")
    children = raw_api.get(
        "/tasks", params={"parent": parent["id"], "limit": 100, "fields": "_all"}
    ).json()["items"]
    assert len(children) == 12  # six samples, two lanes each
    child = children[0]
    fields = child["batch_group"]["fields"]
    assert list(fields) == ["metadata.sample_id", "metadata.platform_unit_id"]
    assert child["batch_group"]["value"] == ", ".join(fields.values())


def test_batch_by_item_on_a_single_file_input_takes_a_list(raw_api, sandbox):
    bams = [
        f
        for f in raw_api.files(parent=raw_api.file_named(WGS, "alignments")["id"])
        if f["name"].endswith(".bam")
    ]
    app = f"{WGS}/sbg-bamtools-index-draft2"
    body = {
        "name": "index",
        "project": WGS,
        "app": app,
        "inputs": {"input_bam_file": [file_obj(b) for b in bams]},
        "batch_input": "input_bam_file",
        "batch_by": {"type": "item"},
    }
    parent = create(raw_api, body)
    assert parent["errors"] == []
    # the same list is a schema error when the task is not a batch
    not_batch = {k: v for k, v in body.items() if not k.startswith("batch")}
    assert create(raw_api, not_batch)["errors"][0]["type"].endswith("/schema")

    raw_api.post(f"/tasks/{parent['id']}/actions/run")
    children = raw_api.get("/tasks", params={"parent": parent["id"], "fields": "_all"}).json()[
        "items"
    ]
    assert [c["batch_group"]["value"] for c in children] == [b["name"] for b in bams]
    assert all(c["inputs"]["input_bam_file"]["class"] == "File" for c in children)

    sandbox.advance_clock(60)
    assert raw_api.get(f"/tasks/{parent['id']}").json()["status"] == "RUNNING"
    sandbox.advance_clock(3600)
    done = raw_api.get(f"/tasks/{parent['id']}").json()
    assert done["status"] == "COMPLETED"
    counts = {
        k: done["execution_status"][k]
        for k in ("queued", "running", "completed", "failed", "aborted")
    }
    assert counts == {"queued": 0, "running": 0, "completed": len(bams), "failed": 0, "aborted": 0}


def test_abort(raw_api, rna, sandbox):
    draft = create(raw_api, valid_bwa_body(rna))
    assert_error(raw_api.post(f"/tasks/{draft['id']}/actions/abort"), 400, 7008)
    raw_api.post(f"/tasks/{draft['id']}/actions/run")
    sandbox.advance_clock(60)
    aborted = raw_api.post(f"/tasks/{draft['id']}/actions/abort").json()
    assert aborted["status"] == "ABORTED" and aborted["end_time"]
    sandbox.advance_clock(3600)
    assert raw_api.get(aborted["href"]).json()["status"] == "ABORTED"
    assert_error(raw_api.post(f"/tasks/{draft['id']}/actions/abort"), 400, 7008)


def test_aborting_a_batch_parent_aborts_its_children(raw_api, rna):
    body = valid_bwa_body(rna, app=QC, batch_input="reads", batch_by={"type": "item"})
    body["inputs"] = {"reads": [file_obj(f) for f in rna["reads"]]}
    parent = create(raw_api, body, action="run")
    aborted = raw_api.post(f"/tasks/{parent['id']}/actions/abort").json()
    assert aborted["status"] == "ABORTED"
    assert aborted["execution_status"]["aborted"] == len(rna["reads"])
    children = raw_api.get("/tasks", params={"parent": parent["id"], "fields": "_all"}).json()[
        "items"
    ]
    assert {c["status"] for c in children} == {"ABORTED"}


def test_batch_false_runs_the_parent_as_one_task(raw_api, rna):
    body = valid_bwa_body(rna, app=QC, batch_input="reads", batch_by={"type": "item"})
    body["inputs"] = {"reads": [file_obj(f) for f in rna["reads"]]}
    task = create(raw_api, body, action="run", batch="false")
    assert task["batch"] is False and task["status"] == "QUEUED"
    assert raw_api.get("/tasks", params={"parent": task["id"]}).json()["items"] == []


def qc_batch_draft(raw_api, rna):
    body = valid_bwa_body(rna, app=QC, batch_input="reads", batch_by={"type": "item"})
    body["inputs"] = {"reads": [file_obj(f) for f in rna["reads"]]}
    draft = create(raw_api, body)
    assert draft["batch"] is True
    return draft


def test_batch_false_on_a_draft_makes_it_a_single_task(raw_api, rna):
    draft = qc_batch_draft(raw_api, rna)
    single = raw_api.patch(f"/tasks/{draft['id']}", json={"batch": False}).json()
    assert single["batch"] is False
    assert "batch_input" not in single and "batch_by" not in single
    assert raw_api.get(draft["href"]).json() == single
    ran = raw_api.post(f"/tasks/{draft['id']}/actions/run").json()
    assert ran["status"] == "QUEUED"
    assert raw_api.get("/tasks", params={"parent": draft["id"]}).json()["items"] == []


def test_null_batch_settings_change_nothing(raw_api, rna):
    # Only `batch: false` switches batch off; nulls are no change, as for other fields.
    draft = qc_batch_draft(raw_api, rna)
    kept = raw_api.patch(f"/tasks/{draft['id']}", json={"batch_input": None, "batch_by": None})
    assert kept.status_code == 200
    assert kept.json()["batch"] is True and kept.json()["batch_by"] == {"type": "item"}


def test_batch_true_turns_a_single_draft_into_a_batch(raw_api, rna):
    body = valid_bwa_body(rna, app=QC, batch=False)
    body["inputs"] = {"reads": [file_obj(f) for f in rna["reads"]]}
    single = create(raw_api, body)
    assert single["batch"] is False and "batch_input" not in single
    url = f"/tasks/{single['id']}"
    assert_error(raw_api.patch(url, json={"batch": True}), 400, 7023)  # batch over what?
    made = raw_api.patch(
        url, json={"batch": True, "batch_input": "reads", "batch_by": {"type": "item"}}
    ).json()
    assert made["batch"] is True and made["batch_input"] == "reads"


@pytest.mark.parametrize(
    "body",
    [
        {"batch": False, "batch_input": "reads", "batch_by": {"type": "item"}},
        {"batch": "false"},
        {"batch": 0},
    ],
)
def test_batch_must_be_a_boolean_that_agrees_with_the_settings(raw_api, rna, body):
    draft = qc_batch_draft(raw_api, rna)
    code = 7023 if "batch_input" in body else 90000
    assert_error(raw_api.patch(f"/tasks/{draft['id']}", json=body), 400, code)
    assert raw_api.get(draft["href"]).json()["batch"] is True
    assert_error(raw_api.post("/tasks", json=valid_bwa_body(rna, app=QC, **body)), 400, code)


def test_patch_drafts_and_rename_only_otherwise(raw_api, rna):
    draft = create(raw_api, {"project": RNA, "app": BWA, "inputs": {"sample_name": "S1"}})
    assert draft["errors"]
    fixed = raw_api.patch(
        f"/tasks/{draft['id']}", json={"inputs": valid_bwa_body(rna)["inputs"], "name": "fixed"}
    ).json()
    assert fixed["errors"] == [] and fixed["name"] == "fixed"
    raw_api.post(f"/tasks/{draft['id']}/actions/run")
    assert_error(raw_api.patch(f"/tasks/{draft['id']}", json={"inputs": {}}), 400, 7026)
    renamed = raw_api.patch(f"/tasks/{draft['id']}", json={"name": "renamed"}).json()
    assert renamed["name"] == "renamed" and renamed["status"] == "QUEUED"


def test_a_draft_moved_to_another_app_counts_that_app_s_steps(raw_api, sandbox):
    workflow = {
        "class": "Workflow",
        "inputs": [],
        "outputs": [],
        "steps": [{"id": "one"}, {"id": "two"}, {"id": "three"}],
    }
    sandbox.add_app("demo-user/scratch", "three-steps", workflow)
    sandbox.add_app("demo-user/scratch", "one-tool", {"class": "CommandLineTool", "inputs": []})
    draft = create(raw_api, {"project": "demo-user/scratch", "app": "demo-user/scratch/one-tool"})
    assert draft["execution_status"]["steps_total"] == 1
    moved = raw_api.patch(f"/tasks/{draft['id']}", json={"app": "demo-user/scratch/three-steps"})
    assert moved.json()["execution_status"]["steps_total"] == 3


def test_delete_drafts_only(raw_api, rna):
    draft = create(raw_api, valid_bwa_body(rna))
    response = raw_api.delete(f"/tasks/{draft['id']}")
    assert response.status_code == 204 and response.content == b""
    assert_error(raw_api.get(f"/tasks/{draft['id']}"), 404, 7002)
    running = create(raw_api, valid_bwa_body(rna), action="run")
    assert_error(raw_api.delete(f"/tasks/{running['id']}"), 400, 7007)


def test_clone(raw_api, rna):
    original = create(
        raw_api, valid_bwa_body(rna, execution_settings={"max_parallel_instances": 2}), action="run"
    )
    clone = raw_api.post(f"/tasks/{original['id']}/actions/clone").json()
    assert clone["id"] != original["id"] and clone["status"] == "DRAFT"
    assert clone["inputs"] == original["inputs"]
    assert clone["execution_settings"] == {"max_parallel_instances": 2}
    ran = raw_api.post(f"/tasks/{original['id']}/actions/clone", params={"action": "run"}).json()
    assert ran["status"] == "QUEUED"


def test_list_filters_order_and_paging(raw_api, rna, sandbox):
    names = ["b-task", "a-task", "c-task"]
    ids = [create(raw_api, valid_bwa_body(rna, name=n))["id"] for n in names]
    raw_api.post(f"/tasks/{ids[2]}/actions/run")
    drafts = raw_api.get("/tasks", params={"project": RNA, "status": "DRAFT"}).json()["items"]
    assert [t["name"] for t in drafts] == ["b-task", "a-task"]  # created_time, ascending
    newest_first = raw_api.get(
        "/tasks",
        params={"project": RNA, "status": "DRAFT", "order_by": "created_time", "order": "desc"},
    )
    assert [t["name"] for t in newest_first.json()["items"]] == ["a-task", "b-task"]
    by_name = raw_api.get("/tasks", params={"project": RNA, "order_by": "name", "fields": "_all"})
    listed = [t["name"] for t in by_name.json()["items"]]
    assert listed == sorted(listed)
    assert by_name.headers["X-Total-Matching-Query"] == "5"  # 3 new + 2 from the seed
    queued = raw_api.get("/tasks", params={"project": RNA, "status": "QUEUED"}).json()["items"]
    assert [t["id"] for t in queued] == [ids[2]]
    page = raw_api.get("/tasks", params={"project": RNA, "limit": 2, "offset": 4}).json()
    assert len(page["items"]) == 1
    assert_error(raw_api.get("/tasks", params={"status": "SLEEPING"}), 400, 7006)
    assert_error(raw_api.get("/tasks", params={"order_by": "colour"}), 400, 90000)
    assert_error(raw_api.get("/tasks", params={"project": "other-user/private-study"}), 403, 3001)


def test_tasks_of_other_users(raw_api, other_api):
    everything = {t["project"] for t in raw_api.get("/tasks").json()["items"]}
    assert everything == {RNA, "other-user/shared-reference"}
    shared = raw_api.get("/tasks", params={"project": "other-user/shared-reference"}).json()
    task = shared["items"][0]
    assert task["status"] == "COMPLETED"
    assert_error(raw_api.patch(f"/tasks/{task['id']}", json={"name": "mine"}), 403, 7001)
    assert_error(raw_api.post(f"/tasks/{task['id']}/actions/clone"), 403, 7001)
    private = other_api.get("/tasks", params={"project": "other-user/private-study"})
    private_id = private.json()["items"][0]["id"]
    assert_error(raw_api.get(f"/tasks/{private_id}"), 403, 7001)
    assert_error(raw_api.get(f"/tasks/{uuid.uuid4()}"), 404, 7002)
    assert_error(raw_api.get("/tasks/task-1"), 400, 7005)


def test_a_refused_patch_leaves_the_draft_unchanged(raw_api, rna):
    draft = create(raw_api, valid_bwa_body(rna))
    response = raw_api.patch(
        f"/tasks/{draft['id']}",
        json={
            "inputs": {"sample_name": "changed"},
            "execution_settings": {"max_parallel_instances": 0},
        },
    )
    assert_error(response, 400, 90000)
    assert raw_api.get(f"/tasks/{draft['id']}").json() == draft


def test_task_replies_write_numbers_and_text_as_sent(raw_api, rna):
    """Task replies are written by a faster encoder when it would write the same text: floats
    (1e+16, 1e-05, and even 1e400, which the platform's JSON reader took as Infinity),
    non-ASCII text and DEL come back exactly as every other reply writes them."""
    body = json.dumps(
        valid_bwa_body(
            rna,
            name="d\u00e9j\u00e0 vu \x7f",
            inputs={"sample_name": "S\u00e9", "x": [1e16, 1e-05, 0.1, -0.0, 2.5, 7]},
        )
    ).replace('"x":', '"huge": 1e400, "x":')
    created = raw_api.post("/tasks", data=body, headers={"Content-Type": "application/json"})
    assert created.status_code == 200
    again = raw_api.get(f"/tasks/{created.json()['id']}")
    for response in (created, again):
        task = json.loads(response.text)
        assert task["name"] == "d\u00e9j\u00e0 vu \x7f"
        assert task["inputs"]["sample_name"] == "S\u00e9"
        assert task["inputs"]["x"] == [1e16, 1e-05, 0.1, -0.0, 2.5, 7]
        assert task["inputs"]["huge"] == float("inf")
        assert response.text == json.dumps(task, separators=(",", ":")) + "\n"
        assert '"x":[1e+16,1e-05,0.1,-0.0,2.5,7]' in response.text
    plain = raw_api.post("/tasks", json=valid_bwa_body(rna))
    assert plain.text == json.dumps(plain.json(), separators=(",", ":")) + "\n"
