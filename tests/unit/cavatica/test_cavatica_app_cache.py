"""A pinned app revision is fetched once per platform and token, then served from the cache."""

import pytest
import responses
from cachelib import SimpleCache

from cavatica import CavaticaClient, NotFound

BASE = "https://cavatica.test/v2"
APP = {"id": "alice/p/bwa/3", "revision": 3, "raw": {"inputs": [{"id": "reads"}]}}


@pytest.fixture
def rsps():
    with responses.RequestsMock() as mock:
        yield mock


def test_a_revision_is_fetched_once_for_every_client_sharing_the_cache(rsps):
    cache = {}
    rsps.get(BASE + "/apps/alice/p/bwa/3", json=APP)
    first = CavaticaClient(BASE, "token-a", app_cache=cache).app("alice/p/bwa", revision=3)
    again = CavaticaClient(BASE, "token-a", app_cache=cache).app("alice/p/bwa/3")
    assert first == again == APP
    assert len(rsps.calls) == 1


def test_cached_app_cannot_be_changed_by_a_caller(rsps):
    cache = {}
    rsps.get(BASE + "/apps/alice/p/bwa/3", json=APP)
    client = CavaticaClient(BASE, "token-a", app_cache=cache)
    client.app("alice/p/bwa", 3)["raw"]["inputs"].clear()
    assert client.app("alice/p/bwa", 3)["raw"]["inputs"] == [{"id": "reads"}]


def test_another_token_or_platform_does_not_share_the_entry(rsps):
    cache = {}
    rsps.get(BASE + "/apps/alice/p/bwa/3", json=APP)
    rsps.get("https://other.test/v2/apps/alice/p/bwa/3", json=APP)
    CavaticaClient(BASE, "token-a", app_cache=cache).app("alice/p/bwa", 3)
    CavaticaClient(BASE, "token-b", app_cache=cache).app("alice/p/bwa", 3)
    CavaticaClient("https://other.test/v2", "token-a", app_cache=cache).app("alice/p/bwa", 3)
    assert len(rsps.calls) == 3
    assert len(cache) == 3
    assert not any("token-a" in key or "token-b" in key for key in cache)


def test_latest_is_always_asked_for_and_errors_are_never_cached(rsps):
    cache = {}
    rsps.get(BASE + "/apps/alice/p/bwa", json=APP)
    rsps.get(BASE + "/apps/alice/p/gone/1", status=404, json={"status": 404, "code": 6002})
    client = CavaticaClient(BASE, "token-a", app_cache=cache)
    client.app("alice/p/bwa")
    client.app("alice/p/bwa")
    for _ in range(2):
        with pytest.raises(NotFound):
            client.app("alice/p/gone", 1)
    assert len(rsps.calls) == 4
    assert len(cache) == 1  # only the revision the latest turned out to be


def test_the_latest_fills_the_cache_for_its_own_revision(rsps):
    cache = {}
    rsps.get(BASE + "/apps/alice/p/bwa", json=APP)
    client = CavaticaClient(BASE, "token-a", app_cache=cache)
    assert client.app("alice/p/bwa") == APP
    assert client.app("alice/p/bwa", 3) == APP  # served from the cache: no second call
    assert len(rsps.calls) == 1


def test_works_with_a_cachelib_cache(rsps):
    cache = SimpleCache()
    rsps.get(BASE + "/apps/alice/p/bwa/3", json=APP)
    CavaticaClient(BASE, "token-a", app_cache=cache).app("alice/p/bwa", 3)
    assert CavaticaClient(BASE, "token-a", app_cache=cache).app("alice/p/bwa", 3) == APP
    assert len(rsps.calls) == 1
