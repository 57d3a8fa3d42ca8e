"""The 100,000-file project as a large cohort's user meets it: its apps, 1,000 FASTQs (or 500
CRAMs) batched by sample, the preview and the draft, within a few upstream calls."""

import os
import re

from web_helpers import app_specs, task_form, task_posts, text_of, upstream_counts

BIG = "demo-user/big-cohort"


def file_ref(item):
    return {"class": "File", "path": item["id"]}


def first_fastqs(demo_client, count):
    """The first `count` FASTQs at the project's root, as the picker pages through them."""
    found, offset = [], 0
    while len(found) < count:
        page = demo_client.files(project=BIG, offset=offset, limit=100)
        found += [f for f in page.items if f["name"].endswith(".fastq.gz")]
        offset += len(page.items)
    return found[:count]


def in_folder(demo_client, *path):
    parent = None
    for name in path:
        where = {"parent": parent} if parent else {"project": BIG}
        parent = demo_client.files(**where, names=[name]).items[0]["id"]
    return demo_client.files(parent=parent, limit=100).items


def form_url(demo_client, app_name):
    revision = demo_client.app(f"{BIG}/{app_name}")["revision"]
    return f"/projects/{BIG}/apps/{app_name}/new?revision={revision}"


def test_the_cohort_has_apps_for_its_reads_and_its_alignments(signed_in):
    text = text_of(signed_in.get(f"/projects/{BIG}"))
    for label in ("FASTQ Quality Control", "BWA-MEM", "HaplotypeCaller", "Whole Exome"):
        assert label in text, label


def stored_session_sizes(app):
    folder = app.config["SESSION_FILE_DIR"]
    return [os.path.getsize(os.path.join(folder, name)) for name in os.listdir(folder)]


def test_a_thousand_fastqs_batched_by_sample_preview_and_draft(
    app, signed_in, demo_client, sandbox
):
    reads = first_fastqs(demo_client, 1000)
    specs = app_specs(demo_client, "fastq-qc", project=BIG)
    url = form_url(demo_client, "fastq-qc")
    data = task_form(
        specs,
        {"reads": [file_ref(f) for f in reads]},
        name="QC of a thousand FASTQs",
        action="preview",
        **{"batch-mode": "on", "batch-input": "reads", "batch-by": "sample"},
    )
    lost = [f for f in reads if "sample_id" not in f["metadata"]]
    samples = {f["metadata"]["sample_id"] for f in reads if f not in lost}
    assert len(lost) == 1 and len(samples) == 250  # four files a sample; one lost its id

    sandbox.clear_requests()
    preview = signed_in.post(url, data=data)
    assert preview.status_code == 200
    text = text_of(preview)
    assert "This batch will make 250 child tasks" in text
    assert "1 file is left out for missing metadata" in text
    assert lost[0]["name"] in text
    html = preview.get_data(as_text=True)
    # Each chosen file's name is written once, in its chip's span, not again for the script.
    names = re.search(r"data-picker-names='([^']*)'", html).group(1)
    assert reads[0]["id"] not in names and reads[0]["name"] not in names
    assert html.count(f'data-file-id="{reads[0]["id"]}">{reads[0]["name"]}</span>') == 1
    counts = upstream_counts(sandbox)
    # The names and metadata of 1,000 files: ten bulk calls of 100, never one call per file.
    assert counts["POST /v2/bulk/files/get"] == 10
    assert not any(key.startswith("GET /v2/files/") for key in counts), counts
    assert sum(counts.values()) <= 12, counts
    assert task_posts(sandbox) == []

    data["action"] = "create"
    sandbox.clear_requests()
    created = signed_in.post(url, data=data)
    assert created.status_code == 302
    [body] = task_posts(sandbox)
    assert body["inputs"]["reads"] == [file_ref(f) for f in reads]
    assert body["batch_input"] == "reads"
    assert body["batch_by"] == {"type": "CRITERIA", "criteria": ["metadata.sample_id"]}
    assert sum(upstream_counts(sandbox).values()) <= 12

    sandbox.clear_requests()
    draft = signed_in.get(created.location)
    assert draft.status_code == 200
    text = text_of(draft)
    assert "QC of a thousand FASTQs" in text and "DRAFT" in text
    assert reads[0]["name"] in text and reads[-1]["name"] in text
    counts = upstream_counts(sandbox)
    assert counts.get("POST /v2/bulk/files/get", 0) <= 10  # its names, if not known already
    assert sum(counts.values()) <= 14, counts
    assert "The JSON body that was sent" in text
    task = demo_client.task(created.location.rstrip("/").split("/")[-1])
    assert task["errors"] == [] and task["batch"] is True
    # The session, read on every page, holds neither the draft nor its 1,000-file body.
    assert stored_session_sizes(app) and max(stored_session_sizes(app)) < 4096


def test_crams_of_two_folders_batched_by_sample_with_the_cohorts_reference(
    signed_in, demo_client, sandbox
):
    crams = [
        f
        for folder in ("batch-01", "batch-02")
        for f in in_folder(demo_client, folder)
        if f["name"].endswith(".cram")
    ]
    fasta = next(
        f
        for f in in_folder(demo_client, "references", "GRCh38")
        if f["name"] == "Homo_sapiens_assembly38.fasta"
    )
    specs = app_specs(demo_client, "sbg-gatk-haplotypecaller", project=BIG)
    data = task_form(
        specs,
        {"in_alignments": [file_ref(f) for f in crams], "in_reference": file_ref(fasta)},
        name="Calls by sample",
        **{"batch-mode": "on", "batch-input": "in_alignments", "batch-by": "sample"},
    )
    created = signed_in.post(form_url(demo_client, "sbg-gatk-haplotypecaller"), data=data)
    assert created.status_code == 302
    task = demo_client.task(created.location.rstrip("/").split("/")[-1])
    assert task["errors"] == []
    assert len(task["inputs"]["in_alignments"]) == len(crams) == 100
    assert task["batch_by"]["criteria"] == ["metadata.sample_id"]
