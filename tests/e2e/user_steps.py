"""The user's steps in the browser, as page helpers the e2e tests share: sign in, open an app's
form, choose files in a folder with the picker, preview the batch, create the draft. Each step
waits until the page shows that it is done, so a test reads as the user's steps one by one."""

import re

from playwright.sync_api import Page, expect

PROJECT = "demo-user/pediatric-wgs"
PROJECT_NAME = "Pediatric WGS Cohort"


def sign_in_as(page: Page, token: str) -> None:
    """Sign in the way a user does: type the token into the sign-in form and submit it."""
    if "/sign-in" not in page.url:
        page.goto("/sign-in")
    page.get_by_label("CAVATICA authentication token").fill(token)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def settled(page: Page) -> None:
    """Wait until the page and its scripts' requests (e.g. file names) are done."""
    page.wait_for_load_state("networkidle")


def open_app_form(page: Page, app_name: str) -> None:
    """From the projects page: search the project by name, open it, start a task with the app."""
    page.get_by_label("Project name").fill(PROJECT_NAME)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("table")).to_contain_text(PROJECT)
    page.get_by_role("link", name=PROJECT_NAME).click()
    expect(page.get_by_role("heading", name=PROJECT_NAME, level=1)).to_be_visible()
    page.get_by_label("Search apps").fill(app_name)
    page.get_by_role("search", name="Apps").get_by_role("button", name="Search").click()
    row = page.get_by_role("row").filter(has_text=f"{PROJECT}/{app_name}")
    expect(row).to_have_count(1)
    row.get_by_role("link", name=re.compile("^New task")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("New task")


def picker_dialog(page: Page, input_label: str):
    page.get_by_role(
        "button", name=re.compile(r"^Choose (files?|folders?) for " + re.escape(input_label))
    ).click()
    dialog = page.get_by_role("dialog", name=re.compile(re.escape(input_label)))
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-picker-summary]")).to_be_visible()
    return dialog


def open_folder(dialog, name: str) -> None:
    dialog.get_by_role("link", name=f"Folder {name}/").click()
    expect(dialog.get_by_role("heading", name=f"Folder {name}")).to_be_visible()


def pick_one(page: Page, input_label: str, folders, name: str, show_all_types=False) -> None:
    """Choose a single file for an input: browse into its folder, tick it, Done."""
    dialog = picker_dialog(page, input_label)
    for folder in folders:
        open_folder(dialog, folder)
    if show_all_types:
        expect(dialog.get_by_role("radio", name=name, exact=True)).to_have_count(0)
        dialog.get_by_role("link", name="Show all file types").click()
        expect(dialog).to_contain_text("Showing every file type.")
    dialog.get_by_role("radio", name=name, exact=True).check()
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_be_hidden()


def chosen_names(page: Page, field_name: str) -> list[str]:
    box = page.locator(f"#{field_name}-chosen")
    return [name.strip() for name in box.locator(".picker-chosen-name").all_inner_texts()]


def preview_batch(page: Page) -> None:
    """Press "Preview batch": the form comes back as typed, with the preview if there is one."""
    page.get_by_role("button", name="Preview batch").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("New task")


def create_draft(page: Page) -> None:
    """Press "Create draft" and land on the draft's page."""
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_text("The draft task was created.")).to_be_visible()
