"""Every real app's own form, filled as its page offers it and then changed here and there with
hostile or random values (ids of real files, lists of them, text, numbers, odd settings), and
posted with each of the form's buttons: the answer is a page or a redirect, never a 500, and a
draft that was made shows and edits without one either.

Bounded: FUZZ_EXAMPLES bodies a run (150 unless set; 1,500 were run while writing it)."""

import os
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web_helpers import PROJECT

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
ACTIONS = ["create", "preview", "import", "look", "copy", "copy_cancel", None]
ODD = [
    "",
    "on",
    "off",
    "0",
    "-1",
    "1001",
    "1e400",
    "nan",
    "null",
    "[]",
    "{}",
    "file",
    "sample",
    "custom",
    "metadata.sample_id",
    "sample_id,case_id",
    "c5.4xlarge;ebs-gp2;1024",
    "x;y;z",
    "\u202e",
    "\x00",
    "a" * 3000,
]


class FormFields(HTMLParser):
    """The task form's fields as the page offers them: (name, value) pairs a browser would send
    without a change, and every field name the page has."""

    def __init__(self):
        super().__init__()
        self.pairs, self.names = [], set()
        self._select = self._first = None
        self._chosen = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            self.names.add(name)
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.pairs.append((name, attrs.get("value", "on")))
            elif kind not in ("submit", "button", "file"):
                self.pairs.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self.names.add(name)
            self._select, self._first, self._chosen = name, None, False
        elif tag == "option" and self._select:
            value = attrs.get("value") or ""
            if self._first is None:
                self._first = value
            if "selected" in attrs:
                self.pairs.append((self._select, value))
                self._chosen = True
        elif tag == "textarea" and name:
            self.names.add(name)
            self.pairs.append((name, ""))

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            if not self._chosen and self._first is not None:
                self.pairs.append((self._select, self._first))
            self._select = None


@pytest.fixture
def forms(signed_in, demo_client):
    """{form address: (its pairs, its field names)} for every app of the project; and real ids."""
    page = demo_client.files(project=PROJECT, limit=100)
    ids = [f["id"] for f in page.items if f.get("type") != "folder"]
    for folder in [f for f in page.items if f.get("type") == "folder"][:6]:
        ids += [f["id"] for f in demo_client.files(parent=folder["id"], limit=50).items]
    found = {}
    for app in demo_client.apps(project=PROJECT, limit=100).items:
        new = f"/projects/{PROJECT}/apps/{app['id'].split('/')[2]}/new"
        path = signed_in.get(new).location or new  # to its latest revision
        fields = FormFields()
        fields.feed(signed_in.get(path).get_data(as_text=True))
        found[path] = (fields.pairs, sorted(fields.names - {"csrf_token"}))
    assert len(found) >= 29 and ids
    return found, ids


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_changed_form_of_a_real_app_is_a_500(signed_in, forms, data):
    found, ids = forms
    value = st.one_of(
        st.sampled_from(ids),
        st.builds(
            lambda at, n: " ".join(ids[at : at + n]), st.integers(0, 200), st.integers(0, 40)
        ),
        st.text(max_size=20),
        st.sampled_from(ODD),
    )
    path = data.draw(st.sampled_from(sorted(found)), label="form")
    pairs, names = found[path]
    body = {}
    for name, typed in pairs:
        body.setdefault(name, []).append(typed)
    for name in [n for n in body if n.startswith("inputs-")]:
        if data.draw(st.booleans()):
            body[name] = [data.draw(value)]
    for _ in range(data.draw(st.integers(0, 4))):
        body[data.draw(st.sampled_from(names))] = [data.draw(value)]
    action = data.draw(st.sampled_from(ACTIONS), label="action")
    if action:
        body["action"] = [action]
    if data.draw(st.booleans()):
        body["preflight_ack"] = [data.draw(st.text(max_size=10))]

    response = signed_in.post(path, data=body)
    assert response.status_code < 500 or response.status_code == 502, (path, body)
    assert "Traceback" not in response.get_data(as_text=True)
    if response.status_code == 302 and "/tasks/" in response.location:
        draft = response.location.split("?")[0]
        assert signed_in.get(draft).status_code == 200
        assert signed_in.get(draft + "/edit").status_code < 500
