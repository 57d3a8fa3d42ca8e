"""The companion check on the task form, against the sandbox's seed: a BAM without its .bai is
said before anything is created, the batch preview marks its child task, creating it anyway
takes a second press and writes what was missing into the draft's description."""

import re

from web_helpers import PROJECT, app_specs, file_ref, folder_files, task_form, task_posts, text_of

APP = "kfdrc-deepvariant"  # reads: File with .bai (required, v1.2); ref: File with .fai
LONE_BAM = "BS_HE49YCQ1.bam"  # seeded without its index


def url(demo_client):
    revision = demo_client.app(f"{PROJECT}/{APP}")["revision"]
    return f"/projects/{PROJECT}/apps/{APP}/new?revision={revision}"


def bams(demo_client):
    files = folder_files(demo_client, "alignments")
    chosen = [f for n, f in sorted(files.items()) if n.endswith(".bam")][:3]
    if LONE_BAM not in [f["name"] for f in chosen]:
        chosen[-1] = files[LONE_BAM]
    return chosen


def deepvariant_form(demo_client, action, **fields):
    reference = folder_files(demo_client, "references", "GRCh38")["Homo_sapiens_assembly38.fasta"]
    chosen = bams(demo_client)
    inputs = {
        "reads": [file_ref(b) for b in chosen],
        "ref": file_ref(reference),
        "sample_name": "tumour",
        "model_type": "WGS",
    }
    batch = {"batch-mode": "on", "batch-input": "reads", "batch-by": "sample"}
    return task_form(app_specs(demo_client, APP), inputs, action=action, **batch, **fields), chosen


def test_preview_says_which_file_lacks_its_index_and_marks_its_child_task(
    signed_in, demo_client, sandbox
):
    data, chosen = deepvariant_form(demo_client, "preview")
    sandbox.clear_requests()
    response = signed_in.post(url(demo_client), data=data)
    assert response.status_code == 200
    text = text_of(response)
    assert "1 of 4 files lacks a required companion." in text
    assert f"{LONE_BAM}: .bai missing" in text
    assert "Create draft anyway" in text
    # The batch preview marks the child task that holds it, and only that one.
    html = response.get_data(as_text=True)
    rows = re.findall(r"<tr( class=\"lacks-companion\")?>(.*?)</tr>", html, flags=re.S)
    marked = [row for cls, row in rows if cls]
    assert len(marked) == 1 and LONE_BAM in marked[0] and ".bai missing" in marked[0]
    assert "1 of them holds files without a required companion file" in text
    # Nothing created; the companions cost one GET /files per folder (alignments, GRCh38).
    counts = sandbox.requests()["counts"]
    assert "POST /v2/tasks" not in counts
    assert counts["GET /v2/files"] == 2
    assert counts["POST /v2/bulk/files/get"] == 1
    assert all(f["name"] in text for f in chosen)


def test_creating_takes_a_second_press_and_the_description_says_what_was_missing(
    signed_in, demo_client, sandbox
):
    data, _chosen = deepvariant_form(demo_client, "create")
    sandbox.clear_requests()
    held = signed_in.post(url(demo_client), data=data)
    assert held.status_code == 200
    assert task_posts(sandbox) == []
    assert "Nothing was created yet" in text_of(held)
    ack = re.search(r'name="preflight_ack" value="([0-9a-f]+)"', held.get_data(as_text=True))
    assert ack
    data["preflight_ack"] = ack.group(1)
    created = signed_in.post(url(demo_client), data=data)
    assert created.status_code == 302, text_of(created)
    [body] = task_posts(sandbox)
    assert body["description"] == (
        "Pre-flight check: 1 of 4 chosen files lacked a required companion file:\n"
        f"- {LONE_BAM}: .bai missing\n\n"
        "Submitted from the draft-task launcher, ref 0123456789ab"
    )


def test_an_acknowledgement_for_other_results_does_not_count(signed_in, demo_client, sandbox):
    data, _chosen = deepvariant_form(demo_client, "create", preflight_ack="0000000000000000")
    response = signed_in.post(url(demo_client), data=data)
    assert response.status_code == 200 and task_posts(sandbox) == []


def test_files_with_their_companions_are_created_at_the_first_press(
    signed_in, demo_client, sandbox
):
    data, chosen = deepvariant_form(demo_client, "create")
    indexed = [b for b in chosen if b["name"] != LONE_BAM]
    data.setlist("inputs-reads", [" ".join(b["id"] for b in indexed)])
    response = signed_in.post(url(demo_client), data=data)
    assert response.status_code == 302, text_of(response)
    [body] = task_posts(sandbox)
    assert "Pre-flight" not in body["description"]


def test_required_inputs_left_empty_are_listed_with_links_to_their_fields(signed_in, demo_client):
    response = signed_in.post(url(demo_client), data={"name": "t", "action": "preview"})
    html = response.get_data(as_text=True)
    section = html.split('id="preflight-summary"', 1)[1].split("</section>", 1)[0]
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', section)
    assert [target for target, _ in links] == [
        "inputs-reads",
        "inputs-ref",
        "inputs-sample_name",
        "inputs-model_type",
    ]
    assert all(f'id="{target}"' in html for target, _ in links)


def test_a_refused_look_up_leaves_the_form_usable_and_says_so(signed_in, demo_client, sandbox):
    data, _chosen = deepvariant_form(demo_client, "preview")
    sandbox.fault(method="GET", path="/v2/files", status=500, code=0, times=None)
    response = signed_in.post(url(demo_client), data=data)
    assert response.status_code == 200
    assert "The companion files could not be looked up" in text_of(response)
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_file_of_another_type_is_a_warning_on_its_field_not_a_refusal(
    signed_in, demo_client, sandbox
):
    app = "sbg-gatk-cnv-somatic-pair-wf"  # in_alignments_tumor takes BAM, SAM, CRAM (.bai)
    revision = demo_client.app(f"{PROJECT}/{app}")["revision"]
    vcf = next(
        f
        for n, f in folder_files(demo_client, "variants", "germline").items()
        if n.endswith(".g.vcf.gz")
        and f"{n}.tbi" in folder_files(demo_client, "variants", "germline")
    )
    data = task_form(
        app_specs(demo_client, app), {"in_alignments_tumor": file_ref(vcf)}, action="preview"
    )
    response = signed_in.post(f"/projects/{PROJECT}/apps/{app}/new?revision={revision}", data=data)
    html = response.get_data(as_text=True)
    marks = html.split('id="inputs-in_alignments_tumor@checks"', 1)[1].split("</ul>", 1)[0]
    assert f"{vcf['name']} is not a file of the types this input takes (BAM, SAM, CRAM)." in marks
    assert f"{vcf['name']}: .bai missing" in marks
    field = re.search(r'<input type="text" id="inputs-in_alignments_tumor"[^>]*>', html).group(0)
    assert "inputs-in_alignments_tumor@checks" in field  # tied to the field for screen readers
    assert "1 file does not match the input" in text_of(response)


def test_editing_a_draft_shows_its_files_checked_and_keeps_the_note_out_of_the_text_box(
    signed_in, demo_client, sandbox
):
    data, _chosen = deepvariant_form(demo_client, "create", description="my notes")
    held = signed_in.post(url(demo_client), data=data)
    data["preflight_ack"] = re.search(
        r'name="preflight_ack" value="([0-9a-f]+)"', held.get_data(as_text=True)
    ).group(1)
    created = signed_in.post(url(demo_client), data=data)
    assert created.status_code == 302
    edit = signed_in.get(created.location + "/edit")
    assert edit.status_code == 200
    html = edit.get_data(as_text=True)
    box = re.search(r"<textarea[^>]*name=\"description\"[^>]*>(.*?)</textarea>", html, re.S)
    assert box.group(1).strip() == "my notes"
    assert f"{LONE_BAM}: .bai missing" in text_of(edit)


def test_a_thousand_chosen_bams_in_ten_folders_cost_ten_name_look_ups_for_the_page(
    signed_in, demo_client, sandbox
):
    folders = sandbox.add_files(
        PROJECT, [{"name": f"lane-{n:02d}", "type": "folder"} for n in range(10)]
    )["items"]
    chosen = []
    for number, folder in enumerate(folders):
        items = []
        for i in range(100):
            items.append({"name": f"L{number:02d}_{i:03d}.bam", "metadata": {"sample_id": f"S{i}"}})
            if i % 4:
                items.append({"name": f"L{number:02d}_{i:03d}.bam.bai"})
        added = sandbox.add_files(PROJECT, items, parent=folder["id"])["items"]
        chosen += [f for f in added if f["name"].endswith(".bam")]
    data, _ = deepvariant_form(demo_client, "create")
    data.setlist("inputs-reads", [" ".join(f["id"] for f in chosen)])
    sandbox.clear_requests()
    # Held back (250 BAMs lack their index): the check runs for the decision and for the page
    # that says why, and the second costs nothing.
    response = signed_in.post(url(demo_client), data=data)
    assert response.status_code == 200
    assert "250 of 1001 files lack a required companion." in text_of(response)
    counts = sandbox.requests()["counts"]
    assert counts["GET /v2/files"] == 11  # one per folder of BAMs, one for the reference's
    assert counts["POST /v2/bulk/files/get"] == 11  # 1,001 ids, 100 a call
    assert "POST /v2/tasks" not in counts


def test_hostile_file_names_in_the_marks_are_text(signed_in, demo_client, sandbox):
    folder = demo_client.files(project=PROJECT, names=["alignments"]).items[0]
    hostile = '<img src=x onerror="window.pwned=1">.bam'
    [bam] = sandbox.add_files(PROJECT, [{"name": hostile}], parent=folder["id"])["items"]
    data, _ = deepvariant_form(demo_client, "preview")
    data.setlist("inputs-reads", [bam["id"]])
    html = signed_in.post(url(demo_client), data=data).get_data(as_text=True)
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&#34;window.pwned=1&#34;&gt;.bam: .bai missing" in html


def test_hostile_file_names_are_text_in_the_chosen_list_and_the_batch_groups(
    signed_in, demo_client, sandbox
):
    """Names are escaped a list at a time (one call for 1,000 names); a name with a line break
    of its own, or markup in it, must come out as text all the same, on every line."""
    folder = demo_client.files(project=PROJECT, names=["alignments"]).items[0]
    names = [
        '<img src=x onerror="window.pwned=1">.bam',
        "two\nlines & <b>bold</b>.bam",
        "plain.bam",
    ]
    items = [{"name": n, "metadata": {"sample_id": f"S{i}"}} for i, n in enumerate(names)]
    items += [{"name": n + ".bai"} for n in names]  # indexed: their rows carry no marks
    added = sandbox.add_files(PROJECT, items, parent=folder["id"])["items"][: len(names)]
    data, _ = deepvariant_form(demo_client, "preview")
    data.setlist("inputs-reads", [" ".join(f["id"] for f in added)])
    html = signed_in.post(url(demo_client), data=data).get_data(as_text=True)
    assert "<img src=x" not in html and "<b>bold" not in html
    shown = ["&lt;img src=x onerror=&#34;window.pwned=1&#34;&gt;.bam"]
    shown += ["two\nlines &amp; &lt;b&gt;bold&lt;/b&gt;.bam", "plain.bam"]
    for file, name in zip(added, shown, strict=True):
        assert f'<span class="chosen-file" data-file-id="{file["id"]}">{name}</span>' in html
        assert f"<li><bdi>{name}</bdi></li>" in html  # its child task's row
