"""HTTP helpers for the sandbox's own tests."""

import requests


class ApiClient:
    def __init__(self, api_url, token):
        self.api_url = api_url
        self.session = requests.Session()
        if token is not None:
            self.session.headers["X-SBG-Auth-Token"] = token

    def request(self, method, path, **kwargs):
        kwargs.setdefault("timeout", 10)
        url = path if path.startswith("http") else self.api_url + path
        return self.session.request(method, url, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def patch(self, path, **kwargs):
        return self.request("PATCH", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)

    def files(self, project=None, **params):
        """Every item at one level (following `next` links), with all their fields."""
        if project is not None:
            params["project"] = project
        params.setdefault("limit", 100)
        params.setdefault("fields", "_all")
        response = self.get("/files", params=params)
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        next_links = [link for link in response.json()["links"] if link["rel"] == "next"]
        while next_links:
            page = self.get(next_links[0]["href"]).json()
            items += page["items"]
            next_links = [link for link in page["links"] if link["rel"] == "next"]
        return items

    def file_named(self, project, name, parent=None):
        params = {"name": name, "fields": "_all"}
        params.update({"parent": parent} if parent else {"project": project})
        items = self.get("/files", params=params).json()["items"]
        assert len(items) == 1, f"expected one file named {name}, got {items}"
        return items[0]

    def folder_path(self, project, *names):
        """The record of a folder found by walking names down from the project root."""
        record = self.file_named(project, names[0])
        for name in names[1:]:
            record = self.file_named(project, name, parent=record["id"])
        return record


def assert_error(response, status, code):
    """The platform's error shape, as JSON, with the given status and code."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"status", "code", "message", "more_info"}
    assert body["status"] == status
    assert body["code"] == code, body
    assert body["message"]
    return body
