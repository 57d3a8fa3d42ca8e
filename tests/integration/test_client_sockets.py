"""Transport failures on real loopback sockets, told apart as urllib3 really reports them."""

import logging
import socket
import threading

import pytest

from cavatica import CavaticaClient, OutcomeUnknown, PlatformUnreachable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OneShotServer:
    """Accepts connections, reads each request, then closes without answering or stays silent."""

    def __init__(self, answer_with_silence: bool) -> None:
        self.silent = answer_with_silence
        self.requests: list[bytes] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.05)  # so that close() is noticed quickly
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/v2"
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while not self.done.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    self.requests.append(conn.recv(65536))
                except OSError:
                    continue
                if self.silent:
                    self.done.wait(2)

    def close(self) -> None:
        self.done.set()
        self.thread.join(5)
        self.sock.close()


@pytest.fixture
def dropping_server():
    server = OneShotServer(answer_with_silence=False)
    yield server
    server.close()


@pytest.fixture
def silent_server():
    server = OneShotServer(answer_with_silence=True)
    yield server
    server.close()


def test_nothing_listening_is_unreachable_for_post_and_get():
    client = CavaticaClient(f"http://127.0.0.1:{free_port()}/v2", "tok", timeout=2, backoff=0)
    with pytest.raises(PlatformUnreachable):
        client.create_task({"name": "t"})
    with pytest.raises(PlatformUnreachable):
        client.me()
    assert client.call_counts == {"POST /tasks": 1, "GET /user": 3}


def test_post_closed_after_sending_is_outcome_unknown_and_sent_once(dropping_server, caplog):
    caplog.set_level(logging.DEBUG)  # urllib3's own debug lines included
    token = "tok-secret-9a8b7c6d"
    client = CavaticaClient(dropping_server.url, token, timeout=2, backoff=0)
    with pytest.raises(OutcomeUnknown) as caught:
        client.create_task({"name": "t"})
    assert len(dropping_server.requests) == 1
    assert dropping_server.requests[0].startswith(b"POST /v2/tasks ")
    assert token.encode() in dropping_server.requests[0]  # the header did go out...
    logged = [record.getMessage() for record in caplog.records]
    assert logged and not any(token in line for line in logged)  # ...but was never logged
    assert token not in str(caught.value) and token not in str(caught.value.__cause__)


def test_get_closed_after_sending_is_retried_then_unreachable(dropping_server):
    client = CavaticaClient(dropping_server.url, "tok", timeout=2, backoff=0)
    with pytest.raises(PlatformUnreachable):
        client.me()
    assert len(dropping_server.requests) == 3


def test_post_with_no_answer_in_time_is_outcome_unknown(silent_server):
    client = CavaticaClient(silent_server.url, "tok", timeout=0.3, backoff=0)
    with pytest.raises(OutcomeUnknown) as caught:
        client.create_task({"name": "t"})
    assert "0.3 seconds" in str(caught.value)
    assert len(silent_server.requests) == 1
