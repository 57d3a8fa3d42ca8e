"""appspec reads every dialect of CWL input declarations into one model; no app, no network."""

import json

import pytest
from app_fixtures import REAL_APP_PATHS, load_real_app
from cwl_shapes import FILTER_VALUES, PLAIN_VALUES, SEX, SEX_VALUES, labelled_main, packed_main

from appspec import (
    AppSpecError,
    ArrayType,
    EnumType,
    PrimitiveType,
    RecordType,
    UnionType,
    UnknownType,
    clean_symbol,
    parse_app,
    parse_file_types,
    strip_id,
    type_label,
)

REAL_APPS = REAL_APP_PATHS


def load(name):
    return load_real_app(name)


def one_input(entry, **doc):
    return parse_app({"cwlVersion": "v1.2", "inputs": [entry], **doc}).inputs[0]


def test_the_29_real_apps_are_there():
    assert len(REAL_APPS) == 29


@pytest.mark.parametrize("path", REAL_APPS, ids=lambda p: p.stem)
def test_every_top_level_input_of_every_real_app_is_kept(path):
    raw = json.loads(path.read_text())
    declared = raw["inputs"]
    ids = list(declared) if isinstance(declared, dict) else [i["id"] for i in declared]
    spec = parse_app(raw)
    assert [i.id for i in spec.inputs] == [strip_id(i) for i in ids]
    # Every real app is understood without falling back to a JSON box.
    assert not [i.id for i in spec.inputs if "unknown" in type_label(i.type)]
    for item in spec.inputs:
        assert item.display_label  # never empty: falls back to the id


@pytest.mark.parametrize(
    ("written", "expected"),
    [("reads", "reads"), ("#reads", "reads"), ("#main/reads", "reads"), ("x.cwl#reads", "reads")],
)
def test_ids_lose_their_namespaces(written, expected):
    assert one_input({"id": written, "type": "File"}).id == expected


def test_shorthand_and_expanded_types_mean_the_same():
    short = parse_app(load("kfdrc-alignment-wf.json"))
    packed = parse_app(load("kfdrc-alignment-wf-sbpacked.json"))
    assert [(i.id, i.type, i.required) for i in short.inputs] == [
        (i.id, i.type, i.required) for i in packed.inputs
    ]
    by_id = {i.id: i for i in short.inputs}
    assert by_id["input_bam_list"].type == ArrayType(PrimitiveType("File"))
    assert not by_id["input_bam_list"].required
    assert by_id["reference_tar"].required
    assert by_id["run_t1k"].type == PrimitiveType("boolean") and not by_id["run_t1k"].required


def test_draft2_without_version_is_recognised_and_reads_description_and_single_type_lists():
    spec = parse_app(load("sbg-bamtools-index-draft2.json"))
    assert spec.cwl_version == "sbg:draft-2"
    bam = spec.input("input_bam_file")
    assert bam.type == PrimitiveType("File") and bam.required
    assert bam.doc  # from `description`
    assert bam.file_types == ("bam",)


def test_draft2_required_false_and_categories():
    spec = parse_app(load("sbg-wgs-bwa-gatk4-draft2.json"))
    threads = spec.input("threads")
    assert threads.type == PrimitiveType("int") and not threads.required
    assert spec.input("fastq").type == ArrayType(PrimitiveType("File"))
    assert spec.batch_input is None or isinstance(spec.batch_input, str)
    wes = parse_app(load("sbg-wes-bwa-gatk4-draft2.json"))
    assert wes.batch_input == "fastq"
    assert wes.app_id == "admin/sbg-public-data/whole-exome-sequencing-bwa-gatk-4-0"
    assert wes.revision == 33


def test_file_types_are_normalised():
    assert parse_file_types("FASTQ, FQ, FASTQ.GZ, FQ.GZ") == ("fastq", "fq", "fastq.gz", "fq.gz")
    assert parse_file_types("RDATA, Rdata") == ("rdata",)
    assert parse_file_types(" .BAM ,Cram,") == ("bam", "cram")
    assert parse_file_types(None) == ()


def test_enum_symbols_stay_strings_and_lose_namespaces():
    spec = parse_app(load("kfdrc-rnaseq-wf.json"))
    assert "BAM Unsorted" in spec.input("outSAMtype").type.symbols
    assert "-" in spec.input("quantMode").type.symbols
    freec = parse_app(load("sbg-control-freec.json"))
    symbols = [s for i in freec.inputs if isinstance(i.type, EnumType) for s in i.type.symbols]
    assert "0" in symbols and all(isinstance(s, str) for s in symbols)
    item = one_input(
        {
            "id": "mode",
            "type": {
                "type": "enum",
                "name": "#main/mode",
                "symbols": ["#main/mode/fast", "tool.cwl#mode/slow", "mode/mid", "fr/rf"],
            },
        }
    )
    assert item.type.symbols == ("fast", "slow", "mid", "fr/rf")


def test_anonymous_enum_and_single_element_enum_list():
    assert parse_app(load("uw-genesis-null-model.json")).input("outcome_is_binary").type == (
        EnumType(("TRUE", "FALSE"))
    )
    model = parse_app(load("kfdrc-deepvariant.json")).input("model_type")
    assert isinstance(model.type, EnumType) and model.required


def test_records_with_hyphenated_fields_nested_records_and_record_arrays():
    plink = parse_app(load("kfdrc-plink-process-binary.json"))
    mendel = plink.input("mendel")
    assert not mendel.required and isinstance(mendel.type, RecordType)
    assert mendel.type.fields[0].name == "summaries-only"
    assert not mendel.type.fields[0].required
    clt = parse_app(load("sbpack-clt1-records.json"))
    in2 = clt.input("in2").type
    assert [f.name for f in in2.fields] == ["meta1", "meta2"]
    assert isinstance(in2.fields[1].type, ArrayType)
    assert isinstance(in2.fields[1].type.items, RecordType)
    star = parse_app(load("kfdrc-star-align-records.json")).input("reads_records").type
    reads1 = star.items.fields[0]
    assert reads1.name == "reads1" and reads1.required
    assert [s.pattern for s in reads1.secondary_files][:2] == ["^.bai", ".bai"]


def test_unions_null_anywhere_and_any():
    bcbio = parse_app(load("sbg-bcbio-somatic-v1.json"))
    validate = bcbio.input("config__algorithm__validate").type
    assert validate == ArrayType(UnionType((PrimitiveType("File"), PrimitiveType("string"))), True)
    regions = parse_app(load("kfdrc-deepvariant.json")).input("regions")
    assert regions.type == UnionType((PrimitiveType("File"), PrimitiveType("string")))
    assert not regions.required
    in5 = parse_app(load("sbpack-clt1-records.json")).input("in5")
    assert in5.type == PrimitiveType("Any") and not in5.required


def test_nested_arrays():
    checkmate = parse_app(load("cavatica-ngs-checkmate-wf.json")).input("input_vcf")
    assert checkmate.type == ArrayType(ArrayType(PrimitiveType("File")))
    assert type_label(checkmate.type) == "File[][]"


def test_hints_defaults_and_suggestions():
    chomp = parse_app(load("kfdrc-bamtofastq-chomp.json")).input("max_size")
    assert chomp.type == PrimitiveType("long") and chomp.default == 20000000000
    assert chomp.has_default
    wes = parse_app(load("sbg-wes-bwa-gatk4-cwl1.json")).input("reference")
    assert wes.has_suggested_value and wes.suggested_value["class"] == "File"
    hc = parse_app(load("sbg-gatk-haplotypecaller.json"))
    assert all(isinstance(i.tool_default, (str, type(None))) for i in hc.inputs)
    assert any(i.tool_default for i in hc.inputs)
    assert {i.category for i in hc.inputs} > {""} or all(i.category for i in hc.inputs)
    chimera = parse_app(load("sbg-chimerascan-wf-draft2.json"))
    assert "" in {i.category for i in chimera.inputs}
    pair = parse_app(load("sbg-gatk-cnv-somatic-pair-wf.json"))
    assert any(i.exposed for i in pair.inputs)
    wes2 = parse_app(load("sbg-wes-bwa-gatk4-draft2.json"))
    assert all(i.include_in_ports is True for i in wes2.inputs)


def test_secondary_files_in_all_three_forms():
    item = one_input(
        {
            "id": "bam",
            "type": "File",
            "secondaryFiles": [".bai", {"pattern": "^.crai", "required": False}, "${ return 1 }"],
        }
    )
    assert [(s.pattern, s.required) for s in item.secondary_files] == [
        (".bai", None),
        ("^.crai", False),
        ("${ return 1 }", None),
    ]


def test_inputs_as_map_with_bare_type_values():
    spec = parse_app(
        {"cwlVersion": "v1.2", "inputs": {"a": "int?", "b": {"type": "string", "doc": ["x", "y"]}}}
    )
    assert [(i.id, i.type.kind, i.required) for i in spec.inputs] == [
        ("a", "int", False),
        ("b", "string", True),
    ]
    assert spec.inputs[1].doc == "x\ny"


def test_schema_def_requirement_types_are_resolved_by_name():
    spec = parse_app(
        {
            "cwlVersion": "v1.0",
            "requirements": [
                {
                    "class": "SchemaDefRequirement",
                    "types": [
                        {
                            "name": "#sample.yml#Sample",
                            "type": "record",
                            "fields": [{"name": "#sample.yml#Sample/id", "type": "string"}],
                        },
                        {"name": "#Mode", "type": "enum", "symbols": ["#Mode/a", "#Mode/b"]},
                    ],
                }
            ],
            "inputs": [
                {"id": "#main/sample", "type": "sample.yml#Sample"},
                {"id": "#main/samples", "type": "sample.yml#Sample[]?"},
                {"id": "#main/mode", "type": "#Mode"},
            ],
        }
    )
    sample, samples, mode = spec.inputs
    assert isinstance(sample.type, RecordType) and sample.type.fields[0].name == "id"
    assert samples.type == ArrayType(sample.type) and not samples.required
    assert mode.type == EnumType(("a", "b"), "Mode")


def test_requirements_as_map_also_work():
    spec = parse_app(
        {
            "cwlVersion": "v1.2",
            "requirements": {
                "SchemaDefRequirement": {
                    "types": [{"name": "Pair", "type": "record", "fields": {"left": "File"}}]
                }
            },
            "inputs": {"pair": "Pair?"},
        }
    )
    assert spec.inputs[0].type.fields[0].name == "left"
    assert not spec.inputs[0].required


@pytest.mark.parametrize(
    "weird",
    [
        {"$import": "types.yml"},
        "NoSuchType",
        {"type": "map", "values": "string"},
        {"type": "enum", "symbols": []},
        {"type": "array"},
        42,
        None,
        "null",
    ],
)
def test_unknown_shapes_become_json_nodes_with_a_note(weird):
    item = one_input({"id": "odd", "type": weird})
    assert isinstance(item.type, UnknownType)
    assert item.type.note


@pytest.mark.parametrize("types", [5, "Pair", None, {"name": "Pair"}])
def test_schema_def_types_that_are_no_list_are_ignored(types):
    spec = parse_app(
        {
            "requirements": [{"class": "SchemaDefRequirement", "types": types}],
            "inputs": [{"id": "pair", "type": "Pair"}],
        }
    )
    assert isinstance(spec.inputs[0].type, UnknownType)


def test_recursive_named_type_does_not_loop():
    item = one_input(
        {
            "id": "tree",
            "type": {
                "type": "record",
                "name": "Node",
                "fields": [{"name": "child", "type": ["null", "Node"]}],
            },
        }
    )
    child = item.type.fields[0]
    assert not child.required
    assert isinstance(child.type, (RecordType, UnknownType))


def test_not_a_document():
    with pytest.raises(AppSpecError):
        parse_app([1, 2])
    with pytest.raises(AppSpecError):
        parse_app("{nope")
    assert parse_app('{"inputs": []}').inputs == []
    assert parse_app({}).inputs == []


def test_packed_graph_documents_use_the_main_process():
    spec = parse_app(
        {
            "cwlVersion": "v1.0",
            "$graph": [
                {
                    "id": "#tool.cwl",
                    "class": "CommandLineTool",
                    "inputs": [{"id": "#tool.cwl/x", "type": "int"}],
                },
                {
                    "id": "#main",
                    "class": "Workflow",
                    "inputs": [
                        {"id": "#main/reads", "type": {"type": "array", "items": "File"}},
                        {
                            "id": "#main/mode",
                            "type": [
                                "null",
                                {"type": "enum", "name": "#main/mode", "symbols": ["#main/mode/a"]},
                            ],
                        },
                    ],
                },
            ],
        }
    )
    assert spec.cwl_version == "v1.0" and spec.app_class == "Workflow"
    assert [(i.id, type_label(i.type), i.required) for i in spec.inputs] == [
        ("reads", "File[]", True),
        ("mode", "enum", False),
    ]
    assert spec.inputs[1].type.symbols == ("a",)


@pytest.mark.parametrize(
    ("symbol", "scope", "value"),
    [
        (f"{SEX}/Unknown or not XX/XY", SEX, "Unknown or not XX/XY"),
        ("#main/filter/PASS;LowQual", "#main/filter", "PASS;LowQual"),
        ("tool.cwl#Sex/a/b", SEX, "a/b"),  # written in another file under the short name
        ("Sex/a, b", SEX, "a, b"),
        ("fr/rf", "plain", "fr/rf"),  # no prefix: the symbol is the value
        ("fr/rf", None, "fr/rf"),
    ],
)
def test_a_symbol_is_the_text_after_its_enums_name(symbol, scope, value):
    assert clean_symbol(symbol, scope) == value


def test_packed_enum_symbols_keep_their_slashes_commas_and_spaces():
    spec = parse_app(packed_main())
    samples = spec.input("Samples").type
    sex = {f.name: f for f in samples.items.fields}["Sex"].type
    assert sex == EnumType(SEX_VALUES, "Sex")
    assert spec.input("filter").type.symbols == FILTER_VALUES  # unnamed: under the input's id
    assert spec.input("plain").type.symbols == PLAIN_VALUES


def test_an_input_without_a_label_takes_its_types_label():
    spec = parse_app(labelled_main())
    assert spec.input("strand").label == "Library strand"  # a named enum, optional, by name
    assert spec.input("sheet").label == "Sample sheet"  # an inline named record
    assert spec.input("own").label == "Own label"  # its own label wins
    kind, sample = spec.input("sheet").type.fields
    assert (kind.display_label, sample.display_label) == ("Library strand", "Sample")
    assert spec.input("strand").type.symbols == ("fr/rf", "unstranded")


def test_a_null_array_input_says_its_type():
    padding = parse_app(labelled_main()).input("padding")
    assert isinstance(padding.type, UnknownType)
    assert type_label(padding.type) == "null[]"
    assert type_label(one_input({"id": "x", "type": {"type": "array", "items": "null"}}).type) == (
        "null[]"
    )
    assert type_label(one_input({"id": "x", "type": "null"}).type) == "null"
