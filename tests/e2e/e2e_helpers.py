"""Small steps several browser tests share."""

from playwright.sync_api import Page, expect

CONTROLS = "xpath=following-sibling::div[contains(@class, 'picker-controls')][1]"


def ids_box(page: Page, field_name: str):
    """A file input's box of raw ids, shown the way a user does it: the picker keeps it behind
    the input's "Edit ids" button (chips show the names)."""
    box = page.locator(f'input[name="{field_name}"]')
    if box.is_hidden():
        box.locator(CONTROLS).locator(".picker-edit-ids").click()
    expect(box).to_be_visible()
    return box
