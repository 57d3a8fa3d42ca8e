"""Run the failed ones again, in Chromium: a batch whose children partly failed (the sandbox's
fail share) ends while its page is open; "New draft with the failed and aborted groups" fills the
task form with only those children's files and the same settings, previews the child tasks it
will make, and creates that draft and nothing else."""

import re

from playwright.sync_api import expect

from cavatica import CavaticaClient

PROJECT = "demo-user/pediatric-wgs"
APP = f"{PROJECT}/sbg-bamtools-index-draft2/27"
SETTINGS = {"instance_type": "c5.2xlarge;ebs-gp2;1024", "max_parallel_instances": 2}


def files_of(value):
    return [i["path"] for i in (value if isinstance(value, list) else [value])]


def test_rerun_the_failed_groups_of_a_batch(signed_in, sandbox, axe):
    page = signed_in
    sandbox.set_fail_share(0.5)
    with CavaticaClient(sandbox.api_url, sandbox.token, timeout=10) as api:
        folder = next(
            f for f in api.files(project=PROJECT, limit=100).items if f["name"] == "alignments"
        )
        bams = [
            f for f in api.files(parent=folder["id"], limit=100).items if f["name"].endswith(".bam")
        ]
        parent = api.create_task(
            {
                "name": "Index by sample",
                "project": PROJECT,
                "app": APP,
                "inputs": {"input_bam_file": [{"class": "File", "path": b["id"]} for b in bams]},
                "batch_input": "input_bam_file",
                "batch_by": {"type": "CRITERIA", "criteria": ["metadata.sample_id"]},
                "execution_settings": SETTINGS,
            }
        )
        api.run_task(parent["id"])

        page.goto(f"/projects/{PROJECT}/tasks/{parent['id']}")
        rerun = page.get_by_role("link", name=re.compile("^New draft with the failed"))
        expect(rerun).to_have_count(0)  # nothing has ended yet
        sandbox.advance_clock(400)
        # The page follows the run: the batch ends with failures, and the offer appears.
        expect(page.locator("#live-status")).to_contain_text("FAILED")
        expect(rerun).to_be_visible()
        children = api.tasks(parent=parent["id"], limit=100).items
    failed = [c for c in children if c["status"] == "FAILED"]
    assert 0 < len(failed) < len(children)
    failed_files = {path for c in failed for path in files_of(c["inputs"]["input_bam_file"])}
    names = {b["id"]: b["name"] for b in bams}

    rerun.focus()
    page.keyboard.press("Enter")  # keyboard alone
    expect(page.get_by_role("heading", level=1)).to_contain_text("New task")
    notice = page.get_by_role("status").filter(has_text="Filled in from")
    expect(notice).to_contain_text(f"of its {len(failed)} failed child task")
    expect(page.get_by_label("Task name")).to_have_value(
        "Index by sample (failed and aborted again)"
    )
    # The preview, before anything is created: one child task per failed group.
    preview = page.locator("#batch-preview")
    expect(preview).to_contain_text(f"{len(failed)} child task")
    for child in failed:
        expect(preview).to_contain_text(child["batch_group"]["value"])
    for passed in (c for c in children if c["status"] == "COMPLETED"):
        expect(preview).not_to_contain_text(passed["batch_group"]["value"])
    expect(page.get_by_role("textbox", name="Custom instance type")).to_have_value(
        SETTINGS["instance_type"]
    )
    axe(page)

    sandbox.clear_requests()
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Index by sample (failed and aborted again)"
    )
    inputs = page.get_by_role("region", name="Inputs")
    for file_id in failed_files:
        expect(inputs).to_contain_text(names[file_id])
    sent = [
        r["json"]
        for r in sandbox.requests()["requests"]
        if r["method"] == "POST" and r["path"] == "/v2/tasks"
    ]
    assert len(sent) == 1
    body = sent[0]
    assert set(files_of(body["inputs"]["input_bam_file"])) == failed_files
    assert body["batch_input"] == "input_bam_file"
    assert body["batch_by"] == {"type": "CRITERIA", "criteria": ["metadata.sample_id"]}
    assert body["execution_settings"]["instance_type"] == SETTINGS["instance_type"]
    assert body["execution_settings"]["max_parallel_instances"] == 2
