"""With JavaScript turned off, every input can still be filled: lists grow by a spare row."""

from playwright.sync_api import Page, expect
from user_steps import create_draft, preview_batch

APP_NAME = "lanes"
APP_RAW = {
    "cwlVersion": "v1.0",
    "class": "CommandLineTool",
    "label": "Lanes",
    "inputs": [
        {
            "id": "lanes",
            "label": "Lanes",
            "type": [
                "null",
                {
                    "type": "array",
                    "items": {
                        "type": "record",
                        "fields": [
                            {"name": "lane_id", "label": "Lane id", "type": "string"},
                            {"name": "reads", "label": "Read count", "type": "int?"},
                        ],
                    },
                },
            ],
        },
        {
            "id": "extras",
            "label": "Extras",
            "type": ["null", {"type": "array", "items": ["string", "int"]}],
        },
    ],
    "outputs": [],
}
PROJECT = "demo-user/pediatric-wgs"


def test_without_javascript_lists_of_records_and_of_mixed_values_get_rows(
    signed_in_without_javascript: Page, sandbox, upstream
):
    sandbox.add_app(PROJECT, APP_NAME, APP_RAW)
    page = signed_in_without_javascript
    page.goto(f"/projects/{PROJECT}/apps/{APP_NAME}/new")
    lanes = page.get_by_role("group", name="Lanes")
    extras = page.get_by_role("group", name="Extras")
    # No "Add" button works here, so each list shows a spare row to fill in.
    lanes.get_by_label("Lane id").fill("L1")
    extras.get_by_label("Kind of value for Item 1").select_option(label="Whole number")
    extras.get_by_label("Whole number").fill("7")
    preview_batch(page)

    # Drawn again: what was typed stays, and a new spare row follows it.
    expect(lanes.get_by_label("Lane id")).to_have_count(2)
    expect(lanes.get_by_label("Lane id").first).to_have_value("L1")
    lanes.get_by_label("Lane id").last.fill("L2")
    lanes.get_by_label("Read count").last.fill("2")
    page.get_by_label("Task name").fill("Lanes without scripts")
    create_draft(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lanes without scripts")
    (draft,) = upstream.drafts_named(PROJECT, "Lanes without scripts")
    task = upstream.get(f"/tasks/{draft['id']}")
    assert task["inputs"]["lanes"] == [{"lane_id": "L1"}, {"lane_id": "L2", "reads": 2}]
    assert task["inputs"]["extras"] == [7]
