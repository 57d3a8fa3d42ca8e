"""One client (one page of the app) never sends more than its share of the account's rate
budget: the call past it is refused before it goes out (against `responses`)."""

import pytest
import responses

from cavatica import CavaticaClient, RequestBudgetSpent
from state import RateBudget

BASE = "https://cavatica.test/v2"


def limited(limit):
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(limit - 1),
        "X-RateLimit-Reset": "4000000000",
    }


@pytest.mark.parametrize("limit, cap", [(1000, 100), (200, 20), (50, 10)])
def test_a_client_sends_at_most_its_share_of_the_limit(limit, cap):
    with responses.RequestsMock() as rsps:
        rsps.get(f"{BASE}/user", json={"username": "u"}, headers=limited(limit))
        client = CavaticaClient(BASE, "t" * 32, budget=RateBudget(), request_share=0.1)
        for _ in range(cap):
            client.me()
        with pytest.raises(RequestBudgetSpent, match=f"more than {cap:,} calls"):
            client.me()
        assert len(rsps.calls) == cap  # the refused call never went out


def test_before_any_reply_the_documented_limit_counts():
    client = CavaticaClient(BASE, "t" * 32, request_share=0.1)
    assert client.max_calls() == 100


def test_without_a_share_there_is_no_cap():
    assert CavaticaClient(BASE, "t" * 32).max_calls() is None
