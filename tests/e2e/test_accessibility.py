"""Every page passes axe-core, the main flow works with the keyboard alone, and every label, help
text and error message is tied to its control."""

import re

import pytest
from e2e_helpers import ids_box
from playwright.sync_api import Page, expect

PROJECT = "demo-user/pediatric-wgs"
WES_APP = "sbg-wes-bwa-gatk4-cwl1"
BAMTOOLS_APP = "sbg-bamtools-index-draft2"
# Real apps with many inputs (132, 88) and nested arrays (the records are in test_hostile_inputs).
FORM_APPS = ["sbg-gatk-haplotypecaller", "kfdrc-rnaseq-wf", "cavatica-ngs-checkmate-wf"]


def described_by_targets_exist(page: Page) -> list[str]:
    """The aria-describedby ids on the page that point at no element (should be none)."""
    return page.evaluate(
        """() => {
            const broken = [];
            for (const el of document.querySelectorAll("[aria-describedby]")) {
                for (const id of el.getAttribute("aria-describedby").split(/\\s+/)) {
                    if (id && !document.getElementById(id)) {
                        broken.push(`${el.id || el.name}->${id}`);
                    }
                }
            }
            return broken;
        }"""
    )


def unlabelled_controls(page: Page) -> list[str]:
    """Visible form controls without an accessible label."""
    return page.evaluate(
        """() => {
            const out = [];
            const controls = document.querySelectorAll(
                "input:not([type=hidden]), select, textarea");
            for (const el of controls) {
                if (!el.offsetParent) continue;
                const labelled = (el.labels && el.labels.length) || el.getAttribute("aria-label")
                    || el.getAttribute("aria-labelledby");
                if (!labelled) out.push(el.id || el.name);
            }
            return out;
        }"""
    )


def check_page(page: Page, axe) -> None:
    axe(page)
    assert described_by_targets_exist(page) == []
    assert unlabelled_controls(page) == []


def test_sign_in_page_and_its_error_are_accessible(page, axe):
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    check_page(page, axe)

    # A wrong token: the message is announced and tied to the token field.
    token = page.get_by_label("CAVATICA authentication token")
    token.fill("not-a-real-token")
    page.get_by_role("button", name="Sign in", exact=True).click()
    token = page.get_by_label("CAVATICA authentication token")
    expect(token).to_have_attribute("aria-invalid", "true")
    error_id = token.get_attribute("aria-describedby").split()[-1]
    expect(page.locator(f"#{error_id}")).to_contain_text("did not accept this token")
    # The token the user typed is not sent back into the page.
    assert "not-a-real-token" not in page.content()
    check_page(page, axe)


def test_projects_and_project_pages_are_accessible(signed_in, axe):
    page = signed_in
    expect(page.get_by_role("heading", name="Projects", level=1)).to_be_visible()
    check_page(page, axe)
    page.get_by_role("link", name="Pediatric WGS Cohort").click()
    expect(page.get_by_role("heading", name="Pediatric WGS Cohort", level=1)).to_be_visible()
    check_page(page, axe)


def test_error_page_is_accessible(signed_in, axe):
    page = signed_in
    response = page.goto("/projects/demo-user/no-such-project")
    assert response.status == 404
    expect(page.get_by_role("alert")).to_contain_text("could not find")
    check_page(page, axe)
    response = page.goto("/no/such/page")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    check_page(page, axe)


def test_sign_in_with_the_keyboard_alone(page, sandbox):
    page.goto("/")
    # The first Tab reaches the skip link, which jumps to the main content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    tab_to(page, page.get_by_label("CAVATICA authentication token"))
    page.keyboard.type(sandbox.token)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/projects$"))


def tab_to(page: Page, target, limit: int = 150) -> None:
    """Press Tab until `target` has the focus (a user moving through the page)."""
    handle = target.element_handle()
    for _ in range(limit):
        if page.evaluate("el => document.activeElement === el", handle):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def form_url(upstream, app_name):
    revision = upstream.app_revision(PROJECT, app_name)
    return f"/projects/{PROJECT}/apps/{app_name}/new?revision={revision}"


def test_new_task_page_and_the_open_picker_are_accessible(signed_in, upstream, axe):
    page = signed_in
    page.goto(form_url(upstream, WES_APP))
    page.wait_for_load_state("networkidle")
    check_page(page, axe)

    page.get_by_role("button", name=re.compile("^Choose files for FASTQ")).click()
    dialog = page.get_by_role("dialog", name=re.compile("FASTQ"))
    expect(dialog.locator("[data-picker-summary]")).to_be_visible()
    check_page(page, axe)
    dialog.get_by_role("link", name="Folder fastq/").click()
    expect(dialog.get_by_role("heading", name="Folder fastq")).to_be_focused()
    check_page(page, axe)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    # Closing the dialog gives the focus back to the button that opened it.
    expect(page.get_by_role("button", name=re.compile("^Choose files for FASTQ"))).to_be_focused()


@pytest.mark.parametrize("app_name", FORM_APPS)
def test_forms_of_real_apps_are_accessible(signed_in, upstream, axe, app_name):
    page = signed_in
    page.goto(form_url(upstream, app_name))
    page.wait_for_load_state("networkidle")
    # The optional inputs are folded away; open every section so axe sees every control.
    page.locator("details").evaluate_all("all => all.forEach(d => { d.open = true; })")
    assert page.locator("details:not([open])").count() == 0
    check_page(page, axe)


def test_form_errors_are_tied_to_their_controls(signed_in, upstream, axe):
    page = signed_in
    page.goto(form_url(upstream, BAMTOOLS_APP))
    page.get_by_label(re.compile("^Task name")).fill("")
    page.get_by_label("Instance type", exact=True).select_option("custom")
    page.get_by_label("Custom instance type", exact=True).fill("very large please")
    page.get_by_label("Maximum parallel instances", exact=True).fill("0")
    page.get_by_role("button", name="Create draft").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()  # read out first
    for label, message in [
        (re.compile("^Task name"), "Give the task a name."),
        (re.compile("^Input BAM file"), None),
        ("Custom instance type", "type;disk-type;size"),
        ("Maximum parallel instances", "whole number of 1 or more"),
    ]:
        control = page.get_by_label(label, exact=isinstance(label, str))
        expect(control).to_have_attribute("aria-invalid", "true")
        ids = control.get_attribute("aria-describedby").split()
        errors = " ".join(page.locator(f"[id='{i}']").inner_text() for i in ids)
        if message:
            assert message in errors
        # The summary links to the control.
        control_id = control.get_attribute("id")
        expect(summary.locator(f"a[href='#{control_id}']")).to_have_count(1)
    check_page(page, axe)


def test_preview_draft_run_and_delete_pages_are_accessible(signed_in, sandbox, upstream, axe):
    page = signed_in
    root = upstream.listing(project=PROJECT)
    fastqs = [f["id"] for f in root if f["name"].endswith(".fastq.gz") and f["metadata"]]
    page.goto(form_url(upstream, WES_APP))
    ids_box(page, "inputs-fastq").fill(" ".join(fastqs))
    for input_id in (
        "indels_1000g_phase1",
        "database",
        "reference",
        "mills",
        "dbsnp",
        "intervals_file",
    ):
        ids_box(page, f"inputs-{input_id}").fill(fastqs[0])
    page.get_by_label("Batch: one child task per file or per group of files").check()
    page.get_by_label("Batch input", exact=True).select_option("fastq")
    page.get_by_label(re.compile("^Sample: one child task per sample_id")).check()
    page.get_by_role("button", name="Preview batch").click()
    expect(page.locator("#batch-preview")).to_contain_text("This batch will make 6 child tasks")
    page.wait_for_load_state("networkidle")
    check_page(page, axe)

    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_role("region", name="Summary")).to_contain_text("DRAFT")
    check_page(page, axe)

    # Edit: the form again, filled in from the draft.
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Edit draft")
    expect(page.get_by_label("Batch input", exact=True)).to_have_value("fastq")
    page.wait_for_load_state("networkidle")
    check_page(page, axe)
    page.go_back()

    page.get_by_role("link", name="Delete draft…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Delete the draft")
    check_page(page, axe)
    page.get_by_role("link", name="No, keep it").click()

    page.get_by_role("link", name="Run…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Run")
    check_page(page, axe)
    page.get_by_role("button", name="Yes, run it").click()
    sandbox.advance_clock(400)
    page.reload()
    expect(page.get_by_role("region", name="Child tasks")).to_contain_text("COMPLETED")
    check_page(page, axe)


def test_main_flow_with_the_keyboard_alone(page, sandbox, upstream):
    bam = next(f for f in upstream.folder(PROJECT, "alignments") if f["name"].endswith(".bam"))
    page.goto("/")
    tab_to(page, page.get_by_label("CAVATICA authentication token"))
    page.keyboard.type(sandbox.token)
    page.keyboard.press("Enter")

    tab_to(page, page.get_by_role("link", name="Pediatric WGS Cohort"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_label("Search apps"))
    page.keyboard.type("bamtools")
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name=re.compile("^New task with BamTools Index")))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("New task")
    page.wait_for_load_state("networkidle")

    tab_to(page, page.get_by_label(re.compile("^Task name")))
    page.keyboard.press("Control+a")
    page.keyboard.type("Typed, not clicked")
    tab_to(page, page.get_by_role("button", name=re.compile("^Choose file for Input BAM file")))
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name=re.compile("Input BAM file"))
    tab_to(page, dialog.get_by_role("link", name="Folder alignments/"))
    page.keyboard.press("Enter")
    expect(dialog.get_by_role("heading", name="Folder alignments")).to_be_focused()
    tab_to(page, dialog.get_by_role("radio", name=bam["name"], exact=True))
    page.keyboard.press("Space")
    tab_to(page, dialog.get_by_role("button", name="Done"))
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.get_by_label(re.compile("^Input BAM file"))).to_have_value(bam["id"])

    # Spot instances on, with the arrow keys of a focused select.
    spot = page.get_by_label("Spot instances", exact=True)
    tab_to(page, spot)
    page.keyboard.press("ArrowDown")
    expect(spot).to_have_value("on")

    # A batch by file over the BAM input: radio buttons and a select, by arrow keys; preview.
    tab_to(page, page.get_by_label("No batch: one task"))
    page.keyboard.press("ArrowDown")
    batch_on = page.get_by_label("Batch: one child task per file or per group of files")
    expect(batch_on).to_be_checked()
    batch_input = page.get_by_label("Batch input", exact=True)
    tab_to(page, batch_input)
    page.keyboard.press("ArrowDown")
    expect(batch_input).to_have_value("input_bam_file")
    tab_to(page, page.get_by_role("button", name="Preview batch"))
    page.keyboard.press("Enter")
    expect(page.locator("#batch-preview")).to_contain_text("This batch will make 1 child task")

    tab_to(page, page.get_by_role("button", name="Create draft"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Typed, not clicked", level=1)).to_be_visible()
    tab_to(page, page.get_by_role("link", name="Run…"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("button", name="Yes, run it"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("The task was started")
    [body] = [
        r["json"]
        for r in sandbox.requests()["requests"]
        if r["method"] == "POST" and r["path"] == "/v2/tasks"
    ]
    assert body["name"] == "Typed, not clicked"
    assert body["use_interruptible_instances"] is True
    assert body["inputs"] == {"input_bam_file": [{"class": "File", "path": bam["id"]}]}
    assert (body["batch_input"], body["batch_by"]) == ("input_bam_file", {"type": "ITEM"})


def test_a_file_of_another_project_is_marked_on_its_field_before_any_draft(
    signed_in, upstream, axe
):
    page = signed_in
    # A BAM the user can see, but in another project: the form says so; nothing is created.
    elsewhere = next(
        f
        for f in upstream.listing(project="other-user/shared-reference")
        if f["name"].endswith(".bam")
    )
    page.goto(form_url(upstream, BAMTOOLS_APP))
    page.get_by_label("Task name").fill("Foreign BAM")
    ids_box(page, "inputs-input_bam_file").fill(elsewhere["id"])
    page.get_by_role("button", name="Create draft").click()
    message = f"{elsewhere['id']} is not a file of this project."
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text(message)
    expect(summary).to_be_focused()  # read out first
    box = ids_box(page, "inputs-input_bam_file")
    expect(box).to_have_value(elsewhere["id"])  # kept as typed
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(page.locator("[id='inputs-input_bam_file@error']")).to_contain_text(message)
    check_page(page, axe)
    assert upstream.drafts_named(PROJECT, "Foreign BAM") == []


def test_draft_with_platform_errors_shows_each_next_to_its_input(signed_in, upstream, axe):
    page = signed_in
    # A draft made elsewhere (in CAVATICA, by a script) over a BAM of another project: the
    # platform made it and flagged the input.
    elsewhere = next(
        f
        for f in upstream.listing(project="other-user/shared-reference")
        if f["name"].endswith(".bam")
    )
    revision = upstream.app_revision(PROJECT, BAMTOOLS_APP)
    made = upstream.http.post(
        f"{upstream.sandbox.api_url}/tasks",
        json={
            "project": PROJECT,
            "app": f"{PROJECT}/{BAMTOOLS_APP}/{revision}",
            "name": "Made elsewhere",
            "inputs": {"input_bam_file": {"class": "File", "path": elsewhere["id"]}},
        },
        timeout=10,
    )
    made.raise_for_status()
    page.goto(f"/projects/{PROJECT}/tasks/{made.json()['id']}")
    expect(page.get_by_role("region", name="Summary")).to_contain_text("DRAFT")
    problems = page.get_by_role("region", name="What CAVATICA found")
    expect(problems).to_contain_text("1 error")
    row = (
        page.get_by_role("region", name="Inputs")
        .get_by_role("row")
        .filter(has_text="input_bam_file")
    )
    expect(row.locator(".issue-error")).to_have_count(1)
    check_page(page, axe)


def test_every_setting_has_its_line_of_help_tied_to_it(signed_in, upstream):
    page = signed_in
    page.goto(form_url(upstream, WES_APP))
    controls = [
        page.get_by_label(label, exact=True)
        for label in [
            "Instance type",
            "Custom instance type",
            "Maximum parallel instances",
            "Memoization",
            "Spot instances",
            "Elastic disk",
            "Batch input",
        ]
    ]
    # (A radio button of "Batch by" has the same name as this box.)
    controls.append(page.get_by_role("textbox", name="Custom metadata keys"))
    for control in controls:
        label = control.get_attribute("id")
        ids = (control.get_attribute("aria-describedby") or "").split()
        help_text = " ".join(page.locator(f"[id='{i}']").inner_text() for i in ids).strip()
        assert len(help_text) > 20, f"{label}: no help tied to it ({ids})"
    # The FASTQ input: its doc and the names of the chosen files are tied to the field too.
    fastq = page.get_by_label(re.compile("^FASTQ"))
    ids = fastq.get_attribute("aria-describedby").split()
    described = " ".join(page.locator(f"[id='{i}']").inner_text() for i in ids)
    assert "FASTQ reads" in described


def test_the_focus_is_always_visible(signed_in, upstream):
    """Tab through whole pages: every element that takes the focus shows an outline or ring."""
    page = signed_in
    for url in [f"/projects/{PROJECT}", form_url(upstream, WES_APP)]:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        unseen, visited = [], 0
        for _ in range(300):
            page.keyboard.press("Tab")
            tag, name, outline, ring = page.evaluate(
                """() => {
                    const el = document.activeElement, style = getComputedStyle(el);
                    return [el.tagName, el.id || el.name || el.textContent.trim().slice(0, 40),
                            style.outlineStyle, style.boxShadow];
                }"""
            )
            if tag == "BODY":  # past the last element
                break
            visited += 1
            if outline == "none" and ring == "none":
                unseen.append(f"{tag} {name}")
        assert visited > 20, url
        assert unseen == [], f"{url}: no visible focus on {unseen}"
