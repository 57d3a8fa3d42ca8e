"""Pre-flight companion rules on the secondaryFiles forms of the real apps, and the checks a user
reads before a draft is made. Pure code: no app, no network."""

from app_fixtures import load_real_app

import preflight
from appspec import parse_app
from preflight import FOUND, MISSING, UNCHECKED, ChosenFile, Rule, check_file, rules_of


def spec_of(app_name, input_id):
    app = parse_app(load_real_app(app_name))
    return app, app.input(input_id)


def rules_for(app_name, input_id):
    app, spec = spec_of(app_name, input_id)
    return rules_of(spec.secondary_files, app.cwl_version)


def names(rules, file_name):
    return [rule.companion_of(file_name) for rule in rules]


def draft2_tool(step_name):
    """A draft-2 tool inside a real draft-2 workflow: its rules sit in `inputBinding`."""
    raw = load_real_app("sbg-wes-bwa-gatk4-draft2")
    step = next(s for s in raw["steps"] if s["id"] == f"#{step_name}")
    return parse_app(step["run"])


# ---- the pattern rules ---------------------------------------------------------------------


def test_a_v1_0_suffix_is_appended_and_a_caret_strips_one_extension_first():
    rules = rules_for("cavatica-kfdrc-annot-vcf-sub-wf", "indexed_reference_fasta")
    assert [r.pattern for r in rules] == [".fai", "^.dict"]
    assert all(r.required is True for r in rules)  # v1.0: every companion is required
    assert names(rules, "Homo_sapiens_assembly38.fasta") == [
        "Homo_sapiens_assembly38.fasta.fai",
        "Homo_sapiens_assembly38.dict",
    ]
    assert names(rules_for("cavatica-kfdrc-annot-vcf-sub-wf", "input_vcf"), "s1.vcf.gz") == [
        "s1.vcf.gz.tbi"
    ]


def test_two_carets_strip_two_extensions_as_in_the_draft2_fasta_indices_tool():
    raw = load_real_app("sbg-wes-bwa-gatk4-draft2")
    step = next(s for s in raw["steps"] if s["id"] == "#SBG_FASTA_Indices")
    written = step["run"]["outputs"][0]["outputBinding"]["secondaryFiles"]
    assert written == [".fai", "^.dict", "^^.dict"]
    assert names(rules_of(written, "sbg:draft-2"), "ref.fa.gz") == [
        "ref.fa.gz.fai",
        "ref.fa.dict",
        "ref.dict",
    ]
    # With no extension left, a caret changes nothing (CWL's rule).
    assert preflight.companion_name("reference", "^^.dict") == "reference.dict"
    assert preflight.companion_name(".hidden", "^.x") == ".hidden.x"


def test_draft2_strings_are_read_from_the_tools_input_binding():
    tool = draft2_tool("GATK_CollectHsMetrics")
    reference = rules_of(tool.input("reference_sequence").secondary_files, tool.cwl_version)
    assert tool.cwl_version == "sbg:draft-2"
    assert [(r.pattern, r.required) for r in reference] == [(".fai", True), ("^.dict", True)]
    bam = rules_of(tool.input("input").secondary_files, tool.cwl_version)
    assert names(bam, "NA12878.bam") == ["NA12878.bam.bai"]


def test_a_draft2_expression_object_cannot_be_checked():
    spec = parse_app(
        {
            "class": "CommandLineTool",
            "inputs": [
                {
                    "id": "#reads",
                    "type": ["File"],
                    "inputBinding": {
                        "secondaryFiles": [
                            ".bai",
                            {
                                "class": "Expression",
                                "engine": "#cwl-js-engine",
                                "script": "$job.inputs.reads.path.replace(/bam$/, 'bai')",
                            },
                        ]
                    },
                }
            ],
        }
    ).input("reads")
    rules = rules_of(spec.secondary_files, "sbg:draft-2")
    assert [r.expression for r in rules] == [False, True]
    result = check_file(ChosenFile("f1", "x.bam", "d1"), rules, {"d1": {"x.bam.bai"}})
    assert [c.state for c in result.companions] == [FOUND, UNCHECKED]
    assert result.text == "x.bam: .bai found; an expression cannot be checked here (expression)"
    assert not result.lacks_required


def test_v1_2_pattern_objects_say_whether_each_companion_is_required():
    rules = rules_for("cavatica-bcf-call", "input_align")
    assert [(r.pattern, r.required) for r in rules] == [
        (".crai", False),
        (".bai", False),
        ("^.bai", False),
    ]
    # The CWL lists both spellings of a BAM index, so both are looked for.
    assert names(rules, "HG002.bam") == ["HG002.bam.crai", "HG002.bam.bai", "HG002.bai"]
    assert [(r.pattern, r.required) for r in rules_for("cavatica-bcf-call", "reference_fasta")] == [
        (".fai", True)
    ]
    assert [(r.pattern, r.required) for r in rules_for("kfdrc-deepvariant", "reads")] == [
        (".bai", True)
    ]


def test_v1_1_objects_and_plain_strings_mix():
    tbi = rules_for("kfdrc-gatk-createsomaticpon-v1-1", "input_vcf")
    assert [(r.pattern, r.required) for r in tbi] == [(".tbi", False)]
    germline = rules_for("kfdrc-gatk-createsomaticpon-v1-1", "germline_resource")
    assert [(r.pattern, r.required) for r in germline] == [(".tbi", True)]


def test_a_trailing_question_mark_is_optional_from_v1_1_on_and_part_of_the_name_before():
    assert rules_of([".bai?", "^.bai"], "v1.1") == (Rule(".bai", False), Rule("^.bai", True))
    assert rules_of([".bai?"], "v1.2")[0].companion_of("x.bam") == "x.bam.bai"
    assert rules_of([".bai?"], "v1.0") == (Rule(".bai?", True),)


def test_expressions_of_the_real_apps_are_said_to_be_uncheckable_not_guessed():
    for app_name in ("sbg-gatk-haplotypecaller", "sbg-gatk-collectalleliccounts"):
        rules = rules_for(app_name, "in_alignments")
        assert len(rules) == 1 and rules[0].expression and rules[0].required is None
        result = check_file(ChosenFile("f1", "NA12878.bam", "d1"), rules, {"d1": set()})
        assert result.companions[0].state == UNCHECKED
        assert result.text == "NA12878.bam: an expression cannot be checked here (expression)"
        assert not result.lacks_required
    assert rules_of([{"pattern": "$(self.nameroot).bai", "required": True}], "v1.2")[0].expression


def test_an_expression_for_required_leaves_the_companion_optional_in_the_count():
    rule = rules_of([{"pattern": ".bai", "required": "$(inputs.strict)"}], "v1.2")[0]
    assert rule.required is None and not rule.expression
    result = check_file(ChosenFile("f1", "x.bam", "d1"), [rule], {"d1": set()})
    assert result.text == "x.bam: optional .bai missing" and not result.lacks_required


def test_empty_patterns_name_the_file_itself_and_are_dropped():
    assert rules_of(["", "^", ".bai", ".bai"], "v1.0") == (Rule(".bai", True),)


# ---- the check -----------------------------------------------------------------------------


def test_found_missing_and_optional_are_said_per_file():
    ref = rules_for("kfdrc-deepvariant", "reads")
    present = {"aln": {"NA12878.bam.bai"}}
    found = check_file(ChosenFile("a", "NA12878.bam", "aln"), ref, present)
    assert found.text == "NA12878.bam: .bai found" and not found.lacks_required
    cram = check_file(ChosenFile("b", "HG002.cram", "aln"), rules_of([".crai"], "v1.0"), present)
    assert cram.text == "HG002.cram: .crai missing" and cram.lacks_required
    vcf = check_file(
        ChosenFile("c", "pon.vcf.gz", "aln"),
        rules_for("kfdrc-gatk-createsomaticpon-v1-1", "input_vcf"),
        present,
    )
    assert vcf.text == "pon.vcf.gz: optional .tbi missing" and not vcf.lacks_required


def test_a_companion_in_another_folder_does_not_count():
    result = check_file(
        ChosenFile("c", "HG002.cram", "cram"),
        rules_of([".crai"], "v1.0"),
        {"elsewhere": {"HG002.cram.crai"}},
    )
    assert result.lacks_required


def test_file_types_mismatch_is_a_warning():
    _app, spec = spec_of("sbg-gatk-haplotypecaller", "in_alignments")
    assert spec.file_types == ("bam", "sam", "cram")
    assert preflight.type_warning("NA12878.BAM", spec.file_types) is None
    warning = preflight.type_warning("NA12878.vcf.gz", spec.file_types)
    assert warning == "NA12878.vcf.gz is not a file of the types this input takes (BAM, SAM, CRAM)."
    assert preflight.type_warning("anything.txt", ()) is None


def files_in(folder, *names_):
    return {f"id-{n}": {"id": f"id-{n}", "name": n, "parent": folder} for n in names_}


def test_the_look_ups_ask_each_folder_once_only_for_names_not_at_hand():
    _app, spec = spec_of("kfdrc-deepvariant", "reads")
    files = {**files_in("d1", "a.bam", "b.bam", "b.bam.bai"), **files_in("d2", "c.bam")}
    value = [{"class": "File", "path": i} for i in ("id-a.bam", "id-b.bam", "id-c.bam")]
    targets = preflight.targets_of(spec, value, "v1.2")
    # b.bam.bai was chosen too, so it is known to be there.
    assert preflight.names_to_look_up(targets, files) == {"d1": {"a.bam.bai"}, "d2": {"c.bam.bai"}}
    checks = preflight.check_targets(targets, files, {"d1": set(), "d2": {"c.bam.bai"}})
    assert [c.text for c in checks] == [
        "a.bam: .bai missing",
        "b.bam: .bai found",
        "c.bam: .bai found",
    ]
    summary = preflight.summarise(checks)
    assert summary.text == "1 of 3 files lacks a required companion."
    assert preflight.lacking_lines(checks) == ["a.bam: .bai missing"]


def test_record_fields_follow_their_own_rules():
    spec = parse_app(
        {
            "cwlVersion": "v1.0",
            "inputs": [
                {
                    "id": "sample",
                    "type": {
                        "type": "record",
                        "fields": [
                            {"name": "reads", "type": "File", "secondaryFiles": [".bai"]},
                            {"name": "vcf", "type": "File", "secondaryFiles": [".tbi"]},
                        ],
                    },
                }
            ],
        }
    ).input("sample")
    files = files_in("d", "x.bam", "x.vcf.gz")
    value = {
        "reads": {"class": "File", "path": "id-x.bam"},
        "vcf": {"class": "File", "path": "id-x.vcf.gz"},
    }
    targets = preflight.targets_of(spec, value, "v1.0")
    assert preflight.names_to_look_up(targets, files) == {"d": {"x.bam.bai", "x.vcf.gz.tbi"}}


def test_required_inputs_left_empty_are_listed():
    app = parse_app(load_real_app("kfdrc-deepvariant"))
    required = [s.id for s in app.inputs if s.required and not s.has_default]
    assert required  # the app has some
    empty = preflight.empty_required(app.inputs, {required[0]: {"class": "File", "path": "x"}})
    assert [s.id for s in empty] == required[1:]
    assert [
        s.id for s in preflight.empty_required(app.inputs, {r: [] for r in required})
    ] == required


def test_batch_groups_holding_a_file_without_its_companion_are_marked():
    class Group:
        def __init__(self, *ids):
            self.files = [{"id": i} for i in ids]

    lacking = check_file(ChosenFile("a", "a.bam", "d"), rules_of([".bai"], "v1.0"), {"d": set()})
    fine = check_file(
        ChosenFile("b", "b.bam", "d"), rules_of([".bai"], "v1.0"), {"d": {"b.bam.bai"}}
    )
    marks = preflight.group_checks([Group("b"), Group("a", "b")], {"a": lacking, "b": fine})
    assert marks == [[], [lacking]]


def test_summary_wording():
    assert preflight.Summary(24, 3, 0, 0).text == "3 of 24 files lack a required companion."
    assert preflight.Summary(1, 0, 1, 1).text == (
        "1 file does not match the input's file types. 1 file has companion files that "
        "cannot be checked here (marked on the input)."
    )
    assert preflight.Summary(5, 0, 0, 0).text == ""
    assert MISSING == "missing"


def test_a_report_counts_the_page_notes_what_was_missing_and_marks_groups():
    app = parse_app(load_real_app("kfdrc-deepvariant"))
    files = {**files_in("aln", "a.bam", "b.bam", "b.bam.bai"), **files_in("ref", "g.fa")}
    values = {
        "reads": [{"class": "File", "path": i} for i in ("id-a.bam", "id-b.bam")],
        "ref": {"class": "File", "path": "id-g.fa"},
        "sample_name": "s1",
    }
    planned = preflight.plan(app.inputs, values, app.cwl_version)
    assert set(planned) == {"reads", "ref"}
    wanted = preflight.names_to_look_up(preflight.all_targets(planned), files)
    assert wanted == {"aln": {"a.bam.bai"}, "ref": {"g.fa.fai"}}
    report = preflight.report(app.inputs, values, planned, files, {"ref": {"g.fa.fai"}})
    assert report.summary.text == "1 of 3 files lacks a required companion."
    assert [s.id for s in report.empty] == ["model_type"]
    assert report.note() == (
        "Pre-flight check: 1 of 3 chosen files lacked a required companion file:\n"
        "- a.bam: .bai missing"
    )
    assert (
        report.fingerprint()
        and report.fingerprint()
        != preflight.report(
            app.inputs, values, planned, files, {"aln": {"a.bam.bai"}, "ref": set()}
        ).fingerprint()
    )

    class Group:
        def __init__(self, *ids):
            self.files = [{"id": i} for i in ids]

    assert [len(m) for m in report.groups([Group("id-b.bam"), Group("id-a.bam")])] == [0, 1]


def test_a_report_without_the_look_up_still_warns_about_types_but_claims_nothing_missing():
    app = parse_app(load_real_app("sbg-gatk-haplotypecaller"))
    files = files_in("d", "x.vcf.gz")
    values = {"in_reference": {"class": "File", "path": "id-x.vcf.gz"}}
    planned = preflight.plan(app.inputs, values, app.cwl_version)
    report = preflight.report(app.inputs, values, planned, files, None, unavailable="down")
    [check] = report.checks["in_reference"]
    assert check.companions == () and check.type_warning
    assert not report.lacks_required and report.note() == "" and report.fingerprint() == ""
    assert report.unavailable == "down"


def test_a_file_whose_folder_is_not_known_is_not_called_incomplete():
    result = check_file(ChosenFile("f", "x.bam", None), rules_of([".bai"], "v1.0"), {})
    assert result.companions[0].state == UNCHECKED and not result.lacks_required
    assert result.text == "x.bam: .bai cannot be checked here (its folder is not known)"
