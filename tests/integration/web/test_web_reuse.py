"""Start from what ran before: a task's inputs exported as JSON and imported into the task
form, with unknown input ids and files not in the project said by name, nothing else lost."""

import json

from web_helpers import PROJECT, a_bam, file_ref, folder_files, text_of

APP = f"{PROJECT}/sbg-bamtools-index-draft2/27"
FORM = f"/projects/{PROJECT}/apps/sbg-bamtools-index-draft2/new?revision=27"


def test_a_tasks_inputs_export_as_the_platforms_inputs_object(signed_in, demo_client, sandbox):
    bam = a_bam(demo_client)
    task = demo_client.create_task(
        {
            "name": "Index it",
            "project": PROJECT,
            "app": APP,
            "inputs": {"input_bam_file": file_ref(bam)},
        }
    )
    page = signed_in.get(f"/projects/{PROJECT}/tasks/{task['id']}").get_data(as_text=True)
    url = f"/projects/{PROJECT}/tasks/{task['id']}/inputs.json"
    assert f'href="{url}"' in page
    sandbox.clear_requests()
    response = signed_in.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="Index-it-inputs.json"'
    assert sandbox.requests()["counts"] == {"GET /v2/tasks/<task_id>": 1}
    assert json.loads(response.get_data(as_text=True)) == demo_client.task(task["id"])["inputs"]


def test_import_fills_the_inputs_and_keeps_everything_else(signed_in, demo_client, sandbox):
    bam = a_bam(demo_client)
    other = sandbox.add_files("demo-user/scratch", [{"name": "elsewhere.bam"}])["items"][0]
    exported = {
        "input_bam_file": {"class": "File", "path": bam["id"], "name": bam["name"]},
        "no_such_input": 3,
        "#not_an_input_either": "x",
    }
    form = {
        "name": "Keep this name",
        "description": "and this description",
        "submission_id": "0123456789abcdef0123456789abcdef",
        "execution-instance_type": "",
        "action": "import",
        "import_json": json.dumps(exported),
    }
    response = signed_in.post(FORM, data=form)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = text_of(response)
    assert "Imported 1 input from the file." in text
    assert "“no_such_input” is not an input of this app" in text
    assert "“not_an_input_either” is not an input of this app" in text
    assert 'value="Keep this name"' in html and "and this description" in html
    assert bam["id"] in html and bam["name"] in text
    assert demo_client.tasks(project=PROJECT, status="DRAFT").total == 0  # nothing was created

    # A file of another project is named and left out; a whole task JSON is read too.
    exported = {
        "inputs": {
            "input_bam_file": {"class": "File", "path": other["id"], "name": "elsewhere.bam"}
        }
    }
    response = signed_in.post(FORM, data={**form, "import_json": json.dumps(exported)})
    text = text_of(response)
    assert "Not in this project, so left out: “elsewhere.bam”." in text
    assert other["id"] not in response.get_data(as_text=True).split("Not in this project")[0]


def test_an_unreadable_file_is_a_message_and_the_form_stays(signed_in):
    form = {
        "name": "Still here",
        "submission_id": "0123456789abcdef0123456789abcdef",
        "action": "import",
    }
    for text, said in (
        ("", "Choose a JSON file"),
        ("{nope", "This is not JSON"),
        ("[1, 2]", "must hold a JSON object"),
    ):
        response = signed_in.post(FORM, data={**form, "import_json": text})
        assert response.status_code == 200
        assert "Nothing was imported." in text_of(response)
        assert said in text_of(response)
        assert 'value="Still here"' in response.get_data(as_text=True)


def test_the_copy_form_marks_itself_for_comparison(signed_in, demo_client):
    bams = sorted(folder_files(demo_client, "alignments").items())
    bam = next(f for n, f in bams if n.endswith(".bam"))
    task = demo_client.create_task(
        {
            "name": "Earlier",
            "project": PROJECT,
            "app": APP,
            "inputs": {"input_bam_file": file_ref(bam)},
        }
    )
    html = signed_in.get(f"{FORM}&from_task={task['id']}").get_data(as_text=True)
    assert f'data-compare-key="{task["id"]}"' in html
    assert 'data-compare-name="Earlier"' in html
    assert 'id="compare-summary"' in html
    plain = signed_in.get(FORM).get_data(as_text=True)
    assert "data-compare-key" not in plain
