"""Typed errors, GET-only retries, unknown outcomes and token secrecy (against `responses`)."""

import json
import logging
import time

import pytest
import requests
import responses
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from cavatica import (
    ApiError,
    CavaticaClient,
    Forbidden,
    NotFound,
    OutcomeUnknown,
    PlatformUnreachable,
    RateLimited,
    ServerError,
    Unauthorized,
)

BASE = "https://cavatica.test/v2"
TOKEN = "tok-SECRET-5f1e2d3c4b5a"


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def client():
    with CavaticaClient(BASE, TOKEN, backoff=0) as c:
        yield c


def refused() -> requests.ConnectionError:
    """What requests raises when nothing listens on the port (nothing was sent)."""
    reason = NewConnectionError(None, "Failed to establish a new connection: Connection refused")
    return requests.ConnectionError(MaxRetryError(None, BASE, reason=reason))


def dropped() -> requests.ConnectionError:
    """What requests raises when the server closes the connection after the request went out."""
    return requests.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError()))


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, ApiError),
        (401, Unauthorized),
        (403, Forbidden),
        (404, NotFound),
        (409, ApiError),
        (500, ServerError),
        (503, ServerError),
    ],
)
def test_error_replies_become_typed_errors(rsps, client, status, error_class):
    rsps.post(
        BASE + "/tasks",
        status=status,
        json={
            "status": status,
            "code": 7002,
            "message": "Requested task does not exist.",
            "more_info": "https://docs.cavatica.org/docs/api-status-codes",
        },
    )
    with pytest.raises(error_class) as caught:
        client.create_task({})
    error = caught.value
    assert type(error) is error_class
    assert (error.status, error.code) == (status, 7002)
    assert error.message == "Requested task does not exist."
    assert error.more_info == "https://docs.cavatica.org/docs/api-status-codes"
    assert "Requested task does not exist." in str(error)


@pytest.mark.parametrize(
    ("status", "error_class"), [(401, Unauthorized), (500, ServerError), (418, ApiError)]
)
def test_error_reply_that_is_not_json_still_gets_a_typed_error(rsps, client, status, error_class):
    rsps.post(
        BASE + "/tasks",
        status=status,
        body="<html><h1>Bad gateway</h1></html>",
        content_type="text/html",
    )
    with pytest.raises(error_class) as caught:
        client.create_task({})
    assert caught.value.status == status and caught.value.code is None
    assert caught.value.message and "<html>" not in caught.value.message


def test_rate_limited_says_when_to_retry_and_is_not_retried(rsps, client):
    reset = int(time.time()) + 120
    rsps.get(
        BASE + "/user",
        status=429,
        headers={"X-RateLimit-Reset": str(reset)},
        json={
            "status": 429,
            "code": 1000,
            "message": "Rate limit exceeded! Check response headers.",
        },
    )
    with pytest.raises(RateLimited) as caught:
        client.me()
    assert caught.value.reset_at == reset
    assert 115 <= caught.value.retry_after_seconds <= 120
    assert len(rsps.calls) == 1


def test_rate_limit_reset_in_the_past_means_retry_now(rsps, client):
    rsps.get(BASE + "/user", status=429, headers={"X-RateLimit-Reset": "1000"}, json={})
    with pytest.raises(RateLimited) as caught:
        client.me()
    assert caught.value.retry_after_seconds == 0


def test_rate_limited_without_headers(rsps, client):
    rsps.get(BASE + "/user", status=429, json={"status": 429, "code": 1000, "message": "slow"})
    with pytest.raises(RateLimited) as caught:
        client.me()
    assert caught.value.reset_at is None and caught.value.retry_after_seconds is None


@pytest.mark.parametrize("status", [502, 503, 504])
def test_get_is_retried_twice_on_gateway_errors_then_succeeds(rsps, client, status):
    rsps.get(BASE + "/user", status=status, json={})
    rsps.get(BASE + "/user", status=status, json={})
    rsps.get(BASE + "/user", json={"username": "alice"})
    assert client.me() == {"username": "alice"}
    assert len(rsps.calls) == 3
    assert client.call_counts["GET /user"] == 3


def test_get_gives_up_after_two_retries(rsps, client):
    rsps.get(BASE + "/user", status=503, json={"status": 503, "code": 0, "message": "Maintenance"})
    with pytest.raises(ServerError) as caught:
        client.me()
    assert caught.value.status == 503 and caught.value.message == "Maintenance"
    assert len(rsps.calls) == 3


def test_get_is_not_retried_on_500(rsps, client):
    rsps.get(BASE + "/user", status=500, json={})
    with pytest.raises(ServerError):
        client.me()
    assert len(rsps.calls) == 1


def test_get_is_retried_on_connection_errors(rsps, client):
    rsps.get(BASE + "/user", body=refused())
    rsps.get(BASE + "/user", body=dropped())
    rsps.get(BASE + "/user", json={"username": "alice"})
    assert client.me()["username"] == "alice"
    assert len(rsps.calls) == 3


def test_get_that_cannot_connect_is_unreachable_after_retries(rsps, client):
    rsps.get(BASE + "/user", body=refused())
    with pytest.raises(PlatformUnreachable):
        client.me()
    assert len(rsps.calls) == 3


def test_get_read_timeout_is_unreachable_without_retrying(rsps, client):
    rsps.get(BASE + "/user", body=requests.ReadTimeout("read timed out"))
    with pytest.raises(PlatformUnreachable) as caught:
        client.me()
    assert "did not answer" in str(caught.value)
    assert len(rsps.calls) == 1


def test_retries_wait_a_little_longer_each_time(rsps, monkeypatch):
    pauses = []
    monkeypatch.setattr(time, "sleep", pauses.append)
    rsps.get(BASE + "/user", status=502, json={})
    with pytest.raises(ServerError):
        CavaticaClient(BASE, TOKEN, backoff=0.3).me()
    assert pauses == [0.3, 0.6]


@pytest.mark.parametrize("status", [500, 503])
def test_post_tasks_is_never_retried_on_server_errors(rsps, client, status):
    rsps.post(BASE + "/tasks", status=status, json={})
    with pytest.raises(ServerError):
        client.create_task({"name": "t"})
    assert len(rsps.calls) == 1


@pytest.mark.parametrize("status", [502, 504])
def test_a_gateway_error_on_post_tasks_leaves_the_outcome_unknown(rsps, client, status):
    # A gateway timed out or lost the platform's answer: the draft may exist, so look for it.
    rsps.post(BASE + "/tasks", status=status, body="<html>Gateway Timeout</html>")
    with pytest.raises(OutcomeUnknown) as caught:
        client.create_task({"name": "t"})
    assert caught.value.status == status and "was sent" in str(caught.value)
    assert len(rsps.calls) == 1


def test_post_read_timeout_leaves_the_outcome_unknown(rsps, client):
    rsps.post(BASE + "/tasks", body=requests.ReadTimeout("read timed out"))
    with pytest.raises(OutcomeUnknown) as caught:
        client.create_task({"name": "t"})
    assert "was sent" in str(caught.value) and "did not answer" in str(caught.value)
    assert len(rsps.calls) == 1


def test_post_dropped_connection_leaves_the_outcome_unknown(rsps, client):
    rsps.post(BASE + "/tasks/u-1/actions/run", body=dropped())
    with pytest.raises(OutcomeUnknown):
        client.run_task("u-1")
    assert len(rsps.calls) == 1


def test_post_that_could_not_connect_is_unreachable_and_safe_to_retry(rsps, client):
    rsps.post(BASE + "/tasks", body=refused())
    with pytest.raises(PlatformUnreachable):
        client.create_task({"name": "t"})
    assert len(rsps.calls) == 1


def test_post_connect_timeout_is_unreachable(rsps, client):
    rsps.post(BASE + "/tasks", body=requests.ConnectTimeout("connect timed out"))
    with pytest.raises(PlatformUnreachable):
        client.create_task({"name": "t"})


def test_delete_is_not_retried(rsps, client):
    rsps.delete(BASE + "/tasks/u-1", status=503, json={})
    with pytest.raises(ServerError):
        client.delete_task("u-1")
    assert len(rsps.calls) == 1


def test_bulk_get_changes_nothing_so_a_lost_answer_is_unreachable_not_unknown(rsps, client):
    rsps.post(BASE + "/bulk/files/get", body=requests.ReadTimeout("read timed out"))
    with pytest.raises(PlatformUnreachable):
        client.files_by_id(["a1"])


def test_get_reply_that_is_not_json_is_a_server_error(rsps, client):
    rsps.get(BASE + "/user", body="{not json", status=200)
    with pytest.raises(ServerError):
        client.me()


def test_every_error_is_an_api_error():
    for error_class in (
        Unauthorized,
        Forbidden,
        NotFound,
        RateLimited,
        ServerError,
        PlatformUnreachable,
        OutcomeUnknown,
    ):
        assert issubclass(error_class, ApiError)


def test_token_never_in_repr_messages_or_logs(rsps, caplog):
    caplog.set_level(logging.DEBUG)
    client = CavaticaClient(BASE, TOKEN, backoff=0)
    rsps.get(
        BASE + "/user",
        status=401,
        json={"status": 401, "code": 401, "message": f"Token {TOKEN} has expired"},
    )
    rsps.get(BASE + "/tasks/u-1", body=dropped())
    rsps.post(BASE + "/tasks", body=requests.ReadTimeout("read timed out"))
    rsps.post(BASE + "/tasks/u-1/actions/run", body=refused())
    rsps.get(BASE + "/files/f1", status=502, body="bad gateway")
    seen = [repr(client), str(client)]
    for call in (
        client.me,
        lambda: client.task("u-1"),
        lambda: client.create_task({}),
        lambda: client.run_task("u-1"),
        lambda: client.file("f1"),
    ):
        with pytest.raises(ApiError) as caught:
            call()
        seen += [str(caught.value), repr(caught.value), caught.value.message]
    seen += [record.getMessage() for record in caplog.records]
    assert len(caplog.records) > 0  # the client does log its calls
    assert all(TOKEN not in text for text in seen)
    assert "[token] has expired" in seen[2]


def test_errors_made_by_the_app_itself_carry_their_status():
    assert (Unauthorized("x").status, Forbidden("x").status, NotFound("x").status) == (
        401,
        403,
        404,
    )
    assert RateLimited("x").status == 429
    assert ApiError("x").status is None and PlatformUnreachable("x").status is None
    assert str(NotFound("This folder was not found.")) == "404: This folder was not found."


@pytest.mark.parametrize("failure", [502, requests.ReadTimeout("read timed out")])
def test_a_copy_makes_a_file_so_a_lost_answer_is_unknown_and_never_retried(rsps, client, failure):
    url = BASE + "/files/a1/actions/copy"
    if isinstance(failure, int):
        rsps.post(url, status=failure, json={"status": failure})
    else:
        rsps.post(url, body=failure)
    with pytest.raises(OutcomeUnknown):
        client.copy_file("a1", project="alice/p", name="copy.fa")
    assert len(rsps.calls) == 1
    assert json.loads(rsps.calls[0].request.body) == {"project": "alice/p", "name": "copy.fa"}
