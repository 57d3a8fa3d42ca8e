"""Before a draft is made, the form says which chosen BAM lacks its index: on the input's field,
in the summary above the Create button, and on the batch child task that holds it. Creating it
anyway takes a second press, and the draft's description says what was missing."""

import re

from playwright.sync_api import Page, expect

PROJECT = "demo-user/pediatric-wgs"
APP = "kfdrc-deepvariant"  # reads: a BAM with its .bai (required); ref: a FASTA with its .fai
LONE_BAM = "BS_HE49YCQ1.bam"  # seeded without its .bai (sandbox/README.md)


def described_text(page: Page, control) -> str:
    ids = (control.get_attribute("aria-describedby") or "").split()
    return " ".join(page.locator(f"[id='{i}']").inner_text() for i in ids)


def choose(page: Page, button: str, folders, names, role="checkbox") -> None:
    page.get_by_role("button", name=re.compile(button)).click()
    dialog = page.get_by_role("dialog")
    expect(dialog.locator("[data-picker-summary]")).to_be_visible()
    for folder in folders:
        dialog.get_by_role("link", name=f"Folder {folder}/").click()
        expect(dialog.get_by_role("heading", name=f"Folder {folder}")).to_be_visible()
    for name in names:
        dialog.get_by_role(role, name=name, exact=True).check()
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_be_hidden()


def test_a_bam_without_its_index_is_marked_before_the_draft_is_made(
    signed_in: Page, sandbox, upstream, axe
):
    page = signed_in
    alignments = {f["name"]: f for f in upstream.folder(PROJECT, "alignments")}
    indexed = sorted(n for n in alignments if n.endswith(".bam") and f"{n}.bai" in alignments)
    bams = [indexed[0], indexed[1], LONE_BAM]
    revision = upstream.app_revision(PROJECT, APP)
    page.goto(f"/projects/{PROJECT}/apps/{APP}/new?revision={revision}")
    page.get_by_label(re.compile("^Task name")).fill("DeepVariant by sample")

    # Several BAMs for the single-file input `reads`: batch over it, by sample.
    page.get_by_label("Batch: one child task per file or per group of files").check()
    page.get_by_label("Batch input", exact=True).select_option("reads")
    page.get_by_label(re.compile("^Sample: one child task per sample_id")).check()
    choose(page, "^Choose files for reads", ["alignments"], bams)
    grch38 = ["references", "GRCh38"]
    choose(page, "^Choose file for ref", grch38, ["Homo_sapiens_assembly38.fasta"], "radio")
    page.get_by_label(re.compile("^sample_name")).fill("tumour")
    page.get_by_label(re.compile("^model_type")).select_option("WGS")
    sandbox.clear_requests()

    # The first press creates nothing: the page says what is missing, where.
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_role("status").first).to_contain_text("Nothing was created yet")
    # The marks are tied to the input's button (the ids behind it are hidden).
    reads = page.get_by_role("button", name=re.compile("^Choose files for reads"))
    field_says = described_text(page, reads)
    assert f"{LONE_BAM}: .bai missing" in field_says
    assert f"{bams[0]}: .bai found" in field_says
    ref = page.get_by_role("button", name=re.compile("^Choose file for ref"))
    assert "Homo_sapiens_assembly38.fasta: .fai found" in described_text(page, ref)
    summary = page.get_by_role("region", name="Before you create")
    expect(summary).to_contain_text("1 of 4 files lacks a required companion.")
    expect(summary).to_contain_text(f"{LONE_BAM}: .bai missing")
    create = page.get_by_role("button", name="Create draft anyway")
    assert "1 of 4 files lacks a required companion." in described_text(page, create)
    summary.get_by_role("link", name="reads").click()
    expect(page.locator("[id='inputs-reads@checks']")).to_be_focused()

    # The batch preview marks the child task that holds the BAM, and no other.
    preview = page.locator("#batch-preview")
    expect(preview).to_contain_text("This batch will make 3 child tasks")
    rows = preview.get_by_role("table").get_by_role("row")
    marked = rows.filter(has_text=".bai missing")
    expect(marked).to_have_count(1)
    expect(marked).to_contain_text(LONE_BAM)
    sample = alignments[LONE_BAM]["metadata"]["sample_id"]
    expect(marked.get_by_role("rowheader")).to_contain_text(f"sample_id: {sample}")
    assert [r for r in sandbox.requests()["requests"] if r["path"] == "/v2/tasks"] == []
    axe(page)
    broken = page.evaluate(
        """() => [...document.querySelectorAll("[aria-describedby]")].flatMap((el) =>
            el.getAttribute("aria-describedby").split(/\\s+/)
              .filter((id) => id && !document.getElementById(id)))"""
    )
    assert broken == []

    # Created anyway: the draft's description keeps what was missing.
    create.click()
    expect(page.get_by_role("heading", name="DeepVariant by sample", level=1)).to_be_visible()
    [body] = [r["json"] for r in sandbox.requests()["requests"] if r["path"] == "/v2/tasks"]
    assert f"- {LONE_BAM}: .bai missing" in body["description"]
    assert body["description"].startswith("Pre-flight check: 1 of 4 chosen files lacked")
