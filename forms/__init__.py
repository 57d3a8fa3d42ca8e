"""WTForms forms: the task form and the body it sends, the per-app inputs, settings, sign-in.

- `task.py`: `build_task_form(specs)` (a fresh FlaskForm class per app: name, description,
  `inputs`, `execution`, `batch`, the submission id) and `task_body(...)`, the one place that
  turns it into the body of POST /tasks (`edit_body` for the PATCH of a draft).
- `inputs.py`: `build_inputs_form(specs)`, one field per app input (HTML names `inputs-<id>`),
  `inputs_body` (the platform's `inputs` object), `inputs_formdata` (fill the form from one:
  editing a draft, copying a task, importing JSON; the two round-trip), `inputs_problems`,
  `file_ids` (every id entered, for one bulk look-up of names).
- `input_kinds.py`: one class per kind of input, with how it is read, written back, matched and
  drawn; `input_names.py` (the HTML names below an input), `input_values.py`,
  `input_controls.py` (the drawing plan that `templates/tasks/_inputs.html` walks).
- `settings.py`: execution settings and batch (`execution_body`, `batch_body`, and `fill_*` to
  pre-fill them from a draft).
- `auth.py`: the sign-in form, and `ActionForm` for one-click POST buttons (CSRF only).
"""
