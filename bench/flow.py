"""What each step of a user's walk must reach, for every bench that walks it.

A step that answers quickly but lands on another page (the pre-flight check instead of the
draft, the form with a problem instead of the preview) has measured nothing: `missed` says what
the step reached instead, so the benches count it as an error rather than as a fast page.
Works on Flask test-client responses and on `requests` responses alike.
"""

import re

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PREFLIGHT_ACK = re.compile(r'name="preflight_ack" value="([^"]*)"')
DRAFT_URL = re.compile(r"/projects/[^/]+/[^/]+/tasks/[0-9A-Za-z-]+$")
HELD_BACK = "Nothing was created yet"  # the pre-flight check's notice (views/tasks/form.py)
ERROR_SUMMARY = re.compile(r'id="error-summary-title">([^<]*)<')
PROBLEM = re.compile(r'id="problem">\s*<p><strong>[^<]*</strong>\s*([^<]{0,160})')


def text_of(response):
    text = getattr(response, "text", None)
    return text if isinstance(text, str) else response.get_data(as_text=True)


def location_of(response):
    return response.headers.get("Location") or ""


def csrf_token(html):
    found = CSRF.search(html)
    if not found:
        raise ValueError("the page has no CSRF token")
    return found.group(1)


def preflight_ack(html):
    """The value "Create draft anyway" sends, when the page is the pre-flight check's."""
    found = PREFLIGHT_ACK.search(html)
    return found.group(1) if found and found.group(1) and HELD_BACK in html else None


def what_page(response):
    """The page a response is, in a few words (for a step that missed its own)."""
    status = response.status_code
    if status in (301, 302, 303):
        return f"a redirect to {location_of(response) or '?'}"
    html = text_of(response)
    if preflight_ack(html):
        return "the pre-flight check page (nothing created)"
    summary = ERROR_SUMMARY.search(html)
    if summary:
        return f"the form with problems ({summary.group(1).strip()})"
    problem = PROBLEM.search(html)
    if problem:
        return f"the form with a platform problem ({problem.group(1).strip()})"
    return f"status {status}"


# step -> (statuses it may answer, a test of the page); the test gets (response, html, name).
EXPECTED = {
    "sign in": ({302}, lambda r, html, name: "/sign-in" not in location_of(r)),
    "projects": ({200}, lambda r, html, name: 'href="/projects/' in html),
    "project": ({200}, lambda r, html, name: 'id="tasks-title"' in html),
    "new task form": ({200}, lambda r, html, name: 'name="submission_id"' in html),
    "picker page": ({200}, lambda r, html, name: "picker-listing" in html),
    "batch preview": (
        {200},
        lambda r, html, name: (
            'id="batch-preview-title"' in html
            and 'id="error-summary"' not in html
            and 'id="problem"' not in html
        ),
    ),
    # The second of a double click may be told the first is still being submitted (409).
    "create": (
        {302, 409},
        lambda r, html, name: r.status_code == 409 or bool(DRAFT_URL.search(location_of(r))),
    ),
    "draft page": ({200}, lambda r, html, name: name is None or name in html),
}


def missed(step, response, name=None):
    """None when `response` is the page `step` should reach; else what it reached instead."""
    statuses, test = EXPECTED[step]
    if response.status_code in statuses:
        html = "" if response.status_code in (301, 302, 303) else text_of(response)
        if test(response, html, name):
            return None
    if step == "draft page" and response.status_code == 200:
        return "a draft page without this user's task name"
    return what_page(response)


def is_sample_fastq(item):
    """A FASTQ that carries a sample id: what the benches' batch forms choose."""
    return item["name"].endswith(".fastq.gz") and bool(
        (item.get("metadata") or {}).get("sample_id")
    )


def batch_settings(get, project):
    """The batch app's form fields other than its FASTQs, as a user fills them: the project's
    own GRCh38 references, whose companion files (.fai, .dict, .tbi) are all there, so the
    pre-flight check lets the draft through; batched by sample.

    :param get: `get(path, **params)` -> the platform's JSON answer (sandbox API, /v2 paths)."""
    top = get("/files", project=project, name="references")["items"][0]
    grch38 = get("/files", parent=top["id"])["items"][0]  # references/GRCh38
    refs = {f["name"]: f["id"] for f in get("/files", parent=grch38["id"], limit=100)["items"]}
    bed = refs["exome_calling_regions.v1.1.hg38.bed"]
    return {
        "description": "",
        "inputs-indels_1000g_phase1": refs["1000G_phase1.snps.high_confidence.hg38.vcf.gz"],
        "inputs-database": bed,
        "inputs-reference": refs["Homo_sapiens_assembly38.fasta"],
        "inputs-mills": refs["Mills_and_1000G_gold_standard.indels.hg38.vcf.gz"],
        "inputs-dbsnp": refs["Homo_sapiens_assembly38.dbsnp138.vcf.gz"],
        "inputs-intervals_file": bed,
        "execution-instance_type": "c5.2xlarge",
        "batch-mode": "on",
        "batch-input": "fastq",
        "batch-by": "sample",
    }
