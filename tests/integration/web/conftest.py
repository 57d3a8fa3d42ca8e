"""The web app against the sandbox on a loopback port, driven with Flask's test client.

Each test gets a fresh app (its own session folder and caches) configured for the session's
sandbox, which the `sandbox` fixture resets before the test.
"""

import pytest

from app import create_app
from cavatica import CavaticaClient


@pytest.fixture
def make_app(sandbox, tmp_path):
    """Build an app for the sandbox; keyword arguments override the test config."""

    def make(**overrides):
        config = {
            "TESTING": True,
            "SECRET_KEY": "integration-tests",
            "SB_API_ENDPOINT": sandbox.api_url,
            "SB_AUTH_TOKEN": None,
            "SB_PROFILE": None,
            "SB_TIMEOUT": 3.0,
            "WTF_CSRF_ENABLED": False,
            "SESSION_FILE_DIR": str(tmp_path / "sessions"),
        }
        config.update(overrides)
        return create_app(config)

    return make


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def signed_in(client, sandbox):
    """A test client signed in as the sandbox's demo user."""
    response = client.post("/sign-in", data={"token": sandbox.token, "next": "/projects"})
    assert response.status_code == 302, response.data
    return client


@pytest.fixture
def demo_client(sandbox):
    """A platform client of the demo user, for arranging data and checking results."""
    with CavaticaClient(sandbox.api_url, sandbox.token, timeout=10) as client:
        yield client
