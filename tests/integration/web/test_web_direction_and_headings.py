"""Names from the platform cannot turn the page's text around (each is isolated for direction),
and the heading over a problem says what happened: refused, not reached, or the answer lost."""

import html

import pytest
from web_helpers import PROJECT, a_bam, app_specs, file_ref, task_form, text_of

BAMTOOLS = f"/projects/{PROJECT}/apps/sbg-bamtools-index-draft2/new?revision=27"
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "report<RLO>fdp.exe" reads as "reportexe.pdf"


def test_a_file_name_with_a_right_to_left_override_is_isolated(signed_in, sandbox):
    (item,) = sandbox.add_files(PROJECT, [{"name": f"report{RLO}fdp.exe"}])["items"]
    data = {
        "name": "x",
        "submission_id": "0123456789abcdef0123456789abcdef",
        "batch-mode": "on",
        "batch-input": "input_bam_file",
        "batch-by": "sample",  # it has no sample id: listed as left out
        "inputs-input_bam_file": item["id"],
        "action": "preview",
    }
    page = signed_in.post(BAMTOOLS, data=data).get_data(as_text=True)
    left_out = page.split('class="batch-left-out"', 1)[1].split("</ul>", 1)[0]
    assert f"<bdi>report{RLO}fdp.exe</bdi>" in left_out


def test_a_task_name_with_an_override_is_isolated_on_its_pages(signed_in, demo_client):
    bam = a_bam(demo_client)
    task = demo_client.create_task(
        {
            "name": f"run {RLO}lanif",
            "project": PROJECT,
            "app": f"{PROJECT}/sbg-bamtools-index-draft2/27",
            "inputs": {"input_bam_file": file_ref(bam)},
        }
    )
    for path in (
        f"/projects/{PROJECT}/tasks/{task['id']}",
        f"/projects/{PROJECT}/tasks/{task['id']}/run",
        f"/projects/{PROJECT}",
    ):
        html = signed_in.get(path).get_data(as_text=True)
        assert f"<bdi>run {RLO}lanif</bdi>" in html, path


@pytest.mark.parametrize(
    ("fault", "heading"),
    [
        ({"status": 400, "code": 9000}, "CAVATICA refused the request."),
        ({"status": 403, "code": 3001}, "Not allowed by CAVATICA."),
        ({"status": 503, "code": 7000}, "CAVATICA could not answer."),
        ({"latency_ms": 1600, "status": 503}, "CAVATICA's answer was lost."),
    ],
)
def test_the_heading_over_a_problem_says_what_happened(
    make_app, demo_client, sandbox, fault, heading
):
    client = make_app(SB_TIMEOUT=1.0).test_client()
    client.post("/sign-in", data={"token": sandbox.token})
    client.get(BAMTOOLS)
    specs = app_specs(demo_client, "sbg-bamtools-index-draft2", 27)
    data = task_form(specs, {"input_bam_file": file_ref(a_bam(demo_client))})
    sandbox.fault(method="POST", path="/v2/tasks", times=1, **fault)
    text = html.unescape(text_of(client.post(BAMTOOLS, data=data)))
    assert heading in text
    assert "said no" not in text
