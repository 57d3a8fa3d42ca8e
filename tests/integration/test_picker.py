"""The file picker's endpoints against the sandbox on a loopback port: folders and breadcrumbs,
exact-name and metadata filters, paging deep into the 100,000-file project, the type filter,
escaping, and a constant number of platform calls per page."""

import re
from html.parser import HTMLParser

import pytest
from markupsafe import escape

from app import create_app

PROJECT = "demo-user/pediatric-wgs"
BIG = "demo-user/big-cohort"
PICKER = {"X-Requested-With": "picker"}


@pytest.fixture
def client(sandbox, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SB_API_ENDPOINT": sandbox.api_url,
            "SB_AUTH_TOKEN": sandbox.token,  # the deployment's token: no sign-in step
            "SECRET_KEY": "picker-tests",
            "SESSION_FILE_DIR": str(tmp_path / "sessions"),
        }
    )
    return app.test_client()


class Page(HTMLParser):
    """What a user reads and can follow on a page: links by text, choices, file names, text."""

    def __init__(self, markup):
        super().__init__(convert_charrefs=True)
        self.links = []  # (text, href)
        self.choices = []  # attributes of each [data-picker-choice] input
        self.file_names = []  # the name cells of the no-script page
        self._anchor = None
        self._anchor_label = None
        self._in_name = False
        self._text = []
        self.feed(markup)
        self.file_names = [" ".join(name.split()) for name in self.file_names]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self._anchor = [attrs.get("href"), ""]
            self._anchor_label = attrs.get("aria-label")  # the accessible name wins
        if tag == "input" and "data-picker-choice" in attrs:
            self.choices.append(attrs)
        if tag == "td" and attrs.get("class") == "picker-name":
            self._in_name = True
            self.file_names.append("")

    def handle_endtag(self, tag):
        if tag == "a" and self._anchor:
            href, text = self._anchor
            self.links.append((self._anchor_label or " ".join(text.split()), href))
            self._anchor = None
        if tag == "td":
            self._in_name = False

    def handle_data(self, data):
        self._text.append(data)
        if self._anchor:
            self._anchor[1] += data
        if self._in_name:
            self.file_names[-1] += data

    @property
    def text(self):
        return " ".join(" ".join(self._text).split())

    def link(self, text):
        found = [href for label, href in self.links if label == text]
        assert found, f"no link {text!r} among {[label for label, _ in self.links]}"
        return found[0]


def browse(client, project=PROJECT, headers=None, **query):
    response = client.get(f"/projects/{project}/files", query_string=query, headers=headers)
    return response, Page(response.get_data(as_text=True))


def upstream(sandbox):
    """The platform calls made since the log was last cleared: {"GET /v2/files": n, ...}."""
    return sandbox.requests()["counts"]


def test_project_root_lists_folders_and_files_with_ids_to_copy(client, sandbox):
    response, page = browse(client)
    assert response.status_code == 200
    assert "<html" in response.get_data(as_text=True)  # a whole page, usable without JS
    assert "Items 1–30 of 30." in page.text
    for folder in ("alignments/", "references/", "variants/", "fastq/"):
        assert f"Folder {folder}" in [label for label, _ in page.links]
    assert "samplesheet.csv" in page.text
    ids = re.findall(r"<code>([0-9a-f]{24})</code>", response.get_data(as_text=True))
    assert len(ids) == 30


def test_folders_open_with_breadcrumbs_named_in_one_bulk_call(client, sandbox):
    _, root = browse(client)
    _, variants = browse_link(client, root.link("Folder variants/"))
    assert "Items 1–2 of 2 in this folder." in variants.text
    sandbox.clear_requests()
    response, somatic = browse_link(client, variants.link("Folder somatic/"))
    assert response.status_code == 200
    assert re.search(r"Project files variants somatic Items 1–6 of 6", somatic.text)
    assert any(name.endswith(".strelka2.somatic.vcf.gz") for name in names_on(somatic))
    # One list call, and one bulk call that names the folder and its ancestors.
    assert upstream(sandbox) == {"GET /v2/files": 1, "POST /v2/bulk/files/get": 1}
    # The breadcrumbs lead back up.
    _, again = browse_link(client, somatic.link("variants"))
    assert "Folder germline/" in [label for label, _ in again.links]
    _, top = browse_link(client, somatic.link("Project files"))
    assert "Items 1–30 of 30." in top.text


def test_a_folder_link_without_its_trail_still_gets_breadcrumbs(client, sandbox):
    _, root = browse(client)
    _, fastq = browse_link(client, root.link("Folder fastq/"))
    _, archive = browse_link(client, fastq.link("Folder archive/"))
    run_href = archive.link("Folder 2023-run/")
    parent = re.search(r"parent=([0-9a-f]+)", run_href).group(1)
    sandbox.clear_requests()
    response, run = browse(client, parent=parent)  # e.g. a bookmarked address
    assert response.status_code == 200
    assert "Project files fastq archive 2023-run" in run.text
    calls = upstream(sandbox)
    # A few GETs up the parent chain, never one per file.
    assert calls.get("GET /v2/files/<file_id>", 0) <= 3
    assert sum(calls.values()) <= 6
    # Its links carry the trail again, so the next page costs one bulk call.
    sandbox.clear_requests()
    browse_link(client, run.link("archive"))
    assert upstream(sandbox) == {"GET /v2/files": 1, "POST /v2/bulk/files/get": 1}


def test_a_file_in_a_folder_link_is_not_a_folder(client, sandbox):
    # Bulk items do not say what is a folder; listing a file is what the platform refuses.
    _, root = browse(client)
    href = root.link("Folder variants/")
    trail = re.search(r"trail=([0-9a-f]+)", href).group(1)
    found, _ = browse(client, name="samplesheet.csv")
    [file_id] = re.findall(r"<code>([0-9a-f]{24})</code>", found.get_data(as_text=True))
    for headers in (None, PICKER):
        response, page = browse(client, headers=headers, parent=file_id, trail=trail)
        assert response.status_code == 404
        assert "This folder was not found in this project." in page.text
        response, page = browse(client, headers=headers, parent=file_id)  # no trail: a GET
        assert response.status_code == 404


def test_a_trail_through_another_project_is_not_believed(client, sandbox):
    _, root = browse(client)
    _, variants = browse_link(client, root.link("Folder variants/"))
    href = variants.link("Folder somatic/")
    parent = re.search(r"parent=([0-9a-f]+)", href).group(1)
    trail = re.search(r"trail=([0-9a-f,]+)", href).group(1).split(",")
    _, other = browse(client, project="demo-user/rnaseq-pilot")
    elsewhere = re.search(r"parent=([0-9a-f]+)", other.link("Folder reference/")).group(1)
    response, page = browse(client, parent=parent, trail=",".join([trail[0], elsewhere]))
    assert response.status_code == 200
    # The breadcrumbs come from the folder's own parent chain instead.
    assert "Project files variants somatic" in page.text and "reference" not in page.text


def test_the_root_folder_by_id_is_the_project_top(client, sandbox):
    _, root = browse(client)
    trail = re.search(r"trail=([0-9a-f]+)", root.link("Folder variants/")).group(1)
    response, page = browse(client, parent=trail)  # the trail starts at the root folder
    assert response.status_code == 200
    assert "Items 1–30 of 30." in page.text and "in this folder" not in page.text


def test_exact_name_filter(client, sandbox):
    response, page = browse(client, name="samplesheet.csv")
    assert "Items 1–1 of 1." in page.text
    assert "samplesheet.csv" in page.text
    assert "(exact match)" in page.text
    sandbox_query = sandbox.requests()["requests"][-1]["query"]
    assert sandbox_query["name"] == ["samplesheet.csv"]
    _, partial = browse(client, name="samplesheet")
    assert "No files or folders here match these filters." in partial.text


def test_metadata_filters_or_within_a_key_and_across_keys(client, sandbox):
    _, page = browse(client, mkey=["sample_type"], mval=["Tumor"])
    tumour = names_on(page)
    assert tumour and all(name.endswith(".fastq.gz") for name in tumour)
    samples = sorted({name.split("_")[0] + "_" + name.split("_")[1] for name in tumour})
    assert len(samples) == 3

    # Two values of one key: files of either sample.
    _, either = browse(client, mkey=["sample_id", "sample_id"], mval=samples[:2])
    either_names = names_on(either)
    assert {n.rsplit("_", 3)[0] for n in either_names} == set(samples[:2])
    query = sandbox.requests()["requests"][-1]["query"]
    assert query["metadata.sample_id"] == samples[:2]

    # Different keys: files with both.
    _, both = browse(client, mkey=["sample_id", "paired_end"], mval=[samples[0], "1"])
    both_names = names_on(both)
    assert both_names and all(
        n.startswith(samples[0]) and n.endswith("_R1.fastq.gz") for n in both_names
    )
    # The filters are shown back, ready to change.
    response, _ = browse(client, mkey=["sample_id", "paired_end"], mval=[samples[0], "1"])
    assert 'name="mkey" value="paired_end"' in response.get_data(as_text=True)


def test_paging_deep_into_the_big_project(client, sandbox):
    sandbox.clear_requests()
    response, page = browse(client, project=BIG, offset=99_900)
    assert response.status_code == 200
    assert "Items 99,901–99,950 of 100,005." in page.text
    assert len(names_on(page)) == 50
    previous = page.link("Previous page")
    assert "offset=99850" in previous
    assert "offset=99950" in page.link("Next page")
    calls = sandbox.requests()
    assert calls["counts"] == {"GET /v2/files": 1}
    assert calls["requests"][0]["query"]["offset"] == ["99900"]
    assert calls["requests"][0]["query"]["limit"] == ["50"]
    # The last page, reached by its number.
    _, last = browse(client, project=BIG, page="2001")
    assert "Items 100,001–100,005 of 100,005." in last.text
    assert "Next page" not in [label for label, _ in last.links]


def test_a_page_past_the_end_offers_the_first_page(client, sandbox):
    response, page = browse(client, offset=500)
    assert response.status_code == 200
    assert "There are 30 items here; this page is past the last one." in page.text
    _, first = browse_link(client, page.link("Go to the first page"))
    assert "Items 1–30 of 30." in first.text
    _, garbled = browse(client, offset="lots", page="x")
    assert "Items 1–30 of 30." in garbled.text  # nonsense in the address: the first page


def test_every_page_costs_the_same_few_calls(client, sandbox):
    counts = []
    for query in (
        {},
        {"offset": 50_000},
        {"offset": 99_950},
        {"mkey": "sample_id", "mval": "BS_00000001"},
    ):
        sandbox.clear_requests()
        browse(client, project=BIG, headers=PICKER, **query)
        counts.append(upstream(sandbox))
    assert counts == [{"GET /v2/files": 1}] * 4
    _, root = browse(client, project=BIG)
    sandbox.clear_requests()
    _, folder = browse_link(client, root.link("Folder batch-02/"))
    assert "Items 1–50 of 500 in this folder." in folder.text
    assert upstream(sandbox) == {"GET /v2/files": 1, "POST /v2/bulk/files/get": 1}


def test_type_filter_hides_other_files_of_the_page_and_can_be_switched_off(client, sandbox):
    _, alignments = browse_link(client, browse(client)[1].link("Folder alignments/"))
    href = alignments.link("Folder cram/")
    parent = re.search(r"parent=([0-9a-f]+)", href).group(1)
    trail = re.search(r"trail=([0-9a-f,]+)", href).group(1)
    _, only_cram = browse(client, parent=parent, trail=trail, types="cram")
    assert sorted(names_on(only_cram)) == sorted(
        n for n in names_on(only_cram) if n.endswith(".cram")
    )
    assert len(names_on(only_cram)) == 3
    assert "2 files of other types hidden on this page." in only_cram.text
    _, everything = browse_link(client, only_cram.link("Show all file types"))
    assert len(names_on(everything)) == 5  # 3 CRAM, 2 CRAI (one CRAI sits a folder up)
    assert any(n.endswith(".crai") for n in names_on(everything))
    assert "Show only .cram files" in [label for label, _ in everything.links]
    # Folders always show, whatever the types.
    _, top = browse(client, types="bam")
    assert "Folder alignments/" in [label for label, _ in top.links]


def test_hostile_file_names_show_as_text(client, sandbox):
    hostile = '<img src=x onerror="alert(1)">&<script>alert(2)</script>.bam'
    sandbox.add_files(PROJECT, [{"name": hostile, "metadata": {"sample_id": "<b>S</b>"}}])
    for headers in (None, PICKER):
        response, page = browse(client, headers=headers, name=hostile, multiple="1")
        markup = response.get_data(as_text=True)
        assert "<script>alert(2)" not in markup
        assert "<img src=x" not in markup
        assert "<b>S</b>" not in markup
        assert str(escape(hostile)) in markup
        assert hostile in page.text  # the user reads the name as it is
    assert [choice["data-name"] for choice in page.choices] == [hostile]


def test_fragment_for_the_script_has_choices_and_no_page_around_it(client, sandbox):
    response, page = browse(client, headers=PICKER, multiple="1", types="gz")
    markup = response.get_data(as_text=True)
    assert "<html" not in markup and "data-picker-listing" in markup
    assert page.choices and all(c["type"] == "checkbox" for c in page.choices)
    assert all(c["data-name"].endswith(".gz") for c in page.choices)
    _, single = browse(client, fragment="1")
    assert single.choices and all(c["type"] == "radio" for c in single.choices)
    assert "ID (to copy)" not in single.text


def test_directory_inputs_choose_folders(client, sandbox):
    _, page = browse(client, headers=PICKER, kind="Directory")
    chosen = sorted(c["data-name"] for c in page.choices)
    assert chosen == ["alignments", "fastq", "references", "variants"]
    assert "26 files on this page not shown: this input takes folders." in page.text


def test_unknown_folder(client, sandbox):
    response, page = browse(client, headers=PICKER, parent="0" * 24)
    assert response.status_code == 404
    assert "Files could not be listed" in page.text
    response, page = browse(client, parent="0" * 24)
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_refused_token_in_the_dialog_says_so(client, sandbox):
    sandbox.fault(method="GET", path="/v2/files", status=401, code=401, times=1)
    response, page = browse(client, headers=PICKER)
    assert response.status_code == 401
    assert "sign-in has expired" in page.text


def test_too_many_requests_in_the_dialog_says_when_to_retry(client, sandbox):
    sandbox.fault(method="GET", path="/v2/files", status=429, code=1000, times=1)
    response, page = browse(client, headers=PICKER)
    assert response.status_code == 429
    assert "too many requests" in page.text and "Try again in" in page.text
    response, page = browse(client, headers=PICKER)  # the fault was for one request
    assert response.status_code == 200 and "Items 1–30 of 30." in page.text


def test_signed_out_visitors_are_sent_to_sign_in(sandbox, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SB_API_ENDPOINT": sandbox.api_url,
            "SB_AUTH_TOKEN": None,
            "SECRET_KEY": "picker-tests",
            "SESSION_FILE_DIR": str(tmp_path / "sessions"),
        }
    )
    client = app.test_client()
    sandbox.clear_requests()
    response = client.get(f"/projects/{PROJECT}/files?offset=50")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]
    response, page = browse(client, headers=PICKER)
    assert response.status_code == 401 and "sign-in has expired" in page.text
    assert sandbox.requests()["requests"] == []  # nothing was asked of the platform


def test_names_of_ids_in_one_bulk_call(client, sandbox):
    _, page = browse(client, headers=PICKER, multiple="1")
    wanted = {c["value"]: c["data-name"] for c in page.choices[:3]}
    sandbox.clear_requests()
    response = client.get(
        f"/projects/{PROJECT}/files/names", query_string={"id": [*wanted, "f" * 24]}
    )
    assert response.get_json()["names"] == wanted
    sizes = response.get_json()["sizes"]  # for the chips' details
    assert set(sizes) == set(wanted) and all(size.endswith("B") for size in sizes.values())
    assert upstream(sandbox) == {"POST /v2/bulk/files/get": 1}


# ---- helpers ---------------------------------------------------------------------------------


def browse_link(client, href):
    response = client.get(href)
    return response, Page(response.get_data(as_text=True))


def names_on(page):
    """The file names listed: the choices in the dialog, the name cells on the page."""
    if page.choices:
        return [choice["data-name"] for choice in page.choices]
    return page.file_names
