"""The file picker in Chromium on a real new-task page: choose files inside a folder and on a
later page, keep the selection while browsing and filtering, show the names, keyboard only."""

import re

import pytest
from playwright.sync_api import Page, expect

BIG = "demo-user/big-cohort"
APP_NAME = "picker-check"
APP_RAW = {
    "cwlVersion": "v1.0",
    "class": "CommandLineTool",
    "label": "Picker check",
    "baseCommand": ["true"],
    "inputs": [
        {"id": "reads", "type": "File[]", "label": "Aligned reads", "sbg:fileTypes": "CRAM"},
        {
            "id": "reference",
            "type": "File?",
            "label": "Reference genome",
            "sbg:fileTypes": "FASTA, FA",
        },
        {"id": "bundle", "type": "Directory?", "label": "Resource bundle"},
    ],
    "outputs": [],
}

pytestmark = pytest.mark.e2e


def big_file_id(folder, index):
    """Ids in the sandbox's 100,000-file project encode the folder and the index."""
    return f"5b16{folder:04x}{index:016x}"


def cram(folder, sample):
    """(id, name) of a CRAM in folder batch-0<folder>: files alternate .cram and .cram.crai."""
    return big_file_id(folder, sample * 2), f"BS_{folder:02d}{sample:06d}.cram"


def open_form(page: Page, sandbox, project: str) -> Page:
    """The new-task page of a small app with a File[] input of CRAMs, in `project`."""
    sandbox.add_app(project, APP_NAME, APP_RAW)
    page.goto(f"/projects/{project}/apps/{APP_NAME}/new")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Picker check")
    return page


@pytest.fixture
def form_page(signed_in: Page, sandbox) -> Page:
    return open_form(signed_in, sandbox, BIG)


def focused(locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page: Page, locator, limit=120):
    """Press Tab until `locator` has the focus, as a keyboard user would."""
    for _ in range(limit):
        if focused(locator):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {locator}")


def reads_field(page: Page):
    return page.locator('input[name="inputs-reads"]')


def test_choose_files_in_a_folder_and_on_a_later_page_with_the_keyboard(form_page: Page, axe):
    page = form_page
    opener = page.get_by_role("button", name=re.compile("Choose files for Aligned reads"))
    tab_to(page, opener)
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Choose files for Aligned reads")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("This input takes .cram files.")
    expect(dialog).to_contain_text("Items 1–50 of 100,005.")
    axe(page)  # the open dialog, its filters and its listing

    tab_to(page, dialog.get_by_role("link", name="Folder batch-02/"))
    page.keyboard.press("Enter")
    expect(dialog.get_by_role("heading", name="Folder batch-02")).to_be_focused()
    expect(dialog).to_contain_text("Items 1–50 of 500 in this folder.")
    expect(dialog).to_contain_text("25 files of other types hidden on this page.")
    first, second, later = cram(2, 0), cram(2, 1), cram(2, 30)
    for _, name in (first, second):
        tab_to(page, dialog.get_by_role("checkbox", name=name, exact=True))
        page.keyboard.press("Space")
    expect(dialog.get_by_role("heading", name="Chosen (2)")).to_be_visible()

    tab_to(page, dialog.get_by_role("link", name="Next page"))
    page.keyboard.press("Enter")
    expect(dialog).to_contain_text("Items 51–100 of 500 in this folder.")
    tab_to(page, dialog.get_by_role("checkbox", name=later[1], exact=True))
    page.keyboard.press("Space")
    expect(dialog.get_by_role("heading", name="Chosen (3)")).to_be_visible()

    # Up to the project's top level: the choice is kept.
    tab_to(
        page,
        dialog.get_by_role("navigation", name="Folder path").get_by_role(
            "link", name="Project files"
        ),
    )
    page.keyboard.press("Enter")
    expect(dialog).to_contain_text("Items 1–50 of 100,005.")
    basket = dialog.get_by_role("region", name="Chosen (3)")
    for _, name in (first, second, later):
        expect(basket).to_contain_text(name)

    tab_to(page, dialog.get_by_role("button", name="Done"))
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()  # focus goes back where it was
    expect(reads_field(page)).to_have_value(" ".join(i for i, _ in (first, second, later)))
    chosen = page.locator(".picker-chosen").first
    expect(chosen).to_contain_text("Selected files (3):")
    for _, name in (first, second, later):
        expect(chosen).to_contain_text(name)

    # Opening again shows the choice; Escape closes without changing it.
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    tab_to(page, dialog.get_by_role("link", name="Folder batch-02/"))
    page.keyboard.press("Enter")
    expect(dialog.get_by_role("checkbox", name=first[1], exact=True)).to_be_checked()
    expect(dialog.get_by_role("checkbox", name=cram(2, 2)[1], exact=True)).not_to_be_checked()
    tab_to(page, dialog.get_by_role("checkbox", name=first[1], exact=True))
    page.keyboard.press("Space")  # unticked, then abandoned
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()
    expect(reads_field(page)).to_have_value(" ".join(i for i, _ in (first, second, later)))


def test_filters_show_all_types_remove_and_names_after_a_round_trip(
    signed_in: Page, sandbox, upstream, axe
):
    # A small project: a metadata filter over the 100,000 generated files is slow in the sandbox.
    project = "demo-user/pediatric-wgs"
    top = upstream.listing(project=project)
    sample = next(f["metadata"]["sample_id"] for f in top if f["name"].endswith(".fastq.gz"))
    of_sample = [f for f in top if (f.get("metadata") or {}).get("sample_id") == sample]
    assert len(of_sample) == 4  # two lanes, paired reads
    page = open_form(signed_in, sandbox, project)
    page.get_by_role("button", name=re.compile("Choose files for Aligned reads")).click()
    dialog = page.get_by_role("dialog", name="Choose files for Aligned reads")
    expect(dialog).to_contain_text("Items 1–30 of 30.")
    # None of the top-level files is a CRAM: only folders show until all types are shown.
    expect(dialog.get_by_role("checkbox")).to_have_count(0)
    expect(dialog).to_contain_text("26 files of other types hidden on this page.")
    dialog.get_by_role("link", name="Show all file types").click()
    expect(dialog.get_by_role("link", name="Show only .cram files")).to_be_visible()

    # A metadata filter: the four files of one sample.
    dialog.get_by_label("Key 1").fill("sample_id")
    dialog.get_by_label("Value 1").fill(sample)
    dialog.get_by_role("button", name="Apply filters").click()
    expect(dialog).to_contain_text("Items 1–4 of 4.")
    dialog.get_by_role("button", name="Choose every file on this page").click()
    expect(dialog.get_by_role("heading", name="Chosen (4)")).to_be_visible()
    axe(page)

    # An exact name that is not there, then the filters cleared: the choice stays.
    dialog.get_by_label("File name (exact match)").fill(sample)
    dialog.get_by_role("button", name="Apply filters").click()
    expect(dialog).to_contain_text("No files or folders here match these filters.")
    dialog.get_by_role("link", name="Clear filters").click()
    expect(dialog).to_contain_text("Items 1–30 of 30.")
    removed = of_sample[1]["name"]
    dialog.get_by_role("button", name=f"Remove {removed}").click()
    expect(dialog.get_by_role("heading", name="Chosen (3)")).to_be_visible()
    dialog.get_by_role("button", name="Done").click()

    kept = [of_sample[i] for i in (0, 2, 3)]
    expect(reads_field(page)).to_have_value(" ".join(f["id"] for f in kept))
    # The page comes back from the server (a batch preview round trip): names are still shown.
    page.get_by_role("button", name="Preview batch").click()
    expect(reads_field(page)).to_have_value(" ".join(f["id"] for f in kept))
    chosen = page.locator("#inputs-reads-chosen")
    for file in kept:
        expect(chosen).to_contain_text(file["name"])
    expect(chosen).not_to_contain_text(removed)
    chosen.get_by_role("button", name=f"Remove {kept[0]['name']}").click()
    expect(reads_field(page)).to_have_value(" ".join(f["id"] for f in kept[1:]))


def test_hostile_names_are_text_and_no_script_runs(signed_in: Page, sandbox):
    scratch = "demo-user/scratch"  # the big project is generated: files cannot be added to it
    hostile = '<img src=x onerror="window.pwned=1">"><script>window.pwned=2</script>.cram'
    sandbox.add_files(scratch, [{"name": hostile, "metadata": {"sample_id": "<b>S</b>"}}])
    page = open_form(signed_in, sandbox, scratch)
    page.get_by_role("button", name=re.compile("Choose files for Aligned reads")).click()
    dialog = page.get_by_role("dialog", name="Choose files for Aligned reads")
    dialog.get_by_label("File name (exact match)").fill(hostile)
    dialog.get_by_role("button", name="Apply filters").click()
    box = dialog.get_by_role("checkbox", name=hostile, exact=True)
    expect(box).to_be_visible()
    box.check()
    dialog.get_by_role("button", name="Done").click()
    chosen = page.locator(".picker-chosen").first
    expect(chosen).to_contain_text(hostile)
    assert page.evaluate("window.pwned") is None
    assert page.locator("img[src=x]").count() == 0


def test_the_file_browser_page_works_without_the_dialog(signed_in: Page, axe):
    page = signed_in
    page.goto(f"/projects/{BIG}/files")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Files of {BIG}")
    page.get_by_label("Page", exact=True).fill("2001")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_text("Items 100,001–100,005 of 100,005.")).to_be_visible()
    expect(page.get_by_role("cell", name=big_file_id(0, 99_999), exact=True)).to_be_visible()
    axe(page)
    page.get_by_role("link", name="Previous page").click()
    expect(page.get_by_text("Items 99,951–100,000 of 100,005.")).to_be_visible()
    page.goto(f"/projects/{BIG}/files")
    page.get_by_role("link", name="Folder batch-01/").click()
    expect(page.get_by_role("navigation", name="Folder path")).to_contain_text("batch-01")
    axe(page)


def test_a_directory_input_chooses_one_folder(signed_in: Page, sandbox, upstream):
    page = open_form(signed_in, sandbox, "demo-user/pediatric-wgs")
    field = page.locator('input[name="inputs-bundle"]')
    page.locator("summary", has_text="Optional inputs").click()  # where optional inputs wait
    page.get_by_role("button", name=re.compile("Choose folder for Resource bundle")).click()
    dialog = page.get_by_role("dialog", name="Choose a folder for Resource bundle")
    expect(dialog).to_contain_text("files on this page not shown: this input takes folders.")
    expect(dialog.get_by_role("radio")).to_have_count(4)  # the four top-level folders
    dialog.get_by_role("radio", name="references", exact=True).check()
    dialog.get_by_role("link", name="Open folder fastq").click()
    expect(dialog.get_by_role("heading", name="Folder fastq")).to_be_visible()
    dialog.get_by_role("radio", name="archive", exact=True).check()  # replaces the first choice
    expect(dialog.get_by_role("heading", name="Chosen (1)")).to_be_visible()
    dialog.get_by_role("button", name="Done").click()
    archive = next(
        f for f in upstream.folder("demo-user/pediatric-wgs", "fastq") if f["name"] == "archive"
    )
    expect(field).to_have_value(archive["id"])
    chosen = page.locator("#inputs-bundle-chosen")
    expect(chosen).to_contain_text("Selected folder:")
    expect(chosen).to_contain_text("archive")


def test_the_batch_input_chooses_several_files(signed_in: Page, sandbox):
    page = open_form(signed_in, sandbox, "demo-user/pediatric-wgs")
    page.locator("summary", has_text="Optional inputs").click()
    single = page.get_by_role("button", name=re.compile("^Choose file for Reference genome"))
    expect(single).to_be_visible()
    single.click()  # one file only, and the dialog says how to choose several
    dialog = page.get_by_role("dialog", name="Choose a file for Reference genome")
    expect(dialog).to_contain_text("turn on Batch with this input first")
    dialog.get_by_role("button", name="Cancel").click()
    page.get_by_label("Batch: one child task per file or per group of files").check()
    page.get_by_label("Batch input", exact=True).select_option("reference")
    several = page.get_by_role("button", name=re.compile("^Choose files for Reference genome"))
    expect(several).to_be_visible()
    several.click()
    dialog = page.get_by_role("dialog", name="Choose files for Reference genome")
    expect(dialog).to_contain_text("You can choose several")
