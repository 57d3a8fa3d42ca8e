"""Outputs: a task that completes gets its output files in the project (one per File output of
its app, two for an array), with `origin.task` set, and `GET /files?origin.task=` finds them."""

RNA = "demo-user/rnaseq-pilot"
QC = f"{RNA}/fastq-qc"
BWA = f"{RNA}/bwa-mem-align"


def file_obj(record):
    return {"class": "File", "path": record["id"]}


def reads(raw_api):
    return sorted(
        (f for f in raw_api.files(RNA) if f["name"].endswith(".fastq.gz")), key=lambda f: f["name"]
    )


def run(raw_api, body):
    task = raw_api.post("/tasks", params={"action": "run"}, json=body).json()
    assert task["status"] == "QUEUED", task
    return task


def outputs_of(raw_api, task_id):
    return raw_api.files(RNA, **{"origin.task": task_id})


def test_a_completed_task_has_its_outputs_in_the_project(raw_api, sandbox):
    fastqs = reads(raw_api)
    task = run(raw_api, {"project": RNA, "app": QC, "inputs": {"reads": [file_obj(fastqs[0])]}})
    assert outputs_of(raw_api, task["id"]) == []
    sandbox.advance_clock(200)  # running: nothing yet
    assert outputs_of(raw_api, task["id"]) == []
    sandbox.advance_clock(200)
    done = raw_api.get(f"/tasks/{task['id']}").json()
    assert done["status"] == "COMPLETED"
    made = outputs_of(raw_api, task["id"])
    base = fastqs[0]["name"].split(".")[0]
    assert sorted(f["name"] for f in made) == [f"{base}.report.1.html", f"{base}.report.2.html"]
    for record in made:
        assert record["origin"] == {"task": task["id"]}
        assert record["project"] == RNA and record["type"] == "file"
        assert record["metadata"] == fastqs[0]["metadata"]  # carried over from the input
    assert [o["path"] for o in done["outputs"]["report"]] == [
        f["id"] for f in sorted(made, key=lambda f: f["name"])
    ]
    # They are ordinary files of the project: listed at its root and read by id.
    assert {f["id"] for f in made} <= {f["id"] for f in raw_api.files(RNA)}
    assert raw_api.get(f"/files/{made[0]['id']}").json()["origin"] == {"task": task["id"]}


def test_a_second_run_on_the_same_input_gets_prefixed_names(raw_api, sandbox):
    fastq = reads(raw_api)[0]
    body = {"project": RNA, "app": QC, "inputs": {"reads": [file_obj(fastq)]}}
    first, second = run(raw_api, body), run(raw_api, body)
    sandbox.advance_clock(400)
    names = {f["name"] for f in outputs_of(raw_api, second["id"])}
    base = fastq["name"].split(".")[0]
    assert names == {f"_1_{base}.report.1.html", f"_1_{base}.report.2.html"}
    assert len(outputs_of(raw_api, first["id"])) == 2


def test_failed_and_aborted_tasks_have_no_outputs(raw_api, sandbox):
    fastq = reads(raw_api)[0]
    body = {"project": RNA, "app": QC, "inputs": {"reads": [file_obj(fastq)]}}
    aborted = run(raw_api, body)
    raw_api.post(f"/tasks/{aborted['id']}/actions/abort")
    sandbox.set_fail_share(1.0)
    failed = run(raw_api, body)
    sandbox.advance_clock(400)
    assert raw_api.get(f"/tasks/{failed['id']}").json()["status"] == "FAILED"
    assert raw_api.get(f"/tasks/{aborted['id']}").json()["status"] == "ABORTED"
    assert outputs_of(raw_api, failed["id"]) == [] and outputs_of(raw_api, aborted["id"]) == []


def test_each_child_of_a_batch_has_its_outputs_and_the_parent_none(raw_api, sandbox):
    fastqs = reads(raw_api)
    parent = run(
        raw_api,
        {
            "project": RNA,
            "app": QC,
            "inputs": {"reads": [file_obj(f) for f in fastqs[:2]]},
            "batch_input": "reads",
            "batch_by": {"type": "item"},
        },
    )
    sandbox.advance_clock(400)
    assert outputs_of(raw_api, parent["id"]) == []
    children = raw_api.get("/tasks", params={"parent": parent["id"]}).json()["items"]
    assert len(children) == 2
    for child, fastq in zip(children, fastqs[:2], strict=True):
        made = outputs_of(raw_api, child["id"])
        assert len(made) == 2 and all(f["origin"]["task"] == child["id"] for f in made)
        assert all(f["name"].startswith(fastq["name"].split(".")[0]) for f in made)


def test_a_single_file_output_and_the_seeded_finished_task(raw_api, sandbox):
    seeded = raw_api.get("/tasks", params={"project": RNA, "status": "COMPLETED"}).json()["items"]
    assert seeded and all(len(outputs_of(raw_api, t["id"])) == 2 for t in seeded)
    fastqs = reads(raw_api)
    folder = next(f for f in raw_api.files(RNA) if f["type"] == "folder")
    fasta = raw_api.file_named(RNA, "GRCh38.primary_assembly.genome.fa", parent=folder["id"])
    task = run(
        raw_api,
        {
            "project": RNA,
            "app": BWA,
            "inputs": {
                "reads": [file_obj(f) for f in fastqs[:2]],
                "reference": file_obj(fasta),
                "sample_name": "S1",
            },
        },
    )
    sandbox.advance_clock(400)
    (made,) = outputs_of(raw_api, task["id"])
    assert made["name"].endswith(".aligned.bam")
    assert raw_api.get(f"/tasks/{task['id']}").json()["outputs"]["aligned"]["path"] == made["id"]
