"""Small apps made here in the shapes real tools write: ids packed under `#main/`, enum symbols
written after their enum's full name (and holding `/`, `,`, `;` and spaces), and the `$graph`
document that `cwltool --pack` makes. Each is a function so a test can change its copy."""

SEX = "#main/Samples/Samples/Sex/Sex"
SEX_VALUES = ("XX", "XY", "Unknown or not XX/XY")
FILTER_VALUES = ("PASS;LowQual", "a, b", "fr/rf strand")
PLAIN_VALUES = ("fr/rf", "x y")


def packed_main():
    """One process with packed ids (the `#main` of a packed document, as `sbpack` also writes)."""
    return {
        "class": "Workflow",
        "id": "#main",
        "cwlVersion": "v1.2",
        "label": "Packed shapes",
        "inputs": [
            {
                "id": "#main/reads",
                "type": {"type": "array", "items": "File"},
                "sbg:fileTypes": "FASTQ, FASTQ.GZ",
            },
            {
                "id": "#main/Samples",
                "type": [
                    "null",
                    {
                        "type": "array",
                        "items": {
                            "type": "record",
                            "name": "#main/Samples/Samples",
                            "fields": [
                                {"name": "#main/Samples/Samples/id", "type": "string"},
                                {
                                    "name": "#main/Samples/Samples/Sex",
                                    "type": {
                                        "type": "enum",
                                        "name": SEX,
                                        "symbols": [f"{SEX}/{v}" for v in SEX_VALUES],
                                    },
                                },
                            ],
                        },
                    },
                ],
            },
            {
                # Unnamed: its symbols are written under the input's own id.
                "id": "#main/filter",
                "type": [
                    "null",
                    {"type": "enum", "symbols": [f"#main/filter/{v}" for v in FILTER_VALUES]},
                ],
            },
            {
                "id": "#main/plain",
                "type": ["null", {"type": "enum", "name": "plain", "symbols": list(PLAIN_VALUES)}],
            },
        ],
        "outputs": [],
        "steps": [
            {
                "id": "#main/count",
                "run": "#count.cwl",
                "in": [{"id": "#main/count/reads", "source": "#main/reads"}],
                "out": [],
            },
        ],
    }


def packed_graph():
    """What `cwltool --pack` writes: the processes side by side in `$graph`, the app as `#main`
    (here not first, so a reader that takes the first process is caught)."""
    main = packed_main()
    version = main.pop("cwlVersion")
    tool = {
        "class": "CommandLineTool",
        "id": "#count.cwl",
        "baseCommand": "wc",
        "inputs": [
            {"id": "#count.cwl/reads", "type": "File[]"},
            {"id": "#count.cwl/lines", "type": "boolean"},
        ],
        "outputs": [],
    }
    return {"cwlVersion": version, "$graph": [tool, main]}


def labelled_main():
    """Inputs with no label of their own whose types carry one (a named enum from
    SchemaDefRequirement, an inline named record), and a `null[]` input."""
    strand = {
        "type": "enum",
        "name": "#main/Strand",
        "label": "Library strand",
        "symbols": ["#main/Strand/fr/rf", "#main/Strand/unstranded"],
    }
    return {
        "class": "CommandLineTool",
        "id": "#main",
        "cwlVersion": "v1.2",
        "requirements": [{"class": "SchemaDefRequirement", "types": [strand]}],
        "inputs": [
            {"id": "#main/strand", "type": ["null", "#main/Strand"]},
            {
                "id": "#main/sheet",
                "type": {
                    "type": "record",
                    "name": "#main/sheet/Sheet",
                    "label": "Sample sheet",
                    "fields": [
                        {"name": "#main/sheet/Sheet/kind", "type": "#main/Strand"},
                        {"name": "#main/sheet/Sheet/id", "type": "string", "label": "Sample"},
                    ],
                },
            },
            {"id": "#main/own", "label": "Own label", "type": "#main/Strand"},
            {"id": "#main/padding", "type": "null[]"},
        ],
        "outputs": [],
    }
