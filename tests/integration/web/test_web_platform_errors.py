"""When the platform says no while the user submits: a clear message, and nothing typed is lost."""

import os

import pytest
from web_helpers import PROJECT, a_bam, app_specs, file_ref, task_form, task_posts, text_of

BAMTOOLS = f"/projects/{PROJECT}/apps/sbg-bamtools-index-draft2/new?revision=27"


@pytest.fixture
def filled_form(signed_in, demo_client):
    """The bamtools form as a user filled it (the form page was opened once)."""
    signed_in.get(BAMTOOLS)
    specs = app_specs(demo_client, "sbg-bamtools-index-draft2", 27)
    bam = a_bam(demo_client)
    data = task_form(
        specs,
        {"input_bam_file": file_ref(bam)},
        name="Keep me",
        description="typed with care",
        **{"execution-instance_type": "m5.large"},
    )
    return data, bam


def assert_kept(response, bam):
    html = response.get_data(as_text=True)
    assert 'value="Keep me"' in html
    assert "typed with care" in html
    assert bam["id"] in html
    assert '<option selected value="m5.large">' in html or 'value="m5.large" selected' in html


def drafts(demo_client):
    return demo_client.tasks(project=PROJECT, status="DRAFT").total


@pytest.mark.parametrize(
    ("status", "code", "status_shown", "message"),
    [
        (400, 7016, 400, "CAVATICA refused the request. CAVATICA said: “Injected fault"),
        (403, 3001, 403, "Your CAVATICA account is not allowed to do this."),
        (404, 3002, 404, "CAVATICA could not find this"),
        (500, 90004, 502, "CAVATICA had a problem and could not answer."),
        (503, 7000, 502, "CAVATICA had a problem and could not answer."),
    ],
)
def test_a_refusal_keeps_the_form(
    signed_in, demo_client, sandbox, filled_form, status, code, status_shown, message
):
    data, bam = filled_form
    before = drafts(demo_client)
    sandbox.fault(method="POST", path="/v2/tasks", status=status, code=code, times=1)
    response = signed_in.post(BAMTOOLS, data=data)
    assert response.status_code == status_shown
    assert 'role="alert"' in response.get_data(as_text=True)
    assert message in text_of(response)
    assert_kept(response, bam)
    assert drafts(demo_client) == before
    # Submitting again (the same form) now works, and makes one draft.
    again = signed_in.post(BAMTOOLS, data=data)
    assert again.status_code == 302
    assert drafts(demo_client) == before + 1


def test_rate_limited_says_when_to_try_again(signed_in, demo_client, sandbox, filled_form):
    data, bam = filled_form
    sandbox.fault(method="POST", path="/v2/tasks", status=429, code=1000, times=1)
    response = signed_in.post(BAMTOOLS, data=data)
    assert response.status_code == 429
    text = text_of(response)
    assert "too many requests" in text
    assert "Try again in" in text and "seconds" in text
    assert_kept(response, bam)


def test_a_lost_answer_finds_the_draft_that_was_made(signed_in, demo_client, sandbox, filled_form):
    data, _bam = filled_form
    # The platform makes the draft, then the connection drops before the answer.
    sandbox.fault(method="POST", path="/v2/tasks", drop_connection=True, times=1)
    response = signed_in.post(BAMTOOLS, data=data)
    assert response.status_code == 302
    assert len(task_posts(sandbox)) == 1
    page = signed_in.get(response.location)
    assert "the draft was created: here it is" in text_of(page)
    assert "Keep me" in text_of(page)
    # A second press of the button goes to the same draft; nothing new is made.
    again = signed_in.post(BAMTOOLS, data=data)
    assert again.location == response.location
    assert len(task_posts(sandbox)) == 1


def forget_sessions(app):
    """The server-side sessions end (as they do by age); browsers still hold their ids."""
    folder = app.config["SESSION_FILE_DIR"]
    for name in os.listdir(folder):
        os.remove(os.path.join(folder, name))


def test_an_expired_token_comes_back_to_the_form_with_everything(
    signed_in, demo_client, sandbox, filled_form
):
    data, bam = filled_form
    sandbox.fault(method="POST", path="/v2/tasks", status=401, code=401, times=1)
    response = signed_in.post(BAMTOOLS, data=data)
    assert response.status_code == 302
    assert response.location.startswith("/sign-in?next=")
    sign_in_page = text_of(signed_in.get(response.location))
    assert "brought back to your form" in sign_in_page
    # Signing in again leads back to the form, filled in as it was.
    back = signed_in.post("/sign-in", data={"token": sandbox.token, "next": BAMTOOLS})
    assert back.location == BAMTOOLS
    form = signed_in.get(BAMTOOLS)
    assert "Everything you entered is back" in text_of(form)
    assert_kept(form, bam)
    # Only once: opening the form again later starts fresh.
    assert 'value="Keep me"' not in signed_in.get(BAMTOOLS).get_data(as_text=True)


def test_a_kept_form_with_a_batch_choice_that_does_not_exist_comes_back_with_a_message(
    app, signed_in, demo_client, sandbox
):
    # Kept after the session ended, so never validated: its batch part is checked on return.
    client = signed_in
    forget_sessions(app)
    bam = a_bam(demo_client)
    data = {
        "name": "Kept",
        "batch-mode": "on",
        "batch-input": "input_bam_file",
        "batch-by": "no-such-preset",
        "inputs-input_bam_file": bam["id"],
    }
    assert client.post(BAMTOOLS, data=data).status_code == 302
    client.post("/sign-in", data={"token": sandbox.token, "next": BAMTOOLS})
    form = client.get(BAMTOOLS)
    assert form.status_code == 200
    assert "Everything you entered is back" in text_of(form)
    assert "Batch by: Not a valid choice" in text_of(form)
    assert 'value="Kept"' in form.get_data(as_text=True)


def test_an_unexpected_error_is_a_friendly_page(signed_in, sandbox):
    sandbox.fault(method="GET", path="/v2/projects/*", malformed=True, times=1)
    response = signed_in.get(f"/projects/{PROJECT}")
    assert response.status_code == 502
    html = response.get_data(as_text=True)
    assert "Traceback" not in html
    assert "CAVATICA" in text_of(response)


def test_an_unknown_page_is_a_friendly_404(signed_in):
    response = signed_in.get("/no/such/page")
    assert response.status_code == 404
    assert "There is no page at this address" in text_of(response)


def test_rate_limited_page_says_when_to_retry(signed_in, sandbox):
    sandbox.fault(method="GET", path="/v2/projects", status=429, code=1000, times=1)
    response = signed_in.get("/projects")
    assert response.status_code == 429
    assert "Try again in" in text_of(response)
    assert int(response.headers["Retry-After"]) >= 0


def test_an_unreachable_platform_is_explained(make_app):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    client = make_app(
        SB_API_ENDPOINT=f"http://127.0.0.1:{closed_port}/v2", SB_AUTH_TOKEN="any-token"
    ).test_client()
    response = client.get("/projects")
    assert response.status_code == 502
    assert "CAVATICA could not be reached" in text_of(response)


def test_a_session_that_ended_keeps_the_form(make_app, demo_client, sandbox):
    # CSRF is on, as in production: the session (and its CSRF token) ends while the form is open.
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    html = client.get("/sign-in").get_data(as_text=True)
    csrf = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    client.post("/sign-in", data={"token": sandbox.token, "csrf_token": csrf})
    form_page = client.get(BAMTOOLS).get_data(as_text=True)
    csrf = form_page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    forget_sessions(client.application)  # the session ended on the server
    specs = app_specs(demo_client, "sbg-bamtools-index-draft2", 27)
    bam = a_bam(demo_client)
    data = task_form(
        specs,
        {"input_bam_file": file_ref(bam)},
        name="Keep me",
        description="typed with care",
        **{"execution-instance_type": "m5.large"},
    )
    data["csrf_token"] = csrf
    response = client.post(BAMTOOLS, data=data)
    assert task_posts(sandbox) == []
    # Back to the form, then to sign in (the token went with the session), then the form, filled.
    assert response.location == BAMTOOLS
    to_sign_in = client.get(BAMTOOLS)
    assert to_sign_in.location.startswith("/sign-in")
    html = client.get(to_sign_in.location).get_data(as_text=True)
    csrf = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    back = client.post(
        "/sign-in", data={"token": sandbox.token, "next": BAMTOOLS, "csrf_token": csrf}
    )
    assert back.location == BAMTOOLS
    assert_kept(client.get(BAMTOOLS), bam)


def test_submitting_again_after_a_lost_answer_looks_for_the_late_draft_first(
    make_app, demo_client, sandbox
):
    import time

    client = make_app(SB_TIMEOUT=1.0).test_client()
    client.post("/sign-in", data={"token": sandbox.token})
    client.get(BAMTOOLS)
    specs = app_specs(demo_client, "sbg-bamtools-index-draft2", 27)
    data = task_form(specs, {"input_bam_file": file_ref(a_bam(demo_client))}, name="Late draft")
    before = drafts(demo_client)
    # The platform makes the draft, but only after the app stopped waiting for the answer.
    sandbox.fault(method="POST", path="/v2/tasks", latency_ms=1800, times=1)
    response = client.post(BAMTOOLS, data=data)
    assert "may still be creating the draft" in text_of(response)
    deadline = time.monotonic() + 10
    while drafts(demo_client) == before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert drafts(demo_client) == before + 1
    # The user presses Create again: the app finds the late draft instead of making another.
    again = client.post(BAMTOOLS, data=data)
    assert again.status_code == 302
    assert "the draft was created: here it is" in text_of(client.get(again.location))
    assert drafts(demo_client) == before + 1
    assert len(task_posts(sandbox)) == 1
