"""When the platform says no, or does not answer: the user gets a clear message, keeps everything
they entered, and never ends up with two drafts for one form."""

import re

import pytest
from playwright.sync_api import Page, expect

PROJECT = "demo-user/pediatric-wgs"
APP = "sbg-bamtools-index-draft2"
TASK_NAME = "Index the tumour BAM"
DESCRIPTION = "Checking the index before variant calling."
CUSTOM_INSTANCE = "c5.4xlarge;ebs-gp2;1024"


@pytest.fixture
def bam(upstream):
    alignments = upstream.folder(PROJECT, "alignments")
    return next(item for item in alignments if item["name"].endswith(".bam"))


@pytest.fixture
def filled_form(signed_in: Page, upstream, bam) -> Page:
    """The BamTools Index form, filled in: name, description, a BAM chosen with the picker,
    a custom instance type, parallel instances and spot instances."""
    page = signed_in
    revision = upstream.app_revision(PROJECT, APP)
    page.goto(f"/projects/{PROJECT}/apps/{APP}/new?revision={revision}")
    page.get_by_label(re.compile("^Task name")).fill(TASK_NAME)
    page.get_by_label("Description", exact=True).fill(DESCRIPTION)
    page.get_by_role("button", name=re.compile("^Choose file for Input BAM file")).click()
    dialog = page.get_by_role("dialog", name=re.compile("Input BAM file"))
    dialog.get_by_role("link", name="Folder alignments/").click()
    dialog.get_by_role("radio", name=bam["name"], exact=True).check()
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_be_hidden()
    page.get_by_label("Instance type", exact=True).select_option("custom")
    page.get_by_label("Custom instance type", exact=True).fill(CUSTOM_INSTANCE)
    page.get_by_label("Maximum parallel instances", exact=True).fill("3")
    page.get_by_label("Spot instances", exact=True).select_option("on")
    return page


def expect_everything_kept(page: Page, bam) -> None:
    expect(page.get_by_label(re.compile("^Task name"))).to_have_value(TASK_NAME)
    expect(page.get_by_label("Description", exact=True)).to_have_value(DESCRIPTION)
    expect(page.get_by_label("Input BAM file")).to_have_value(bam["id"])
    expect(page.locator("#inputs-input_bam_file-chosen")).to_contain_text(bam["name"])
    expect(page.get_by_label("Instance type", exact=True)).to_have_value("custom")
    expect(page.get_by_label("Custom instance type", exact=True)).to_have_value(CUSTOM_INSTANCE)
    expect(page.get_by_label("Maximum parallel instances", exact=True)).to_have_value("3")
    expect(page.get_by_label("Spot instances", exact=True)).to_have_value("on")


def create_draft(page: Page) -> None:
    page.get_by_role("button", name="Create draft").click()


def expect_draft_page(page: Page) -> None:
    expect(page.get_by_role("heading", name=TASK_NAME, level=1)).to_be_visible()
    expect(page.get_by_role("region", name="Summary")).to_contain_text("DRAFT")


def task_posts(sandbox) -> int:
    return sandbox.requests()["counts"].get("POST /v2/tasks", 0)


def test_expired_token_sign_in_again_and_the_form_comes_back(
    filled_form, sandbox, upstream, bam, axe
):
    page = filled_form
    sandbox.fault(method="POST", path="/v2/tasks", status=401, code=401, times=1)
    create_draft(page)

    # Back at the sign-in page, told why, and told the form is kept.
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("did not accept your token")
    expect(page.get_by_role("main")).to_contain_text("What you entered in the task form is kept")
    axe(page)
    page.get_by_label("CAVATICA authentication token").fill(sandbox.token)
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("New task")
    notice = page.get_by_role("status").filter(has_text="everything you entered is back")
    expect(notice).to_be_visible()
    expect_everything_kept(page, bam)
    axe(page)
    create_draft(page)
    expect_draft_page(page)
    assert len(upstream.drafts_named(PROJECT, TASK_NAME)) == 1


def test_rate_limited_says_when_to_retry_and_keeps_the_input(filled_form, sandbox, upstream, bam):
    page = filled_form
    sandbox.fault(method="POST", path="/v2/tasks", status=429, code=1000, times=1)
    create_draft(page)

    problem = page.locator("#problem")
    expect(problem).to_contain_text("too many requests")
    when = re.compile(r"Try again in \d+ seconds \(after \d\d:\d\d:\d\d UTC\)")
    expect(problem).to_contain_text(when)
    expect_everything_kept(page, bam)
    assert upstream.drafts_named(PROJECT, TASK_NAME) == []

    create_draft(page)
    expect_draft_page(page)
    assert len(upstream.drafts_named(PROJECT, TASK_NAME)) == 1


def test_server_error_is_explained_and_the_input_kept(filled_form, sandbox, upstream, bam, axe):
    page = filled_form
    sandbox.fault(method="POST", path="/v2/tasks", status=500, code=90004, times=1)
    create_draft(page)

    expect(page.locator("#problem")).to_contain_text("CAVATICA had a problem and could not answer")
    expect(page.locator("#problem")).to_be_focused()  # read out first
    expect_everything_kept(page, bam)
    axe(page)
    assert upstream.drafts_named(PROJECT, TASK_NAME) == []
    create_draft(page)
    expect_draft_page(page)
    assert len(upstream.drafts_named(PROJECT, TASK_NAME)) == 1


def test_lost_answer_finds_the_draft_instead_of_making_another(filled_form, sandbox, upstream):
    page = filled_form
    # The platform creates the draft, but the connection closes before its answer arrives.
    sandbox.fault(method="POST", path="/v2/tasks", drop_connection=True, times=1)
    create_draft(page)

    expect_draft_page(page)
    expect(page.get_by_role("alert")).to_contain_text("the draft was created")
    assert task_posts(sandbox) == 1
    assert len(upstream.drafts_named(PROJECT, TASK_NAME)) == 1


def test_a_create_slower_than_the_timeout_is_looked_for_and_never_sent_twice(
    filled_form, sandbox, upstream, bam, axe
):
    page = filled_form
    # The platform makes the draft only after the app has stopped waiting (SB_TIMEOUT is 2 s)...
    sandbox.fault(method="POST", path="/v2/tasks", latency_ms=3_500, times=1)
    create_draft(page)
    problem = page.locator("#problem")
    expect(problem).to_contain_text("answer was lost. CAVATICA may still be creating the draft")
    expect(problem).to_contain_text(re.compile(r"Looking again until \d\d:\d\d:\d\d UTC"))
    expect_everything_kept(page, bam)
    axe(page)
    # Before saying so, the app looked for the draft (no other page here lists tasks).
    log = [(r["method"], r["path"]) for r in sandbox.requests()["requests"]]
    assert ("GET", "/v2/tasks") in log
    # Until the platform can no longer be making it, the form offers only to look again.
    expect(page.get_by_role("button", name="Create draft")).to_have_count(0)
    expect(page.get_by_role("button", name="Look again")).to_be_visible()

    # ...and the page looks again by itself when that time is up, and finds the draft.
    expect_draft_page_within(page, seconds=15)
    expect(page.get_by_role("alert")).to_contain_text("the draft was created")
    assert len(upstream.drafts_named(PROJECT, TASK_NAME)) == 1, "a second draft was made"
    assert task_posts(sandbox) == 1


def expect_draft_page_within(page: Page, seconds: float) -> None:
    heading = page.get_by_role("heading", name=TASK_NAME, level=1)
    expect(heading).to_be_visible(timeout=seconds * 1000)
    expect_draft_page(page)


def test_double_click_on_create_makes_one_draft(filled_form, sandbox, upstream):
    page = filled_form
    # A slow platform, so the second click lands while the first is on its way.
    sandbox.fault(method="POST", path="/v2/tasks", latency_ms=800, times=1)
    page.get_by_role("button", name="Create draft").dblclick()
    expect_draft_page(page)
    assert task_posts(sandbox) == 1
    assert len(upstream.drafts_named(PROJECT, TASK_NAME)) == 1


def test_the_same_form_posted_twice_at_once_makes_one_draft(filled_form, sandbox, upstream):
    """Without the page's double-submit guard (two tabs, a script): the server makes one draft."""
    page = filled_form
    sandbox.fault(method="POST", path="/v2/tasks", latency_ms=800, times=1)
    statuses = page.evaluate(
        """async () => {
            const form = document.getElementById("task-form");
            const send = () => {
                const data = new FormData(form);
                data.set("action", "create");
                // getAttribute: `form.action` would be the button named "action".
                const url = form.getAttribute("action");
                return fetch(url, {method: "POST", body: data, redirect: "manual"});
            };
            const answers = await Promise.all([send(), send()]);
            return answers.map(a => a.type === "opaqueredirect" ? "redirect" : a.status);
        }"""
    )
    assert statuses == ["redirect", "redirect"]
    assert task_posts(sandbox) == 1
    assert len(upstream.drafts_named(PROJECT, TASK_NAME)) == 1


def test_token_refused_while_browsing_sign_in_and_come_back(signed_in: Page, sandbox):
    page = signed_in
    sandbox.fault(method="GET", path="/v2/projects/demo-user/*", status=401, code=401, times=1)
    page.get_by_role("link", name="Pediatric WGS Cohort").click()
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("did not accept your token")
    page.get_by_label("CAVATICA authentication token").fill(sandbox.token)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Pediatric WGS Cohort", level=1)).to_be_visible()


def test_forbidden_submit_is_explained_and_the_input_kept(filled_form, sandbox, upstream, bam):
    page = filled_form
    sandbox.fault(method="POST", path="/v2/tasks", status=403, code=3001, times=1)
    create_draft(page)
    expect(page.locator("#problem")).to_contain_text("not allowed")
    expect_everything_kept(page, bam)
    assert upstream.drafts_named(PROJECT, TASK_NAME) == []


def test_rate_limited_page_says_when_to_retry(signed_in: Page, sandbox, axe):
    page = signed_in
    sandbox.fault(method="GET", path="/v2/projects/demo-user/*", status=429, code=1000, times=1)
    response = page.goto(f"/projects/{PROJECT}")
    assert response.status == 429
    assert int(response.headers["retry-after"]) >= 0
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many requests")
    expect(page.get_by_role("alert")).to_contain_text(re.compile(r"Try again in \d+ seconds"))
    axe(page)
