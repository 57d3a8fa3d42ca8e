"""Outputs as inputs, in Chromium: a task has completed and made report files; the next task's
picker lists the project's completed tasks, opens that one's outputs and chooses them, with the
keyboard alone."""

import re

from playwright.sync_api import Page, expect

from cavatica import CavaticaClient

RNA = "demo-user/rnaseq-pilot"
SUMMARY_APP = {
    "cwlVersion": "v1.0",
    "class": "CommandLineTool",
    "label": "QC summary",
    "baseCommand": ["true"],
    "inputs": [{"id": "reports", "type": "File[]", "label": "QC reports", "sbg:fileTypes": "HTML"}],
    "outputs": [],
}


def test_choose_a_completed_tasks_outputs_for_the_next_task(signed_in: Page, sandbox, axe):
    page = signed_in
    with CavaticaClient(sandbox.api_url, sandbox.token, timeout=10) as api:
        fastqs = [
            f for f in api.files(project=RNA, limit=100).items if f["name"].endswith(".fastq.gz")
        ][:2]
        qc = api.create_task(
            {
                "name": "QC two lanes",
                "project": RNA,
                "app": f"{RNA}/fastq-qc",
                "inputs": {"reads": [{"class": "File", "path": f["id"]} for f in fastqs]},
            }
        )
        api.run_task(qc["id"])
        sandbox.advance_clock(400)
        made = api.task(qc["id"])["outputs"]["report"]
    sandbox.add_app(RNA, "qc-summary", SUMMARY_APP)

    page.goto(f"/projects/{RNA}/apps/qc-summary/new")
    page.get_by_role("button", name=re.compile("^Choose files for QC reports")).focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Choose files for QC reports")
    expect(dialog.locator("[data-picker-summary]")).to_be_visible()

    dialog.get_by_role("link", name="Choose among a completed task's outputs").focus()
    page.keyboard.press("Enter")
    expect(dialog.get_by_role("heading", name="Completed tasks")).to_be_focused()
    dialog.get_by_role("link", name=re.compile(r"^QC two lanes\s*: its outputs$")).focus()
    page.keyboard.press("Enter")
    expect(dialog.get_by_role("heading", name="Outputs of QC two lanes")).to_be_focused()
    expect(dialog.get_by_role("checkbox")).to_have_count(len(made))
    axe(page)
    dialog.get_by_role("button", name="Choose every file on this page").focus()
    page.keyboard.press("Enter")
    expect(dialog.get_by_role("heading", name=f"Chosen ({len(made)})")).to_be_visible()
    dialog.get_by_role("button", name="Done").focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()

    field = page.locator('input[name="inputs-reports"]')
    assert sorted(field.input_value().split()) == sorted(o["path"] for o in made)
    chosen = page.locator("#inputs-reports-chosen .picker-chosen-name").all_inner_texts()
    assert sorted(chosen) == sorted(o["name"] for o in made)
