"""The task screens, one blueprint (`tasks`) in a module per job:

- `form.py`: the new-task and edit form, its page, and the submit step that creates (through
  `drafts.create_draft_once`) or saves the draft;
- `draft.py`: the draft page, and running or deleting a draft;
- `kept_form.py`: a form kept over a sign-in when the token is refused mid-form;
- `sent.py`: what the session remembers of the drafts just sent;
- `suggested.py`: suggested files of other projects, copied into the project on request.
"""

from flask import Blueprint

bp = Blueprint("tasks", __name__)

# The routes register themselves on `bp` when their modules are imported.
from . import draft, form  # noqa: E402, F401
