"""Start from what ran before, in Chromium: copy a finished task, change two inputs and see
what differs from it as you edit, create the draft; export its inputs as JSON and import them
into a fresh form."""

import json
import re

from playwright.sync_api import Page, expect

from cavatica import CavaticaClient

RNA = "demo-user/rnaseq-pilot"


def test_copy_a_finished_task_change_two_inputs_then_export_and_import(
    signed_in: Page, sandbox, axe, tmp_path
):
    page = signed_in
    with CavaticaClient(sandbox.api_url, sandbox.token, timeout=10) as api:
        fastqs = [
            f for f in api.files(project=RNA, limit=100).items if f["name"].endswith(".fastq.gz")
        ][:2]
        earlier = api.create_task(
            {
                "name": "QC run",
                "project": RNA,
                "app": f"{RNA}/fastq-qc",
                "inputs": {
                    "reads": [{"class": "File", "path": f["id"]} for f in fastqs],
                    "threads": 4,
                },
            }
        )
        api.run_task(earlier["id"])
        sandbox.advance_clock(400)

    page.goto(f"/projects/{RNA}/tasks/{earlier['id']}")
    expect(page.locator("#live-status")).to_contain_text("COMPLETED")
    page.get_by_role("link", name="New task like this one").click()
    summary = page.locator("#compare-summary")
    expect(summary).to_have_text("Every input and setting is as in “QC run”.")

    page.get_by_text("Optional inputs").click()
    page.get_by_label("Threads").fill("8")
    page.get_by_label("Disable base grouping").select_option("true")
    expect(summary).to_contain_text(
        "2 values differ from “QC run”: Threads, Disable base grouping."
    )
    threads = page.locator(".differs").filter(has=page.get_by_label("Threads"))
    expect(threads.locator(".compare-note")).to_have_text("Changed. In “QC run” it was: 4")
    axe(page)
    # Back to the earlier value: no longer a difference.
    page.get_by_label("Disable base grouping").select_option("")
    expect(summary).to_contain_text("1 value differs from “QC run”: Threads.")
    page.get_by_label("Disable base grouping").select_option("true")
    expect(summary).to_contain_text("2 values differ")
    # A changed file input is told by the earlier files' names (from their chips' spans).
    reads = page.locator("#inputs-reads")
    page.get_by_role("button", name="Edit ids").first.click()
    reads.fill(fastqs[0]["id"])
    note = page.locator(".differs").filter(has=reads).locator(".compare-note")
    expect(note).to_contain_text(f"{fastqs[0]['name']} {fastqs[1]['name']}")
    reads.fill(" ".join(f["id"] for f in fastqs))
    expect(summary).to_contain_text("2 values differ")

    sandbox.clear_requests()
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("QC run (copy)")
    (body,) = [
        r["json"]
        for r in sandbox.requests()["requests"]
        if r["method"] == "POST" and r["path"] == "/v2/tasks"
    ]
    assert body["inputs"]["threads"] == 8 and body["inputs"]["nogroup"] is True
    assert [r["path"] for r in body["inputs"]["reads"]] == [f["id"] for f in fastqs]

    # Export the draft's inputs, then import them into a fresh form of the same app.
    with page.expect_download() as download:
        page.get_by_role("link", name="Export the inputs (JSON)").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    exported = json.loads(saved.read_text())
    assert exported["threads"] == 8 and len(exported["reads"]) == 2

    page.goto(f"/projects/{RNA}/apps/fastq-qc/new")
    page.get_by_label("Task name").fill("Imported QC")
    page.get_by_text("Import inputs from a JSON file").click()
    page.get_by_label("JSON file").set_input_files(str(saved))
    expect(page.get_by_label("The file's text")).to_have_value(re.compile('"threads": 8'))
    page.get_by_role("button", name="Import these inputs").click()
    expect(page.get_by_role("status").filter(has_text="Imported")).to_contain_text(
        "Imported 3 inputs from the file."
    )
    expect(page.get_by_label("Task name")).to_have_value("Imported QC")  # nothing else lost
    expect(page.get_by_label("Threads")).to_have_value("8")
    expect(page.get_by_label("Disable base grouping")).to_have_value("true")
    for fastq in fastqs:
        expect(page.locator("#inputs-reads-chosen")).to_contain_text(fastq["name"])
    axe(page)
