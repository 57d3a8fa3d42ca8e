"""Fixtures for the sandbox's own tests: clients speaking to it as the demo user, the other
user, or nobody."""

import pytest
from sandbox_helpers import ApiClient

from sandbox import OTHER_TOKEN


@pytest.fixture
def raw_api(sandbox):
    """Plain HTTP to the sandbox as the demo user (not the app's client: these tests check the
    wire itself)."""
    client = ApiClient(sandbox.api_url, sandbox.token)
    yield client
    client.session.close()


@pytest.fixture
def other_api(sandbox):
    client = ApiClient(sandbox.api_url, OTHER_TOKEN)
    yield client
    client.session.close()


@pytest.fixture
def anonymous(sandbox):
    client = ApiClient(sandbox.api_url, None)
    yield client
    client.session.close()
