"""The one-draft guard is keyed by who submits as well as by the form's submission id: another
user posting the same id is not sent to the first user's draft."""

from app_fixtures import load_real_app
from web_helpers import PROJECT, a_bam, app_specs, file_ref, task_form, task_posts

from sandbox import OTHER_TOKEN

OTHERS = "other-user/private-study"


def test_another_user_posting_the_same_submission_id_gets_a_draft_of_their_own(
    app, signed_in, demo_client, sandbox
):
    app_name = "sbg-bamtools-index-draft2"
    specs = app_specs(demo_client, app_name, 27)
    mine = signed_in.post(
        f"/projects/{PROJECT}/apps/{app_name}/new?revision=27",
        data=task_form(specs, {"input_bam_file": file_ref(a_bam(demo_client))}),
    )
    assert mine.status_code == 302
    my_task = mine.location.rsplit("/", 1)[1]
    # The other user has the same app in a project of theirs, and posts the same id there.
    added = sandbox.add_app(OTHERS, app_name, load_real_app(app_name))
    (bam,) = sandbox.add_files(OTHERS, [{"name": "theirs.bam"}])["items"]
    other = app.test_client()
    assert other.post("/sign-in", data={"token": OTHER_TOKEN}).status_code == 302
    data = task_form(specs, {"input_bam_file": file_ref(bam)})
    revision = added.get("revision", 0)
    theirs = other.post(f"/projects/{OTHERS}/apps/{app_name}/new?revision={revision}", data=data)
    assert theirs.status_code == 302, theirs.get_data(as_text=True)[:2000]
    assert my_task not in theirs.location  # not sent to the first user's draft
    # Their own draft was made (counted in their project: a slow POST of an earlier test may
    # still land in the sandbox's log).
    assert [body["project"] for body in task_posts(sandbox)].count(OTHERS) == 1
