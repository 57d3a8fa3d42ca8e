"""The official SDK (sevenbridges-python, a test dependency) works against the sandbox unchanged."""

import pytest
import sevenbridges as sbg
from sevenbridges.errors import (
    Conflict,
    Forbidden,
    NotFound,
    TaskValidationError,
    TooManyRequests,
    Unauthorized,
)

from sandbox import OTHER_TOKEN

WGS = "demo-user/pediatric-wgs"
RNA = "demo-user/rnaseq-pilot"


def make_api(sandbox, token=None):
    # debug=True lets the SDK use a plain-http loopback URL; retry_count=1 keeps failures fast.
    return sbg.Api(
        url=sandbox.api_url, token=token or sandbox.token, debug=True, timeout=10, retry_count=1
    )


@pytest.fixture
def sdk(sandbox):
    return make_api(sandbox)


def test_me_and_projects(sdk):
    me = sdk.users.me()
    assert me.username == "demo-user" and me.role == "USER"
    projects = sdk.projects.query().all()
    ids = [p.id for p in projects]
    assert WGS in ids and "other-user/private-study" not in ids
    wgs = sdk.projects.get(WGS)
    assert wgs.root_folder and wgs.created_on.year == 2024
    assert [p.id for p in sdk.projects.query(owner="other-user").all()] == [
        "other-user/shared-reference"
    ]


def test_apps_query_and_get_with_raw(sdk):
    apps = sdk.apps.query(project=WGS, limit=10)
    assert apps.total == 29
    listed = list(apps.all())
    names = [a.id for a in listed]
    assert len(names) == 29 and f"{WGS}/cavatica-bcf-call" in names
    app = sdk.apps.get(f"{WGS}/cavatica-bcf-call")
    assert app.id == f"{WGS}/cavatica-bcf-call" and app.revision == 8
    assert app.raw["sbg:revision"] == 8 and app.raw["inputs"]
    pinned = sdk.apps.get_revision(f"{WGS}/cavatica-bcf-call", 2)
    assert pinned.revision == 2 and pinned.raw["sbg:revision"] == 2
    assert listed[0].raw["inputs"]  # a lazy fetch of the item's href


def test_files_query_paging_and_metadata_filters(sdk):
    first = sdk.files.query(project=WGS, limit=10)
    assert len(first) == 10 and first.total > 20
    everything = list(first.all())
    ids = [f.id for f in everything]
    assert len(ids) == first.total == len(set(ids))
    fastq = next(f for f in everything if f.name.endswith("_R1.fastq.gz"))
    sample = fastq.metadata["sample_id"]
    found = sdk.files.query(project=WGS, metadata={"sample_id": sample, "paired_end": "1"}).all()
    expected = {
        f.name
        for f in everything
        if not f.is_folder()
        and f.metadata.get("sample_id") == sample
        and f.metadata.get("paired_end") == "1"
    }
    assert {f.name for f in found} == expected and len(expected) == 2
    folder = next(f for f in everything if f.is_folder())
    inside = sdk.files.query(parent=folder.id).all()
    assert inside and all(f.parent == folder.id for f in inside)
    big = sdk.files.query(project="demo-user/big-cohort", offset=99_900, limit=100)
    assert len(big) == 100 and big.total == 100_005


def test_fields_trim_replies_and_the_sdk_fetches_what_it_was_not_sent(sdk, sandbox):
    sandbox.clear_requests()
    files = list(sdk.files.query(project=WGS, limit=5))
    [listing] = sandbox.requests()["requests"]
    assert listing["query"]["fields"] == ["_all"]  # the SDK's file lists ask for everything
    reads = next(f for f in files if f.name.endswith(".fastq.gz"))
    assert reads.metadata["sample_id"] and reads.size > 0

    # Asked for two fields, the platform sends those two (and the href to fetch the rest).
    trimmed = sdk.get(f"/files/{reads.id}", params={"fields": "id,name"}).json()
    assert set(trimmed) == {"href", "id", "name"}
    sandbox.clear_requests()
    partial = sbg.File(api=sdk, **trimmed)
    assert partial.size == reads.size  # read where it is missing: one GET of its href
    assert sandbox.requests()["counts"] == {"GET /v2/files/<file_id>": 1}

    # An app list names no fields: its items lack `raw`, which the SDK then fetches per app.
    apps = list(sdk.apps.query(project=WGS, limit=2))
    sandbox.clear_requests()
    assert apps[0].raw["inputs"] and apps[1].raw["inputs"]
    assert sandbox.requests()["counts"] == {"GET /v2/apps/<app_ref>": 2}


def test_bulk_get(sdk):
    files = sdk.files.query(project=WGS, limit=5)
    records = sdk.files.bulk_get(files=[f.id for f in files])
    assert [r.resource.name for r in records] == [f.name for f in files]
    assert all(r.valid for r in records)


def test_bulk_items_do_not_say_what_is_a_folder_so_the_sdk_asks(sdk, sandbox):
    listed = list(sdk.files.query(project=WGS, limit=100))
    folder = next(f for f in listed if f.is_folder())
    a_file = next(f for f in listed if not f.is_folder())
    as_folder, as_file = (r.resource for r in sdk.files.bulk_get(files=[folder.id, a_file.id]))
    sandbox.clear_requests()
    assert as_folder.is_folder() and not as_file.is_folder()
    assert as_file.parent == a_file.parent
    # Each record lacked `type`, so reading it fetched that file once.
    assert sandbox.requests()["counts"] == {"GET /v2/files/<file_id>": 2}


def test_copy_a_public_reference_file_into_a_project(sdk):
    public = sdk.files.query(project="admin/sbg-public-data", limit=100).all()
    fasta = next(f for f in public if f.name == "Homo_sapiens_assembly38.fasta")
    copy = fasta.copy(project=WGS, name="GRCh38.fasta")
    assert copy.id != fasta.id and copy.project == WGS and copy.name == "GRCh38.fasta"
    assert copy.metadata == fasta.metadata
    assert sdk.files.get(copy.id).name == "GRCh38.fasta"
    with pytest.raises(Conflict) as raised:
        fasta.copy(project=WGS, name="GRCh38.fasta")
    assert raised.value.code == 5003


def inputs_for_bwa(sdk):
    reads = [f for f in sdk.files.query(project=RNA).all() if f.name.endswith(".fastq.gz")]
    folder = next(f for f in sdk.files.query(project=RNA).all() if f.is_folder())
    fasta = next(f for f in sdk.files.query(parent=folder.id).all() if f.name.endswith(".fa"))
    return reads, {"reads": reads[:2], "reference": fasta, "sample_name": "S1"}


def test_create_single_task_draft_then_run_and_abort(sdk, sandbox):
    app = sdk.apps.get(f"{RNA}/bwa-mem-align")
    _, inputs = inputs_for_bwa(sdk)
    draft = sdk.tasks.create(
        name="sdk single",
        project=RNA,
        app=app,
        inputs=inputs,
        execution_settings={"instance_type": "c5.2xlarge;ebs-gp2;1024"},
        interruptible=False,
        run=False,
    )
    assert draft.status == "DRAFT" and draft.errors == [] and draft.batch is False
    assert draft.app == f"{RNA}/bwa-mem-align/0"
    fetched = sdk.tasks.get(draft.id)
    assert fetched.inputs["reads"][0].id == inputs["reads"][0].id
    assert fetched.created_time.year >= 2024
    draft.run()
    assert draft.status == "QUEUED"
    sandbox.advance_clock(60)
    draft.abort()
    assert draft.status == "ABORTED"


def test_create_and_run_at_once(sdk, sandbox):
    app = sdk.apps.get(f"{RNA}/bwa-mem-align")
    _, inputs = inputs_for_bwa(sdk)
    task = sdk.tasks.create(name="sdk run", project=RNA, app=app, inputs=inputs, run=True)
    assert task.status == "QUEUED"
    sandbox.advance_clock(3600)
    assert sdk.tasks.get(task.id).status == "COMPLETED"


def test_run_true_with_errors_raises_but_the_draft_exists(sdk):
    app = sdk.apps.get(f"{RNA}/bwa-mem-align")
    with pytest.raises(TaskValidationError) as raised:
        sdk.tasks.create(name="sdk invalid", project=RNA, app=app, inputs={}, run=True)
    task = raised.value.task
    assert {e["input_id"] for e in task.errors} == {"reads", "reference", "sample_name"}
    assert sdk.tasks.get(task.id).status == "DRAFT"


@pytest.mark.parametrize("run", [False, True])
def test_batch_task_and_its_children(sdk, sandbox, run):
    app = sdk.apps.get(f"{RNA}/fastq-qc")
    reads, _ = inputs_for_bwa(sdk)
    parent = sdk.tasks.create(
        name="sdk batch",
        project=RNA,
        app=app,
        inputs={"reads": reads},
        batch_input="reads",
        batch_by={"type": "criteria", "criteria": ["metadata.sample_id"]},
        run=run,
    )
    assert parent.batch is True and parent.batch_input == "reads"
    if not run:
        assert parent.status == "DRAFT"
        assert list(parent.get_batch_children()) == []
        parent.run()
    children = list(parent.get_batch_children())
    samples = {r.metadata["sample_id"] for r in reads}
    assert len(children) == len(samples) == 3
    assert {c.batch_group.fields["metadata.sample_id"] for c in children} == samples
    assert all(c.parent == parent.id and c.batch is False for c in children)
    sandbox.advance_clock(3600)
    parent.reload()
    assert parent.status == "COMPLETED"
    assert parent.execution_status.completed == 3


def test_batch_false_switches_a_batch_draft_to_one_task(sdk, sandbox):
    reads, _ = inputs_for_bwa(sdk)
    parent = sdk.tasks.create(
        name="sdk unbatch",
        project=RNA,
        app=sdk.apps.get(f"{RNA}/fastq-qc"),
        inputs={"reads": reads},
        batch_input="reads",
        batch_by={"type": "item"},
    )
    assert parent.batch is True
    sandbox.clear_requests()
    parent.batch = False
    parent.save()
    [patch] = [r for r in sandbox.requests()["requests"] if r["method"] == "PATCH"]
    assert patch["json"] == {"batch": False}  # what the SDK sends for it
    task = sdk.tasks.get(parent.id)
    assert task.batch is False and task.batch_input is None and task.batch_by is None
    with pytest.raises(sbg.errors.SbgError, match="not a batch task"):
        task.get_batch_children()
    task.run()
    assert task.status == "QUEUED"


def test_the_sdk_can_create_and_run_a_batch_as_one_task(sdk, sandbox):
    reads, _ = inputs_for_bwa(sdk)
    sandbox.clear_requests()
    task = sdk.tasks.create(
        name="sdk one run",
        project=RNA,
        app=sdk.apps.get(f"{RNA}/fastq-qc"),
        inputs={"reads": reads},
        batch_input="reads",
        batch_by={"type": "item"},
        run=True,
        disable_batch=True,
    )
    [post] = [r for r in sandbox.requests()["requests"] if r["method"] == "POST"]
    assert post["query"]["batch"] == ["False"]
    assert task.batch is False and task.status == "QUEUED"


def test_error_classes_carry_status_and_code(sandbox, sdk):
    with pytest.raises(Unauthorized) as raised:
        make_api(sandbox, token="wrong").users.me()
    assert raised.value.status == 401 and raised.value.code == 401
    with pytest.raises(Forbidden) as raised:
        sdk.projects.get("other-user/private-study")
    assert raised.value.status == 403 and raised.value.code == 3001
    with pytest.raises(NotFound) as raised:
        sdk.tasks.get("00000000-0000-4000-8000-000000000000")
    assert raised.value.status == 404 and raised.value.code == 7002
    with pytest.raises(Forbidden) as raised:
        make_api(sandbox, token=OTHER_TOKEN).apps.get(f"{WGS}/cavatica-bcf-call")
    assert raised.value.code == 6001
    sandbox.set_rate_limit(1)
    sdk.users.me()
    with pytest.raises(TooManyRequests) as raised:
        sdk.users.me()
    assert raised.value.status == 429 and raised.value.code == 1000


def test_a_dropped_create_raises_in_the_sdk_but_the_draft_exists(sdk, sandbox):
    sandbox.fault(method="POST", path="/v2/tasks", drop_connection=True)
    app = sdk.apps.get(f"{RNA}/fastq-qc")
    with pytest.raises(sbg.SbgError):
        sdk.tasks.create(name="dropped", project=RNA, app=app, inputs={"reads": []})
    drafts = sdk.tasks.query(project=RNA, status="DRAFT").all()
    assert [t.name for t in drafts] == ["dropped"]


def test_task_query_and_clone(sdk):
    app = sdk.apps.get(f"{RNA}/fastq-qc")
    task = sdk.tasks.create(name="to clone", project=RNA, app=app, inputs={"reads": []})
    clone = task.clone(run=False)
    assert clone.id != task.id and clone.status == "DRAFT" and clone.name == "to clone"
    listed = sdk.tasks.query(
        project=RNA, status="DRAFT", order_by="created_time", order="desc"
    ).all()
    assert [t.id for t in listed] == [clone.id, task.id]
