"""A large cohort in Chromium: in the 100,000-file project, choose 1,000 FASTQs with the picker
(every file of twenty pages, then five more), batch them by sample, see the preview, create the
draft. Then what the sandbox received is compared with what was chosen, and calls are counted."""

import re

from playwright.sync_api import Page, expect

BIG = "demo-user/big-cohort"
BIG_NAME = "Large Cohort (100,000 files)"
APP = "fastq-qc"
WANTED = 1000


def sent_task_bodies(sandbox):
    return [
        r["json"]
        for r in sandbox.requests()["requests"]
        if r["method"] == "POST" and r["path"] == "/v2/tasks"
    ]


def calls(sandbox, method, pattern):
    return sum(
        1
        for r in sandbox.requests()["requests"]
        if r["method"] == method and re.fullmatch(pattern, r["path"])
    )


def first_fastqs(upstream, count):
    """The first FASTQs at the project's root, in the order the picker lists them."""
    found, offset = [], 0
    while len(found) < count:
        page = upstream.get("/files", project=BIG, offset=offset, limit=100)["items"]
        found += [f for f in page if f["name"].endswith(".fastq.gz")]
        offset += len(page)
    return found[:count]


def test_a_thousand_fastqs_of_the_big_cohort_batched_by_sample(signed_in: Page, sandbox, upstream):
    page = signed_in
    reads = first_fastqs(upstream, WANTED)
    lost = [f for f in reads if "sample_id" not in f["metadata"]]
    assert len(lost) == 1  # one file in 997 of the cohort lost its sample id

    # Find the project by name, open it, start a task with the FASTQ app.
    page.get_by_label("Project name").fill("Large Cohort")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=BIG_NAME).click()
    expect(page.get_by_role("heading", name=BIG_NAME, level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text=f"{BIG}/{APP}")
    row.get_by_role("link", name=re.compile("^New task")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("New task")
    page.get_by_label(re.compile("^Task name")).fill("QC of a thousand FASTQs")

    # The picker: every file of a page, page after page, then five more by hand.
    page.get_by_role("button", name=re.compile(r"^Choose files for Reads")).click()
    dialog = page.get_by_role("dialog", name=re.compile("Reads"))
    expect(dialog).to_contain_text("Items 1–50 of 100,005.")
    choose_page = dialog.get_by_role("button", name="Choose every file on this page")
    chosen = 0
    for number in range(1, 21):
        choose_page.click()
        chosen += 45 if number == 1 else 50  # the first page opens with the five folders
        expect(dialog.get_by_role("heading", name=f"Chosen ({chosen:,})")).to_be_visible()
        dialog.get_by_role("link", name="Next page").click()
        first = (number * 50) + 1
        expect(dialog).to_contain_text(f"Items {first:,}–{first + 49:,} of 100,005.")
    for item in reads[chosen:]:
        dialog.get_by_role("checkbox", name=item["name"], exact=True).check()
    expect(dialog.get_by_role("heading", name=f"Chosen ({WANTED:,})")).to_be_visible()
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_be_hidden()
    field = page.locator('input[name="inputs-reads"]')
    assert field.input_value().split() == [f["id"] for f in reads]
    expect(page.locator("#inputs-reads-chosen")).to_contain_text(f"Selected files ({WANTED:,})")

    # Batch by sample, and the preview before anything is created.
    page.get_by_label("Batch: one child task per file or per group of files").check()
    page.get_by_label("Batch input", exact=True).select_option("reads")
    page.get_by_label(re.compile("^Sample: one child task per sample_id")).check()
    sandbox.clear_requests()
    page.get_by_role("button", name="Preview batch").click()
    preview = page.locator("#batch-preview")
    expect(preview).to_contain_text("This batch will make 250 child tasks")
    expect(preview).to_contain_text("1 file is left out for missing metadata")
    expect(preview.locator(".batch-left-out")).to_contain_text(lost[0]["name"])
    expect(preview.get_by_role("table")).to_contain_text("the first 100 of 250")
    assert sent_task_bodies(sandbox) == []
    # A thousand names and metadata: ten bulk calls of 100 (and as many for the page's script
    # at most), never one call per file.
    assert calls(sandbox, "GET", r"/v2/files/[0-9a-f]{24}") == 0
    assert calls(sandbox, "POST", r"/v2/bulk/files/get") <= 20

    # Create the draft.
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_role("heading", name="QC of a thousand FASTQs", level=1)).to_be_visible()
    expect(page.get_by_role("region", name="Summary")).to_contain_text("DRAFT")
    [body] = sent_task_bodies(sandbox)
    assert body["inputs"]["reads"] == [{"class": "File", "path": f["id"]} for f in reads]
    assert body["batch_input"] == "reads"
    assert body["batch_by"] == {"type": "CRITERIA", "criteria": ["metadata.sample_id"]}
    inputs = page.get_by_role("region", name="Inputs")
    expect(inputs).to_contain_text(reads[0]["name"])
    expect(inputs).to_contain_text(reads[-1]["name"])
    assert calls(sandbox, "GET", r"/v2/files/[0-9a-f]{24}") == 0
    assert calls(sandbox, "POST", r"/v2/tasks") == 1
