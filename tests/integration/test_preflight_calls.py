"""The companion check's upstream cost, counted by the sandbox: 1,000 chosen files in 10
folders cost at most 20 calls, and nothing is asked twice."""

import pytest
from app_fixtures import load_real_app

import preflight
from appspec import parse_app
from cavatica import CavaticaClient

SCRATCH = "demo-user/scratch"
FOLDERS, PER_FOLDER = 10, 100


@pytest.fixture
def client(sandbox):
    with CavaticaClient(sandbox.api_url, sandbox.token, timeout=10, backoff=0.05) as c:
        yield c


def thousand_bams(sandbox):
    """10 folders of 100 BAMs each; every other BAM has its .bai beside it."""
    folders = sandbox.add_files(
        SCRATCH, [{"name": f"run-{f:02d}", "type": "folder"} for f in range(FOLDERS)]
    )
    folder_ids = [r["id"] for r in records_of(folders)]
    bams = []
    for number, folder_id in enumerate(folder_ids):
        items = []
        for i in range(PER_FOLDER):
            name = f"S{number:02d}_{i:03d}.bam"
            items.append({"name": name})
            if i % 2 == 0:
                items.append({"name": f"{name}.bai"})
        added = records_of(sandbox.add_files(SCRATCH, items, parent=folder_id))
        bams += [r["id"] for r in added if r["name"].endswith(".bam")]
    assert len(bams) == FOLDERS * PER_FOLDER
    return bams


def records_of(reply):
    return reply["items"]


def check(client, app_name, input_id, ids):
    app = parse_app(load_real_app(app_name))
    spec = app.input(input_id)
    value = [{"class": "File", "path": i} for i in ids]
    targets = preflight.targets_of(spec, value, app.cwl_version)
    files = client.files_by_id(ids, parents=True)  # the check looks in each file's folder
    before = sum(client.call_counts.values())
    present = client.names_present(preflight.names_to_look_up(targets, files))
    checks = preflight.check_targets(targets, files, present)
    return checks, sum(client.call_counts.values()) - before


@pytest.mark.parametrize(
    ("app_name", "input_id", "rules"),
    [
        ("kfdrc-deepvariant", "reads", 1),  # .bai, required
        ("cavatica-bcf-call", "input_align", 3),  # .crai, .bai, ^.bai, all optional
        ("kfdrc-rnaseq-wf", "input_alignment_files", 4),  # ^.bai, .bai, ^.crai, .crai
    ],
)
def test_a_thousand_files_in_ten_folders_cost_at_most_twenty_calls(
    sandbox, client, app_name, input_id, rules
):
    bams = thousand_bams(sandbox)
    sandbox.clear_requests()
    checks, calls = check(client, app_name, input_id, bams)
    log = sandbox.requests()
    file_lists = log["counts"].get("GET /v2/files", 0)
    assert file_lists == calls <= 2 * FOLDERS
    assert log["counts"]["POST /v2/bulk/files/get"] == FOLDERS * PER_FOLDER // 100
    assert len(checks) == 1000
    found = [c for c in checks if any(x.state == preflight.FOUND for x in c.companions)]
    assert len(found) == 500  # every other BAM has its index
    if rules == 1:
        assert sum(c.lacks_required for c in checks) == 500
        assert file_lists == FOLDERS  # one call per folder: its 100 names at once
    else:
        # 300-400 names per folder of 150 files: listing the folder (2 pages) is cheaper.
        assert file_lists == 2 * FOLDERS

    # The same page asking again (another input, the batch preview) costs nothing more.
    sandbox.clear_requests()
    again = preflight.names_to_look_up(
        preflight.targets_of(
            parse_app(load_real_app(app_name)).input(input_id),
            [{"class": "File", "path": i} for i in bams],
        ),
        client.files_by_id(bams[:100], parents=True),
    )
    client.names_present(again)
    assert sandbox.requests()["counts"].get("GET /v2/files", 0) == 0


def test_repeated_name_filters_are_one_call_and_find_only_those_names(sandbox, client):
    folder = next(
        f
        for f in client.files(project="demo-user/pediatric-wgs").items
        if f["name"] == "alignments"
    )
    names = [
        f["name"]
        for f in client.files(parent=folder["id"], limit=100).items
        if f["name"].endswith(".bai")
    ][:3]
    sandbox.clear_requests()
    page = client.files(parent=folder["id"], names=[*names, "no-such-file.bai"], limit=100)
    assert sorted(f["name"] for f in page.items) == sorted(names)
    log = sandbox.requests()
    assert log["counts"] == {"GET /v2/files": 1}
    assert log["requests"][0]["query"]["name"] == [*names, "no-such-file.bai"]
