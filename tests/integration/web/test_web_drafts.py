"""The draft page and what can be done from it: run (confirmed), delete (confirmed), edit."""

import pytest
from web_helpers import (
    PROJECT,
    a_bam,
    file_ref,
    folder_files,
    task_posts,
    text_of,
    upstream_counts,
)

APP = f"{PROJECT}/sbg-bamtools-index-draft2/27"


def make_draft(demo_client, **body):
    return demo_client.create_task({"name": "A draft", "project": PROJECT, "app": APP, **body})


def test_the_draft_page_shows_errors_next_to_their_inputs(signed_in, demo_client):
    draft = make_draft(demo_client, inputs={})  # the required BAM is missing
    assert draft["errors"]
    response = signed_in.get(f"/projects/{PROJECT}/tasks/{draft['id']}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = text_of(response)
    assert "What CAVATICA found" in text
    row = html.split("<code>input_bam_file</code>", 1)[1].split("</tr>", 1)[0]
    assert "Error:" in row
    assert draft["errors"][0]["message"] in row


def test_the_draft_page_shows_the_file_names_the_task_came_with(signed_in, demo_client, sandbox):
    bams = [
        f for n, f in sorted(folder_files(demo_client, "alignments").items()) if n.endswith(".bam")
    ]
    draft = make_draft(
        demo_client,
        inputs={"input_bam_file": [file_ref(b) for b in bams]},
        batch_input="input_bam_file",
        batch_by={"type": "ITEM"},
    )
    sandbox.clear_requests()
    text = text_of(signed_in.get(f"/projects/{PROJECT}/tasks/{draft['id']}"))
    for bam in bams:
        assert bam["name"] in text
    assert "Batch input input_bam_file" in text
    assert "POST /v2/bulk/files/get" not in sandbox.requests()["counts"]  # no name asked again


def test_run_is_confirmed_then_starts_the_batch(signed_in, demo_client, sandbox):
    bams = [
        f for n, f in sorted(folder_files(demo_client, "alignments").items()) if n.endswith(".bam")
    ]
    draft = make_draft(
        demo_client,
        inputs={"input_bam_file": [file_ref(b) for b in bams]},
        batch_input="input_bam_file",
        batch_by={"type": "CRITERIA", "criteria": ["metadata.sample_id"]},
    )
    url = f"/projects/{PROJECT}/tasks/{draft['id']}"
    confirm = text_of(signed_in.get(url + "/run"))
    assert f"{len(bams)} child tasks" in confirm
    assert "costs money" in confirm
    assert demo_client.task(draft["id"])["status"] == "DRAFT"  # looking costs nothing

    sandbox.clear_requests()
    response = signed_in.post(url + "/run")
    assert response.location == url
    # Confirming costs the run call alone: the task was read for the confirmation page.
    assert list(upstream_counts(sandbox)) == ["POST /v2/tasks/<task_id>/actions/<action>"]
    assert demo_client.task(draft["id"])["status"] != "DRAFT"
    sandbox.advance_clock(3600)
    page = text_of(signed_in.get(url))
    assert "Child tasks" in page
    children = demo_client.tasks(parent=draft["id"]).items
    assert len(children) == len(bams)
    for child in children:
        assert child["batch_group"]["value"] in page
        # batch_group.fields come as {"metadata.sample_id": ...}; the page names them for people.
        [(key, sample)] = child["batch_group"]["fields"].items()
        assert key == "metadata.sample_id"
        assert f"Sample id: {sample}" in page
    assert "metadata.sample_id =" not in page


def test_run_is_refused_for_a_task_that_started(signed_in, demo_client):
    draft = make_draft(demo_client, inputs={"input_bam_file": file_ref(a_bam(demo_client))})
    demo_client.run_task(draft["id"])
    response = signed_in.get(f"/projects/{PROJECT}/tasks/{draft['id']}/run")
    assert response.status_code == 302
    assert "Only a draft can be run" in text_of(signed_in.get(response.location))


def test_delete_is_confirmed_then_removes_the_draft(signed_in, demo_client):
    draft = make_draft(demo_client, inputs={})
    url = f"/projects/{PROJECT}/tasks/{draft['id']}"
    assert "This cannot be undone" in text_of(signed_in.get(url + "/delete"))
    response = signed_in.post(url + "/delete")
    assert response.location == f"/projects/{PROJECT}"
    assert "The draft was deleted." in text_of(signed_in.get(response.location))
    assert signed_in.get(url).status_code == 404


def test_edit_shows_the_form_filled_from_the_draft(signed_in, demo_client):
    bam = a_bam(demo_client)
    draft = make_draft(
        demo_client,
        name="Edit me",
        description="notes\n\nSubmitted from the draft-task launcher, ref 0123456789ab",
        inputs={"input_bam_file": file_ref(bam), "bti_format": True},
        execution_settings={"instance_type": "r5.xlarge", "max_parallel_instances": 3},
        use_interruptible_instances=True,
    )
    response = signed_in.get(f"/projects/{PROJECT}/tasks/{draft['id']}/edit")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'value="Edit me"' in html
    assert bam["id"] in html
    assert bam["name"] in text_of(response)
    assert 'value="r5.xlarge" selected' in html or '<option selected value="r5.xlarge">' in html
    assert 'value="3"' in html
    # Our reference line is kept out of the description box (it is added back on save).
    assert "ref 0123456789ab" not in html.split('name="description"', 1)[1].split("</textarea>")[0]
    assert 'value="0123456789ab"' in html


def test_the_draft_page_of_a_task_that_does_not_exist_is_a_404(signed_in):
    response = signed_in.get(f"/projects/{PROJECT}/tasks/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_malformed_task_id_is_the_platforms_refusal_not_a_failure(signed_in):
    # The platform answers 400 for an id that cannot be a task's: it did answer, and said no.
    response = signed_in.get(f"/projects/{PROJECT}/tasks/not-a-task-id")
    assert response.status_code == 400
    text = text_of(response)
    assert "CAVATICA refused the request" in text
    assert "could not answer" not in text
    assert "Traceback" not in response.get_data(as_text=True)


def test_saving_an_edit_patches_the_draft(signed_in, demo_client, sandbox):
    bam, other = [
        f for n, f in sorted(folder_files(demo_client, "alignments").items()) if n.endswith(".bam")
    ][:2]
    draft = make_draft(
        demo_client,
        name="Before",
        description="Submitted from the draft-task launcher, ref 0123456789ab",
        inputs={"input_bam_file": file_ref(bam)},
    )
    url = f"/projects/{PROJECT}/tasks/{draft['id']}"
    edit = signed_in.get(url + "/edit")
    assert edit.status_code == 200
    data = {
        "name": "After",
        "description": "now with notes",
        "submission_id": "0123456789ab",
        "inputs-input_bam_file": other["id"],
        "execution-instance_type": "c5.xlarge",
        "batch-mode": "off",
        "action": "create",
    }
    sandbox.clear_requests()
    response = signed_in.post(url + "/edit", data=data)
    assert response.status_code == 302, text_of(response)
    assert response.location == url
    [patch] = [r for r in sandbox.requests()["requests"] if r["method"] == "PATCH"]
    assert patch["json"] == {
        "name": "After",
        "description": "now with notes\n\nSubmitted from the draft-task launcher, ref 0123456789ab",
        "inputs": {"input_bam_file": file_ref(other)},
        "execution_settings": {"instance_type": "c5.xlarge"},
    }
    saved = demo_client.task(draft["id"])
    assert saved["name"] == "After"
    assert saved["inputs"]["input_bam_file"]["path"] == other["id"]
    page = text_of(signed_in.get(url))
    assert "The draft was saved." in page
    assert other["name"] in page
    assert "The JSON body of the last edit (PATCH)" in page


def test_an_edit_that_turns_batch_off_sends_batch_false(signed_in, demo_client, sandbox):
    bams = [
        f for n, f in sorted(folder_files(demo_client, "alignments").items()) if n.endswith(".bam")
    ]
    draft = make_draft(
        demo_client,
        inputs={"input_bam_file": [file_ref(b) for b in bams]},
        batch_input="input_bam_file",
        batch_by={"type": "ITEM"},
    )
    assert draft["batch"] is True
    url = f"/projects/{PROJECT}/tasks/{draft['id']}"
    data = {
        "name": "One BAM now",
        "submission_id": "0123456789ab",
        "inputs-input_bam_file": bams[0]["id"],
        "batch-mode": "off",
        "action": "create",
    }
    sandbox.clear_requests()
    response = signed_in.post(url + "/edit", data=data)
    assert response.status_code == 302, text_of(response)
    [patch] = [r for r in sandbox.requests()["requests"] if r["method"] == "PATCH"]
    assert patch["json"]["batch"] is False
    assert "batch_input" not in patch["json"] and "batch_by" not in patch["json"]
    saved = demo_client.task(draft["id"])
    assert saved["batch"] is False and "batch_input" not in saved
    assert saved["errors"] == []
    assert "Not a batch task." in text_of(signed_in.get(url))


@pytest.mark.parametrize("posted", [{}, {"submission_id": "not<ours>"}])
def test_an_edit_without_a_proper_submission_id_keeps_the_drafts_reference(
    signed_in, demo_client, posted
):
    marker_line = "Submitted from the draft-task launcher, ref 0123456789ab"
    draft = make_draft(
        demo_client,
        description=marker_line,
        inputs={"input_bam_file": file_ref(a_bam(demo_client))},
    )
    url = f"/projects/{PROJECT}/tasks/{draft['id']}"
    data = {
        "name": "Renamed",
        "inputs-input_bam_file": a_bam(demo_client)["id"],
        "batch-mode": "off",
        "action": "create",
        **posted,
    }
    response = signed_in.post(url + "/edit", data=data)
    assert response.status_code == 302, text_of(response)
    assert demo_client.task(draft["id"])["description"] == marker_line


def test_a_started_task_cannot_be_edited(signed_in, demo_client):
    draft = make_draft(demo_client, inputs={"input_bam_file": file_ref(a_bam(demo_client))})
    demo_client.run_task(draft["id"])
    response = signed_in.get(f"/projects/{PROJECT}/tasks/{draft['id']}/edit")
    assert response.status_code == 302
    assert "Only a draft can be edited" in text_of(signed_in.get(response.location))


def test_the_draft_page_says_which_settings_are_left_to_the_project(signed_in, demo_client):
    draft = make_draft(demo_client, inputs={}, execution_settings={"instance_type": "c5.large"})
    html = signed_in.get(f"/projects/{PROJECT}/tasks/{draft['id']}").get_data(as_text=True)
    settings = html.split('id="settings-title"', 1)[1].split("</section>", 1)[0]
    assert "c5.large" in settings
    assert "Maximum parallel instances</dt><dd>project default" in settings


def test_the_run_page_says_what_will_run(signed_in, demo_client):
    draft = make_draft(
        demo_client,
        inputs={"input_bam_file": file_ref(a_bam(demo_client))},
        execution_settings={"instance_type": "c5.4xlarge"},
        use_interruptible_instances=False,
    )
    text = text_of(signed_in.get(f"/projects/{PROJECT}/tasks/{draft['id']}/run"))
    assert "one task" in text
    assert "Instance type c5.4xlarge" in text
    assert "Spot instances off" in text
    assert "Memoization project default" in text


def test_a_new_task_like_an_earlier_one(signed_in, demo_client, sandbox):
    bam = a_bam(demo_client)
    earlier = make_draft(
        demo_client,
        name="Earlier",
        description="notes\n\nSubmitted from the draft-task launcher, ref 0123456789ab",
        inputs={"input_bam_file": file_ref(bam), "bti_format": True},
        execution_settings={"instance_type": "r5.xlarge"},
    )
    demo_client.run_task(earlier["id"])
    page = signed_in.get(f"/projects/{PROJECT}/tasks/{earlier['id']}")
    link = (
        f"/projects/{PROJECT}/apps/sbg-bamtools-index-draft2/new?revision=27"
        f"&amp;from_task={earlier['id']}"
    )
    assert link in page.get_data(as_text=True)
    form = signed_in.get(link.replace("&amp;", "&"))
    html = form.get_data(as_text=True)
    assert "Filled in from the task “Earlier”" in text_of(form)
    assert 'value="Earlier (copy)"' in html
    assert bam["id"] in html
    # Submitting it makes a new draft with its own reference, not the earlier task's.
    submission_id = html.split('name="submission_id" type="hidden" value="', 1)[1][:32]
    assert not submission_id.startswith("0123456789ab")
    from werkzeug.datastructures import MultiDict

    fields = MultiDict()
    fields.add("name", "Earlier (copy)")
    fields.add("description", "notes")
    fields.add("submission_id", submission_id)
    fields.add("inputs-input_bam_file", bam["id"])
    fields.add("inputs-bti_format", "true")
    fields.add("execution-instance_type", "r5.xlarge")
    fields.add("batch-mode", "off")
    sandbox.clear_requests()
    created = signed_in.post(link.replace("&amp;", "&"), data=fields)
    assert created.status_code == 302
    [body] = task_posts(sandbox)
    assert body["inputs"] == {"input_bam_file": file_ref(bam), "bti_format": True}
    assert body["execution_settings"] == {"instance_type": "r5.xlarge"}
    assert body["description"].endswith(f"ref {submission_id[:12]}")


def test_the_draft_page_still_shows_when_file_names_cannot_be_looked_up(
    signed_in, demo_client, sandbox
):
    bam = a_bam(demo_client)
    draft = make_draft(demo_client, inputs={"input_bam_file": file_ref(bam)})
    sandbox.fault(method="POST", path="/v2/bulk/files/get", status=500, code=0, times=5)
    response = signed_in.get(f"/projects/{PROJECT}/tasks/{draft['id']}")
    assert response.status_code == 200
    text = text_of(response)
    assert draft["id"] in text
    assert bam["id"] in text  # the id stands in for the name it could not get
