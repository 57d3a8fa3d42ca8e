"""The JSON body a page shows: indented, each file reference on one line, and the same JSON."""

import html
import json

from hypothesis import given
from hypothesis import strategies as st

from views.template_helpers import pretty_json

REFERENCE = st.builds(
    lambda kind, path: {"class": kind, "path": path},
    st.sampled_from(["File", "Directory"]),
    st.text(),
)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | REFERENCE,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(VALUES)
def test_the_text_shown_is_the_same_json_whatever_the_values(value):
    shown = str(pretty_json(value))
    assert "<" not in shown and ">" not in shown  # no markup of its own, whatever the names
    assert json.loads(html.unescape(shown)) == value  # what a browser shows as the text


def test_each_file_reference_is_one_line_and_other_objects_stay_indented():
    body = {
        "inputs": {
            "reads": [{"class": "File", "path": 'odd "name" {\n}'}, {"class": "File", "path": "b"}],
            "reference": {"class": "File", "path": "r", "secondaryFiles": []},
            "folder": {"class": "Directory", "path": "d"},
        }
    }
    lines = pretty_json(body).splitlines()
    assert '      {"class": "File", "path": "odd \\"name\\" {\\n}"},' in lines
    assert '      {"class": "File", "path": "b"}' in lines
    assert '    "folder": {"class": "Directory", "path": "d"}' in lines
    assert '      "secondaryFiles": []' in lines  # a reference with more keys is left as it is


def test_a_name_that_looks_like_markup_is_text():
    shown = pretty_json({"name": '</code><script>alert("x")</script> & more'})
    assert r'"&lt;/code&gt;&lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; more"' in shown
