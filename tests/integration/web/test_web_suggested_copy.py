"""A suggested reference file of the public project, copied into the task's project from the
form (confirmed, with the copy's name), then used by the input; the form keeps what was typed."""

from web_helpers import PROJECT, task_posts, text_of, upstream_counts

APP = "cavatica-bcf-call"
PUBLIC = "admin/sbg-public-data"


def form_url(demo_client):
    revision = demo_client.app(f"{PROJECT}/{APP}")["revision"]
    return f"/projects/{PROJECT}/apps/{APP}/new?revision={revision}"


def suggested_fasta(demo_client):
    raw = demo_client.app(f"{PROJECT}/{APP}")["raw"]
    [spec] = [i for i in raw["inputs"] if i["id"].lstrip("#") == "reference_fasta"]
    return spec["sbg:suggestedValue"]


def typed_form(**extra):
    data = {
        "name": "Calls with the suggested reference",
        "description": "typed before copying",
        "submission_id": "0123456789abcdef0123456789abcdef",
        "batch-mode": "off",
    }
    data.update(extra)
    return data


def test_a_suggested_public_file_is_copied_in_and_used(signed_in, demo_client, sandbox):
    fasta = suggested_fasta(demo_client)
    url = form_url(demo_client)
    opened = signed_in.get(url)
    text = text_of(opened)
    assert "Suggested files from another project" in text
    assert f"{fasta['name']} (in {PUBLIC})" in text

    # The first press asks for a confirmation and a name; nothing is copied yet.
    sandbox.clear_requests()
    key = f"reference_fasta/{fasta['path']}"
    asked = signed_in.post(url, data=typed_form(copy_ask=key))
    text = text_of(asked)
    assert f"Copy {fasta['name']} into {PROJECT}?" in text
    assert 'name="copy_name" value="Homo_sapiens_assembly38.fasta"' in asked.get_data(as_text=True)
    assert not any(k.startswith("POST /v2/files/") for k in upstream_counts(sandbox))

    # Confirmed with another name: one copy, and the input now holds it.
    sandbox.clear_requests()
    done = signed_in.post(
        url,
        data=typed_form(
            action="copy",
            copy_input="reference_fasta",
            copy_file=fasta["path"],
            copy_name="GRCh38.fasta",
        ),
    )
    assert done.status_code == 200
    assert upstream_counts(sandbox)["POST /v2/files/<file_id>/actions/copy"] == 1
    [copy] = demo_client.files(project=PROJECT, names=["GRCh38.fasta"]).items
    html = done.get_data(as_text=True)
    assert f'name="inputs-reference_fasta" value="{copy["id"]}"' in html
    assert "“GRCh38.fasta” was copied into this project, and the input uses the copy." in text_of(
        done
    )
    assert "typed before copying" in html  # the rest of the form is as it was
    assert task_posts(sandbox) == []


def test_a_copy_whose_name_is_taken_says_so_and_keeps_the_form(signed_in, demo_client, sandbox):
    fasta = suggested_fasta(demo_client)
    url = form_url(demo_client)
    data = typed_form(
        action="copy",
        copy_input="reference_fasta",
        copy_file=fasta["path"],
        copy_name="samplesheet.csv",  # a file of the project already has that name
    )
    response = signed_in.post(url, data=data)
    text = text_of(response)
    assert "This project already has a file named “samplesheet.csv”" in text
    assert f"Copy {fasta['name']} into {PROJECT}?" in text  # still open, with the name typed
    assert 'value="samplesheet.csv"' in response.get_data(as_text=True)
    assert "typed before copying" in response.get_data(as_text=True)
    # A blank name is refused before anything is sent; an id the app does not suggest too.
    sandbox.clear_requests()
    blank = signed_in.post(url, data={**data, "copy_name": " "})
    assert "Give the copy a name" in text_of(blank)
    other = signed_in.post(url, data={**data, "copy_file": "0" * 24})
    assert "not one this app suggests" in text_of(other)
    assert not any(k.startswith("POST /v2/files/") for k in upstream_counts(sandbox))


def test_a_lost_answer_to_the_copy_is_not_retried(signed_in, demo_client, sandbox):
    fasta = suggested_fasta(demo_client)
    sandbox.fault(method="POST", path="/v2/files/*/actions/copy", drop_connection=True)
    sandbox.clear_requests()
    response = signed_in.post(
        form_url(demo_client),
        data=typed_form(
            action="copy",
            copy_input="reference_fasta",
            copy_file=fasta["path"],
            copy_name="lost.fasta",
        ),
    )
    assert "it is not known whether “lost.fasta” was made" in text_of(response)
    assert upstream_counts(sandbox)["POST /v2/files/<file_id>/actions/copy"] == 1
