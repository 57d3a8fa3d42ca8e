"""Files: listing one level, filters, paging, details, folders, bulk get, the 100k project."""

import json

import pytest
from sandbox_helpers import assert_error

WGS = "demo-user/pediatric-wgs"
BIG = "demo-user/big-cohort"


def test_project_listing_is_one_level_with_folders(raw_api, sandbox):
    items = raw_api.files(WGS)
    folders = {i["name"] for i in items if i["type"] == "folder"}
    assert folders == {"alignments", "references", "variants", "fastq"}
    root = raw_api.get(f"/projects/{WGS}").json()["root_folder"]
    assert all(i["parent"] == root and i["project"] == WGS for i in items)
    names = {i["name"] for i in items}
    assert not any(n.endswith(".bam") for n in names)  # those live in alignments/
    fastq = next(i for i in items if i["name"].endswith("_R1.fastq.gz"))
    assert fastq["href"] == f"{sandbox.api_url}/files/{fastq['id']}"
    assert len(fastq["id"]) == 24 and int(fastq["id"], 16) >= 0
    assert isinstance(fastq["size"], int) and fastq["created_on"].endswith("Z")
    assert fastq["storage"]["type"] == "PLATFORM"


def test_seed_has_realistic_paired_reads_and_companion_files(raw_api):
    names = {i["name"] for i in raw_api.files(WGS)}
    r1 = {n for n in names if n.endswith("_R1.fastq.gz") and n.startswith("BS_")}
    assert len(r1) == 12
    assert all(n.replace("_R1.", "_R2.") in names for n in r1)
    alignments = {
        i["name"] for i in raw_api.files(parent=raw_api.file_named(WGS, "alignments")["id"])
    }
    bams = {n for n in alignments if n.endswith(".bam")}
    indexed = {b for b in bams if f"{b}.bai" in alignments}
    assert len(bams) == 7 and len(indexed) == 6  # one BAM without its index, on purpose
    cram = raw_api.folder_path(WGS, "alignments", "cram")
    crams = {i["name"] for i in raw_api.files(parent=cram["id"])}
    assert any(n.endswith(".cram") for n in crams) and any(n.endswith(".crai") for n in crams)
    grch38 = raw_api.folder_path(WGS, "references", "GRCh38")
    refs = {i["name"] for i in raw_api.files(parent=grch38["id"])}
    assert {
        "Homo_sapiens_assembly38.fasta",
        "Homo_sapiens_assembly38.fasta.fai",
        "Homo_sapiens_assembly38.dict",
    } <= refs
    assert any(n.endswith(".vcf.gz") for n in refs) and any(n.endswith(".tbi") for n in refs)
    assert any(n.endswith(".bed") for n in refs)
    deep = raw_api.folder_path(WGS, "fastq", "archive", "2023-run")  # three levels down
    assert raw_api.files(parent=deep["id"])


def test_metadata_is_rich_and_sometimes_missing_or_inconsistent(raw_api):
    fastqs = [i for i in raw_api.files(WGS) if i["name"].endswith(".fastq.gz")]
    keys = {
        "sample_id",
        "case_id",
        "library_id",
        "platform_unit_id",
        "file_segment_number",
        "experimental_strategy",
        "platform",
        "paired_end",
    }
    complete = [f for f in fastqs if keys <= set(f["metadata"])]
    assert len(complete) >= 20
    assert any("sample_id" not in f["metadata"] for f in fastqs)
    assert {f["metadata"].get("platform") for f in fastqs} >= {"Illumina", "ILLUMINA"}
    assert any(f["metadata"] == {} for f in fastqs)


def test_exactly_one_of_project_or_parent(raw_api):
    root = raw_api.get(f"/projects/{WGS}").json()["root_folder"]
    assert_error(raw_api.get("/files", params={"project": WGS, "parent": root}), 400, 5031)
    assert_error(raw_api.get("/files"), 400, 90000)
    assert_error(raw_api.get("/files", params={"project": "no-slash"}), 400, 5005)
    assert_error(raw_api.get("/files", params={"project": "demo-user/nope"}), 404, 3002)
    assert_error(raw_api.get("/files", params={"project": "other-user/private-study"}), 403, 3001)
    a_file = raw_api.files(WGS)[0]
    assert a_file["type"] == "file"
    assert_error(raw_api.get("/files", params={"parent": a_file["id"]}), 400, 5022)
    assert_error(raw_api.get("/files", params={"parent": "0" * 24}), 404, 5002)


def test_name_metadata_and_tag_filters(raw_api):
    fastqs = [
        i
        for i in raw_api.files(WGS)
        if i["name"].endswith(".fastq.gz") and "sample_id" in i["metadata"]
    ]
    s1, s2 = sorted({f["metadata"]["sample_id"] for f in fastqs})[:2]
    one = raw_api.files(WGS, **{"metadata.sample_id": s1})
    assert one and all(f["metadata"]["sample_id"] == s1 for f in one)
    # OR within one key
    both = raw_api.files(WGS, **{"metadata.sample_id": [s1, s2]})
    assert {f["metadata"]["sample_id"] for f in both} == {s1, s2}
    # AND across keys
    r1 = raw_api.files(WGS, **{"metadata.sample_id": [s1, s2], "metadata.paired_end": "1"})
    assert r1 and len(r1) < len(both)
    assert all(f["metadata"]["paired_end"] == "1" for f in r1)
    names = [one[0]["name"], one[1]["name"]]
    assert {f["name"] for f in raw_api.files(WGS, name=names)} == set(names)
    assert raw_api.files(WGS, name="no-such-file.txt") == []
    manifests = raw_api.files(WGS, tag="manifest")
    assert [f["name"] for f in manifests] == ["samplesheet.csv"]
    either = raw_api.files(WGS, tag=["manifest", "raw-reads"])
    assert (
        len(either)
        == len([i for i in raw_api.files(WGS) if i["name"].endswith(".fastq.gz") and i["tags"]]) + 1
    )


def test_paging_limits_and_links(raw_api, sandbox):
    page = raw_api.get("/files", params={"project": WGS, "offset": 5, "limit": 10})
    body = page.json()
    total = int(page.headers["X-Total-Matching-Query"])
    assert len(body["items"]) == 10 and total > 15
    assert body["href"] == f"{sandbox.api_url}/files?project={WGS}&offset=5&limit=10"
    links = {link["rel"]: link["href"] for link in body["links"]}
    assert links["next"].endswith("offset=15&limit=10")
    assert links["prev"].endswith("offset=0&limit=10")
    everything = raw_api.files(WGS)
    assert [i["id"] for i in body["items"]] == [i["id"] for i in everything[5:15]]
    last = raw_api.get("/files", params={"project": WGS, "offset": total - 1}).json()
    assert len(last["items"]) == 1 and [lk["rel"] for lk in last["links"]] == ["prev"]
    for bad in (
        {"limit": 0},
        {"limit": 101},
        {"offset": -1},
        {"limit": "ten"},
        {"limit": "1_0"},
        {"limit": " 5"},
        {"limit": "٣"},
        {"offset": "--1"},
        {"offset": "9" * 5000},
    ):
        assert_error(raw_api.get("/files", params={"project": WGS, **bad}), 400, 90000)
    assert len(raw_api.get("/files", params={"project": WGS}).json()["items"]) == min(50, total)


def test_seed_has_files_whose_companions_are_not_beside_them(raw_api):
    """What the form's companion check shows in the demo (listed in sandbox/README.md)."""
    alignments = raw_api.file_named(WGS, "alignments")
    here = {i["name"] for i in raw_api.files(parent=alignments["id"])}
    lone_bam = [n for n in here if n.endswith(".bam") and f"{n}.bai" not in here]
    assert len(lone_bam) == 1 and lone_bam[0].removesuffix(".bam") + ".bai" not in here
    cram = raw_api.folder_path(WGS, "alignments", "cram")
    crams = {i["name"] for i in raw_api.files(parent=cram["id"])}
    lone_cram = [n for n in crams if n.endswith(".cram") and f"{n}.crai" not in crams]
    assert lone_cram == [lone_bam[0].replace(".bam", ".cram")]
    assert f"{lone_cram[0]}.crai" in here  # one folder up, where the platform does not look
    germline = raw_api.folder_path(WGS, "variants", "germline")
    vcfs = {i["name"] for i in raw_api.files(parent=germline["id"])}
    lone_vcf = [n for n in vcfs if n.endswith(".vcf.gz") and f"{n}.tbi" not in vcfs]
    assert len(lone_vcf) == 1


def test_file_and_folder_details_and_folder_list(raw_api, sandbox):
    folder = raw_api.file_named(WGS, "alignments")
    detail = raw_api.get(f"/files/{folder['id']}").json()
    assert detail["type"] == "folder" and detail["name"] == "alignments"
    listing = raw_api.get(f"/files/{folder['id']}/list", params={"limit": 3, "fields": "_all"})
    assert listing.status_code == 200
    assert len(listing.json()["items"]) == 3
    # 7 BAM + 6 BAI + a CRAI whose CRAM is in cram/ + cram/
    assert int(listing.headers["X-Total-Matching-Query"]) == 15
    a_file = listing.json()["items"][0]
    assert raw_api.get(a_file["href"]).json() == a_file
    assert_error(raw_api.get(f"/files/{a_file['id']}/list"), 400, 5022)
    assert_error(raw_api.get("/files/ffffffffffffffffffffffff"), 404, 5002)


def test_files_of_other_users(raw_api, other_api):
    private = other_api.files("other-user/private-study")[0]
    assert_error(raw_api.get(f"/files/{private['id']}"), 403, 5001)
    shared = other_api.files("other-user/shared-reference")
    assert shared and raw_api.files("other-user/shared-reference") == shared


def test_bulk_get_returns_resources_and_per_item_errors(raw_api, other_api):
    ids = [i["id"] for i in raw_api.files(WGS)[:3]]
    private = other_api.files("other-user/private-study")[0]["id"]
    response = raw_api.post("/bulk/files/get", json={"file_ids": [*ids, "0" * 24, private, 7]})
    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["resource"]["id"] for i in items[:3]] == ids
    # The documented item shape: the file's details, but no `type` and no `parent`.
    listed = {i["id"]: i for i in raw_api.files(WGS)[:3]}
    for item in items[:3]:
        resource = item["resource"]
        assert "type" not in resource and "parent" not in resource
        assert resource == {
            k: v for k, v in listed[resource["id"]].items() if k not in ("type", "parent")
        }
    assert items[3]["error"]["code"] == 5002 and items[3]["error"]["status"] == 404
    assert items[4]["error"]["code"] == 5001 and items[4]["error"]["status"] == 403
    assert items[5]["error"]["status"] == 400
    too_many = raw_api.post("/bulk/files/get", json={"file_ids": ids * 34})
    assert_error(too_many, 400, 90000)
    assert_error(raw_api.post("/bulk/files/get", json={"ids": ids}), 400, 90000)
    # With the advance-access header, as for a file's details, each item says its folder.
    advanced = raw_api.post(
        "/bulk/files/get", json={"file_ids": ids}, headers={"X-SBG-Advance-Access": "advance"}
    ).json()["items"]
    assert [i["resource"]["parent"] for i in advanced] == [listed[i]["parent"] for i in ids]
    assert all("type" not in i["resource"] for i in advanced)


def test_bulk_get_of_the_big_project_says_what_a_stored_file_would(raw_api, other_api):
    first, beyond = "5b16" + "0" * 20, "5b160000" + f"{100_000:016x}"  # its first; past its last
    mine = raw_api.post("/bulk/files/get", json={"file_ids": [first, beyond]}).json()["items"]
    details = raw_api.get(f"/files/{first}").json()
    assert mine[0]["resource"] == {k: v for k, v in details.items() if k not in ("type", "parent")}
    assert mine[1]["error"]["code"] == 5002 and mine[1]["error"]["status"] == 404
    # Another user cannot see the project: refused, as a stored file of it would be.
    theirs = other_api.post("/bulk/files/get", json={"file_ids": [first]}).json()["items"]
    assert theirs[0]["error"]["code"] == 5001 and theirs[0]["error"]["status"] == 403


def test_bulk_items_are_the_details_written_the_same_way(raw_api, sandbox):
    """Bulk replies are joined from each file's JSON (a computed file's is kept): what is sent
    is still the file's details minus `type`/`parent`, written as every other reply is, for
    computed files, stored ones beside them, and files added a moment ago."""
    refs = raw_api.file_named(BIG, "references")
    added = sandbox.add_files(
        BIG,
        [{"name": 'caf\u00e9 <b>&"q".fastq', "metadata": {"sample_id": "S\u00e9", "x": 1.5}}],
    )["items"][0]
    ids = [f"5b16{i:020x}" for i in (0, 13, 99_999)] + [refs["id"], added["id"]]
    for headers, omit in (
        ({}, ("type", "parent")),
        ({"X-SBG-Advance-Access": "advance"}, ("type",)),
    ):
        for _ in range(2):  # the second time from what was kept
            response = raw_api.post("/bulk/files/get", json={"file_ids": ids}, headers=headers)
            details = [raw_api.get(f"/files/{i}").json() for i in ids]
            expected = {
                "items": [
                    {"resource": {k: v for k, v in d.items() if k not in omit}} for d in details
                ]
            }
            assert response.json() == expected
            assert response.text == json.dumps(expected, separators=(",", ":")) + "\n"
    # `href` follows the host the request named, whatever was kept for another host.
    other_host = raw_api.post(
        "/bulk/files/get", json={"file_ids": ids[:1]}, headers={"Host": "example.test:8080"}
    )
    assert other_host.json()["items"][0]["resource"]["href"] == (
        f"http://example.test:8080/v2/files/{ids[0]}"
    )
    sandbox.reset()  # the added file is gone at once
    gone = raw_api.post("/bulk/files/get", json={"file_ids": [added["id"]]}).json()["items"]
    assert gone[0]["error"]["status"] == 404


def test_whole_file_listings_are_the_details_written_the_same_way(raw_api, sandbox):
    """A listing with fields=_all is joined from each item's JSON (a computed one's is kept):
    its items are still the details of each file and folder, written as every reply is."""
    sandbox.add_files(BIG, [{"name": "late.txt", "metadata": {"x": 1e16}}])
    batch = raw_api.file_named(BIG, "batch-01")
    for path, params in (
        ("/files", {"project": BIG, "offset": 0, "limit": 8}),  # folders, then files
        ("/files", {"project": BIG, "offset": 100_000, "limit": 100}),  # stored ones last
        (f"/files/{batch['id']}/list", {"offset": 490, "limit": 20}),
    ):
        response = raw_api.get(path, params={**params, "fields": "_all"})
        page = response.json()
        assert page["items"] == [raw_api.get(f"/files/{i['id']}").json() for i in page["items"]]
        assert response.text == json.dumps(page, separators=(",", ":")) + "\n"
    names = [i["name"] for i in page["items"]]
    assert len(names) == 10 and names[-1] == "BS_01000249.cram.crai"


def test_big_project_pages_deep_into_100k_files(raw_api):
    # (what a page costs at either end is measured by bench/sandbox_bench.py, not asserted)
    first = raw_api.get("/files", params={"project": BIG, "limit": 100})
    # 4 folders of CRAMs, references/, then 100,000 FASTQs
    assert int(first.headers["X-Total-Matching-Query"]) == 100_005
    assert [i["type"] for i in first.json()["items"][:6]] == ["folder"] * 5 + ["file"]
    assert first.json()["items"][4]["name"] == "references"
    deep = raw_api.get(
        "/files", params={"project": BIG, "offset": 99_900, "limit": 100, "fields": "_all"}
    )
    items = deep.json()["items"]
    assert len(items) == 100 and len({i["id"] for i in items}) == 100
    # items 99,900..99,999 are files 99,895..99,994 (after the 5 folders), four per sample
    assert items[-1]["name"] == "BS_00024998_L002_R1.fastq.gz"
    assert raw_api.get(f"/files/{items[-1]['id']}").json() == items[-1]
    tail = raw_api.get("/files", params={"project": BIG, "offset": 100_000, "limit": 100}).json()
    assert len(tail["items"]) == 5 and [lk["rel"] for lk in tail["links"]] == ["prev"]


@pytest.mark.parametrize(
    "alias",
    [
        "5b16ffff0x00000000000001",
        "5b16ffff+000000000000001",
        "5b16ffff00000000_0000001",
        "5B16FFFF0000000000000001",
    ],
)
def test_big_project_ids_are_read_only_in_their_own_spelling(raw_api, alias):
    # each spells folder 1's id (5b16ffff0000000000000001) in a way int(x, 16) also reads
    assert raw_api.get("/files/5b16ffff0000000000000001").status_code == 200
    assert_error(raw_api.get(f"/files/{alias}"), 404, 5002)


def test_big_project_folders_and_filters(raw_api):
    folder = raw_api.file_named(BIG, "batch-02")
    inside = raw_api.get("/files", params={"parent": folder["id"], "offset": 450, "limit": 100})
    assert inside.headers["X-Total-Matching-Query"] == "500"
    assert len(inside.json()["items"]) == 50
    sample = raw_api.files(BIG, **{"metadata.sample_id": "BS_00012345"})
    assert sorted(f["name"] for f in sample) == [
        "BS_00012345_L001_R1.fastq.gz",
        "BS_00012345_L001_R2.fastq.gz",
        "BS_00012345_L002_R1.fastq.gz",
        "BS_00012345_L002_R2.fastq.gz",
    ]


def test_the_big_project_is_a_cohort_to_work_in(raw_api, sandbox):
    # Its references sit beside the reads, and its apps take FASTQs and CRAMs.
    grch38 = raw_api.folder_path(BIG, "references", "GRCh38")
    names = {f["name"] for f in raw_api.files(parent=grch38["id"])}
    assert {"Homo_sapiens_assembly38.fasta", "Homo_sapiens_assembly38.fasta.fai"} <= names
    apps = raw_api.get("/apps", params={"project": BIG}).json()["items"]
    assert {a["id"].split("/")[2] for a in apps} == {
        "fastq-qc",
        "bwa-mem-align",
        "sbg-wes-bwa-gatk4-cwl1",
        "sbg-gatk-haplotypecaller",
    }
    # Every file there can be batched by sample: FASTQs four a sample, CRAMs with their CRAI.
    fastqs = raw_api.get("/files", params={"project": BIG, "offset": 5, "fields": "_all"}).json()
    with_sample = [f for f in fastqs["items"] if f["metadata"].get("sample_id")]
    assert len(with_sample) == 49  # one in 997 lost its sample id
    crams = raw_api.files(parent=raw_api.file_named(BIG, "batch-01")["id"], limit=4)
    assert crams[0]["metadata"]["sample_id"] == crams[1]["metadata"]["sample_id"]
    # Files added (or copied) there come after the computed ones, and filters find them.
    sandbox.add_files(BIG, [{"name": "cohort-manifest.csv", "metadata": {"sample_id": "M1"}}])
    last = raw_api.get("/files", params={"project": BIG, "offset": 100_005, "limit": 10}).json()
    assert [f["name"] for f in last["items"]] == ["cohort-manifest.csv"]
    found = raw_api.files(BIG, **{"metadata.sample_id": "M1"})
    assert [f["name"] for f in found] == ["cohort-manifest.csv"]


def test_reset_rebuilds_the_same_seed(raw_api, sandbox):
    before = [(i["id"], i["name"]) for i in raw_api.files(WGS)]
    sandbox.add_files(WGS, [{"name": "extra.txt"}])
    assert len(raw_api.files(WGS)) == len(before) + 1
    sandbox.reset()
    assert [(i["id"], i["name"]) for i in raw_api.files(WGS)] == before


def test_control_adds_files_and_folders(raw_api, sandbox):
    folder = raw_api.file_named(WGS, "variants")
    added = sandbox.add_files(
        WGS,
        parent=folder["id"],
        files=[
            {"name": "new.vcf.gz", "metadata": {"sample_id": "S9"}, "tags": ["new"]},
            {"name": "sub", "type": "folder"},
        ],
    )
    assert [i["type"] for i in added["items"]] == ["file", "folder"]
    found = raw_api.files(parent=folder["id"], **{"metadata.sample_id": "S9"})
    assert [f["name"] for f in found] == ["new.vcf.gz"] and found[0]["tags"] == ["new"]
