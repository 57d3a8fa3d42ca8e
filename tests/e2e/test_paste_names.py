"""Paste names in the picker, in Chromium: a list of 200 file names (from a sequencing core's
sheet) of which 3 are unknown and 1 matches two files; the picker adds the found ones, lists the
unknown ones, offers a choice for the ambiguous one, all for a few upstream calls, keyboard only."""

import re

from playwright.sync_api import Page, expect

SCRATCH = "demo-user/scratch"
APP_RAW = {
    "cwlVersion": "v1.0",
    "class": "CommandLineTool",
    "label": "Paste check",
    "baseCommand": ["true"],
    "inputs": [{"id": "reads", "type": "File[]", "label": "Reads", "sbg:fileTypes": "FASTQ.GZ"}],
    "outputs": [],
}


def test_paste_200_names_3_unknown_1_ambiguous(signed_in: Page, sandbox, axe):
    page = signed_in
    known = [f"LAB-{n:04d}_R1.fastq.gz" for n in range(197)]
    twice = known[100]
    records = sandbox.add_files(SCRATCH, [{"name": name} for name in known])["items"]
    records += sandbox.add_files(SCRATCH, [{"name": twice}])["items"]  # the same name again
    unknown = ["LAB-9990_R1.fastq.gz", "LAB-9991_R1.fastq.gz", "lab-0001_r1.fastq.gz"]
    pasted = known[:50] + unknown[:2] + known[50:] + unknown[2:]
    assert len(pasted) == 200
    sandbox.add_app(SCRATCH, "paste-check", APP_RAW)

    page.goto(f"/projects/{SCRATCH}/apps/paste-check/new")
    page.get_by_role("button", name=re.compile("^Choose files for Reads")).focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Choose files for Reads")
    expect(dialog.locator("[data-picker-summary]")).to_be_visible()
    dialog.get_by_role("button", name="Paste names…").focus()
    page.keyboard.press("Enter")
    box = dialog.get_by_label("File names, one a line")
    expect(box).to_be_focused()
    # As pasted from a spreadsheet column: Windows line ends, a stray blank line.
    box.fill("\r\n".join(pasted[:120]) + "\r\n\r\n" + "\r\n".join(pasted[120:]))

    sandbox.clear_requests()
    dialog.get_by_role("button", name="Find these names").focus()
    page.keyboard.press("Enter")
    summary = dialog.locator(".picker-paste-summary")
    expect(summary).to_have_text(
        "Looked in Project files: 196 of 200 names found and added to your choice; "
        "1 match several files; 3 not found."
    )
    assert sandbox.requests()["counts"] == {"GET /v2/files": 2}  # at most 10 are allowed
    missing = dialog.locator(".picker-missing li")
    expect(missing).to_have_text(unknown)
    expect(dialog.get_by_role("heading", name="Chosen (196)")).to_be_visible()

    choice = dialog.get_by_role("group", name=twice)
    expect(choice.get_by_role("radio")).to_have_count(2)
    axe(page)
    second = choice.get_by_role("radio").nth(1)
    second.focus()
    page.keyboard.press("Space")
    expect(dialog.get_by_role("heading", name="Chosen (197)")).to_be_visible()
    chosen_twin = second.get_attribute("value")

    dialog.get_by_role("button", name="Done").focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    ids = page.locator('input[name="inputs-reads"]').input_value().split()
    by_name = {}
    for record in records:
        by_name.setdefault(record["name"], []).append(record["id"])
    expected = [by_name[name][0] for name in known if name != twice] + [chosen_twin]
    assert sorted(ids) == sorted(expected)
    assert chosen_twin in by_name[twice]
