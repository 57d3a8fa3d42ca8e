"""Signing in and out, the deployment-token mode, CSRF, and where the token must never appear."""

import logging

import pytest
from web_helpers import a_bam, app_specs, file_ref, task_form, text_of


def test_pages_ask_to_sign_in_first(client):
    # A visitor who is not signed in is sent to the sign-in page, and comes back afterwards.
    response = client.get("/projects/demo-user/pediatric-wgs")
    assert response.status_code == 302
    assert response.location == "/sign-in?next=/projects/demo-user/pediatric-wgs"


def test_sign_in_then_out(client, sandbox):
    page = client.get("/sign-in?next=/projects/demo-user/pediatric-wgs")
    assert 'type="password"' in page.get_data(as_text=True)

    # The right token signs in and goes where the user was headed.
    response = client.post(
        "/sign-in", data={"token": sandbox.token, "next": "/projects/demo-user/pediatric-wgs"}
    )
    assert response.status_code == 302
    assert response.location == "/projects/demo-user/pediatric-wgs"
    assert "Signed in as Demo User" in text_of(client.get("/projects"))

    # Signing out is a POST; afterwards the projects page asks for a token again.
    response = client.post("/sign-out")
    assert response.location == "/sign-in"
    assert client.get("/projects").status_code == 302


def test_a_wrong_token_is_explained_on_the_field(client, sandbox):
    response = client.post("/sign-in", data={"token": "not-a-real-token", "next": "/projects"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "CAVATICA did not accept this token" in html
    # The message is tied to the field, the field is marked invalid, and where the user was
    # going is kept.
    assert 'aria-describedby="token-help token-error"' in html
    assert 'aria-invalid="true"' in html
    assert 'name="next" value="/projects"' in html
    # And nobody is signed in.
    assert client.get("/projects").status_code == 302


def test_an_empty_token_is_asked_for(client):
    response = client.post("/sign-in", data={"token": "  "})
    assert "Paste your CAVATICA authentication token." in text_of(response)


def test_next_never_leaves_the_site(client, sandbox):
    response = client.post(
        "/sign-in", data={"token": sandbox.token, "next": "https://evil.example/"}
    )
    assert response.location == "/projects"
    response = client.post("/sign-in", data={"token": sandbox.token, "next": "//evil.example/x"})
    assert response.location == "/projects"


@pytest.mark.parametrize("target", ["/projects\r\nX-Injected: 1", "/\t/evil.example", "/a\x00b"])
def test_a_next_with_control_characters_goes_to_the_projects(client, sandbox, target):
    # A line break in a redirect's address cannot be sent (it was a 500 after signing in).
    response = client.post("/sign-in", data={"token": sandbox.token, "next": target})
    assert response.status_code == 302
    assert response.location == "/projects"


def test_a_post_without_the_csrf_token_is_refused(make_app, sandbox):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    response = client.post("/sign-in", data={"token": sandbox.token})
    assert response.status_code == 400
    assert "This form could not be accepted" in text_of(response)
    # Nobody was signed in by it.
    assert client.get("/projects").status_code == 302


def test_sign_in_with_the_csrf_token_works(make_app, sandbox):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    html = client.get("/sign-in").get_data(as_text=True)
    csrf = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post("/sign-in", data={"token": sandbox.token, "csrf_token": csrf})
    assert response.status_code == 302
    assert client.get("/projects").status_code == 200


def test_deployment_token_means_no_sign_in(make_app, sandbox):
    client = make_app(SB_AUTH_TOKEN=sandbox.token).test_client()
    # The sign-in page just sends people on.
    assert client.get("/sign-in").location == "/projects"
    page = client.get("/projects")
    assert page.status_code == 200
    text = text_of(page)
    assert "Pediatric WGS Cohort" in text
    assert "Sign out" not in text
    assert "Using this site's CAVATICA account" in text


def test_a_refused_deployment_token_gives_an_error_page(make_app):
    client = make_app(SB_AUTH_TOKEN="expired-deployment-token").test_client()
    response = client.get("/projects")
    assert response.status_code == 502
    assert "Ask whoever runs this site to renew SB_AUTH_TOKEN" in text_of(response)


def test_a_token_refused_later_sends_the_user_to_sign_in_again(signed_in, sandbox):
    sandbox.fault(method="GET", path="/v2/projects*", status=401, code=401, times=1)
    response = signed_in.get("/projects")
    assert response.status_code == 302
    assert response.location == "/sign-in?next=/projects"
    page = signed_in.get(response.location)
    assert "did not accept your token" in text_of(page)


def test_the_session_cookie_is_httponly_and_lax(client, sandbox):
    response = client.post("/sign-in", data={"token": sandbox.token})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_the_token_never_leaves_the_server(signed_in, sandbox, demo_client, caplog):
    caplog.set_level(logging.DEBUG)
    seen = []
    for url in (
        "/projects",
        "/projects?name=Scratch",
        "/projects/demo-user/pediatric-wgs",
        "/projects/demo-user/pediatric-wgs/files",
        "/no-such-page",
    ):
        response = signed_in.get(url)
        seen.append(response.get_data(as_text=True))
        seen.append(response.headers.get("Location", ""))
        seen.extend(response.headers.getlist("Set-Cookie"))
    sandbox.fault(method="GET", path="/v2/projects/*", status=500, times=1)
    response = signed_in.get("/projects/demo-user/pediatric-wgs")
    seen.append(response.get_data(as_text=True))
    # The whole task flow: the form, a preview, a refused submit, a draft, its pages.
    form_url = "/projects/demo-user/pediatric-wgs/apps/sbg-bamtools-index-draft2/new?revision=27"
    specs = app_specs(demo_client, "sbg-bamtools-index-draft2", 27)
    data = task_form(specs, {"input_bam_file": file_ref(a_bam(demo_client))})
    sandbox.fault(method="POST", path="/v2/tasks", status=401, code=401, times=1)
    responses = [signed_in.get(form_url), signed_in.post(form_url, data=data)]
    responses.append(signed_in.post("/sign-in", data={"token": sandbox.token, "next": form_url}))
    data["action"] = "preview"
    responses.append(signed_in.post(form_url, data=data))
    data["action"] = "create"
    created = signed_in.post(form_url, data=data)
    assert created.status_code == 302
    for suffix in ("", "/run", "/edit"):
        responses.append(signed_in.get(created.location + suffix))
    for response in responses:
        seen.append(response.get_data(as_text=True))
        seen.append(response.headers.get("Location", ""))
        seen.extend(response.headers.getlist("Set-Cookie"))
    sign_out = signed_in.post("/sign-out")
    seen.extend(sign_out.headers.getlist("Set-Cookie"))
    seen.extend(record.getMessage() for record in caplog.records)
    for thing in seen:
        assert sandbox.token not in thing
    # The cookie carries a random session id, not the session's content.
    cookies = [c for c in signed_in._cookies.values()]
    assert all(sandbox.token not in cookie.value for cookie in cookies)


def test_the_sandbox_demo_user_signs_in_without_seeing_the_token(make_app, sandbox):
    client = make_app(SANDBOX=True).test_client()
    page = client.get("/sign-in?next=/projects/demo-user/scratch")
    html = page.get_data(as_text=True)
    assert "Sign in as the sandbox demo user" in html
    assert sandbox.token not in html
    response = client.post("/sign-in/demo", data={"next": "/projects/demo-user/scratch"})
    assert response.location == "/projects/demo-user/scratch"
    assert "Signed in as Demo User" in text_of(client.get("/projects"))


def test_the_demo_sign_in_exists_only_on_the_sandbox(client):
    assert "sandbox demo user" not in client.get("/sign-in").get_data(as_text=True)
    assert client.post("/sign-in/demo").status_code == 404


def test_the_session_cookie_can_be_https_only(make_app, sandbox):
    client = make_app(SESSION_COOKIE_SECURE=True).test_client()
    response = client.post("/sign-in", data={"token": sandbox.token})
    assert "Secure" in response.headers["Set-Cookie"]


def test_a_token_that_cannot_be_one_is_explained(client, sandbox):
    response = client.post("/sign-in", data={"token": "my token é"})
    assert response.status_code == 200
    assert "This does not look like a CAVATICA token" in text_of(response)
    assert sandbox.requests()["counts"].get("GET /v2/user") is None
