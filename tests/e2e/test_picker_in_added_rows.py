"""A file input in a row added by the page's script gets its picker like any other file input."""

from playwright.sync_api import Page, expect

APP_NAME = "vcf-groups"
APP_RAW = {
    "cwlVersion": "v1.0",
    "class": "CommandLineTool",
    "label": "VCF groups",
    "inputs": [{"id": "vcf_groups", "type": "File[][]", "label": "VCF groups"}],
    "outputs": [],
}
PROJECT = "demo-user/pediatric-wgs"


def test_a_file_row_added_by_the_script_has_a_working_picker(signed_in: Page, sandbox, upstream):
    sandbox.add_app(PROJECT, APP_NAME, APP_RAW)
    page = signed_in
    page.goto(f"/projects/{PROJECT}/apps/{APP_NAME}/new")
    groups = page.get_by_role("group", name="VCF groups")
    before = groups.get_by_role("button", name="Choose files").count()

    page.get_by_role("button", name="Add an item to VCF groups").click()

    pickers = groups.get_by_role("button", name="Choose files")
    expect(pickers).to_have_count(before + 1)
    pickers.last.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    first_file = next(item for item in upstream.listing(project=PROJECT) if item["type"] == "file")
    dialog.get_by_role("checkbox", name=first_file["name"], exact=True).check()
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_be_hidden()
    row_inputs = groups.locator("input[data-picker]")
    expect(row_inputs.last).to_have_value(first_file["id"])
