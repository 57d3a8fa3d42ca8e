"""Everything that comes from the platform is escaped or sanitised before it reaches a page."""

from web_helpers import PROJECT, text_of

HOSTILE = '<img src=x onerror="alert(1)">'


def test_task_names_and_descriptions_are_escaped(signed_in, demo_client):
    app = f"{PROJECT}/sbg-bamtools-index-draft2/27"
    task = demo_client.create_task(
        {
            "name": HOSTILE,
            "description": "<script>alert(2)</script>",
            "project": PROJECT,
            "app": app,
            "inputs": {},
        }
    )
    for url in (
        f"/projects/{PROJECT}",
        f"/projects/{PROJECT}/tasks/{task['id']}",
        f"/projects/{PROJECT}/tasks/{task['id']}/run",
    ):
        html = signed_in.get(url).get_data(as_text=True)
        assert HOSTILE not in html, url
        assert "<script>alert(2)" not in html, url
        assert "&lt;img src=x" in html, url


def test_an_apps_docs_are_sanitised_markdown(signed_in, sandbox):
    raw = {
        "cwlVersion": "v1.0",
        "class": "CommandLineTool",
        "label": "Hostile docs",
        "doc": "# Usage\n\n**Bold** text.\n\n<script>alert(3)</script>\n\n"
        "[click](javascript:alert(4))",
        "inputs": [{"id": "reads", "type": "File", "label": "Reads"}],
        "outputs": [],
    }
    sandbox.add_app("demo-user/scratch", "hostile-docs", raw)
    response = signed_in.get("/projects/demo-user/scratch/apps/hostile-docs/new?revision=0")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<strong>Bold</strong>" in html
    assert "<script>alert(3)" not in html
    assert 'href="javascript:' not in html
    # A heading in the docs cannot break the page's outline.
    assert "<h1>Usage" not in html
    assert "About this app" in text_of(response)
