"""The sandbox answers the core calls over a real loopback port."""

import requests


def test_user_projects_and_files_over_http(sandbox):
    headers = {"X-SBG-Auth-Token": sandbox.token}
    me = requests.get(f"{sandbox.api_url}/user", headers=headers, timeout=10)
    assert me.status_code == 200
    assert me.json()["username"] == "demo-user"
    projects = requests.get(f"{sandbox.api_url}/projects/", headers=headers, timeout=10)
    ids = [p["id"] for p in projects.json()["items"]]
    assert "demo-user/pediatric-wgs" in ids
    files = requests.get(
        f"{sandbox.api_url}/files",
        headers=headers,
        timeout=10,
        params={"project": "demo-user/pediatric-wgs", "limit": 5},
    )
    assert files.status_code == 200
    assert int(files.headers["X-Total-Matching-Query"]) > 5
    assert len(files.json()["items"]) == 5
