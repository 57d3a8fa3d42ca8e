"""WTForms forms: the per-app inputs form (`forms.inputs`), settings, the task form, sign-in."""
