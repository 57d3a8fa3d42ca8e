"""An id that is no file of the task's project is marked on its own field before anything is
created ("… is not a file of this project"), naming the id; the form keeps everything typed and
no POST /tasks is sent. The chosen ids are looked up in bulk, as the page does anyway."""

import html
import re

import pytest
from web_helpers import (
    PROJECT,
    a_bam,
    app_specs,
    file_ref,
    folder_files,
    task_form,
    task_posts,
    text_of,
)

NOWHERE = "0000000000000000deadbeef"  # names no file at all
SHARED = "other-user/shared-reference"  # demo-user may read its files, not use them here


def new_form(app, revision):
    return f"/projects/{PROJECT}/apps/{app}/new?revision={revision}"


def field_errors(response, name):
    """The messages shown under the control named `name` (its own error list)."""
    page = response.get_data(as_text=True)
    found = re.search(
        rf'<ul class="field-errors" id="{re.escape(name)}@error">(.*?)</ul>', page, re.S
    )
    if found is None:
        return []
    items = re.findall(r"<li>(.*?)</li>", found.group(1), re.S)
    # Each item starts with "Error: " for screen readers (hidden from sight).
    texts = [html.unescape(re.sub(r"<[^>]+>", "", i)).strip() for i in items]
    return [t.removeprefix("Error:").strip() for t in texts]


@pytest.fixture
def shared_bam(demo_client):
    page = demo_client.files(project=SHARED, limit=100)
    return next(f for f in page.items if f["name"].endswith(".bam"))


@pytest.fixture
def references(demo_client):
    return folder_files(demo_client, "references", "GRCh38")


def test_an_id_that_names_no_file_is_marked_on_its_field(signed_in, demo_client, sandbox):
    url = new_form("sbg-bamtools-index-draft2", 27)
    signed_in.get(url)
    specs = app_specs(demo_client, "sbg-bamtools-index-draft2", 27)
    data = task_form(
        specs,
        {"input_bam_file": {"class": "File", "path": NOWHERE}},
        name="Keep me",
        description="typed with care",
    )
    sandbox.clear_requests()
    response = signed_in.post(url, data=data)
    assert response.status_code == 200
    message = f"{NOWHERE} is not a file of this project."
    assert field_errors(response, "inputs-input_bam_file") == [message]
    assert message in text_of(response)  # also in the summary above the form
    page = response.get_data(as_text=True)
    assert 'href="#inputs-input_bam_file"' in page
    assert 'value="Keep me"' in page and "typed with care" in page and NOWHERE in page
    assert task_posts(sandbox) == []


def test_a_file_of_another_project_is_marked_too(signed_in, demo_client, sandbox, shared_bam):
    url = new_form("sbg-bamtools-index-draft2", 27)
    specs = app_specs(demo_client, "sbg-bamtools-index-draft2", 27)
    data = task_form(specs, {"input_bam_file": file_ref(shared_bam)})
    sandbox.clear_requests()
    response = signed_in.post(url, data=data)
    assert field_errors(response, "inputs-input_bam_file") == [
        f"{shared_bam['id']} is not a file of this project."
    ]
    assert task_posts(sandbox) == []
    # Its own project's file in its place, and the draft is made.
    data["inputs-input_bam_file"] = a_bam(demo_client)["id"]
    assert signed_in.post(url, data=data).status_code == 302
    assert len(task_posts(sandbox)) == 1


def test_in_a_file_list_the_foreign_ids_are_named_on_the_list(
    signed_in, demo_client, sandbox, references, shared_bam
):
    app = demo_client.app(f"{PROJECT}/cavatica-bcf-call")
    url = new_form("cavatica-bcf-call", app["revision"])
    specs = app_specs(demo_client, "cavatica-bcf-call", app["revision"])
    fasta = file_ref(references["Homo_sapiens_assembly38.fasta"])
    bed = file_ref(references["exome_calling_regions.v1.1.hg38.bed"])
    data = task_form(
        specs,
        {
            "input_align": [
                file_ref(a_bam(demo_client)),
                {"class": "File", "path": NOWHERE},
                file_ref(shared_bam),
            ],
            "chr_list": bed,
            "reference_fasta": fasta,
            "snp_bed": bed,
        },
    )
    sandbox.clear_requests()
    response = signed_in.post(url, data=data)
    assert response.status_code == 200
    assert field_errors(response, "inputs-input_align") == [
        f"2 ids are not files of this project: {NOWHERE}, {shared_bam['id']}."
    ]
    for other in ("inputs-chr_list", "inputs-reference_fasta", "inputs-snp_bed"):
        assert field_errors(response, other) == []
    assert task_posts(sandbox) == []


def test_a_file_in_a_record_is_marked_on_the_record_field(
    signed_in, demo_client, sandbox, references
):
    app_name = "kfdrc-star-align-records"
    revision = demo_client.app(f"{PROJECT}/{app_name}")["revision"]
    url = new_form(app_name, revision)
    specs = app_specs(demo_client, app_name, revision)
    reads = [
        f for f in demo_client.files(project=PROJECT, limit=100).items if ".fastq" in f["name"]
    ]
    data = task_form(
        specs,
        {
            "reads_records": [
                {"reads1": file_ref(reads[0]), "reads2": file_ref(reads[1])},
                {"reads1": file_ref(reads[2]), "reads2": {"class": "File", "path": NOWHERE}},
            ],
            "genomeDir": file_ref(references["Homo_sapiens_assembly38.fasta"]),
            "outFileNamePrefix": "sample",
        },
    )
    sandbox.clear_requests()
    response = signed_in.post(url, data=data)
    assert response.status_code == 200
    message = f"{NOWHERE} is not a file of this project."
    assert field_errors(response, "inputs-reads_records-1-reads2") == [message]
    assert field_errors(response, "inputs-reads_records-0-reads2") == []
    assert field_errors(response, "inputs-reads_records-1-reads1") == []
    assert message in text_of(response)
    assert task_posts(sandbox) == []
