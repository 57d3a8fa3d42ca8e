"""Two app instances on two loopback ports, sharing one Redis and one sandbox, as two machines
behind a load balancer: whichever one a request reaches, the user sees one app."""

import re

import pytest
import requests
from werkzeug.serving import make_server

from app import create_app
from sandbox.server import ServerHandle

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def serve(app):
    import threading

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return ServerHandle(server, thread)


def two_instances(sandbox, redis_url, tmp_path, timeout):
    """Two running app instances (their base URLs), each with its own session folder, so only
    Redis can carry what they share."""
    handles = []
    for name in ("one", "two"):
        app = create_app(
            {
                "SECRET_KEY": "two-instances",
                "SB_API_ENDPOINT": sandbox.api_url,
                "SB_AUTH_TOKEN": None,
                "SB_PROFILE": None,
                "SB_TIMEOUT": timeout,
                "SESSION_FILE_DIR": str(tmp_path / name),
                "REDIS_URL": redis_url,
            }
        )
        handles.append(serve(app))
    yield [handle.url for handle in handles]
    for handle in handles:
        handle.shutdown()


@pytest.fixture
def instances(sandbox, redis_url, tmp_path):
    yield from two_instances(sandbox, redis_url, tmp_path, 5.0)


@pytest.fixture
def impatient_instances(sandbox, redis_url, tmp_path):
    """As `instances`, waiting only 1 s for the platform's answers."""
    yield from two_instances(sandbox, redis_url, tmp_path, 1.0)


def csrf_of(response):
    return CSRF.search(response.text).group(1)


def sign_in(browser, base, token):
    form = browser.get(f"{base}/sign-in", timeout=10)
    answer = browser.post(
        f"{base}/sign-in",
        data={"csrf_token": csrf_of(form), "token": token, "next": "/projects"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text[:500]


def test_a_session_begun_on_one_instance_continues_on_the_other(instances, sandbox):
    one, two = instances
    with requests.Session() as browser:  # the cookie goes to both, as behind one address
        sign_in(browser, one, sandbox.token)
        page = browser.get(f"{two}/projects", allow_redirects=False, timeout=10)
        assert page.status_code == 200
        assert "Demo User" in page.text or "demo-user" in page.text
        # A form begun on one is posted to the other: its CSRF token holds there too.
        form = browser.get(f"{one}/projects", timeout=10)
        signed_out = browser.post(
            f"{two}/sign-out", data={"csrf_token": csrf_of(form)}, allow_redirects=False, timeout=10
        )
        assert signed_out.status_code == 302
        after = browser.get(f"{one}/projects", allow_redirects=False, timeout=10)
        assert after.status_code == 302 and "/sign-in" in after.headers["Location"]


FORM = "/projects/demo-user/pediatric-wgs/apps/sbg-bamtools-index-draft2/new?revision=27"


def a_bam_id(sandbox):
    api = requests.Session()
    api.headers["X-SBG-Auth-Token"] = sandbox.token
    listing = api.get(
        f"{sandbox.api_url}/files",
        params={"project": "demo-user/pediatric-wgs", "name": "alignments", "fields": "_all"},
        timeout=10,
    ).json()
    folder = listing["items"][0]["id"]
    files = api.get(
        f"{sandbox.api_url}/files", params={"parent": folder, "fields": "_all"}, timeout=10
    ).json()["items"]
    return next(f["id"] for f in files if f["name"].endswith(".bam"))


def task_posts(sandbox):
    return [
        e
        for e in sandbox.requests()["requests"]
        if e["method"] == "POST" and e["path"] == "/v2/tasks"
    ]


def filled_form(browser, base, bam, submission_id):
    page = browser.get(base + FORM, timeout=10)
    assert page.status_code == 200
    return {
        "csrf_token": csrf_of(page),
        "submission_id": submission_id,
        "name": "One draft, two machines",
        "description": "",
        "inputs-input_bam_file": bam,
        "batch-mode": "off",
        "action": "create",
    }


def test_the_same_form_posted_to_both_at_once_makes_one_draft(instances, sandbox):
    import threading

    one, two = instances
    bam = a_bam_id(sandbox)
    with requests.Session() as browser:
        sign_in(browser, one, sandbox.token)
        data = filled_form(browser, one, bam, "d0b1ec11c4d0b1ec11c4d0b1ec11c400")
        # The platform takes a while to answer, so the second click arrives meanwhile.
        sandbox.fault(method="POST", path="/v2/tasks", latency_ms=800, times=5)
        sandbox.clear_requests()
        answers = {}
        start = threading.Barrier(2)

        def post(base):
            start.wait()
            answers[base] = browser.post(base + FORM, data=data, allow_redirects=False, timeout=30)

        clicks = [threading.Thread(target=post, args=(base,)) for base in (one, two)]
        for click in clicks:
            click.start()
        for click in clicks:
            click.join()
    assert len(task_posts(sandbox)) == 1
    places = {answer.headers.get("Location") for answer in answers.values()}
    assert [answer.status_code for answer in answers.values()] == [302, 302]
    assert len(places) == 1 and "/tasks/" in places.pop()  # both clicks lead to that draft


def test_the_draft_page_on_the_other_instance_shows_the_draft_as_it_came_back(instances, sandbox):
    one, two = instances
    bam = a_bam_id(sandbox)
    with requests.Session() as browser:
        sign_in(browser, one, sandbox.token)
        data = filled_form(browser, one, bam, "5e575e575e575e575e575e575e575e57")
        created = browser.post(one + FORM, data=data, allow_redirects=False, timeout=30)
        assert created.status_code == 302
        sandbox.clear_requests()
        shown = browser.get(two + created.headers["Location"], timeout=30)
    assert "One draft, two machines" in shown.text
    assert "The JSON body that was sent" in shown.text
    assert not any(
        e["method"] == "GET" and e["path"].startswith("/v2/tasks/")
        for e in sandbox.requests()["requests"]
    )


def test_files_a_page_looked_up_on_one_instance_are_known_to_the_other_once_it_is_sent(
    instances, sandbox
):
    one, two = instances
    bam = a_bam_id(sandbox)
    with requests.Session() as browser:
        sign_in(browser, one, sandbox.token)
        data = filled_form(browser, one, bam, "f11e5f11e5f11e5f11e5f11e5f11e500")
        sandbox.clear_requests()
        preview = browser.post(one + FORM, data=dict(data, action="preview"), timeout=30)
        assert preview.status_code == 200
        assert sandbox.requests()["counts"].get("POST /v2/bulk/files/get") == 1
        sandbox.clear_requests()
        created = browser.post(two + FORM, data=data, allow_redirects=False, timeout=30)
    assert created.status_code == 302 and "/tasks/" in created.headers["Location"]
    # The create took the file as the preview's page found it: its one call was POST /tasks.
    assert sandbox.requests()["counts"] == {"POST /v2/tasks": 1}


def test_an_unknown_outcome_on_one_is_resolved_on_the_other(instances, sandbox):
    one, two = instances
    bam = a_bam_id(sandbox)
    with requests.Session() as browser:
        sign_in(browser, one, sandbox.token)
        data = filled_form(browser, one, bam, "0dd0dd0dd0dd0dd0dd0dd0dd0dd0dd00")
        # The draft is made but the answer is lost, and looking for it fails for now.
        sandbox.fault(method="POST", path="/v2/tasks", drop_connection=True, times=1)
        sandbox.fault(method="GET", path="/v2/tasks", status=503, code=0, times=3)
        sandbox.clear_requests()
        lost = browser.post(one + FORM, data=data, allow_redirects=False, timeout=30)
        assert lost.status_code != 302
        assert "look in the project for a draft" in lost.text
        # The user sends the form again, and the load balancer picks the other machine.
        again = browser.post(two + FORM, data=data, allow_redirects=False, timeout=30)
        assert again.status_code == 302 and "/tasks/" in again.headers["Location"]
        shown = browser.get(two + again.headers["Location"], timeout=30)
        assert "the draft was created: here it is" in shown.text
    assert len(task_posts(sandbox)) == 1  # found, not made again


def test_a_lost_answer_on_one_holds_back_the_form_on_the_other(impatient_instances, sandbox):
    import time

    one, two = impatient_instances
    bam = a_bam_id(sandbox)
    with requests.Session() as browser:
        sign_in(browser, one, sandbox.token)
        data = filled_form(browser, one, bam, "10571057105710571057105710571057")
        # The platform makes the draft 2 s after the form is sent; the app waits 1 s.
        sandbox.fault(method="POST", path="/v2/tasks", latency_ms=2000, times=1)
        sandbox.clear_requests()
        lost = browser.post(one + FORM, data=data, allow_redirects=False, timeout=30)
        assert lost.status_code == 200
        assert "may still be creating the draft" in lost.text
        # Sent again at once, to the other machine: it knows the deadline, and sends nothing.
        again = browser.post(two + FORM, data=data, allow_redirects=False, timeout=30)
        assert "Nothing new was sent" in again.text and "Looking again until" in again.text
        time.sleep(1.5)  # the platform has made the first draft by now
        looked = browser.post(
            two + FORM, data={**data, "action": "look"}, allow_redirects=False, timeout=30
        )
        assert looked.status_code == 302 and "/tasks/" in looked.headers["Location"]
        shown = browser.get(two + looked.headers["Location"], timeout=30)
        assert "the draft was created: here it is" in shown.text
    assert len(task_posts(sandbox)) == 1
