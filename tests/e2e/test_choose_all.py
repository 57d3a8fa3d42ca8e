"""Choose everything that matches, in Chromium: in a folder of 1,000 FASTQs, "Choose all N that
match" fetches the pages in parallel with a progress bar and adds every FASTQ (not the other
files) to the choice, one upstream call per 100; the choice says how many it holds and can be
cleared; past 5,000 it asks for a narrower filter."""

import re

from playwright.sync_api import Page, expect

SCRATCH = "demo-user/scratch"
APP_RAW = {
    "cwlVersion": "v1.0",
    "class": "CommandLineTool",
    "label": "Choose all check",
    "baseCommand": ["true"],
    "inputs": [{"id": "reads", "type": "File[]", "label": "Reads", "sbg:fileTypes": "FASTQ.GZ"}],
    "outputs": [],
}


def open_dialog(page: Page, project):
    page.goto(f"/projects/{project}/apps/choose-all-check/new")
    page.get_by_role("button", name=re.compile("^Choose files for Reads")).click()
    dialog = page.get_by_role("dialog", name="Choose files for Reads")
    expect(dialog.locator("[data-picker-summary]")).to_be_visible()
    return dialog


def test_choose_all_1000_fastqs_of_a_folder_with_a_progress_bar(signed_in: Page, sandbox, axe):
    page = signed_in
    folder = sandbox.add_files(SCRATCH, [{"name": "run-2024", "type": "folder"}])["items"][0]
    fastqs = [{"name": f"S{n:04d}_R1.fastq.gz"} for n in range(1000)]
    notes = [{"name": f"note-{n}.txt"} for n in range(10)]
    sandbox.add_files(SCRATCH, fastqs + notes, parent=folder["id"])
    sandbox.add_app(SCRATCH, "choose-all-check", APP_RAW)
    dialog = open_dialog(page, SCRATCH)
    everything = dialog.get_by_role("button", name=re.compile("^Choose all"))
    expect(everything).to_be_hidden()  # at the top, with no filter, it is not offered
    dialog.get_by_role("link", name="Folder run-2024/").click()
    expect(everything).to_have_text("Choose all 1,010 that match")
    axe(page)

    sandbox.clear_requests()
    everything.focus()
    page.keyboard.press("Enter")
    progress = dialog.get_by_role("progressbar", name="Pages fetched")
    expect(progress).to_be_visible()
    status = dialog.locator(".picker-all-status")
    expect(status).to_have_text("Added 1,000 to your choice; it holds 1,000.")
    expect(progress).to_have_attribute("value", "1010")
    expect(dialog.get_by_role("heading", name="Chosen (1,000)")).to_be_visible()
    calls = [r for r in sandbox.requests()["requests"] if r["path"] == "/v2/files"]
    assert len(calls) == 11  # one per 100 items, nothing more
    assert sorted(int(r["query"]["offset"][0]) for r in calls) == list(range(0, 1010, 100))

    # The choice can be cleared, then chosen again; Done puts them all in the field.
    dialog.get_by_role("button", name="Clear the choice").click()
    expect(dialog.get_by_role("heading", name="Nothing chosen yet")).to_be_visible()
    everything.click()
    expect(status).to_have_text("Added 1,000 to your choice; it holds 1,000.")
    dialog.get_by_role("button", name="Done").click()
    expect(page.locator("#inputs-reads-chosen .picker-chosen-title")).to_have_text(
        "Selected files (1,000):"
    )
    assert len(page.locator('input[name="inputs-reads"]').input_value().split()) == 1000


def test_past_5000_matches_it_asks_for_a_narrower_filter(signed_in: Page, sandbox):
    page = signed_in
    folder = sandbox.add_files(SCRATCH, [{"name": "everything", "type": "folder"}])["items"][0]
    sandbox.add_files(
        SCRATCH, [{"name": f"F{n:05d}.fastq.gz"} for n in range(5001)], parent=folder["id"]
    )
    sandbox.add_app(SCRATCH, "choose-all-check", APP_RAW)
    dialog = open_dialog(page, SCRATCH)
    dialog.get_by_role("link", name="Folder everything/").click()
    status = dialog.locator(".picker-all-status")
    expect(status).to_have_text(
        "5,001 items match: more than 5,000 cannot be chosen at once. "
        "Narrow the filters to choose them all."
    )
    expect(dialog.get_by_role("button", name=re.compile("^Choose all"))).to_be_hidden()
    # A name filter narrows it to one: offered again.
    dialog.get_by_label("File name (exact match)").fill("F00042.fastq.gz")
    dialog.get_by_role("button", name="Apply filters").click()
    expect(dialog.get_by_role("button", name=re.compile("^Choose all"))).to_have_text(
        "Choose all 1 that match"
    )
