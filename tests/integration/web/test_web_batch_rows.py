"""The batch preview's rows drawn in one call (markup.group_rows) are the rows its template
loop draws, hostile names and values included, only faster."""

import re

import batching
from markup import group_rows

HOSTILE = ["<img src=x onerror=alert(1)>.fastq.gz", 'a&b "q" \u202eevil.fastq.gz', "new\nline"]


def groups():
    files = [
        {
            "id": f"f{n}",
            "name": HOSTILE[n % 3] + str(n),
            "metadata": {"sample_id": f"S<{n % 4}>", "case_id": f"C{n % 2}"},
        }
        for n in range(12)
    ]
    files.append({"id": "nameless", "metadata": {"sample_id": "S&1", "case_id": "C0"}})
    criteria = ["metadata.sample_id", "metadata.case_id"]
    return batching.preview(files, {"type": "criteria", "criteria": criteria}).groups


def rows_of(html):
    body = re.search(r"<tbody>(.*)</tbody>", html, re.S).group(1)
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", body)).strip()


def draw(app, groups, marks):
    with app.test_request_context("/"):
        macro = app.jinja_env.get_template("tasks/_batch_preview.html").module
        return str(macro.render_batch_preview(batching.BatchPreview(groups, []), marks=marks))


def test_rows_drawn_in_one_call_are_the_template_loops_rows(app):
    shown = groups()
    # A mark on a group past the table's limit sends the template down its own loop.
    loop = draw(app, [*shown, *([shown[0]] * 100)], marks=[[]] * (len(shown) + 99) + [["x"]])
    fast = draw(app, shown, marks=None)
    loop_rows = rows_of(loop)
    assert rows_of(fast) == loop_rows[: len(rows_of(fast))]
    assert str(group_rows(shown)).count("<tr>") == len(shown)
    assert "<img" not in fast and "&lt;img src=x" in fast and "S&lt;1&gt;" in fast
    assert "<bdi>nameless</bdi>" in fast  # a file without a name shows its id
