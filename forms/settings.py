"""Execution settings and batch settings of a task: forms, the task-body parts they make, and
the form data that pre-fills them from an existing draft (for Edit).

Both forms are plain ``wtforms.Form`` subclasses; the task form mounts them as ``execution`` and
``batch`` with the separator "-", so HTML names are ``execution-<field>`` and ``batch-<field>``.
A setting left unset is not sent, so the project's (or the app's) default applies.
"""

import re

from wtforms import Form, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from batching import BATCH_PRESET_LABELS, BATCH_PRESETS

# Common AWS instance types on CAVATICA: (type, vCPUs, memory in GiB). The platform does not publish
# a list through the API; anything else goes through "Custom…".
INSTANCE_TYPES = [
    ("c5.large", 2, 4),
    ("c5.xlarge", 4, 8),
    ("c5.2xlarge", 8, 16),
    ("c5.4xlarge", 16, 32),
    ("c5.9xlarge", 36, 72),
    ("c5.18xlarge", 72, 144),
    ("m5.large", 2, 8),
    ("m5.xlarge", 4, 16),
    ("m5.2xlarge", 8, 32),
    ("m5.4xlarge", 16, 64),
    ("m5.8xlarge", 32, 128),
    ("m5.12xlarge", 48, 192),
    ("m5.24xlarge", 96, 384),
    ("r5.large", 2, 16),
    ("r5.xlarge", 4, 32),
    ("r5.2xlarge", 8, 64),
    ("r5.4xlarge", 16, 128),
    ("r5.8xlarge", 32, 256),
    ("r5.12xlarge", 48, 384),
    ("r5.24xlarge", 96, 768),
]
# The choice of instance type that says "the one typed in the custom box".
TYPED_INSTANCE = "custom"

# type;disk-type;size, e.g. c5.4xlarge;ebs-gp2;1024: an AWS instance name (family.size), an EBS
# volume type and a disk size in GB.
CUSTOM_INSTANCE_RE = re.compile(
    r"[a-z][a-z0-9-]*\.(?:[0-9]*x?large|medium|small|micro|nano|metal)"
    r";ebs-[a-z0-9]+;[1-9][0-9]{0,4}"
)
CUSTOM_INSTANCE_MESSAGE = (
    "Write the instance as type;disk-type;size in GB, for example c5.4xlarge;ebs-gp2;1024."
)

WHOLE_NUMBER_MESSAGE = "Enter a whole number of 1 or more, or leave it empty."

# Tri-state switches: unset means "not sent", so the project's default applies.
TRI_STATE = [
    SelectChoice("", "Project default"),
    SelectChoice("on", "On"),
    SelectChoice("off", "Off"),
]
_TRI_VALUE = {"on": True, "off": False}

# The execution settings that are booleans inside "execution_settings" (spot is a top-level key).
_BOOLEAN_SETTINGS = ("use_memoization", "use_elastic_disk")


MAX_PARALLEL_INSTANCES = 1000  # the platform refuses more


def _at_least_one(form, field):
    # Text that is not a whole number already has its message from the field itself.
    if field.data is not None and field.data < 1:
        raise ValidationError(WHOLE_NUMBER_MESSAGE)
    if field.data is not None and field.data > MAX_PARALLEL_INSTANCES:
        raise ValidationError(
            f"At most {MAX_PARALLEL_INSTANCES:,} instances can run at the same time."
        )


def _instance_choices():
    choices = [SelectChoice("", "Project default")]
    choices += [
        SelectChoice(name, f"{name} — {cpus} vCPU, {memory} GiB")
        for name, cpus, memory in INSTANCE_TYPES
    ]
    choices.append(SelectChoice(TYPED_INSTANCE, "Custom…"))
    return choices


class ExecutionSettingsForm(Form):
    instance_type = SelectField(
        "Instance type",
        choices=_instance_choices(),
        default="",
        description="The cloud computer each job runs on. Project default: the project's or "
        "the app's choice.",
    )
    custom_instance_type = StringField(
        "Custom instance type",
        description="Used with “Custom…”: type;disk-type;size in GB, for example "
        "c5.4xlarge;ebs-gp2;1024.",
        render_kw={"spellcheck": "false", "autocomplete": "off"},
    )
    max_parallel_instances = IntegerField(
        "Maximum parallel instances",
        validators=[Optional(), _at_least_one],
        invalid_value_message=WHOLE_NUMBER_MESSAGE,
        description="How many instances may run at the same time (1 to 1,000). Empty: project "
        "default.",
        render_kw={"min": 1, "max": MAX_PARALLEL_INSTANCES, "step": 1},
    )
    use_memoization = SelectField(
        "Memoization",
        choices=TRI_STATE,
        default="",
        description="Reuse the results of identical jobs from earlier tasks instead of running "
        "them again.",
    )
    use_interruptible_instances = SelectField(
        "Spot instances",
        choices=TRI_STATE,
        default="",
        description="Cheaper spot (interruptible) instances; the cloud provider may stop them, "
        "and interrupted jobs then run again.",
    )
    use_elastic_disk = SelectField(
        "Elastic disk",
        choices=TRI_STATE,
        default="",
        description="Let a job's disk grow when it runs out of space, instead of the job failing.",
    )

    def validate_custom_instance_type(self, field):
        value = (field.data or "").strip()
        choice = self.instance_type.data
        if choice == TYPED_INSTANCE and not value:
            raise ValidationError(
                "Enter the custom instance type, or choose one from the list above."
            )
        if value and choice not in ("", TYPED_INSTANCE):
            raise ValidationError(
                "Choose “Custom…” in the list above to use this value, or clear it."
            )
        if value and not CUSTOM_INSTANCE_RE.fullmatch(value):
            raise ValidationError(CUSTOM_INSTANCE_MESSAGE)


def execution_body(form):
    """The ``execution_settings`` object and ``use_interruptible_instances`` (None when unset)
    from a validated ExecutionSettingsForm; settings left unset are absent."""
    settings = {}
    instance = _chosen_instance_type(form)
    if instance:
        settings["instance_type"] = instance
    if form.max_parallel_instances.data is not None:
        settings["max_parallel_instances"] = form.max_parallel_instances.data
    for name in _BOOLEAN_SETTINGS:
        value = _TRI_VALUE.get(form[name].data)
        if value is not None:
            settings[name] = value
    return settings, _TRI_VALUE.get(form.use_interruptible_instances.data)


def _chosen_instance_type(form):
    custom = (form.custom_instance_type.data or "").strip()
    if form.instance_type.data in ("", TYPED_INSTANCE):
        return custom or None
    return form.instance_type.data


def fill_execution(task, prefix="execution-"):
    """Form data (names with ``prefix``) that shows a task's execution settings in the form."""
    settings = task.get("execution_settings") or {}
    data = {}
    instance = settings.get("instance_type")
    if instance:
        if instance in {name for name, _, _ in INSTANCE_TYPES}:
            data["instance_type"] = instance
        else:
            data["instance_type"] = TYPED_INSTANCE
            data["custom_instance_type"] = instance
    if settings.get("max_parallel_instances") is not None:
        data["max_parallel_instances"] = str(settings["max_parallel_instances"])
    for name in _BOOLEAN_SETTINGS:
        data[name] = _tri_formdata(settings.get(name))
    data["use_interruptible_instances"] = _tri_formdata(task.get("use_interruptible_instances"))
    return {prefix + name: value for name, value in data.items()}


def _tri_formdata(value):
    if value is True:
        return "on"
    if value is False:
        return "off"
    return ""


# --- batch -----------------------------------------------------------------------------------

# The "batch by" choices besides the presets: one child task per file, or per the metadata keys
# typed in the box.
BY_FILE = "item"
BY_TYPED_KEYS = "custom"
METADATA_PREFIX = "metadata."
_METADATA_KEY_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def preset_choices():
    """Radio choices for "batch by": one child per file, the metadata presets, custom keys."""
    choices = [SelectChoice(BY_FILE, "File: one child task per file")]
    for name, criteria in BATCH_PRESETS.items():
        keys = ", ".join(key.removeprefix(METADATA_PREFIX) for key in criteria)
        label = BATCH_PRESET_LABELS.get(name, name)
        choices.append(SelectChoice(name, f"{label}: one child task per {keys}"))
    choices.append(SelectChoice(BY_TYPED_KEYS, "Custom: the metadata keys typed below"))
    return choices


def batch_input_choices(specs):
    """Choices of the batch input select: the File, File[] and Directory inputs of an app."""
    choices = [SelectChoice("", "Choose an input")]
    for spec in specs:
        kind = batchable_kind(spec.type)
        if kind:
            choices.append(SelectChoice(spec.id, f"{spec.display_label} ({spec.id}, {kind})"))
    return choices


def batchable_kind(type_node):
    """`File`, `File[]` or `Directory` when an input of this type can be batched over, else None."""
    kind = type_node.kind
    if kind in ("File", "Directory"):
        return kind
    if kind == "array" and type_node.items is not None and type_node.items.kind == "File":
        return "File[]"
    return None


class BatchForm(Form):
    mode = RadioField(
        "Single task or batch",
        choices=[
            SelectChoice("off", "No batch: one task"),
            SelectChoice("on", "Batch: one child task per file or per group of files"),
        ],
        default="off",
    )
    input = SelectField(
        "Batch input",
        choices=[SelectChoice("", "Choose an input")],
        default="",
        description="The File, File[] or Directory input whose files are split into child tasks.",
        validate_choice=False,  # checked in validate_input, with a clearer message
    )
    by = RadioField(
        "Batch by",
        choices=preset_choices(),
        default=BY_FILE,
        description="Per file, or per distinct value of metadata keys: files with the same "
        "values go to the same child task.",
    )
    custom_keys = StringField(
        "Custom metadata keys",
        description="Comma-separated metadata keys, for example sample_id, library_id "
        "(“metadata.” is added when missing).",
        render_kw={"spellcheck": "false", "autocomplete": "off"},
    )

    def validate_input(self, field):
        if self.mode.data != "on":
            return
        if not field.data:
            raise ValidationError("Choose the input to batch over, or choose “No batch”.")
        if field.data not in {choice.value for choice in _select_choices(field)}:
            raise ValidationError("This input cannot be batched; choose one from the list.")

    def validate_custom_keys(self, field):
        if self.mode.data != "on" or self.by.data != BY_TYPED_KEYS:
            return
        keys = _split_keys(field.data)
        if not keys:
            raise ValidationError("Enter at least one metadata key, for example sample_id.")
        bad = [key for key in keys if not _METADATA_KEY_RE.fullmatch(key)]
        if bad:
            raise ValidationError(
                f"Not a metadata key: {', '.join(bad)}. Use letters, digits, _ . and -, "
                "and separate keys with commas."
            )


def _select_choices(field):
    return [choice for choice in field.choices if choice.value]


def _split_keys(text):
    return [key.strip() for key in (text or "").split(",") if key.strip()]


def criteria_from_keys(text):
    """Metadata criteria from comma-separated keys: prefixed with ``metadata.``, duplicates
    dropped, order kept."""
    criteria = []
    for key in _split_keys(text):
        name = key if key.startswith(METADATA_PREFIX) else METADATA_PREFIX + key
        if name not in criteria:
            criteria.append(name)
    return criteria


def batch_body(form):
    """``(batch_input, batch_by)`` from a validated BatchForm, or ``(None, None)`` when off."""
    if form.mode.data != "on":
        return None, None
    if form.by.data == BY_FILE:
        return form.input.data, {"type": "ITEM"}
    if form.by.data == BY_TYPED_KEYS:
        criteria = criteria_from_keys(form.custom_keys.data)
    else:
        criteria = list(BATCH_PRESETS[form.by.data])
    return form.input.data, {"type": "CRITERIA", "criteria": criteria}


def fill_batch(task, prefix="batch-"):
    """Form data (names with ``prefix``) that shows a task's batch settings in the form."""
    batch_input, batch_by = task.get("batch_input"), task.get("batch_by")
    if not batch_input or not batch_by:
        return {prefix + "mode": "off"}
    data = {"mode": "on", "input": batch_input}
    if str(batch_by.get("type", "")).upper() == "ITEM":
        data["by"] = BY_FILE
    else:
        criteria = list(batch_by.get("criteria") or [])
        preset = next(
            (name for name, keys in BATCH_PRESETS.items() if list(keys) == criteria), None
        )
        if preset:
            data["by"] = preset
        else:
            data["by"] = BY_TYPED_KEYS
            data["custom_keys"] = ", ".join(criteria)
    return {prefix + name: value for name, value in data.items()}
