"""After CAVATICA's answer to a create is lost, the form is not sent again while the platform
may still be making the draft: the page says until when it looks, and one draft comes of it."""

import html
import re
import time
import uuid

import pytest
from web_helpers import PROJECT, a_bam, app_specs, file_ref, task_form, task_posts, text_of

BAMTOOLS = f"/projects/{PROJECT}/apps/sbg-bamtools-index-draft2/new?revision=27"


def drafts(demo_client):
    return demo_client.tasks(project=PROJECT, status="DRAFT").total


def impatient(make_app, sandbox, timeout):
    """A signed-in browser of an app that waits `timeout` seconds for the platform's answers."""
    client = make_app(SB_TIMEOUT=timeout).test_client()
    client.post("/sign-in", data={"token": sandbox.token})
    client.get(BAMTOOLS)
    return client


def words(response):
    return html.unescape(text_of(response))


@pytest.fixture
def form_data(demo_client):
    """A filled form, its own submission id each test (a slow create of an earlier test that
    ends after the sandbox's reset must not be found as this one's)."""
    specs = app_specs(demo_client, "sbg-bamtools-index-draft2", 27)
    data = task_form(
        specs,
        {"input_bam_file": file_ref(a_bam(demo_client))},
        name="Keep me",
        description="typed with care",
    )
    data["submission_id"] = uuid.uuid4().hex
    return data


def wait_for(condition, seconds=15):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)
    return condition()


def test_a_create_slower_than_the_timeout_sent_again_at_once_makes_one_draft(
    make_app, demo_client, sandbox, form_data
):
    """The audit's case: the app waits 2 s, the platform takes 4 s, the form is sent again
    0.5 s after the first page came back."""
    client = impatient(make_app, sandbox, 2.0)
    before = drafts(demo_client)
    sandbox.fault(method="POST", path="/v2/tasks", latency_ms=4000, times=1)
    first = client.post(BAMTOOLS, data=form_data)
    text = words(first)
    assert "CAVATICA's answer was lost. CAVATICA may still be creating the draft." in text
    assert re.search(r"Looking again until \d\d:\d\d:\d\d UTC, in \d+ seconds", text)
    assert "Keep me" in first.get_data(as_text=True)  # the form as typed

    time.sleep(0.5)
    again = client.post(BAMTOOLS, data=form_data)
    assert again.status_code == 200
    text = words(again)
    assert "Nothing new was sent" in text and "Looking again until" in text
    html = again.get_data(as_text=True)
    assert 'value="look"' in html and 'value="create"' not in html  # only "Look again"

    # The platform finishes the first draft; looking again leads to it.
    assert wait_for(lambda: drafts(demo_client) == before + 1)
    looked = client.post(BAMTOOLS, data={**form_data, "action": "look"})
    assert looked.status_code == 302
    assert "the draft was created: here it is" in words(client.get(looked.location))
    # Pressing Create on the old page now goes to that draft too.
    assert client.post(BAMTOOLS, data=form_data).location == looked.location
    assert drafts(demo_client) == before + 1
    assert len(task_posts(sandbox)) == 1


def test_only_a_look_after_the_deadline_lets_the_form_be_sent_again(
    make_app, demo_client, sandbox, form_data
):
    client = impatient(make_app, sandbox, 0.5)
    before = drafts(demo_client)
    # The answer is slower than the app waits, and the platform then fails without a draft.
    sandbox.fault(method="POST", path="/v2/tasks", latency_ms=800, status=503, times=1)
    started = time.monotonic()
    first = client.post(BAMTOOLS, data=form_data)
    assert "may still be creating the draft" in words(first)
    looked = client.post(BAMTOOLS, data={**form_data, "action": "look"})
    assert "Looking again until" in words(looked)  # too early to say
    assert 'value="create"' not in looked.get_data(as_text=True)

    time.sleep(max(0.0, started + 1.5 - time.monotonic()) + 0.1)  # three timeouts from the try
    looked = client.post(BAMTOOLS, data={**form_data, "action": "look"})
    assert looked.status_code == 200
    text = words(looked)
    assert "no draft of this form was made, so you can create it now" in text
    html = looked.get_data(as_text=True)
    assert 'value="Keep me"' in html and "typed with care" in html
    assert 'value="create"' in html and 'value="look"' not in html
    assert drafts(demo_client) == before

    created = client.post(BAMTOOLS, data=form_data)
    assert created.status_code == 302
    assert drafts(demo_client) == before + 1
    assert len(task_posts(sandbox)) == 2  # the failed one, and this one


def test_the_page_looks_again_by_itself_when_the_time_is_up(make_app, sandbox, form_data):
    client = impatient(make_app, sandbox, 0.5)
    sandbox.fault(method="POST", path="/v2/tasks", latency_ms=800, status=503, times=1)
    page = client.post(BAMTOOLS, data=form_data).get_data(as_text=True)
    button = re.search(r'<button[^>]*value="look"[^>]*>', page).group(0)
    seconds = int(re.search(r'data-look-again-in="(\d+)"', button).group(1))
    assert 0 <= seconds <= 2  # static/app.js presses it then
