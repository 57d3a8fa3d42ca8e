"""Following a run from the task page: the live parts it refreshes, what each refresh costs
upstream, the paged child tasks, the stacked bar, and aborting after a confirmation."""

import re

from web_helpers import PROJECT, a_bam, file_ref, folder_files, text_of, upstream_counts

APP = f"{PROJECT}/sbg-bamtools-index-draft2/27"
STATE = re.compile(r'data-follow-state="([0-9a-f]+)"')


def running_task(demo_client, **body):
    task = demo_client.create_task({"name": "Index it", "project": PROJECT, "app": APP, **body})
    return demo_client.run_task(task["id"])


def a_batch(demo_client, bams):
    return running_task(
        demo_client,
        inputs={"input_bam_file": [file_ref(b) for b in bams]},
        batch_input="input_bam_file",
        batch_by={"type": "ITEM"},
    )


def bams_of(demo_client):
    return [
        f for n, f in sorted(folder_files(demo_client, "alignments").items()) if n.endswith(".bam")
    ]


def children_part(response):
    """The text of the page's child tasks section alone (the inputs also name every file)."""
    html = response.get_data(as_text=True)
    part = html.split('id="live-children"', 1)[1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", part))


def live_url(task):
    return f"/projects/{PROJECT}/tasks/{task['id']}/live"


def test_a_refresh_of_an_unchanged_batch_costs_one_call_and_a_change_two(
    signed_in, demo_client, sandbox
):
    task = a_batch(demo_client, bams_of(demo_client))
    page = signed_in.get(f"/projects/{PROJECT}/tasks/{task['id']}")
    html = page.get_data(as_text=True)
    assert 'data-follow-active="1"' in html
    state = STATE.search(html).group(1)

    sandbox.clear_requests()
    unchanged = signed_in.get(live_url(task), query_string={"state": state})
    assert unchanged.status_code == 204
    assert upstream_counts(sandbox) == {"GET /v2/tasks/<task_id>": 1}

    sandbox.advance_clock(60)  # the children are running now
    sandbox.clear_requests()
    changed = signed_in.get(live_url(task), query_string={"state": state})
    assert changed.status_code == 200
    assert upstream_counts(sandbox) == {"GET /v2/tasks/<task_id>": 1, "GET /v2/tasks": 1}
    text = text_of(changed)
    assert "RUNNING" in text
    assert (
        f"{len(bams_of(demo_client))} child tasks: 0 queued, {len(bams_of(demo_client))} running"
        in text
    )
    assert changed.headers["Cache-Control"] == "no-store"


def test_the_bar_and_the_numbers_say_the_same(signed_in, demo_client, sandbox):
    sandbox.set_fail_share(0.5)
    bams = bams_of(demo_client)
    task = a_batch(demo_client, bams)
    sandbox.advance_clock(400)
    response = signed_in.get(f"/projects/{PROJECT}/tasks/{task['id']}")
    html = response.get_data(as_text=True)
    status = demo_client.task(task["id"])["execution_status"]
    assert status["completed"] + status["failed"] == len(bams)
    assert 0 < status["failed"] < len(bams)
    widths = {
        m[0]: int(m[1]) for m in re.findall(r'class="bar-(\w+)" x="\d+" y="0" width="(\d+)"', html)
    }
    assert sum(widths.values()) == 1000
    assert widths["failed"] == round(status["failed"] * 1000 / len(bams))
    text = text_of(response)
    assert f"{status['completed']} completed, {status['failed']} failed, 0 aborted" in text
    assert 'role="img" aria-labelledby="status-bar-text"' in html
    # It has ended: the page does not ask to be followed.
    assert 'data-follow-active="0"' in html


def test_hundreds_of_children_are_paged(signed_in, demo_client, sandbox):
    files = sandbox.add_files(
        "demo-user/scratch",
        [{"name": f"S{n:03d}.bam", "metadata": {"sample_id": f"S{n:03d}"}} for n in range(120)],
    )["items"]
    task = demo_client.create_task(
        {
            "name": "Many",
            "project": "demo-user/scratch",
            "app": "demo-user/rnaseq-pilot/fastq-qc",
            "inputs": {"reads": [file_ref(f) for f in files]},
            "batch_input": "reads",
            "batch_by": {"type": "ITEM"},
        }
    )
    # The scratch project has no app: the draft is made from the pilot's app, then run.
    assert not task["errors"], task["errors"]
    demo_client.run_task(task["id"])
    url = f"/projects/demo-user/scratch/tasks/{task['id']}"
    first = children_part(signed_in.get(url))
    assert "120 child tasks; 1–50 are listed here" in first
    assert "S000.bam" in first and "S050.bam" not in first
    second = signed_in.get(url, query_string={"offset": 50})
    text = children_part(second)
    assert "51–100 are listed here" in text
    assert "S050.bam" in text and "S000.bam" not in text
    assert f'href="{url}?offset=0#children-title"' in second.get_data(as_text=True)
    # The live parts keep the page of children the reader is on.
    live = signed_in.get(f"{url}/live", query_string={"offset": 50})
    assert "S050.bam" in children_part(live)


def test_abort_is_confirmed_then_stops_the_task(signed_in, demo_client, sandbox):
    task = running_task(demo_client, inputs={"input_bam_file": file_ref(a_bam(demo_client))})
    url = f"/projects/{PROJECT}/tasks/{task['id']}"
    assert f'href="{url}/abort"' in signed_in.get(url).get_data(as_text=True)
    confirm = text_of(signed_in.get(url + "/abort"))
    assert "cannot be undone" in confirm
    assert demo_client.task(task["id"])["status"] == "QUEUED"  # looking changes nothing

    sandbox.clear_requests()
    response = signed_in.post(url + "/abort")
    assert response.location == url
    assert upstream_counts(sandbox) == {"POST /v2/tasks/<task_id>/actions/<action>": 1}
    assert demo_client.task(task["id"])["status"] == "ABORTED"
    page = signed_in.get(url)
    assert "Abort requested" in text_of(page)
    assert f'href="{url}/abort"' not in page.get_data(as_text=True)

    # Aborting again: the platform refuses, and the page says so in words.
    again = signed_in.post(url + "/abort", follow_redirects=True)
    assert again.status_code == 200
    assert "The task was not aborted" in text_of(again)
    assert "Only a queued or running task" in text_of(
        signed_in.get(url + "/abort", follow_redirects=True)
    )


def test_the_live_parts_need_a_sign_in_and_say_so_in_words(client, demo_client):
    task = running_task(demo_client, inputs={"input_bam_file": file_ref(a_bam(demo_client))})
    response = client.get(live_url(task))
    assert response.status_code == 401
    assert "Sign in again" in response.get_data(as_text=True)


def test_the_live_parts_of_an_unknown_task_are_a_message(signed_in):
    response = signed_in.get(f"/projects/{PROJECT}/tasks/00000000-0000-4000-8000-000000000000/live")
    assert response.status_code == 404
    assert "could not find" in response.get_data(as_text=True)


def a_finished_batch_with_failures(demo_client, sandbox, bams):
    sandbox.set_fail_share(0.5)
    task = running_task(
        demo_client,
        inputs={"input_bam_file": [file_ref(b) for b in bams]},
        batch_input="input_bam_file",
        batch_by={"type": "CRITERIA", "criteria": ["metadata.sample_id"]},
        execution_settings={"instance_type": "c5.2xlarge;ebs-gp2;1024"},
    )
    sandbox.advance_clock(400)
    return task


def test_the_failed_groups_of_an_ended_batch_make_a_new_draft_of_their_files(
    signed_in, demo_client, sandbox
):
    bams = bams_of(demo_client)
    task = a_finished_batch_with_failures(demo_client, sandbox, bams)
    children = demo_client.tasks(parent=task["id"], limit=100).items
    failed = [c for c in children if c["status"] == "FAILED"]
    assert 0 < len(failed) < len(children)
    # Each child of this single-File input holds one BAM (a group of one sample's files: a list).
    given = [c["inputs"]["input_bam_file"] for c in failed]
    failed_ids = {i["path"] for g in given for i in (g if isinstance(g, list) else [g])}

    url = f"/projects/{PROJECT}/tasks/{task['id']}"
    html = signed_in.get(url).get_data(as_text=True)
    link = re.search(r'href="([^"]+groups=failed[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "New draft with the failed and aborted groups" in html

    sandbox.clear_requests()
    form = signed_in.get(link)
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    field = re.search(r'name="inputs-input_bam_file"[^>]*value="([^"]*)"', page)
    field = field or re.search(r'value="([^"]*)"[^>]*name="inputs-input_bam_file"', page)
    assert set(field.group(1).split()) == failed_ids
    text = text_of(form)
    assert f"only the {len(failed_ids)} files of its {len(failed)} failed child tasks" in text
    assert "(failed and aborted again)" in page
    # Previewed before anything is created: the groups it will make, and no POST /tasks.
    assert f"{len(failed)} child task" in text
    counts = upstream_counts(sandbox)
    assert "POST /v2/tasks" not in counts
    assert counts["GET /v2/tasks"] == 2  # the failed children, then the aborted ones
    assert 'value="c5.2xlarge"' in page or "c5.2xlarge" in page


def test_a_batch_without_failures_offers_no_rerun(signed_in, demo_client, sandbox):
    task = running_task(
        demo_client,
        inputs={"input_bam_file": [file_ref(b) for b in bams_of(demo_client)]},
        batch_input="input_bam_file",
        batch_by={"type": "ITEM"},
    )
    sandbox.advance_clock(400)
    html = signed_in.get(f"/projects/{PROJECT}/tasks/{task['id']}").get_data(as_text=True)
    assert "COMPLETED" in html
    assert "New draft with the failed" not in html
