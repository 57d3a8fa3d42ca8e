"""Root, auth, users, rate limits and the error shape, over a real loopback port."""

import time

import pytest
from sandbox_helpers import assert_error


def test_root_lists_resource_urls_without_a_token(anonymous, sandbox):
    response = anonymous.get("/")
    assert response.status_code == 200
    body = response.json()
    assert body["tasks_url"] == f"{sandbox.api_url}/tasks"
    assert body["files_url"] == f"{sandbox.api_url}/files"
    assert {"user_url", "projects_url", "apps_url", "rate_limit_url"} <= set(body)


@pytest.mark.parametrize(
    "headers", [{}, {"X-SBG-Auth-Token": "not-a-token"}, {"Authorization": "Bearer not-a-token"}]
)
def test_missing_or_unknown_token_gets_json_401(anonymous, headers):
    response = anonymous.get("/user", headers=headers)
    assert_error(response, 401, 401)
    assert "X-RateLimit-Limit" in response.headers


def test_bearer_token_is_accepted(anonymous, sandbox):
    response = anonymous.get("/user", headers={"Authorization": f"Bearer {sandbox.token}"})
    assert response.status_code == 200
    assert response.json()["username"] == "demo-user"


def test_user_and_users_by_name(raw_api, sandbox):
    me = raw_api.get("/user").json()
    assert me["href"] == f"{sandbox.api_url}/users/demo-user"
    assert me["email"] and me["first_name"] and "token" not in me
    assert raw_api.get(me["href"]).json()["username"] == "demo-user"
    assert_error(raw_api.get("/users/other-user"), 403, 2001)
    assert_error(raw_api.get("/users/nobody-here"), 404, 2002)


def test_every_api_response_has_rate_limit_and_request_id_headers(raw_api):
    first = raw_api.get("/user")
    second = raw_api.get("/projects")
    for response in (first, second):
        assert response.headers["X-RateLimit-Limit"] == "1000"
        assert len(response.headers["X-Request-Id"]) == 32
    assert (
        int(second.headers["X-RateLimit-Remaining"])
        == int(first.headers["X-RateLimit-Remaining"]) - 1
    )
    reset = int(first.headers["X-RateLimit-Reset"])
    assert time.time() < reset <= time.time() + 301  # epoch seconds, not milliseconds
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]


def test_rate_limit_endpoint_is_not_counted(raw_api):
    before = raw_api.get("/rate_limit").json()["rate"]
    after = raw_api.get("/rate_limit").json()["rate"]
    assert before["limit"] == 1000
    assert before["remaining"] == after["remaining"]
    assert isinstance(before["reset"], int)


def test_past_the_budget_requests_get_429_code_1000_until_reset(raw_api, sandbox):
    sandbox.set_rate_limit(3)
    statuses = [raw_api.get("/user").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    refused = raw_api.get("/projects")
    body = assert_error(refused, 429, 1000)
    assert "Rate limit" in body["message"]
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    # the rate limit itself can still be read, to see when to try again
    status = raw_api.get("/rate_limit")
    assert status.status_code == 200 and status.json()["rate"]["remaining"] == 0
    # a reset refills the budget
    sandbox.reset()
    assert raw_api.get("/user").status_code == 200


def test_rate_limit_window_refills_after_it_ends(raw_api, sandbox):
    sandbox.set_rate_limit(1, window_seconds=1)
    assert raw_api.get("/user").status_code == 200
    assert raw_api.get("/user").status_code == 429
    time.sleep(1.1)
    assert raw_api.get("/user").status_code == 200


def test_budget_is_per_user(raw_api, other_api, sandbox):
    sandbox.set_rate_limit(1)
    assert raw_api.get("/user").status_code == 200
    assert raw_api.get("/user").status_code == 429
    assert other_api.get("/user").status_code == 200


def test_unknown_route_wrong_method_and_bad_json_are_json_errors(raw_api):
    assert_error(raw_api.get("/no/such/route"), 404, 90003)
    assert_error(raw_api.request("PUT", "/tasks"), 405, 90006)
    malformed = raw_api.post(
        "/tasks", data=b'{"name": ', headers={"Content-Type": "application/json"}
    )
    assert_error(malformed, 400, 90000)


def test_control_routes_are_json_too(sandbox, raw_api):
    response = raw_api.get(f"{sandbox.url}/_sandbox/nope")
    assert_error(response, 404, 90003)
