"""Every page passes axe-core, the main flow works with the keyboard alone, and every label, help
text and error message is tied to its control."""

import re

from playwright.sync_api import Page, expect

PROJECT = "demo-user/pediatric-wgs"
APP = "sbg-wes-bwa-gatk4-cwl1"


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


def tab_to(page: Page, target, limit: int = 80) -> None:
    """Press Tab until `target` has the focus (a user moving through the page)."""
    handle = target.element_handle()
    for _ in range(limit):
        if page.evaluate("el => document.activeElement === el", handle):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")
