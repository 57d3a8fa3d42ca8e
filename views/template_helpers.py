"""Every helper the templates use, registered in one place: filters, globals, page context."""

import json
import re
import time

import msgspec
from flask import current_app, session
from markupsafe import Markup

from batching import field_label
from cavatica import account_key
from deployment import deployment_user
from forms.inputs import MAX_FILE_IDS
from forms.task import error_list
from markup import file_items, group_rows, isolate, render_doc

from . import runs
from .client import current_token, uses_deployment_token

RATE_WARNING_SHARE = 0.1  # pages warn once this share of the rate budget is all that is left


def init_app(app):
    app.context_processor(page_context)
    app.add_template_filter(render_doc, "doc")  # an app's Markdown docs, sanitised
    app.add_template_filter(isolate, "bdi")  # a name from the platform, isolated for direction
    app.add_template_filter(file_items, "file_items")  # files' names as <li>s, each isolated
    app.add_template_filter(group_rows, "group_rows")  # a batch preview's rows, unmarked
    app.add_template_filter(field_label, "field_label")
    app.add_template_filter(pretty_json, "pretty_json")
    app.add_template_global(error_list, "form_errors")
    app.add_template_global(cavatica_task_url)
    app.add_template_global(MAX_FILE_IDS, "max_file_ids")
    for helper in (
        runs.rerun_count,
        runs.app_link,
        runs.follow_state,
        runs.is_followed,
        runs.bar_segments,
    ):
        app.add_template_global(helper)


def page_context():
    """Values every page can use."""
    return {
        "signed_in_user": session.get("user"),
        "deployment_token": uses_deployment_token(),
        "deployment_user": deployment_user(),
        "using_sandbox": current_app.config.get("SANDBOX", False),
        "rate_warning": rate_warning(),
    }


def rate_warning():
    """A sentence when this account has nearly spent the platform's rate budget, else None.
    With a deployment-wide token every user draws on the same budget."""
    token = current_token()
    budget = current_app.extensions.get("rate_budget")
    if not token or budget is None:
        return None
    seen = budget.get(account_key(current_app.config["SB_API_ENDPOINT"], token))
    if not seen or seen["remaining"] > seen["limit"] * RATE_WARNING_SHARE:
        return None
    whose = "this site's account" if uses_deployment_token() else "your account"
    until = ""
    if seen.get("reset"):
        until = " until " + time.strftime("%H:%M UTC", time.gmtime(seen["reset"]))
    if seen["remaining"] <= 0:
        return (
            f"CAVATICA accepts no more requests from {whose}{until}. "
            "Pages that need CAVATICA will say so; wait, then try again."
        )
    return (
        f"CAVATICA accepts only {seen['remaining']} more requests from {whose}{until}. "
        "File names may show as ids meanwhile; what is left is kept for creating drafts."
    )


# A file or folder reference as indented JSON spells it out on four lines.
FILE_REFERENCE = re.compile(
    r'\{\n *"class": "(File|Directory)",\n *"path": ("[^"\\\n]*(?:\\.[^"\\\n]*)*")\n *\}'
)


def _one_line_reference(match):
    return '{"class": "' + match[1] + '", "path": ' + match[2] + "}"


def pretty_json(value):
    """`value` as indented JSON, escaped for the text of an element, each file reference on
    one line of its own: a 1,000-file batch then reads as 1,000 lines, not 4,000 (and weighs
    a third). msgspec writes it in C: a tenth of a millisecond where the json module's
    indenting (pure Python) took tens."""
    try:
        text = msgspec.json.format(msgspec.json.encode(value), indent=2).decode()
    except (TypeError, msgspec.EncodeError):  # e.g. a key that is not a string
        text = json.dumps(value, indent=2, sort_keys=False, ensure_ascii=False)
    # A function, not a template: re expands a template in Python for each of 1,000 matches.
    text = FILE_REFERENCE.sub(_one_line_reference, text)
    # For the text of an element (<pre><code>), never an attribute: there only &, < and > need
    # escaping, and leaving quotes as they are keeps a 1,000-file body 16 kB lighter.
    return Markup(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def cavatica_task_url(project, task_id):
    """The task's page in the platform's web UI."""
    base = current_app.config["CAVATICA_UI_URL"].rstrip("/")
    return f"{base}/u/{project}/tasks/{task_id}/"
