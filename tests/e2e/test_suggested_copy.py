"""In Chromium: an app suggests a reference file of the public project; the user copies it into
the task's project (confirmed, with the copy's name), the input uses the copy, and what was typed
stays. The buttons post the task form itself, with its CSRF token."""

import re

from playwright.sync_api import Page, expect

PROJECT = "demo-user/pediatric-wgs"
APP = "cavatica-bcf-call"


def test_copy_a_suggested_reference_file_and_use_it(signed_in: Page, sandbox, upstream):
    page = signed_in
    revision = upstream.app_revision(PROJECT, APP)
    page.goto(f"/projects/{PROJECT}/apps/{APP}/new?revision={revision}")
    page.get_by_label("Description", exact=True).fill("Typed before the copy.")
    offers = page.get_by_role("region", name="Suggested files from another project")
    expect(offers).to_contain_text("Homo_sapiens_assembly38.fasta")
    expect(offers).to_contain_text("admin/sbg-public-data")
    row = offers.get_by_role("listitem").filter(has_text="Homo_sapiens_assembly38.fasta")
    row.get_by_role("button", name=re.compile("^Copy into this project")).click()

    confirm = page.get_by_role("group", name=re.compile("^Copy Homo_sapiens_assembly38.fasta"))
    expect(confirm).to_be_visible()
    confirm.get_by_label("Name of the copy").fill("GRCh38-reference.fasta")
    confirm.get_by_role("button", name="Copy and use it").click()

    expect(page.get_by_role("status").first).to_contain_text(
        "“GRCh38-reference.fasta” was copied into this project, and the input uses the copy."
    )
    [copy] = [f for f in upstream.listing(project=PROJECT) if f["name"] == "GRCh38-reference.fasta"]
    expect(page.locator('input[name="inputs-reference_fasta"]')).to_have_value(copy["id"])
    expect(page.get_by_label("Description", exact=True)).to_have_value("Typed before the copy.")
    expect(
        offers.get_by_role("listitem").filter(has_text="Homo_sapiens_assembly38.fasta")
    ).to_have_count(0)
    copies = [r for r in sandbox.requests()["requests"] if r["path"].endswith("/actions/copy")]
    assert [(r["method"], r["json"]) for r in copies] == [
        ("POST", {"project": PROJECT, "name": "GRCh38-reference.fasta"})
    ]
