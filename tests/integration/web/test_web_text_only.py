"""A file part sent where a form expects text is a 400 that says which field, never a 500."""

import io

import pytest
from web_helpers import PROJECT, a_bam, text_of

BAMTOOLS = f"/projects/{PROJECT}/apps/sbg-bamtools-index-draft2/new?revision=27"


@pytest.mark.parametrize(
    "field", ["name", "description", "inputs-input_bam_file", "submission_id", "batch-mode"]
)
def test_a_file_in_a_text_field_of_the_task_form_is_refused(signed_in, demo_client, sandbox, field):
    data = {
        "name": "x",
        "submission_id": "0123456789abcdef0123456789abcdef",
        "inputs-input_bam_file": a_bam(demo_client)["id"],
        "batch-mode": "off",
    }
    data[field] = (io.BytesIO(b"not text"), "evil.txt")
    response = signed_in.post(BAMTOOLS, data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert f"a file was sent in “{field}”" in text_of(response)
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_file_as_the_token_is_refused(client):
    data = {"token": (io.BytesIO(b"0" * 32), "token.txt")}
    response = client.post("/sign-in", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "a file was sent in “token”" in text_of(response)


def test_a_multipart_form_of_text_still_works(client, sandbox):
    response = client.post(
        "/sign-in", data={"token": sandbox.token}, content_type="multipart/form-data"
    )
    assert response.status_code == 302


def test_a_part_whose_name_cannot_be_read_is_refused(signed_in):
    body = b'--b\r\nContent-Disposition: form-data; name="\r"\r\n\r\nx\r\n--b--\r\n'
    response = signed_in.post(BAMTOOLS, data=body, content_type="multipart/form-data; boundary=b")
    assert response.status_code == 400
    assert "Part of this form could not be read" in text_of(response)
