"""Platform docs (app and input descriptions) as safe HTML: Markdown, then a strict sanitiser.

Docs come from whoever wrote the app, so they are untrusted: raw HTML in them is shown as text
(markdown-it with `html` off), and the rendered HTML goes through nh3 with a short list of tags
and only http, https and mailto links. Headings become bold paragraphs so a doc cannot break the
page's heading outline, and images are not loaded (their text stays).

Register as a Jinja filter: `app.jinja_env.filters["doc"] = render_doc`.
"""

from __future__ import annotations

import functools
from html import escape

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup
from markupsafe import escape as escape_html

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "del",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


def _heading_open(renderer, tokens, idx, options, env):
    return "<p><strong>"


def _heading_close(renderer, tokens, idx, options, env):
    return "</strong></p>\n"


def _image(renderer, tokens, idx, options, env):
    # Show the image's alt text instead of fetching a picture from wherever the doc points.
    return escape(tokens[idx].content or "")


def _build_parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": False})
    parser.enable("table").enable("strikethrough")
    parser.add_render_rule("heading_open", _heading_open)
    parser.add_render_rule("heading_close", _heading_close)
    parser.add_render_rule("image", _image)
    return parser


_PARSER = _build_parser()


def render_doc(text: object) -> Markup:
    """Markdown text -> sanitised HTML, safe to put in a page as is. None or "" -> ""."""
    if text is None:
        return Markup("")
    source = text if isinstance(text, str) else str(text)
    if not source.strip():
        return Markup("")
    return Markup(_render(source))


@functools.lru_cache(maxsize=1024)
def _render(source: str) -> str:
    # An app's docs are the same on every page of its form: rendered once, not on each page
    # (markdown-it takes tens of milliseconds for a long doc).
    html = _PARSER.render(source)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return clean.strip()


def isolate(value) -> Markup:
    """A name from the platform in <bdi>, escaped: a right-to-left mark or override in it (say
    U+202E in a file name) cannot turn the text around it."""
    # markupsafe's escape (in C) in an f-string, not Markup.format: a page with 1,000 chosen
    # files isolates each name.
    return Markup(f"<bdi>{escape_html('' if value is None else value)}</bdi>")


def file_items(files) -> Markup:
    """Files from the platform as `<li><bdi>name</bdi></li>` each (the id when a file has no
    name; see `isolate`), escaped in one call: a batch preview lists 400 of them."""
    shown = _escaped_each([str(file.get("name") or file.get("id") or "") for file in files])
    return Markup("".join(f"<li><bdi>{name}</bdi></li>" for name in shown))


def group_rows(groups) -> Markup:
    """Batch groups (batching.BatchGroup) by criteria as the preview table's rows: number,
    the group's values, its files. Written here rather than in a template loop: 100 rows took
    1.5 ms of a page that way. Groups with marks (a lacking companion) are drawn by the
    template (tasks/_batch_preview.html), which this matches."""
    rows = []
    for number, group in enumerate(groups, 1):
        fields = _escaped_each([f"{key}: {value}" for key, value in group.fields.items()])
        count = len(group.files)
        rows.append(
            f'<tr><td>{number}</td><th scope="row">'
            + ", ".join(f'<span class="batch-field">{text}</span>' for text in fields)
            + f'</th><td><span class="visually-hidden">{count} '
            + ("file" if count == 1 else "files")
            + f':</span><ul class="batch-files">{file_items(group.files)}</ul></td></tr>'
        )
    return Markup("\n".join(rows))


def chosen_file_spans(file_names) -> Markup:
    """The chosen files of a file input, `[(id, name)]`, as the comma-separated spans the
    page's script turns into name chips (the text itself without it). Written here rather
    than in a template loop: a field with 1,000 files took 7 ms that way, and 2 ms so."""
    pairs = [(str(file_id), "" if name is None else str(name)) for file_id, name in file_names]
    ids = _escaped_each([file_id for file_id, _ in pairs])
    names = _escaped_each([name for _, name in pairs])
    return Markup(
        ",".join(
            f' <span class="chosen-file" data-file-id="{shown_id}">{shown_name or shown_id}</span>'
            for shown_id, shown_name in zip(ids, names, strict=True)
        )
    )


def _escaped_each(texts: list[str]) -> list[str]:
    """Each text escaped: all in one call, line by line, unless a text holds a line break of
    its own (1,000 names escaped one by one took a millisecond of a page)."""
    if not texts or any("\n" in text for text in texts):
        return [str(escape_html(text)) for text in texts]
    return str(escape_html("\n".join(texts))).split("\n")
