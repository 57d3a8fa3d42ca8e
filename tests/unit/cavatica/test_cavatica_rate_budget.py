"""The rate budget: the last X-RateLimit-* seen per account, and optional calls that keep the
last requests of a window for what users asked (against `responses`)."""

import pytest
import responses

from cavatica import CavaticaClient
from state import RateBudget

BASE = "https://cavatica.test/v2"
RESET = 4_000_000_000  # far in the future


def headers(remaining, limit=1000, reset=RESET):
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": str(reset),
    }


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def test_replies_in_any_order_leave_the_lowest_count_of_the_window():
    budget = RateBudget()
    budget.note("a", 1000, 500, RESET)
    budget.note("a", 1000, 498, RESET)
    budget.note("a", 1000, 499, RESET)  # an earlier call whose reply came last
    assert budget.get("a") == {"limit": 1000, "remaining": 498, "reset": RESET}
    budget.note("a", 1000, 999, RESET + 300)  # a new window
    assert budget.get("a")["remaining"] == 999
    assert budget.get("b") is None


def test_calls_are_counted_before_their_replies_and_an_ended_window_is_forgotten():
    now = [1000.0]
    budget = RateBudget(clock=lambda: now[0])
    budget.note("a", 1000, 100, 1300)
    budget.spend("a", 10)
    assert budget.get("a")["remaining"] == 90
    now[0] = 1300
    assert budget.get("a") is None


def test_clients_of_one_account_share_one_budget(rsps):
    budget = RateBudget()
    rsps.get(BASE + "/user", json={"username": "u"}, headers=headers(300))
    with CavaticaClient(BASE, "token-1", budget=budget) as one:
        one.me()
    with CavaticaClient(BASE, "token-1", budget=budget) as two:
        assert two.rate_state()["remaining"] == 300
    with CavaticaClient(BASE, "token-2", budget=budget) as other:
        assert other.rate_state() is None


def test_names_are_not_looked_up_with_the_last_requests_of_the_window(rsps):
    budget = RateBudget()
    rsps.get(BASE + "/user", json={"username": "u"}, headers=headers(60))
    rsps.post(
        BASE + "/bulk/files/get",
        json={"items": [{"resource": {"id": "f1", "name": "a.bam"}}]},
        headers=headers(59),
    )
    with CavaticaClient(BASE, "token-1", budget=budget) as client:
        client.me()
        assert client.file_names(["f1"]) == {"f1": "a.bam"}  # 60 left: above the reserve of 50
        budget.note(client.account, 1000, 50, RESET)
        assert client.file_names(["f1"]) == {}  # would leave 49: kept for creates
    assert len([c for c in rsps.calls if c.request.url.endswith("/bulk/files/get")]) == 1


def test_optional_calls_go_out_when_the_budget_is_unknown_or_the_window_ended(rsps):
    budget = RateBudget()
    with CavaticaClient(BASE, "token-1", budget=budget) as client:
        assert client.can_spend_optional(10)
        budget.note(client.account, 1000, 0, 1)  # a window that ended long ago
        assert client.can_spend_optional(10)


class CountingBudget(RateBudget):
    """A RateBudget that says how often it was told anything."""

    def __init__(self):
        super().__init__()
        self.spends, self.notes = [], 0

    def spend(self, key, calls=1):
        self.spends.append(calls)
        super().spend(key, calls)

    def note(self, key, limit, remaining, reset):
        self.notes += 1
        super().note(key, limit, remaining, reset)


def test_calls_sent_together_are_counted_together_and_noted_once(rsps):
    import json

    left = iter([480, 478, 479])  # replies come in any order; 478 is the latest state

    def answer(request):
        ids = json.loads(request.body)["file_ids"]
        items = [{"resource": {"id": i, "name": f"{i}.bam"}} for i in ids]
        return 200, headers(next(left)), json.dumps({"items": items})

    rsps.add_callback(responses.POST, BASE + "/bulk/files/get", callback=answer)
    budget = CountingBudget()
    with CavaticaClient(BASE, "token-1", budget=budget) as client:
        budget.note(client.account, 1000, 500, RESET)
        budget.notes = 0
        found = client.files_by_id([f"f{n}" for n in range(250)])
        assert len(found) == 250
        assert budget.spends == [3]  # the three calls, before any was sent
        assert budget.notes == 1
        assert client.rate_state()["remaining"] == 478
