"""The whole job as a user does it in Chromium: sign in, find the project, open an app, choose files
with the picker, set execution settings, batch by sample and preview the groups, create the draft,
read it, run it, see the child tasks. Then the body the sandbox received is compared with what
the user chose, and the upstream calls are counted."""

import base64
import os
import re
import uuid
from pathlib import Path

from e2e_helpers import ids_box
from playwright.sync_api import Page, expect
from user_steps import (
    PROJECT,
    chosen_names,
    create_draft,
    open_app_form,
    open_folder,
    pick_one,
    picker_dialog,
    preview_batch,
    settled,
)

WES_APP = "sbg-wes-bwa-gatk4-cwl1"
BAMTOOLS_APP = "sbg-bamtools-index-draft2"
MARKER_LINE = re.compile(r"Submitted from the draft-task launcher, ref [0-9a-f]{12}")
# `UPDATE_SCREENSHOT=1 pytest tests/e2e/test_flow.py -k batch` redraws the README's screenshot.
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot.png"
# Past the sandbox's queue (30 s) and run (300 s) times: every child task has ended.
AFTER_THE_RUN = 400


def by_name(items):
    return {item["name"]: item for item in items}


def file_ref(item):
    return {"class": "File", "path": item["id"]}


def sent_task_bodies(sandbox):
    return [
        r["json"]
        for r in sandbox.requests()["requests"]
        if r["method"] == "POST" and r["path"] == "/v2/tasks"
    ]


def calls(sandbox, method, pattern):
    """How many logged upstream requests match `method` and the path regex `pattern`."""
    return sum(
        1
        for r in sandbox.requests()["requests"]
        if r["method"] == method and re.fullmatch(pattern, r["path"])
    )


def readme_screenshot(page: Page) -> bytes:
    """The new-task page for the README: its top (the form and the chosen files) beside its
    batch settings and preview. Two clips of the same page, laid side by side."""
    size = page.viewport_size
    page.set_viewport_size({"width": 760, "height": 900})
    parts = [
        (page.locator("header.site-header"), page.locator("#inputs-fastq-chosen")),
        (page.locator("#batch-title"), page.locator(".actions").last),
    ]
    clips = []
    for top, bottom in parts:
        y0 = max(0, top.bounding_box()["y"] - 16)
        end = bottom.bounding_box()
        clip = {"x": 0, "y": y0, "width": 760, "height": end["y"] + end["height"] + 16 - y0}
        clips.append(base64.b64encode(page.screenshot(full_page=True, clip=clip)).decode())
    page.set_viewport_size(size)
    sheet = page.context.new_page()
    images = "".join(f'<img alt="" src="data:image/png;base64,{data}">' for data in clips)
    sheet.set_content(
        '<body style="margin:0;width:max-content;display:flex;gap:12px;padding:12px;'
        f'align-items:flex-start;background:#d0d4da">{images}</body>'
    )
    width, height = sheet.evaluate("[document.body.scrollWidth, document.body.scrollHeight]")
    sheet.set_viewport_size({"width": width, "height": height})
    image = sheet.screenshot()
    sheet.close()
    return image


# ---- the tests ------------------------------------------------------------------------------


def test_batch_by_sample_from_sign_in_to_child_tasks(page: Page, sandbox, upstream):
    # The project holds more files than one picker page: the last two come on page 2.
    filler = [{"name": f"qc_metrics_{n:02d}.csv"} for n in range(23)]
    late = [
        {
            "name": f"BS_LATEPAGE_HLATE0001_L001_R{read}.fastq.gz",
            "metadata": {"sample_id": "BS_LATEPAGE", "paired_end": str(read)},
        }
        for read in (1, 2)
    ]
    sandbox.add_files(PROJECT, filler + late)
    grch38 = by_name(upstream.folder(PROJECT, "references", "GRCh38"))
    sandbox.add_files(
        PROJECT,
        [{"name": "snpEff_v4_3_GRCh38.86.zip"}],
        parent=grch38["Homo_sapiens_assembly38.fasta"]["parent"],
    )
    grch38 = by_name(upstream.folder(PROJECT, "references", "GRCh38"))
    root = upstream.listing(project=PROJECT)
    fastqs = [f for f in root if f["name"].endswith(".fastq.gz") and f["metadata"]]
    first_sample, last_sample = fastqs[:4], fastqs[20:24]
    assert "sample_id" not in last_sample[-1]["metadata"]  # the seed's file without a sample id
    late_files = [f for f in root if f["name"].startswith("BS_LATEPAGE")]
    archived = upstream.folder(PROJECT, "fastq", "archive", "2023-run")
    sample_a = first_sample[0]["metadata"]["sample_id"]
    sample_f = last_sample[0]["metadata"]["sample_id"]
    assert {f["metadata"]["sample_id"] for f in archived} == {sample_a}

    # Sign in with the token, typed into the sign-in form.
    page.goto("/")
    expect(page).to_have_url(re.compile("/sign-in"))
    page.get_by_label("CAVATICA authentication token").fill(sandbox.token)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("navigation", name="Account")).to_contain_text("Signed in as Demo User")

    open_app_form(page, WES_APP)
    settled(page)
    page.get_by_label(re.compile("^Task name")).fill("WES by sample")
    description = page.get_by_label("Description", exact=True)
    description.fill("Exomes of two patients, one child task per sample.")

    # FASTQ: four files of the first sample and four of the last on page 1, two on page 2, and
    # two more of the first sample inside fastq/archive/2023-run. One dialog, one selection.
    dialog = picker_dialog(page, "FASTQ")
    expect(dialog).to_contain_text("Items 1–50 of 55.")
    for item in first_sample + last_sample:
        dialog.get_by_role("checkbox", name=item["name"], exact=True).check()
    dialog.get_by_role("link", name="Next page").click()
    expect(dialog).to_contain_text("Items 51–55 of 55.")
    for item in late_files:
        dialog.get_by_role("checkbox", name=item["name"], exact=True).check()
    dialog.get_by_role("link", name="Previous page").click()
    expect(dialog).to_contain_text("Items 1–50 of 55.")
    # The selection survived paging: page 1's boxes are still ticked.
    expect(dialog.get_by_role("checkbox", name=first_sample[0]["name"], exact=True)).to_be_checked()
    for folder in ("fastq", "archive", "2023-run"):
        open_folder(dialog, folder)
    expect(dialog.get_by_role("navigation", name="Folder path")).to_contain_text("archive")
    for item in archived:
        dialog.get_by_role("checkbox", name=item["name"], exact=True).check()
    expect(dialog).to_contain_text("Chosen (12)")
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_be_hidden()
    fastq_chosen = first_sample + last_sample + late_files + archived
    assert chosen_names(page, "inputs-fastq") == [f["name"] for f in fastq_chosen]

    # The reference files, each inside references/GRCh38.
    singles = {
        "Reference or TAR with BWA reference indices": "Homo_sapiens_assembly38.fasta",
        "Mills": "Mills_and_1000G_gold_standard.indels.hg38.vcf.gz",
        "1000g phase1 indels": "1000G_phase1.snps.high_confidence.hg38.vcf.gz",
        "SnpEff Database": "snpEff_v4_3_GRCh38.86.zip",
        "Target BED": "exome_calling_regions.v1.1.hg38.bed",
    }
    for label, name in singles.items():
        pick_one(page, label, ("references", "GRCh38"), name)
    # dbsnp takes .vcf or .bed; the .vcf.gz is hidden until "Show all file types".
    pick_one(
        page,
        "dbsnp",
        ("references", "GRCh38"),
        "Homo_sapiens_assembly38.dbsnp138.vcf.gz",
        show_all_types=True,
    )
    assert chosen_names(page, "inputs-dbsnp") == ["Homo_sapiens_assembly38.dbsnp138.vcf.gz"]

    # Execution settings.
    page.get_by_label("Instance type", exact=True).select_option("c5.2xlarge")
    page.get_by_label("Maximum parallel instances", exact=True).fill("2")
    page.get_by_label("Memoization", exact=True).select_option("on")
    page.get_by_label("Spot instances", exact=True).select_option("off")
    page.get_by_label("Elastic disk", exact=True).select_option("on")

    # Batch by sample, then the preview before anything is created.
    page.get_by_label("Batch: one child task per file or per group of files").check()
    page.get_by_label("Batch input", exact=True).select_option("fastq")
    page.get_by_label(re.compile("^Sample: one child task per sample_id")).check()
    preview_batch(page)
    preview = page.locator("#batch-preview")
    expect(preview).to_contain_text("This batch will make 3 child tasks")
    expect(preview).to_contain_text("1 file is left out for missing metadata")
    groups = preview.get_by_role("table")
    expect(groups.get_by_role("row")).to_have_count(4)  # a header and three groups
    expected_groups = [
        (sample_a, first_sample + archived),
        (sample_f, last_sample[:3]),
        ("BS_LATEPAGE", late_files),
    ]
    for number, (sample, files) in enumerate(expected_groups, start=1):
        row = groups.get_by_role("row").nth(number)
        expect(row.get_by_role("rowheader")).to_have_text(f"sample_id: {sample}")
        expect(row.get_by_role("listitem")).to_have_text([f["name"] for f in files])
    expect(preview.locator(".batch-left-out")).to_contain_text(last_sample[3]["name"])
    # Nothing was created by the preview, and every choice is still there.
    assert sent_task_bodies(sandbox) == []
    assert chosen_names(page, "inputs-fastq") == [f["name"] for f in fastq_chosen]
    expect(page.get_by_label("Maximum parallel instances", exact=True)).to_have_value("2")
    if os.environ.get("UPDATE_SCREENSHOT") == "1":
        SCREENSHOT.write_bytes(readme_screenshot(page))

    # Create the draft.
    create_draft(page)
    expect(page.get_by_role("heading", name="WES by sample", level=1)).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("The draft task was created")

    # What the sandbox received is exactly what was chosen.
    revision = upstream.app_revision(PROJECT, WES_APP)
    [body] = sent_task_bodies(sandbox)
    description = body.pop("description")
    assert description.startswith("Exomes of two patients, one child task per sample.\n\n")
    assert MARKER_LINE.fullmatch(description.splitlines()[-1])
    assert body == {
        "name": "WES by sample",
        "project": PROJECT,
        "app": f"{PROJECT}/{WES_APP}/{revision}",
        "inputs": {
            "fastq": [file_ref(f) for f in fastq_chosen],
            "indels_1000g_phase1": file_ref(
                grch38["1000G_phase1.snps.high_confidence.hg38.vcf.gz"]
            ),
            "database": file_ref(grch38["snpEff_v4_3_GRCh38.86.zip"]),
            "reference": file_ref(grch38["Homo_sapiens_assembly38.fasta"]),
            "mills": file_ref(grch38["Mills_and_1000G_gold_standard.indels.hg38.vcf.gz"]),
            "dbsnp": file_ref(grch38["Homo_sapiens_assembly38.dbsnp138.vcf.gz"]),
            "intervals_file": file_ref(grch38["exome_calling_regions.v1.1.hg38.bed"]),
        },
        "execution_settings": {
            "instance_type": "c5.2xlarge",
            "max_parallel_instances": 2,
            "use_memoization": True,
            "use_elastic_disk": True,
        },
        "use_interruptible_instances": False,
        "batch_input": "fastq",
        "batch_by": {"type": "CRITERIA", "criteria": ["metadata.sample_id"]},
    }

    # The draft page shows the task as it came back, with its batch details and file names.
    summary = page.get_by_role("region", name="Summary")
    expect(summary).to_contain_text("DRAFT")
    expect(summary).to_contain_text(f"{PROJECT}/{WES_APP}, revision {revision}")
    expect(summary.get_by_role("link", name="Open this task in CAVATICA")).to_have_attribute(
        "href", re.compile(rf"^https://cavatica\.sbgenomics\.com/u/{PROJECT}/tasks/[0-9a-f-]+/$")
    )
    batch = page.get_by_role("region", name="Batch")
    expect(batch).to_contain_text("fastq")
    expect(batch).to_contain_text("metadata.sample_id")
    inputs = page.get_by_role("region", name="Inputs")
    for item in fastq_chosen:
        expect(inputs).to_contain_text(item["name"])
    expect(page.get_by_role("region", name="Execution settings")).to_contain_text("c5.2xlarge")
    page.get_by_text("The JSON body that was sent").click()
    expect(page.locator(".json-body pre")).to_contain_text('"batch_input": "fastq"')

    # Run it, after a confirmation that says what starts and that it costs money.
    page.get_by_role("link", name="Run…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Run “WES by sample”?")
    expect(page.get_by_role("main")).to_contain_text("3 child tasks")
    expect(page.get_by_role("main")).to_contain_text("It costs money")
    page.get_by_role("button", name="Yes, run it").click()
    expect(page.get_by_role("status").first).to_contain_text("The task was started")
    children = page.get_by_role("region", name="Child tasks")
    expect(children.get_by_role("row")).to_have_count(4)
    for number in (1, 2, 3):
        expect(children.get_by_role("row").nth(number)).to_contain_text("QUEUED")

    # Later: every child has run; each shows its sample and its status.
    sandbox.advance_clock(AFTER_THE_RUN)
    page.reload()
    children = page.get_by_role("region", name="Child tasks")
    rows = children.get_by_role("row")
    expect(rows).to_have_count(4)
    for number, (sample, _) in enumerate(expected_groups, start=1):
        expect(rows.nth(number)).to_contain_text(sample)
        expect(rows.nth(number)).to_contain_text(f"Sample id: {sample}")
        expect(rows.nth(number)).to_contain_text("COMPLETED")
    execution = page.get_by_role("region", name="Execution status")
    expect(execution).to_contain_text(re.compile(r"completed\s*3"))

    # The token stayed on the server: not in a cookie, the address or the page.
    assert all(sandbox.token not in cookie["value"] for cookie in page.context.cookies())
    assert sandbox.token not in page.url
    assert sandbox.token not in page.content()

    # No page asked for files one at a time: names always came from the bulk endpoint.
    assert calls(sandbox, "GET", r"/v2/files/[0-9a-f]{24}") == 0
    assert calls(sandbox, "POST", r"/v2/tasks") == 1


def test_single_task_at_an_older_revision_sends_exactly_what_was_chosen(
    signed_in: Page, sandbox, upstream
):
    page = signed_in
    bams = by_name(upstream.folder(PROJECT, "alignments"))
    bam = next(item for name, item in bams.items() if name.endswith(".bam"))
    older = upstream.app_revision(PROJECT, BAMTOOLS_APP) - 1

    open_app_form(page, BAMTOOLS_APP)
    # Not the latest revision: the one before it.
    page.get_by_label("App revision").select_option(str(older))
    page.get_by_role("button", name="Use this revision").click()
    expect(page.get_by_text(re.compile(r"^App .*, revision \d+\.$"))).to_contain_text(
        f"revision {older}."
    )
    page.get_by_label(re.compile("^Task name")).fill("Index one BAM")
    pick_one(page, "Input BAM file", ("alignments",), bam["name"])
    page.get_by_label("Instance type", exact=True).select_option("custom")
    page.get_by_label("Custom instance type", exact=True).fill("c5.4xlarge;ebs-gp2;1024")
    page.get_by_label("Spot instances", exact=True).select_option("on")
    create_draft(page)
    expect(page.get_by_role("heading", name="Index one BAM", level=1)).to_be_visible()

    [body] = sent_task_bodies(sandbox)
    assert MARKER_LINE.fullmatch(body.pop("description"))
    # Settings left alone are not sent, so the project's defaults apply; no batch keys.
    assert body == {
        "name": "Index one BAM",
        "project": PROJECT,
        "app": f"{PROJECT}/{BAMTOOLS_APP}/{older}",
        "inputs": {"input_bam_file": file_ref(bam)},
        "execution_settings": {"instance_type": "c5.4xlarge;ebs-gp2;1024"},
        "use_interruptible_instances": True,
    }
    expect(page.get_by_role("region", name="Batch")).to_contain_text("Not a batch task.")
    expect(page.get_by_role("region", name="Inputs")).to_contain_text(bam["name"])


def test_pages_make_no_call_per_file_and_an_app_revision_is_fetched_once(
    signed_in: Page, sandbox, upstream
):
    page = signed_in
    # A fresh app, so no earlier test has its revision in the app's cache.
    app_name = f"count-{uuid.uuid4().hex[:8]}"
    raw = upstream.get(f"/apps/{PROJECT}/{WES_APP}")["raw"]
    sandbox.add_app(PROJECT, app_name, raw)
    fastqs = [f for f in upstream.listing(project=PROJECT) if f["name"].endswith(".fastq.gz")]
    revision = upstream.app_revision(PROJECT, app_name)
    form_url = f"/projects/{PROJECT}/apps/{app_name}/new?revision={revision}"
    app_path = rf"/v2/apps/{re.escape(PROJECT)}/{app_name}(/{revision})?"

    sandbox.clear_requests()
    page.goto(form_url)
    settled(page)
    assert calls(sandbox, "GET", app_path) == 1
    page.goto(form_url)
    settled(page)
    assert calls(sandbox, "GET", app_path) == 1  # the second time it came from the cache

    # Twenty files pasted into the batch input (and one into each other input): one bulk
    # look-up per page, never one call per file.
    ids_box(page, "inputs-fastq").fill(" ".join(f["id"] for f in fastqs[:20]))
    some_file = fastqs[20]["id"]  # the sandbox only checks that the file is in the project
    for input_id in (
        "indels_1000g_phase1",
        "database",
        "reference",
        "mills",
        "dbsnp",
        "intervals_file",
    ):
        ids_box(page, f"inputs-{input_id}").fill(some_file)
    page.get_by_label("Batch: one child task per file or per group of files").check()
    page.get_by_label("Batch input", exact=True).select_option("fastq")
    page.get_by_label(re.compile("^Sample: one child task per sample_id")).check()
    sandbox.clear_requests()
    preview_batch(page)
    expect(page.locator("#batch-preview")).to_contain_text("This batch will make 5 child tasks")
    settled(page)
    assert calls(sandbox, "GET", r"/v2/files/[0-9a-f]{24}") == 0
    assert 1 <= calls(sandbox, "POST", r"/v2/bulk/files/get") <= 2  # the page, and its script
    assert calls(sandbox, "GET", app_path) == 0

    create_draft(page)
    expect(page.get_by_role("region", name="Summary")).to_contain_text("DRAFT")
    sandbox.clear_requests()
    page.reload()  # the draft page, read from the platform this time
    expect(page.get_by_role("region", name="Inputs")).to_contain_text(fastqs[0]["name"])
    assert calls(sandbox, "GET", r"/v2/files/[0-9a-f]{24}") == 0
    assert calls(sandbox, "POST", r"/v2/bulk/files/get") == 0  # the task names its files
    assert calls(sandbox, "GET", r"/v2/tasks/[^/]+") == 1
    assert calls(sandbox, "GET", app_path) == 0
