"""Deployment-token mode (SB_AUTH_TOKEN): the app knows who is there from the lab's sign-on
proxy, or serves this machine only; a request from anywhere else acts as nobody."""

import logging

from web_helpers import PROJECT, a_bam, app_specs, file_ref, task_form, text_of

BAMTOOLS = f"/projects/{PROJECT}/apps/sbg-bamtools-index-draft2/new?revision=27"
PROXY = "10.0.0.5"


def from_address(client, address):
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_without_a_user_header_only_loopback_is_served_and_a_warning_said(
    make_app, sandbox, caplog
):
    with caplog.at_level(logging.WARNING):
        app = make_app(SB_AUTH_TOKEN=sandbox.token)
    assert "only this machine (loopback) is served" in caplog.text
    assert app.test_client().get("/projects").status_code == 200  # 127.0.0.1
    remote = from_address(app.test_client(), "192.0.2.7")
    response = remote.get("/projects")
    assert response.status_code == 403
    assert "serves only the machine it runs on" in text_of(response)
    assert sandbox.requests()["counts"].get("GET /v2/projects", 0) == 1  # the loopback one


def test_behind_a_sign_on_proxy_the_user_is_named_and_written_into_each_draft(
    make_app, sandbox, demo_client
):
    app = make_app(
        SB_AUTH_TOKEN=sandbox.token,
        TRUSTED_USER_HEADER="X-Forwarded-User",
        TRUSTED_PROXIES=PROXY,
    )
    client = from_address(app.test_client(), PROXY)
    headers = {"X-Forwarded-User": "alice@lab.example"}
    page = client.get("/projects", headers=headers)
    assert "Signed in as alice@lab.example" in text_of(page)
    specs = app_specs(demo_client, "sbg-bamtools-index-draft2", 27)
    data = task_form(specs, {"input_bam_file": file_ref(a_bam(demo_client))}, description="mine")
    created = client.post(BAMTOOLS, data=data, headers=headers)
    assert created.status_code == 302
    (draft,) = [
        t
        for t in demo_client.tasks(project=PROJECT, status="DRAFT").items
        if "alice@lab.example" in (t.get("description") or "")
    ]
    description = demo_client.task(draft["id"])["description"]
    assert description.startswith("Created by alice@lab.example")
    assert "\n\nmine\n\n" in description
    assert description.splitlines()[-1].startswith("Submitted from the draft-task launcher")


def test_behind_a_proxy_a_request_without_the_user_or_not_from_the_proxy_is_refused(
    make_app, sandbox
):
    app = make_app(
        SB_AUTH_TOKEN=sandbox.token,
        TRUSTED_USER_HEADER="X-Forwarded-User",
        TRUSTED_PROXIES=PROXY,
    )
    no_user = from_address(app.test_client(), PROXY).get("/projects")
    assert no_user.status_code == 403
    assert "did not say who you are" in text_of(no_user)
    around = from_address(app.test_client(), "192.0.2.7").get(
        "/projects", headers={"X-Forwarded-User": "mallory"}
    )
    assert around.status_code == 403
    assert "Open it at its usual address" in text_of(around)
    assert "GET /v2/projects" not in sandbox.requests()["counts"]
