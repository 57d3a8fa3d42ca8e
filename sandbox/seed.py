"""Deterministic seed data: users, projects, files with CAVATICA metadata, and apps.

Everything comes from one fixed-seed random generator, so a reset always rebuilds the same world
(same file ids, same names) and tests can rely on it.
"""

import random
from datetime import UTC, datetime, timedelta

SEED = 20240301
DEMO_TOKEN = "sandbox-demo-token-0f1e2d3c4b5a69788796a5b4"
OTHER_TOKEN = "sandbox-other-token-a1b2c3d4e5f60718293a4b5c"
DEMO_USER = "demo-user"
OTHER_USER = "other-user"
PUBLIC_PROJECT = "admin/sbg-public-data"

# Real apps without platform metadata get a latest revision here so that some apps have history.
EXTRA_REVISIONS = {"kfdrc-deepvariant": 2, "uw-genesis-null-model": 3, "kfdrc-rnaseq-wf": 1}
PUBLIC_APPS = ("sbg-bamtools-index-draft2", "sbg-wes-bwa-gatk4-cwl1")
# Real apps installed in the 100,000-file project too (with the demo apps): reads (FASTQ) in,
# and aligned reads (CRAM) in, so a large cohort can be batched either way.
BIG_PROJECT_APPS = ("sbg-wes-bwa-gatk4-cwl1", "sbg-gatk-haplotypecaller")

EPOCH = datetime(2024, 3, 1, 9, 0, 0, tzinfo=UTC)
ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def users(demo_token):
    return [
        {
            "username": DEMO_USER,
            "token": demo_token,
            "email": "demo-user@example.org",
            "first_name": "Demo",
            "last_name": "User",
            "affiliation": "Sandbox Pediatric Genomics Lab",
            "phone": "",
            "address": "",
            "city": "Philadelphia",
            "state": "PA",
            "country": "United States",
            "zip_code": "",
            "role": "USER",
        },
        {
            "username": OTHER_USER,
            "token": OTHER_TOKEN,
            "email": "other-user@example.org",
            "first_name": "Olive",
            "last_name": "Other",
            "affiliation": "Sandbox Reference Core",
            "phone": "",
            "address": "",
            "city": "Boston",
            "state": "MA",
            "country": "United States",
            "zip_code": "",
            "role": "USER",
        },
    ]


# (id, display name, description, members {username: permission}); "admin" may write and run.
PROJECTS = [
    (
        "demo-user/pediatric-wgs",
        "Pediatric WGS Cohort",
        "Whole-genome sequencing of tumour/normal pairs.",
        {DEMO_USER: "admin"},
    ),
    (
        "demo-user/rnaseq-pilot",
        "RNA-seq Pilot",
        "Pilot RNA-seq run, three samples.",
        {DEMO_USER: "admin"},
    ),
    (
        "demo-user/big-cohort",
        "Large Cohort (100,000 files)",
        "A very large project to page through.",
        {DEMO_USER: "admin"},
    ),
    ("demo-user/scratch", "Scratch", "Empty project for experiments.", {DEMO_USER: "admin"}),
    (
        "other-user/shared-reference",
        "Shared Reference Panel",
        "Reference alignments shared read-only with the demo user.",
        {OTHER_USER: "admin", DEMO_USER: "read"},
    ),
    ("other-user/private-study", "Private Study", "Not shared with anyone.", {OTHER_USER: "admin"}),
    (PUBLIC_PROJECT, "SBG Public Data", "Public apps.", {}),
]
BIG_PROJECT = "demo-user/big-cohort"


class FileMaker:
    """Builds file and folder records with deterministic ids, sizes and timestamps."""

    def __init__(self, rng):
        self.rng = rng
        self.clock = EPOCH
        self.records = []

    def new_id(self):
        while True:
            value = f"{self.rng.getrandbits(96):024x}"
            if not value.startswith("5b16"):  # that prefix belongs to the big project
                return value

    def _stamp(self):
        self.clock += timedelta(minutes=7)
        return iso(self.clock)

    def folder(self, project, parent, name):
        stamp = self._stamp()
        rec = {
            "id": self.new_id(),
            "name": name,
            "project": project,
            "parent": parent,
            "type": "folder",
            "created_on": stamp,
            "modified_on": stamp,
        }
        self.records.append(rec)
        return rec["id"]

    def file(self, project, parent, name, size, metadata=None, tags=()):
        stamp = self._stamp()
        rec = {
            "id": self.new_id(),
            "name": name,
            "size": size,
            "project": project,
            "parent": parent,
            "type": "file",
            "created_on": stamp,
            "modified_on": stamp,
            "storage": {"type": "PLATFORM", "hosted_on_locations": ["aws:us-east-1"]},
            "origin": {},
            "tags": list(tags),
            "metadata": dict(metadata or {}),
        }
        self.records.append(rec)
        return rec["id"]


def kf_id(rng, prefix):
    return prefix + "_" + "".join(rng.choice(ID_ALPHABET) for _ in range(8))


REFERENCE_FILES = [
    ("Homo_sapiens_assembly38.fasta", 3_249_912_778),
    ("Homo_sapiens_assembly38.fasta.fai", 160_928),
    ("Homo_sapiens_assembly38.dict", 581_712),
    ("Homo_sapiens_assembly38.dbsnp138.vcf.gz", 3_212_729_122),
    ("Homo_sapiens_assembly38.dbsnp138.vcf.gz.tbi", 2_497_984),
    ("Mills_and_1000G_gold_standard.indels.hg38.vcf.gz", 20_685_594),
    ("Mills_and_1000G_gold_standard.indels.hg38.vcf.gz.tbi", 1_500_683),
    ("1000G_phase1.snps.high_confidence.hg38.vcf.gz", 1_888_262_073),
    ("1000G_phase1.snps.high_confidence.hg38.vcf.gz.tbi", 2_128_536),
    ("wgs_calling_regions.hg38.interval_list", 5_837_870),
    ("exome_calling_regions.v1.1.hg38.bed", 7_052_148),
]


def reference_folder(fm, project, parent):
    ref = fm.folder(project, parent, "references")
    grch38 = fm.folder(project, ref, "GRCh38")
    for name, size in REFERENCE_FILES:
        fm.file(project, grch38, name, size, {"reference_genome": "GRCh38"}, ["reference"])
    return grch38


def paired_fastqs(fm, rng, project, parent, samples, strategy, lanes=2):
    """Paired-end FASTQs, one pair per lane, with the metadata a batch by sample needs."""
    for sample_id, case_id, sample_type in samples:
        flowcell = "H" + "".join(rng.choice("ABCDEFGHJKLMNPRSTVWXY2345679") for _ in range(8))
        for lane in range(1, lanes + 1):
            for read in (1, 2):
                meta = {
                    "sample_id": sample_id,
                    "case_id": case_id,
                    "library_id": f"{sample_id}-{strategy.replace('-', '')}-LIB1",
                    "platform_unit_id": f"{flowcell}.{lane}",
                    "file_segment_number": "1",
                    "experimental_strategy": strategy,
                    "platform": "Illumina",
                    "paired_end": str(read),
                    "quality_scale": "sanger",
                    "sample_type": sample_type,
                }
                name = f"{sample_id}_{flowcell}_L00{lane}_R{read}.fastq.gz"
                fm.file(
                    project,
                    parent,
                    name,
                    rng.randint(2_000_000_000, 9_000_000_000),
                    meta,
                    [strategy, "raw-reads"],
                )


def seed_files(root_ids):
    """All file and folder records of the normal (small) projects."""
    rng = random.Random(SEED)
    fm = FileMaker(rng)
    # Pediatric WGS: three cases, tumour + normal each.
    project, root = "demo-user/pediatric-wgs", root_ids["demo-user/pediatric-wgs"]
    samples = []
    for _ in range(3):
        case_id = kf_id(rng, "PT")
        samples += [(kf_id(rng, "BS"), case_id, "Tumor"), (kf_id(rng, "BS"), case_id, "Normal")]
    first = len(fm.records)
    paired_fastqs(fm, rng, project, root, samples, "WGS")
    fastqs = fm.records[first:]
    # Deliberately messy metadata, as real uploads are.
    fastqs[-1]["metadata"].pop("sample_id")
    fastqs[-5]["metadata"]["platform"] = "ILLUMINA"
    fastqs[-6]["metadata"].pop("paired_end")
    fm.file(project, root, "Undetermined_S0_L001_R1.fastq.gz", 412_331_022)
    fm.file(project, root, "samplesheet.csv", 2_318, tags=["manifest"])
    alignments = fm.folder(project, root, "alignments")
    for sample_id, case_id, sample_type in samples:
        meta = {
            "sample_id": sample_id,
            "case_id": case_id,
            "experimental_strategy": "WGS",
            "platform": "Illumina",
            "reference_genome": "GRCh38",
            "sample_type": sample_type,
        }
        fm.file(
            project, alignments, f"{sample_id}.bam", rng.randint(40, 120) * 10**9, meta, ["aligned"]
        )
        fm.file(project, alignments, f"{sample_id}.bam.bai", rng.randint(6, 9) * 10**6, meta)
    crams = fm.folder(project, alignments, "cram")
    for sample_id, case_id, _ in samples[:2]:
        meta = {"sample_id": sample_id, "case_id": case_id, "reference_genome": "GRCh38"}
        fm.file(project, crams, f"{sample_id}.cram", rng.randint(15, 30) * 10**9, meta)
        fm.file(project, crams, f"{sample_id}.cram.crai", rng.randint(1, 3) * 10**6, meta)
    reference_folder(fm, project, root)
    variants = fm.folder(project, root, "variants")
    germline = fm.folder(project, variants, "germline")
    for sample_id, case_id, sample_type in samples:
        if sample_type == "Normal":
            meta = {"sample_id": sample_id, "case_id": case_id, "reference_genome": "GRCh38"}
            fm.file(project, germline, f"{sample_id}.g.vcf.gz", rng.randint(4, 9) * 10**9, meta)
            fm.file(project, germline, f"{sample_id}.g.vcf.gz.tbi", 2_450_117, meta)
    somatic = fm.folder(project, variants, "somatic")
    for sample_id, case_id, sample_type in samples:
        if sample_type == "Tumor":
            meta = {"case_id": case_id, "sample_id": sample_id, "reference_genome": "hg38"}
            fm.file(project, somatic, f"{case_id}.strelka2.somatic.vcf.gz", 38_551_902, meta)
            fm.file(project, somatic, f"{case_id}.strelka2.somatic.vcf.gz.tbi", 1_102_334, meta)
    fastq_dir = fm.folder(project, root, "fastq")
    archive = fm.folder(project, fastq_dir, "archive")
    run_2023 = fm.folder(project, archive, "2023-run")
    paired_fastqs(fm, rng, project, run_2023, samples[:1], "WGS", lanes=1)

    # RNA-seq pilot.
    project, root = "demo-user/rnaseq-pilot", root_ids["demo-user/rnaseq-pilot"]
    rna = [(kf_id(rng, "BS"), kf_id(rng, "PT"), "Tumor") for _ in range(3)]
    paired_fastqs(fm, rng, project, root, rna, "RNA-Seq", lanes=1)
    ref = fm.folder(project, root, "reference")
    fm.file(
        project,
        ref,
        "gencode.v39.primary_assembly.annotation.gtf",
        1_585_093_445,
        {"reference_genome": "GRCh38"},
        ["reference"],
    )
    fm.file(
        project,
        ref,
        "STAR_2.7.10a_GENCODE39.tar.gz",
        29_416_312_100,
        {"reference_genome": "GRCh38"},
        ["reference"],
    )
    fm.file(
        project,
        ref,
        "GRCh38.primary_assembly.genome.fa",
        3_151_425_857,
        {"reference_genome": "GRCh38"},
        ["reference"],
    )

    # The other user's projects.
    project, root = "other-user/shared-reference", root_ids["other-user/shared-reference"]
    reference_folder(fm, project, root)
    for _ in range(2):
        sample_id, case_id = kf_id(rng, "BS"), kf_id(rng, "PT")
        meta = {
            "sample_id": sample_id,
            "case_id": case_id,
            "reference_genome": "GRCh38",
            "experimental_strategy": "WXS",
        }
        fm.file(project, root, f"{sample_id}.bam", rng.randint(8, 20) * 10**9, meta)
        fm.file(project, root, f"{sample_id}.bam.bai", 5_812_003, meta)
    project, root = "other-user/private-study", root_ids["other-user/private-study"]
    paired_fastqs(
        fm, rng, project, root, [(kf_id(rng, "BS"), kf_id(rng, "PT"), "Normal")], "WXS", lanes=1
    )
    demo_folders = {
        r["name"]: r["id"]
        for r in fm.records
        if r["project"] == "demo-user/pediatric-wgs" and r["type"] == "folder"
    }
    unindexed_files(fm, rng, demo_folders)

    # The large cohort keeps its references beside its computed reads, as a real one would
    # (made last, so every other seed id stays the same).
    reference_folder(fm, BIG_PROJECT, root_ids[BIG_PROJECT])
    return fm.records


def suggested_files(raw):
    """[(id, name)] of the File objects an app's inputs suggest (`sbg:suggestedValue`), with
    their companion files: on the platform they live in the public reference files."""
    found = []

    def walk(value):
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict) and value.get("class") == "File":
            path, name = value.get("path"), value.get("name")
            if isinstance(path, str) and isinstance(name, str) and len(path) == 24:
                found.append((path.lower(), name))
            walk(value.get("secondaryFiles") or [])

    inputs = raw.get("inputs") if isinstance(raw, dict) else None
    for spec in inputs.values() if isinstance(inputs, dict) else inputs or []:
        if isinstance(spec, dict):
            walk(spec.get("sbg:suggestedValue"))
    return found


def public_reference_files(apps, root, rng):
    """The public reference project's files: every file the apps suggest, under the ids the
    apps name (so a suggestion points at a file that exists), at its root."""
    fm = FileMaker(rng)
    seen = set()
    for _name, raw in apps:
        for file_id, name in suggested_files(raw):
            if file_id in seen or not all(c in "0123456789abcdef" for c in file_id):
                continue
            seen.add(file_id)
            fm.file(
                PUBLIC_PROJECT,
                root,
                name,
                1_000_000 + len(seen) * 7919,
                {"reference_genome": "GRCh38" if "38" in name else "GRCh37"},
                ["reference"],
            )
            fm.records[-1]["id"] = file_id
    return fm.records


def unindexed_files(fm, rng, folders):
    """Files of the demo project whose index is not beside them, as happens with real uploads,
    so the form's companion check has something to show. Made last, so that every other id of
    the seed stays what it was."""
    project = "demo-user/pediatric-wgs"
    case_id = kf_id(rng, "PT")
    sample_id = kf_id(rng, "BS")  # one sample, re-sequenced: a BAM and a CRAM, no index beside
    meta = {
        "sample_id": sample_id,
        "case_id": case_id,
        "experimental_strategy": "WGS",
        "platform": "Illumina",
        "reference_genome": "GRCh38",
        "sample_type": "Tumor",
    }
    fm.file(project, folders["alignments"], f"{sample_id}.bam", 88 * 10**9, meta, ["aligned"])
    fm.file(project, folders["cram"], f"{sample_id}.cram", 21 * 10**9, meta)
    # Its index was uploaded one folder up, where the platform will not look for it.
    fm.file(project, folders["alignments"], f"{sample_id}.cram.crai", 2 * 10**6, meta)
    normal = {"sample_id": kf_id(rng, "BS"), "case_id": case_id, "reference_genome": "GRCh38"}
    fm.file(project, folders["germline"], f"{normal['sample_id']}.g.vcf.gz", 6 * 10**9, normal)
