"""Limits a form meets before any call to the platform: file ids per input and per form, the
body's size, and the range of parallel instances; each with a message that says what to do."""

from web_helpers import PROJECT, a_bam, app_specs, task_form, text_of, upstream_counts

BAMTOOLS = f"/projects/{PROJECT}/apps/sbg-bamtools-index-draft2/new?revision=27"
SUBMISSION = "0123456789abcdef0123456789abcdef"


def fake_ids(count, start=0):
    return " ".join(f"{n:024x}" for n in range(start, start + count))


def bulk_calls(sandbox):
    return sum(n for call, n in upstream_counts(sandbox).items() if "/bulk/" in call)


def post_batch_of(client, sandbox, ids, **fields):
    """The form with `ids` in its batched input, posted once the app's revision is cached, so
    that the sandbox's request log holds only what the post itself asked."""
    client.get(BAMTOOLS)
    sandbox.clear_requests()
    data = {
        "name": "Many",
        "submission_id": SUBMISSION,
        "batch-mode": "on",
        "batch-input": "input_bam_file",
        "batch-by": "file",
        "inputs-input_bam_file": ids,
        **fields,
    }
    return client.post(BAMTOOLS, data=data)


def test_the_page_says_how_many_file_ids_a_form_takes(signed_in):
    assert "up to 5,000 file ids, per input and in all" in text_of(signed_in.get(BAMTOOLS))


def test_a_body_of_100000_ids_is_refused_with_no_upstream_call(signed_in, sandbox):
    signed_in.get(BAMTOOLS)  # the app's revision is cached from here on
    sandbox.clear_requests()
    data = {
        "name": "Too big",
        "submission_id": SUBMISSION,
        "batch-mode": "off",
        "inputs-input_bam_file": fake_ids(100_000),
        "action": "preview",
    }
    response = signed_in.post(BAMTOOLS, data=data)
    assert response.status_code == 413
    assert "at most 5,000 file ids" in text_of(response)
    assert upstream_counts(sandbox) == {}


def test_more_than_5000_ids_in_one_input_are_marked_on_it_and_never_looked_up(
    signed_in, sandbox, demo_client
):
    response = post_batch_of(signed_in, sandbox, fake_ids(5001))
    assert response.status_code == 200
    assert "This input holds 5,001 file ids; at most 5,000" in text_of(response)
    assert bulk_calls(sandbox) == 0
    assert "POST /v2/tasks" not in upstream_counts(sandbox)


def test_5000_ids_in_one_input_are_taken(signed_in, sandbox, demo_client):
    response = post_batch_of(signed_in, sandbox, fake_ids(5000), action="preview")
    assert "at most 5,000" not in text_of(response)
    assert bulk_calls(sandbox) == 50  # looked up, 100 a call


def test_parallel_instances_beyond_the_platforms_range_are_refused(signed_in, demo_client, sandbox):
    specs = app_specs(demo_client, "sbg-bamtools-index-draft2", 27)
    data = task_form(
        specs,
        {"input_bam_file": {"class": "File", "path": a_bam(demo_client)["id"]}},
        **{"execution-max_parallel_instances": "100000"},
    )
    response = signed_in.post(BAMTOOLS, data=data)
    assert response.status_code == 200
    assert "At most 1,000 instances can run at the same time" in text_of(response)
    assert "POST /v2/tasks" not in upstream_counts(sandbox)


def test_one_page_spends_at_most_a_tenth_of_the_rate_budget(signed_in, sandbox):
    sandbox.set_rate_limit(200)
    # The app's revision is cached, and the limit known, before the post.
    response = post_batch_of(signed_in, sandbox, fake_ids(5000), action="preview")
    assert "would need more than 20 calls to CAVATICA" in text_of(response)
    assert sum(upstream_counts(sandbox).values()) <= 20
    # The rest of the budget is still there for the next page.
    assert signed_in.get("/projects").status_code == 200


def test_three_inputs_of_2000_ids_each_are_too_many_for_one_form(signed_in, sandbox, demo_client):
    app = "kfdrc-alignment-wf"
    revision = demo_client.app(f"{PROJECT}/{app}")["revision"]
    url = f"/projects/{PROJECT}/apps/{app}/new?revision={revision}"
    signed_in.get(url)  # the app's revision is cached from here on
    sandbox.clear_requests()
    data = {
        "name": "Three lists",
        "submission_id": SUBMISSION,
        "batch-mode": "off",
        "inputs-input_bam_list": fake_ids(2000),
        "inputs-input_pe_reads_list": fake_ids(2000, start=2000),
        "inputs-input_pe_mates_list": fake_ids(2000, start=4000),
        "action": "create",
    }
    response = signed_in.post(url, data=data)
    assert response.status_code == 200
    text = text_of(response)
    assert "The form holds 6,000 file ids; at most 5,000 are taken per input and per form" in text
    assert "This input holds" not in text  # each input alone is within the limit
    assert upstream_counts(sandbox) == {}  # nothing looked up, nothing created
