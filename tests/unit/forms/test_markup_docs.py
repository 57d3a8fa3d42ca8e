"""Platform docs as sanitised Markdown: formatting survives, nothing executable does."""

from html.parser import HTMLParser

import pytest
from markupsafe import Markup

from markup import render_doc


class Tags(HTMLParser):
    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tags, self.text = [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_markdown_is_rendered():
    html = render_doc(
        "Use **BAM** or *CRAM*.\n\n- one\n- two\n\n`--flag` [docs](https://example.org/x)"
    )
    assert isinstance(html, Markup)
    tags = Tags(html).tags
    assert [t for t, _ in tags] == ["p", "strong", "em", "ul", "li", "li", "p", "code", "a"]
    link = tags[-1][1]
    assert link["href"] == "https://example.org/x"
    assert "noopener" in link["rel"]


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox)",
        "<javascript:alert(1)>",
        "![pic](https://tracker.example/p.png)",
        '<iframe src="https://example.org"></iframe>',
        '<div style="background:url(javascript:alert(1))">x</div>',
        "<svg onload=alert(1)>",
        '"><script>alert(1)</script>',
    ],
)
def test_nothing_executable_or_remote_passes(hostile):
    page = Tags(render_doc(f"before {hostile} after"))
    for tag, attrs in page.tags:
        assert tag in {"p", "a", "strong", "em", "code"}, tag
        assert not [k for k in attrs if k.startswith("on") or k in ("style", "src")]
        href = attrs.get("href", "https:").lower()
        assert not href.startswith(("javascript", "data", "vbscript"))
    assert "before" in "".join(page.text) and "after" in "".join(page.text)


def test_raw_html_is_shown_as_text():
    page = Tags(render_doc('<b>bold?</b> & "quotes"'))
    assert [t for t, _ in page.tags] == ["p"]
    assert "".join(page.text) == '<b>bold?</b> & "quotes"'


def test_headings_do_not_break_the_page_outline():
    page = Tags(render_doc("# Big title\n\ntext"))
    assert [t for t, _ in page.tags] == ["p", "strong", "p"]


def test_empty_docs():
    assert render_doc(None) == "" and render_doc("  \n") == ""
    assert "42" in render_doc(42)
