"""Chosen files as name chips, in Chromium: each chip names a file, says its folder and size on
hover and on keyboard focus, and can be removed; the raw ids are behind "Edit ids"; without
JavaScript the ids box works as before."""

import re

from playwright.sync_api import Page, expect

SCRATCH = "demo-user/scratch"
APP_RAW = {
    "cwlVersion": "v1.0",
    "class": "CommandLineTool",
    "label": "Chips check",
    "baseCommand": ["true"],
    "inputs": [{"id": "reads", "type": "File[]", "label": "Reads"}],
    "outputs": [],
}


def setup(sandbox):
    folder = sandbox.add_files(SCRATCH, [{"name": "run-7", "type": "folder"}])["items"][0]
    files = sandbox.add_files(
        SCRATCH,
        [{"name": "A_R1.fastq.gz", "size": 1_500_000_000}, {"name": "A_R2.fastq.gz"}],
        parent=folder["id"],
    )["items"]
    sandbox.add_app(SCRATCH, "chips-check", APP_RAW)
    return files


def test_chips_show_names_details_and_remove_with_the_keyboard(signed_in: Page, sandbox, axe):
    page = signed_in
    files = setup(sandbox)
    page.goto(f"/projects/{SCRATCH}/apps/chips-check/new")
    box = page.locator('input[name="inputs-reads"]')
    expect(box).to_be_hidden()  # the ids are behind "Edit ids"
    page.get_by_role("button", name=re.compile("^Choose files for Reads")).click()
    dialog = page.get_by_role("dialog", name="Choose files for Reads")
    dialog.get_by_role("link", name="Folder run-7/").click()
    expect(dialog.get_by_role("checkbox")).to_have_count(2)
    dialog.get_by_role("button", name="Choose every file on this page").click()
    dialog.get_by_role("button", name="Done").click()

    chosen = page.locator("#inputs-reads-chosen")
    expect(chosen).to_contain_text("Selected files (2):")
    chips = chosen.locator(".picker-chip")
    expect(chips).to_have_count(2)
    first = chips.first.locator(".picker-chosen-name")
    expect(first).to_have_text("A_R1.fastq.gz")
    tip = chips.first.get_by_role("tooltip")
    page.mouse.move(0, 0)  # the pointer was on the dialog's Done button, over the chips now
    expect(tip).to_be_hidden()
    first.focus()  # keyboard focus shows the details, and they describe the chip
    expect(tip).to_be_visible()
    expect(tip).to_have_text(f"Folder: run-7 · Size: 1.5 GB · Id: {files[0]['id']}")
    expect(first).to_have_accessible_description(re.compile("^Folder: run-7"))
    page.mouse.move(0, 0)
    page.keyboard.press("Tab")
    chips.nth(1).hover()
    expect(chips.nth(1).get_by_role("tooltip")).to_be_visible()
    axe(page)

    # Remove the first with the keyboard: its × button.
    chosen.get_by_role("button", name="Remove A_R1.fastq.gz").focus()
    page.keyboard.press("Enter")
    expect(chosen).to_contain_text("Selected file:")
    expect(chips).to_have_count(1)

    # The raw ids, on demand.
    edit = page.get_by_role("button", name=re.compile("^Edit ids"))
    expect(edit).to_have_attribute("aria-expanded", "false")
    edit.click()
    expect(box).to_be_visible()
    expect(box).to_have_value(files[1]["id"])
    expect(page.get_by_role("button", name=re.compile("^Hide ids"))).to_have_attribute(
        "aria-expanded", "true"
    )
    box.fill(f"{files[1]['id']} {files[0]['id']}")  # typed ids become chips
    expect(chips).to_have_count(2)
    expect(chosen).to_contain_text("A_R1.fastq.gz")


def test_without_javascript_the_ids_box_works_as_before(browser, live_app, sandbox):
    files = setup(sandbox)
    context = browser.new_context(base_url=live_app.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/sign-in")
    page.get_by_label("CAVATICA authentication token").fill(sandbox.token)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.goto(f"/projects/{SCRATCH}/apps/chips-check/new?revision=0")
    box = page.get_by_label(re.compile("^Reads"))
    expect(box).to_be_visible()
    expect(page.locator(".picker-chip")).to_have_count(0)
    box.fill(" ".join(f["id"] for f in files))
    page.get_by_role("button", name="Preview batch").click()
    chosen = page.locator(".chosen-files").first
    expect(chosen).to_contain_text("A_R1.fastq.gz")
    expect(chosen).to_contain_text("A_R2.fastq.gz")
    context.close()
