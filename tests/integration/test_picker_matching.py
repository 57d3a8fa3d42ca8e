"""The picker's "Choose all N that match": its listing, 100 items a page as JSON, with the same
folder, filters and type rule as the listing, one GET /files a page."""

import pytest

from app import create_app

BIG = "demo-user/big-cohort"
BATCH_01 = "5b16ffff0000000000000001"  # folder ids of the big project encode their number


@pytest.fixture
def client(sandbox, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SB_API_ENDPOINT": sandbox.api_url,
            "SB_AUTH_TOKEN": sandbox.token,
            "SECRET_KEY": "matching-tests",
            "SESSION_FILE_DIR": str(tmp_path / "sessions"),
        }
    )
    return app.test_client()


def test_pages_of_a_folder_keep_the_type_rule_and_cost_one_call_each(client, sandbox):
    sandbox.clear_requests()
    url = f"/projects/{BIG}/files/matching"
    pages = [
        client.get(url, query_string={"parent": BATCH_01, "types": "cram", "offset": offset})
        for offset in range(0, 500, 100)
    ]
    assert all(page.status_code == 200 for page in pages)
    data = [page.get_json() for page in pages]
    assert {d["total"] for d in data} == {500}
    assert sum(d["count"] for d in data) == 500
    items = [item for d in data for item in d["items"]]
    assert len(items) == 250 and all(item["name"].endswith(".cram") for item in items)
    assert len({item["id"] for item in items}) == 250
    assert all(item["size"].endswith("GB") for item in items)
    assert sandbox.requests()["counts"] == {"GET /v2/files": 5}
    limits = {r["query"]["limit"][0] for r in sandbox.requests()["requests"]}
    assert limits == {"100"}


def test_an_unknown_folder_is_a_message(client):
    response = client.get(f"/projects/{BIG}/files/matching", query_string={"parent": "f" * 24})
    assert response.status_code == 404
    assert response.get_json()["error"]
