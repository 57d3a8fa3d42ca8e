"""A thousand chosen files: what the pages cost upstream (bulk calls, counted by the sandbox), and
what the app does when the platform's rate budget is nearly spent."""

import pytest
from web_helpers import PROJECT, a_bam, app_specs, file_ref, folder_files, task_form, text_of

WES = "sbg-wes-bwa-gatk4-cwl1"
BIG = "demo-user/big-cohort"
BULK = "/v2/bulk/files/get"


def bulk_calls(sandbox):
    """The ids of each bulk look-up the sandbox received, in order."""
    return [
        entry["json"]["file_ids"]
        for entry in sandbox.requests()["requests"]
        if entry["method"] == "POST" and entry["path"] == BULK
    ]


@pytest.fixture
def thousand_files_form(demo_client):
    """POST data of a WES batch in big-cohort over its FASTQs: 1,000 distinct file ids in all."""
    refs = folder_files(demo_client, "references", "GRCh38", project=BIG)
    references = {
        "indels_1000g_phase1": file_ref(refs["1000G_phase1.snps.high_confidence.hg38.vcf.gz"]),
        "database": file_ref(refs["Homo_sapiens_assembly38.dict"]),
        "reference": file_ref(refs["Homo_sapiens_assembly38.fasta"]),
        "mills": file_ref(refs["Mills_and_1000G_gold_standard.indels.hg38.vcf.gz"]),
        "dbsnp": file_ref(refs["Homo_sapiens_assembly38.dbsnp138.vcf.gz"]),
        "intervals_file": file_ref(refs["exome_calling_regions.v1.1.hg38.bed"]),
    }
    reads = []
    offset = 0
    while len(reads) < 1000 - len(references):
        page = demo_client.files(project=BIG, offset=offset, limit=100)
        reads += [f for f in page.items if f.get("type") != "folder"]
        offset += 100
    reads = reads[: 1000 - len(references)]
    revision = demo_client.app(f"{BIG}/{WES}")["revision"]
    url = f"/projects/{BIG}/apps/{WES}/new?revision={revision}"

    def data(action, submission_id="5ca1e5ca1e5ca1e5ca1e5ca1e5ca1e00"):
        return task_form(
            app_specs(demo_client, WES, project=BIG),
            {"fastq": [file_ref(f) for f in reads], **references},
            name="A thousand FASTQs",
            submission_id=submission_id,
            action=action,
            **{"batch-mode": "on", "batch-input": "fastq", "batch-by": "sample"},
        )

    ids = {f["id"] for f in reads} | {ref["path"] for ref in references.values()}
    assert len(ids) == 1000
    return url, data, reads


def test_a_preview_of_a_thousand_files_costs_ten_bulk_calls(
    signed_in, sandbox, thousand_files_form
):
    url, data, reads = thousand_files_form
    sandbox.clear_requests()
    response = signed_in.post(url, data=data("preview"))
    assert response.status_code == 200
    assert "This batch will make" in text_of(response)
    calls = bulk_calls(sandbox)
    assert len(calls) <= 10
    assert len(sum(calls, [])) == len(set(sum(calls, []))) == 1000  # each id asked once


def test_the_draft_page_after_create_looks_up_no_name_again(
    signed_in, sandbox, thousand_files_form
):
    url, data, reads = thousand_files_form
    signed_in.post(url, data=data("preview"))
    created = signed_in.post(url, data=data("create"))
    assert created.status_code == 302
    sandbox.clear_requests()
    for _ in range(2):  # shown as created, then read back from the platform
        draft = signed_in.get(created.location)
        assert draft.status_code == 200
        text = text_of(draft)
        assert reads[0]["name"] in text and reads[-1]["name"] in text
    assert bulk_calls(sandbox) == []  # the task names its files: none is looked up again


def test_a_create_right_after_its_preview_is_one_round_trip(
    signed_in, sandbox, thousand_files_form
):
    url, data, reads = thousand_files_form
    signed_in.post(url, data=data("preview"))
    posted = data("create")  # (the test's own look-up of the app's inputs)
    sandbox.clear_requests()
    created = signed_in.post(url, data=posted)
    assert created.status_code == 302
    # The preview's look-up of the 1,000 files is used again: only the draft is sent.
    assert sandbox.requests()["counts"] == {"POST /v2/tasks": 1}


def test_an_id_the_preview_did_not_find_is_asked_again_at_create(
    signed_in, sandbox, thousand_files_form
):
    url, data, reads = thousand_files_form
    unknown = "5b16" + "f" * 20  # no file of any project
    posted = data("preview")
    posted["inputs-fastq"] = posted["inputs-fastq"] + " " + unknown
    assert unknown in text_of(signed_in.post(url, data=posted))
    sandbox.clear_requests()
    refused = signed_in.post(url, data=dict(posted, action="create"))
    assert refused.status_code == 200 and "is not a file of this project" in text_of(refused)
    assert bulk_calls(sandbox) == [[unknown]]  # the rest were just looked up by the preview
    assert "POST /v2/tasks" not in sandbox.requests()["counts"]


def spend_down_to(demo_client, sandbox, remaining, limit=200):
    """Leave `remaining` of a fresh budget of `limit` requests (the app shares the demo user's)."""
    sandbox.set_rate_limit(limit)
    for _ in range(limit - remaining):
        demo_client.me()
    assert demo_client.last_rate_limit["remaining"] == remaining


def test_pages_warn_when_the_rate_budget_is_nearly_spent(signed_in, demo_client, sandbox):
    spend_down_to(demo_client, sandbox, 40)
    calm = signed_in.get("/projects")
    assert "more requests" not in text_of(calm)
    spend_down_to(demo_client, sandbox, 15)
    warned = text_of(signed_in.get("/projects"))  # this page's own call leaves 14
    assert "CAVATICA accepts only 14 more requests from your account until" in warned


def test_the_last_requests_are_kept_for_a_create(signed_in, demo_client, sandbox):
    bam = a_bam(demo_client)
    specs = app_specs(demo_client, "sbg-bamtools-index-draft2", 27)
    spend_down_to(demo_client, sandbox, 12)
    sandbox.clear_requests()
    created = signed_in.post(
        f"/projects/{PROJECT}/apps/sbg-bamtools-index-draft2/new?revision=27",
        data=task_form(specs, {"input_bam_file": file_ref(bam)}),
    )
    assert created.status_code == 302
    posts = [e for e in sandbox.requests()["requests"] if e["path"] == "/v2/tasks"]
    assert len(posts) == 1 and posts[0]["status"] == 200
    text = text_of(signed_in.get(created.location))
    assert bam["name"] in text
    assert "what is left is kept for creating drafts" in text
