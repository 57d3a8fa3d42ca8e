"""Follow a run from the task page, in Chromium: after Run the page refreshes its status by
itself as the sandbox's clock moves, draws the batch's states as a bar, keeps the reader's place,
costs one upstream call per quiet refresh, stops when everything has ended, and a running task
can be aborted after a confirmation, with the keyboard alone."""

import re
import time

from playwright.sync_api import Page, expect

from cavatica import CavaticaClient

PROJECT = "demo-user/pediatric-wgs"
APP = f"{PROJECT}/sbg-bamtools-index-draft2/27"


def bams(api):
    folder = next(
        f for f in api.files(project=PROJECT, limit=100).items if f["name"] == "alignments"
    )
    items = api.files(parent=folder["id"], limit=100).items
    return sorted((f for f in items if f["name"].endswith(".bam")), key=lambda f: f["name"])


def make_draft(sandbox, batch):
    with CavaticaClient(sandbox.api_url, sandbox.token, timeout=10) as api:
        files = bams(api)
        body = {"name": "Index the BAMs", "project": PROJECT, "app": APP}
        if batch:
            body.update(
                inputs={"input_bam_file": [{"class": "File", "path": f["id"]} for f in files]},
                batch_input="input_bam_file",
                batch_by={"type": "ITEM"},
            )
        else:
            body["inputs"] = {"input_bam_file": {"class": "File", "path": files[0]["id"]}}
        return api.create_task(body), len(files)


def live_requests(page: Page) -> list:
    seen = []
    page.on("request", lambda r: seen.append(r.url) if "/live" in r.url else None)
    return seen


def upstream_reads(sandbox):
    counts = sandbox.requests()["counts"]
    return counts.get("GET /v2/tasks/<task_id>", 0), counts.get("GET /v2/tasks", 0)


def run_from_the_page(page: Page, task):
    page.goto(f"/projects/{PROJECT}/tasks/{task['id']}")
    page.get_by_role("link", name="Run…").click()
    page.get_by_role("button", name="Yes, run it").click()
    expect(page.locator("#live-status")).to_contain_text("QUEUED")


def test_a_batch_advances_by_itself_and_is_aborted_with_the_keyboard(signed_in, sandbox, axe):
    page = signed_in
    task, count = make_draft(sandbox, batch=True)
    seen = live_requests(page)
    run_from_the_page(page, task)
    execution = page.get_by_role("region", name="Execution status")
    bar = execution.get_by_role("img")
    expect(bar).to_have_accessible_name(
        f"{count} child tasks: {count} queued, 0 running, 0 completed, 0 failed, 0 aborted."
    )
    expect(page.locator("#follow-note")).to_contain_text("follows the task by itself")
    check = lambda: axe(page)  # noqa: E731
    check()

    # Quiet refreshes: each one costs one upstream read of the task, and no list of children.
    sandbox.clear_requests()
    before = len(seen)
    for _ in range(40):  # the wait grows while nothing changes: up to 3 s between looks
        if len(seen) - before >= 3:
            break
        page.wait_for_timeout(300)
    refreshes = len(seen) - before
    task_reads, list_reads = upstream_reads(sandbox)
    assert refreshes >= 3
    assert task_reads <= refreshes + 1 and list_reads == 0

    # The reader scrolled down to the children and has a child's link in focus.
    children = page.get_by_role("region", name="Child tasks")
    first_child = children.get_by_role("link").first
    first_child.focus()
    href = first_child.get_attribute("href")
    scrolled = page.evaluate("window.scrollY")

    sandbox.advance_clock(60)  # past the queue: every child runs now
    expect(children.get_by_role("row").nth(1)).to_contain_text("RUNNING")
    expect(page.locator("#live-status")).to_contain_text("RUNNING")
    expect(bar).to_have_accessible_name(re.compile(rf"0 queued, {count} running"))
    expect(page.locator("#follow-announce")).to_have_text("Task status: RUNNING.")
    assert page.evaluate("document.activeElement.getAttribute('href')") == href
    assert page.evaluate("window.scrollY") == scrolled

    # Abort, with the keyboard alone: the link, then the confirmation's button.
    page.get_by_role("link", name="Abort…").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Abort “Index the BAMs”?")
    check()
    page.get_by_role("button", name="Yes, abort it").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("Abort requested")
    expect(page.locator("#live-status")).to_contain_text("ABORTED")
    expect(page.get_by_role("link", name="Abort…")).to_have_count(0)
    expect(bar).to_have_accessible_name(
        re.compile(
            rf"0 running, 0 completed, 0 failed, "
            rf"{count} aborted"
        )
    )
    # It has ended: the page no longer asks.
    asked = len(seen)
    page.wait_for_timeout(1500)
    assert len(seen) == asked


def test_a_single_task_is_followed_until_it_ends_then_the_page_stops(signed_in, sandbox):
    page = signed_in
    task, _ = make_draft(sandbox, batch=False)
    seen = live_requests(page)
    run_from_the_page(page, task)
    sandbox.advance_clock(60)
    expect(page.locator("#live-status")).to_contain_text("RUNNING")
    expect(page.get_by_role("region", name="Execution status")).to_contain_text("Running")
    sandbox.advance_clock(300)
    expect(page.locator("#live-status")).to_contain_text("COMPLETED")
    expect(page.locator("#live-summary-status")).to_have_text("COMPLETED")
    expect(page.locator("#follow-note")).to_contain_text("no longer checks")
    asked = len(seen)
    time.sleep(1.5)
    assert len(seen) == asked
