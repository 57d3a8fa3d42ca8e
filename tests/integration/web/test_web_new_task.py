"""The new-task page: every input drawn, the body sent is what the user chose, the batch preview,
one draft per submitted form, and the upstream calls a page costs."""

import datetime
import json
import re
import threading

import pytest
from markupsafe import escape
from web_helpers import (
    PROJECT,
    a_bam,
    app_specs,
    file_ref,
    folder_files,
    task_form,
    task_posts,
    text_of,
    upstream_counts,
)

BAMTOOLS = f"/projects/{PROJECT}/apps/sbg-bamtools-index-draft2/new?revision=27"
WES = "sbg-wes-bwa-gatk4-cwl1"
MARKER_LINE = "Submitted from the draft-task launcher, ref 0123456789ab"


def test_a_new_task_without_revision_is_pinned_to_the_latest(signed_in):
    response = signed_in.get(f"/projects/{PROJECT}/apps/sbg-bamtools-index-draft2/new")
    assert response.status_code == 302
    assert response.location.endswith("/apps/sbg-bamtools-index-draft2/new?revision=27")


@pytest.mark.parametrize("revision", ["-1", "abc", ""])
def test_a_revision_that_cannot_be_one_means_the_latest(signed_in, revision):
    response = signed_in.get(
        f"/projects/{PROJECT}/apps/sbg-bamtools-index-draft2/new?revision={revision}"
    )
    assert response.status_code == 302
    assert response.location.endswith("/apps/sbg-bamtools-index-draft2/new?revision=27")


@pytest.mark.parametrize(
    "app_name",
    [
        "sbg-bamtools-index-draft2",
        "sbpack-clt1-records",
        "kfdrc-plink-process-binary",
        WES,
        "sbg-gatk-haplotypecaller",
    ],
)
def test_the_form_draws_every_input_of_real_apps(signed_in, demo_client, app_name):
    specs = app_specs(demo_client, app_name)
    revision = demo_client.app(f"{PROJECT}/{app_name}")["revision"]
    response = signed_in.get(f"/projects/{PROJECT}/apps/{app_name}/new?revision={revision}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for spec in specs:
        assert f'name="inputs-{spec.id}' in html, spec.id
    # The name is pre-filled from the app's label and today's date, ready to be changed.
    label = demo_client.app(f"{PROJECT}/{app_name}")["name"]
    (name_input,) = re.findall(r'<input[^>]*\bname="name"[^>]*>', html)
    assert f'value="{escape(f"{label} {datetime.date.today().isoformat()}")}"' in name_input
    assert 'name="submission_id"' in html


def test_the_revision_can_be_chosen(signed_in):
    html = signed_in.get(BAMTOOLS).get_data(as_text=True)
    assert '<option value="27" selected>27 (latest)' in html
    assert '<option value="3">3' in html
    older = signed_in.get(f"/projects/{PROJECT}/apps/sbg-bamtools-index-draft2/new?revision=3")
    assert older.status_code == 200
    assert "revision 3." in text_of(older)


def test_a_single_task_is_sent_exactly_as_chosen(signed_in, demo_client, sandbox):
    specs = app_specs(demo_client, "sbg-bamtools-index-draft2", 27)
    bam = a_bam(demo_client)
    inputs = {"input_bam_file": file_ref(bam), "bti_format": True}
    data = task_form(
        specs,
        inputs,
        name="Index one BAM",
        description="For the QC meeting",
        **{
            "execution-instance_type": "c5.2xlarge",
            "execution-max_parallel_instances": "2",
            "execution-use_memoization": "on",
            "execution-use_interruptible_instances": "off",
        },
    )
    sandbox.clear_requests()
    response = signed_in.post(BAMTOOLS, data=data)
    assert response.status_code == 302, text_of(response)

    assert task_posts(sandbox) == [
        {
            "name": "Index one BAM",
            "project": PROJECT,
            "app": f"{PROJECT}/sbg-bamtools-index-draft2/27",
            "description": "For the QC meeting\n\n" + MARKER_LINE,
            "inputs": inputs,
            "execution_settings": {
                "instance_type": "c5.2xlarge",
                "max_parallel_instances": 2,
                "use_memoization": True,
            },
            "use_interruptible_instances": False,
        }
    ]
    # The draft page shows the task as it came back, without asking for it again.
    task_id = response.location.rstrip("/").split("/")[-1]
    assert response.location == f"/projects/{PROJECT}/tasks/{task_id}"
    sandbox.clear_requests()
    page = signed_in.get(response.location)
    text = text_of(page)
    assert "Index one BAM" in text
    assert "DRAFT" in text
    assert bam["name"] in text
    assert "c5.2xlarge" in text
    assert f"https://cavatica.sbgenomics.com/u/{PROJECT}/tasks/{task_id}/" in page.get_data(
        as_text=True
    )
    assert "The JSON body that was sent" in text
    counts = upstream_counts(sandbox)
    assert not any(key.startswith("GET /v2/tasks") for key in counts), counts
    # A later visit asks the platform for the task's current state.
    sandbox.clear_requests()
    assert "Index one BAM" in text_of(signed_in.get(response.location))
    assert sum(n for key, n in upstream_counts(sandbox).items() if key.startswith("GET /v2/tasks/"))


def fastqs(demo_client):
    """The pediatric WGS project's FASTQs at the root, in name order."""
    files = folder_files(demo_client)
    return [f for name, f in sorted(files.items()) if name.endswith(".fastq.gz")]


def wes_references(demo_client):
    """The WES app's required reference inputs, from the project's GRCh38 folder."""
    refs = folder_files(demo_client, "references", "GRCh38")
    return {
        "indels_1000g_phase1": file_ref(refs["1000G_phase1.snps.high_confidence.hg38.vcf.gz"]),
        "database": file_ref(refs["Homo_sapiens_assembly38.dict"]),
        "reference": file_ref(refs["Homo_sapiens_assembly38.fasta"]),
        "mills": file_ref(refs["Mills_and_1000G_gold_standard.indels.hg38.vcf.gz"]),
        "dbsnp": file_ref(refs["Homo_sapiens_assembly38.dbsnp138.vcf.gz"]),
        "intervals_file": file_ref(refs["exome_calling_regions.v1.1.hg38.bed"]),
    }


def wes_batch_form(demo_client, action):
    specs = app_specs(demo_client, WES)
    reads = [f for f in fastqs(demo_client) if not f["name"].startswith("Undetermined")]
    inputs = {"fastq": [file_ref(f) for f in reads], **wes_references(demo_client)}
    data = task_form(
        specs,
        inputs,
        name="Align by sample",
        action=action,
        **{"batch-mode": "on", "batch-input": "fastq", "batch-by": "sample"},
    )
    return data, inputs, reads


def test_batch_preview_shows_the_child_tasks_before_submitting(signed_in, demo_client, sandbox):
    data, _inputs, reads = wes_batch_form(demo_client, "preview")
    revision = demo_client.app(f"{PROJECT}/{WES}")["revision"]
    sandbox.clear_requests()
    response = signed_in.post(f"/projects/{PROJECT}/apps/{WES}/new?revision={revision}", data=data)
    assert response.status_code == 200
    text = text_of(response)
    samples = {f["metadata"].get("sample_id") for f in reads} - {None}
    assert f"This batch will make {len(samples)} child tasks" in text
    # The file without a sample id is named among those left out.
    no_sample = [f for f in reads if not f["metadata"].get("sample_id")]
    assert len(no_sample) == 1
    assert "Left out: 1 file" in text
    assert no_sample[0]["name"] in text
    # Nothing was created; the files' details came in one bulk call, not one call per file.
    counts = upstream_counts(sandbox)
    assert "POST /v2/tasks" not in counts
    assert counts.get("POST /v2/bulk/files/get") == 1
    assert not any(key.startswith("GET /v2/files/") for key in counts), counts
    # What the user typed is all still there.
    assert 'value="Align by sample"' in response.get_data(as_text=True)


def test_a_batch_task_is_sent_exactly_as_chosen(signed_in, demo_client, sandbox):
    data, inputs, _reads = wes_batch_form(demo_client, "create")
    revision = demo_client.app(f"{PROJECT}/{WES}")["revision"]
    sandbox.clear_requests()
    response = signed_in.post(f"/projects/{PROJECT}/apps/{WES}/new?revision={revision}", data=data)
    assert response.status_code == 302, text_of(response)
    assert task_posts(sandbox) == [
        {
            "name": "Align by sample",
            "project": PROJECT,
            "app": f"{PROJECT}/{WES}/{revision}",
            "description": MARKER_LINE,
            "inputs": inputs,
            "batch_input": "fastq",
            "batch_by": {"type": "CRITERIA", "criteria": ["metadata.sample_id"]},
        }
    ]
    text = text_of(signed_in.get(response.location))
    assert "Batch input fastq" in text
    assert "metadata.sample_id" in text


def test_a_single_file_input_batched_is_sent_as_a_list(signed_in, demo_client, sandbox):
    specs = app_specs(demo_client, "sbg-bamtools-index-draft2", 27)
    bams = [
        f for n, f in sorted(folder_files(demo_client, "alignments").items()) if n.endswith(".bam")
    ]
    data = task_form(
        specs,
        {},
        name="Index all BAMs",
        **{
            "inputs-input_bam_file": " ".join(b["id"] for b in bams),
            "batch-mode": "on",
            "batch-input": "input_bam_file",
            "batch-by": "item",
        },
    )
    response = signed_in.post(BAMTOOLS, data=data)
    assert response.status_code == 302, text_of(response)
    [body] = task_posts(sandbox)
    assert body["inputs"] == {"input_bam_file": [file_ref(b) for b in bams]}
    assert body["batch_by"] == {"type": "ITEM"}


def test_a_double_submit_makes_one_draft(signed_in, demo_client, sandbox):
    specs = app_specs(demo_client, "sbg-bamtools-index-draft2", 27)
    data = task_form(specs, {"input_bam_file": file_ref(a_bam(demo_client))})
    first = signed_in.post(BAMTOOLS, data=data)
    second = signed_in.post(BAMTOOLS, data=data)
    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    assert len(task_posts(sandbox)) == 1


def test_two_clicks_at_once_make_one_draft(make_app, demo_client, sandbox):
    app = make_app()
    clients = [app.test_client() for _ in range(2)]
    for client in clients:
        client.post("/sign-in", data={"token": sandbox.token})
        client.get(BAMTOOLS)
    specs = app_specs(demo_client, "sbg-bamtools-index-draft2", 27)
    data = task_form(specs, {"input_bam_file": file_ref(a_bam(demo_client))})
    # The platform is slow to answer, so the second POST arrives while the first is waiting.
    sandbox.fault(method="POST", path="/v2/tasks", latency_ms=700, times=1)
    results = [None, None]

    def submit(index):
        results[index] = clients[index].post(BAMTOOLS, data=data.copy())

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert [r.status_code for r in results] == [302, 302]
    assert results[0].location == results[1].location
    assert len(task_posts(sandbox)) == 1


def test_opening_the_same_form_twice_fetches_the_app_once(signed_in, sandbox):
    sandbox.clear_requests()
    signed_in.get(BAMTOOLS)
    signed_in.get(BAMTOOLS)
    counts = upstream_counts(sandbox)
    app_gets = {k: n for k, n in counts.items() if k.startswith("GET /v2/apps/")}
    assert sum(app_gets.values()) == 1, counts


def test_no_page_makes_a_call_per_file(signed_in, demo_client, sandbox):
    data, _inputs, reads = wes_batch_form(demo_client, "create")
    revision = demo_client.app(f"{PROJECT}/{WES}")["revision"]
    url = f"/projects/{PROJECT}/apps/{WES}/new?revision={revision}"
    created = signed_in.post(url, data=data)
    sandbox.clear_requests()
    # The form with 23 files chosen (re-rendered by a preview), the draft page, the run page.
    data["action"] = "preview"
    data["submission_id"] = "fedcba9876543210fedcba9876543210"
    signed_in.post(url, data=data)
    signed_in.get(created.location)
    signed_in.get(created.location + "/run")
    signed_in.get(created.location + "/edit")
    counts = upstream_counts(sandbox)
    assert not any(key.startswith("GET /v2/files/") for key in counts), counts
    assert counts["POST /v2/bulk/files/get"] <= 4
    assert len(reads) > 4


def test_the_body_to_be_sent_is_shown_after_a_preview(signed_in, demo_client):
    specs = app_specs(demo_client, "sbg-bamtools-index-draft2", 27)
    bam = a_bam(demo_client)
    data = task_form(specs, {"input_bam_file": file_ref(bam)}, action="preview")
    response = signed_in.post(BAMTOOLS, data=data)
    html = response.get_data(as_text=True)
    assert "The JSON body that will be sent" in html
    assert json.dumps(bam["id"]) in html
    # The chosen file's name is shown next to its field.
    assert bam["name"] in text_of(response)


def test_a_bad_value_is_explained_and_nothing_is_sent(signed_in, demo_client, sandbox):
    specs = app_specs(demo_client, "sbg-bamtools-index-draft2", 27)
    data = task_form(
        specs,
        {"input_bam_file": file_ref(a_bam(demo_client))},
        name="",
        **{"execution-max_parallel_instances": "zero"},
    )
    response = signed_in.post(BAMTOOLS, data=data)
    assert response.status_code == 200
    text = text_of(response)
    assert "Give the task a name." in text
    assert "Enter a whole number of 1 or more" in text
    assert 'value="zero"' in response.get_data(as_text=True)
    assert task_posts(sandbox) == []


@pytest.mark.parametrize("app_name", ["sbg-bamtools-index-draft2", "sbpack-clt1-records", WES])
def test_every_problem_in_the_summary_links_to_its_control(signed_in, demo_client, app_name):
    import re

    revision = demo_client.app(f"{PROJECT}/{app_name}")["revision"]
    url = f"/projects/{PROJECT}/apps/{app_name}/new?revision={revision}"
    response = signed_in.post(
        url, data={"name": "", "batch-mode": "on", "execution-max_parallel_instances": "many"}
    )
    html = response.get_data(as_text=True)
    summary = html.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    targets = re.findall(r'href="#([^"]+)"', summary)
    assert len(targets) >= 3  # the name, the number, the batch input, and the app's own
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    assert [t for t in targets if t not in ids] == []
    # Each control in error says so and points at its message.
    assert html.count('aria-invalid="true"') >= len(set(targets)) - 1


def test_preview_with_batch_off_says_why_there_is_none(signed_in, demo_client):
    specs = app_specs(demo_client, "sbg-bamtools-index-draft2", 27)
    data = task_form(specs, {"input_bam_file": file_ref(a_bam(demo_client))}, action="preview")
    text = text_of(signed_in.post(BAMTOOLS, data=data))
    assert "Batch is off, so there is no batch to preview" in text


def test_an_app_read_once_serves_its_form_again_but_only_to_its_account(app, signed_in, sandbox):
    from sandbox import OTHER_TOKEN

    assert signed_in.get(BAMTOOLS).status_code == 200
    sandbox.clear_requests()
    again = signed_in.get(BAMTOOLS)
    assert again.status_code == 200
    assert 'name="inputs-input_bam_file"' in again.get_data(as_text=True)
    assert not any("/apps/" in key for key in upstream_counts(sandbox))
    # Another account that cannot see the project is asked for by the platform, and refused.
    other = app.test_client()
    assert other.post("/sign-in", data={"token": OTHER_TOKEN}).status_code == 302
    refused = other.get(BAMTOOLS)
    assert refused.status_code in (403, 404)
    assert 'name="inputs-input_bam_file"' not in refused.get_data(as_text=True)
