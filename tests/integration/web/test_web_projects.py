"""The projects list (search, paging) and a project's page (apps, recent tasks)."""

import re

from web_helpers import PROJECT, a_bam, text_of


def test_projects_list_shows_the_users_projects(signed_in):
    text = text_of(signed_in.get("/projects"))
    for name in ("Pediatric WGS Cohort", "RNA-seq Pilot", "Scratch", "Shared Reference Panel"):
        assert name in text
    # Projects of other users that are not shared do not show.
    assert "Private Study" not in text


def test_projects_search_by_name(signed_in, sandbox):
    text = text_of(signed_in.get("/projects?name=RNA-seq Pilot"))
    assert "RNA-seq Pilot" in text
    assert "Pediatric WGS Cohort" not in text
    # The name filter is the platform's own.
    queries = [r["query"] for r in sandbox.requests()["requests"] if r["path"] == "/v2/projects"]
    assert {"name": ["RNA-seq Pilot"]}.items() <= {k: v for k, v in queries[-1].items()}.items()

    empty = text_of(signed_in.get("/projects?name=No such project"))
    assert "No project is named “No such project”." in empty


def test_projects_paging(make_app, sandbox):
    client = make_app(PAGE_SIZE=2).test_client()
    client.post("/sign-in", data={"token": sandbox.token})
    first = signed_page = client.get("/projects")
    assert "1–2 of 5" in text_of(first)
    assert 'href="/projects?offset=2"' in signed_page.get_data(as_text=True)
    assert "Previous" not in text_of(first)
    second = client.get("/projects?offset=2")
    assert "3–4 of 5" in text_of(second)
    html = second.get_data(as_text=True)
    assert 'href="/projects?offset=0"' in html
    assert 'href="/projects?offset=4"' in html
    last = client.get("/projects?offset=4")
    assert "5–5 of 5" in text_of(last)
    assert "Next" not in text_of(last)


def test_project_page_lists_apps_with_label_and_revision(signed_in):
    response = signed_in.get(f"/projects/{PROJECT}")
    assert response.status_code == 200
    text = text_of(response)
    assert "Pediatric WGS Cohort" in text
    assert "BamTools Index" in text
    html = response.get_data(as_text=True)
    # Each app links to a new task at its latest revision.
    assert f'href="/projects/{PROJECT}/apps/sbg-bamtools-index-draft2/new?revision=27"' in html


def test_project_page_searches_and_pages_apps(make_app, sandbox):
    client = make_app(PAGE_SIZE=5).test_client()
    client.post("/sign-in", data={"token": sandbox.token})
    found = text_of(client.get(f"/projects/{PROJECT}?q=bamtools"))
    assert "BamTools Index" in found
    assert "GATK HaplotypeCaller" not in found
    first = text_of(client.get(f"/projects/{PROJECT}"))
    assert "1–5 of" in first
    second = client.get(f"/projects/{PROJECT}?offset=5")
    assert "6–10 of" in text_of(second)


def test_project_page_lists_drafts_first_then_newest(signed_in, demo_client, sandbox):
    app_id = f"{PROJECT}/sbg-bamtools-index-draft2/27"
    bam = {"input_bam_file": {"class": "File", "path": a_bam(demo_client)["id"]}}
    ran = demo_client.create_task(
        {"name": "Ran first", "project": PROJECT, "app": app_id, "inputs": bam}
    )
    demo_client.run_task(ran["id"])
    demo_client.create_task(
        {"name": "Older draft", "project": PROJECT, "app": app_id, "inputs": {}}
    )
    sandbox.advance_clock(60)
    demo_client.create_task(
        {"name": "Newer draft", "project": PROJECT, "app": app_id, "inputs": {}}
    )
    text = text_of(signed_in.get(f"/projects/{PROJECT}"))
    assert text.index("Newer draft") < text.index("Older draft") < text.index("Ran first")


def test_project_page_lists_tasks_without_their_inputs(signed_in, demo_client, sandbox):
    app_id = f"{PROJECT}/sbg-bamtools-index-draft2/27"
    bam = {"input_bam_file": {"class": "File", "path": a_bam(demo_client)["id"]}}
    draft = demo_client.create_task(
        {"name": "Draft with a BAM", "project": PROJECT, "app": app_id, "inputs": bam}
    )
    sandbox.clear_requests()
    text = text_of(signed_in.get(f"/projects/{PROJECT}"))
    assert "Draft with a BAM" in text and draft["created_time"] in text
    lists = [r for r in sandbox.requests()["requests"] if r["path"] == "/v2/tasks"]
    assert len(lists) == 2  # the drafts, and the newest of all
    # Only what the table shows travels: a batch's 1,000 inputs would come along with _all.
    assert all(r["query"]["fields"] == ["id,name,status,created_time,created_on"] for r in lists)


def test_an_unknown_project_is_a_clear_404(signed_in):
    response = signed_in.get("/projects/demo-user/no-such-project")
    assert response.status_code == 404
    assert "CAVATICA could not find this" in text_of(response)


def test_a_project_of_someone_else_is_refused_clearly(signed_in):
    response = signed_in.get("/projects/other-user/private-study")
    assert response.status_code in (403, 404)
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_page_past_the_end_offers_the_first_page(signed_in):
    text = text_of(signed_in.get("/projects?offset=500"))
    assert "There is nothing on this page." in text
    assert "You have no projects yet" not in text
    apps = text_of(signed_in.get(f"/projects/{PROJECT}?offset=500"))
    assert "There are no apps on this page." in apps


def test_every_page_names_an_icon_the_app_serves(client):
    """Without one, browsers ask for /favicon.ico and log its 404 on every page."""
    page = client.get("/sign-in").get_data(as_text=True)
    href = re.search(r'<link rel="icon" href="([^"]+)"', page).group(1)
    icon = client.get(href)
    assert icon.status_code == 200
    assert icon.mimetype == "image/svg+xml"
    icon.close()
