"""Other sites cannot use the app against its users: no page renders in a frame, and a form
another site auto-submits neither signs the user out nor fills their form."""

import re

from playwright.sync_api import Page, expect
from user_steps import sign_in_as

BAMTOOLS = "/projects/demo-user/pediatric-wgs/apps/sbg-bamtools-index-draft2/new?revision=27"


def session_id(page):
    """The signed session id the browser holds (the cookie's payload, not its timestamp)."""
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "launcher_session"]
    return cookie["value"].split(".")[0]


def test_a_framed_page_does_not_render(page: Page, live_app, sandbox, other_site):
    page.goto("/")
    sign_in_as(page, sandbox.token)
    target = f"{live_app.url}/projects"
    other_site.serve("/frame", f'<!doctype html><title>Frame</title><iframe src="{target}">')
    page.goto(other_site.url("/frame"))
    page.wait_for_load_state("load")
    framed = page.frame_locator("iframe")
    expect(framed.get_by_role("heading", name="Projects")).to_have_count(0)
    expect(framed.get_by_role("button", name="Sign out")).to_have_count(0)
    # Chromium says why: the app's frame-ancestors 'none'.
    refusals = [e for e in page.js_errors if "frame-ancestors 'none'" in e]
    assert refusals
    for refusal in refusals:
        page.js_errors.remove(refusal)
    # The same page, opened on its own, renders.
    page.goto("/projects")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_cross_site_auto_submit_leaves_the_session_and_the_form_untouched(
    page: Page, live_app, sandbox, other_site, upstream
):
    page.goto("/")
    sign_in_as(page, sandbox.token)
    session_before = session_id(page)
    attack = (
        "<!doctype html><title>Win a prize</title>"
        f'<form method="post" action="{live_app.url}{BAMTOOLS}">'
        '<input name="name" value="Attacker task">'
        '<input name="description" value="planted by another site">'
        '<input name="submission_id" value="0123456789abcdef0123456789abcdef">'
        "</form><script>document.forms[0].submit()</script>"
    )
    other_site.serve("/prize", attack)
    page.goto(other_site.url("/prize"))
    expect(page.get_by_role("heading", name="Form expired")).to_be_visible()
    assert session_id(page) == session_before  # the other site's answer set no cookie
    # Still signed in, and the form opens fresh: nothing of the other site's comes back.
    page.goto(BAMTOOLS)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_label(re.compile("^Task name"))).not_to_have_value("Attacker task")
    expect(page.get_by_text("Everything you entered is back")).to_have_count(0)
    assert "planted by another site" not in page.content()
    assert upstream.drafts_named("demo-user/pediatric-wgs", "Attacker task") == []
