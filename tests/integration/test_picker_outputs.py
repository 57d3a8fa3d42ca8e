"""The picker lists a completed task's outputs (GET /files?project=&origin.task=) so they can be
chosen for the next task: the project's completed tasks first, then one task's files."""

import pytest
from test_picker import PICKER, Page, browse, upstream

from app import create_app
from cavatica import CavaticaClient

RNA = "demo-user/rnaseq-pilot"


@pytest.fixture
def client(sandbox, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SB_API_ENDPOINT": sandbox.api_url,
            "SB_AUTH_TOKEN": sandbox.token,  # the deployment's token: no sign-in step
            "SECRET_KEY": "picker-tests",
            "SESSION_FILE_DIR": str(tmp_path / "sessions"),
        }
    )
    return app.test_client()


def run_to_the_end(sandbox, body):
    with CavaticaClient(sandbox.api_url, sandbox.token, timeout=10) as api:
        task = api.create_task(body)
        api.run_task(task["id"])
        sandbox.advance_clock(400)
        return api.task(task["id"])


def reads(sandbox):
    with CavaticaClient(sandbox.api_url, sandbox.token, timeout=10) as api:
        items = api.files(project=RNA, limit=100).items
    return sorted((f for f in items if f["name"].endswith(".fastq.gz")), key=lambda f: f["name"])


def qc_body(files, **more):
    return {
        "name": "QC " + files[0]["name"],
        "project": RNA,
        "app": f"{RNA}/fastq-qc",
        "inputs": {"reads": [{"class": "File", "path": f["id"]} for f in files]},
        **more,
    }


def test_a_completed_tasks_outputs_are_listed_to_choose(client, sandbox):
    fastq = reads(sandbox)[0]
    task = run_to_the_end(sandbox, qc_body([fastq]))
    assert task["status"] == "COMPLETED"
    outputs = sorted(o["name"] for o in task["outputs"]["report"])

    response, page = browse(client, RNA, headers=PICKER, multiple="1")
    sandbox.clear_requests()
    listed = client.get(page.link("Choose among a completed task's outputs"), headers=PICKER)
    tasks = Page(listed.get_data(as_text=True))
    assert "Completed tasks" in tasks.text
    assert upstream(sandbox) == {"GET /v2/tasks": 1}
    # The newest to end first; the seeded one (ended a day ago) after it.
    names = [label for label, _ in tasks.links if label.endswith(": its outputs")]
    assert names[0] == f"{task['name']}: its outputs"
    assert "FastQC pilot lane 1: its outputs" in names

    sandbox.clear_requests()
    chosen = client.get(tasks.link(f"{task['name']}: its outputs"), headers=PICKER)
    files = Page(chosen.get_data(as_text=True))
    assert f"Outputs of {task['name']}" in files.text
    assert sorted(c["data-name"] for c in files.choices) == outputs
    assert all(c["type"] == "checkbox" for c in files.choices)  # several may be chosen
    counts = upstream(sandbox)
    assert counts == {"GET /v2/tasks/<task_id>": 1, "GET /v2/files": 1}
    sent = [r for r in sandbox.requests()["requests"] if r["path"] == "/v2/files"][0]
    assert sent["query"]["origin.task"] == [task["id"]]
    # Back to everything: the filter is dropped.
    everything = Page(
        client.get(files.link("Show all the project's files"), headers=PICKER).get_data(
            as_text=True
        )
    )
    assert "Project files" in everything.text
    assert fastq["name"] in [c["data-name"] for c in everything.choices]


def test_a_batch_leads_to_its_completed_children(client, sandbox):
    fastqs = reads(sandbox)[:2]
    parent = run_to_the_end(
        sandbox, qc_body(fastqs, batch_input="reads", batch_by={"type": "ITEM"})
    )
    _, page = browse(client, RNA, headers=PICKER)
    tasks = Page(
        client.get(page.link("Choose among a completed task's outputs"), headers=PICKER).get_data(
            as_text=True
        )
    )
    children = Page(
        client.get(tasks.link(f"{parent['name']}: its child tasks"), headers=PICKER).get_data(
            as_text=True
        )
    )
    assert f"Completed child tasks of {parent['name']}" in children.text
    own = [label for label, _ in children.links if label.endswith(": its outputs")]
    assert len(own) == 2
    first = Page(client.get(children.link(own[0]), headers=PICKER).get_data(as_text=True))
    assert len(first.choices) == 2  # two reports of one child


def test_outputs_of_a_task_of_another_project_are_refused(client, sandbox):
    task = run_to_the_end(sandbox, qc_body(reads(sandbox)[:1]))
    response, page = browse(client, "demo-user/pediatric-wgs", headers=PICKER, task=task["id"])
    assert response.status_code == 404
    assert "not in this project" in page.text or "could not find" in page.text


def test_the_tasks_list_works_without_javascript(client, sandbox):
    response = client.get(f"/projects/{RNA}/files/tasks")
    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    assert "<html" in response.get_data(as_text=True)
    assert "FastQC pilot lane 1: its outputs" in [label for label, _ in page.links]
    outputs = client.get(page.link("FastQC pilot lane 1: its outputs"))
    text = Page(outputs.get_data(as_text=True)).text
    assert "FastQC_pilot_lane_1.report.1.html" in text
