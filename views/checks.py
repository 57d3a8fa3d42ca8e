"""The pre-flight check of a task form as it stands: the rules come from `preflight` (pure), the
names of the companion files from the platform, asked once per folder for the page."""

import preflight
from cavatica import ApiError, Unauthorized


def check_form(client, app, specs, inputs_form, files, companions_only=False):
    """The `preflight.Report` of the inputs form. `files` are the chosen files as the platform
    returned them, with their folders (the page looks them up once). With `companions_only`, a
    form whose chosen files have no companion to look for is reported at once, with no call.
    A refusal of the look-up leaves the companions unchecked, and says so: the form itself must
    still show."""
    values = {s.id: inputs_form[s.id].data for s in specs if s.id in inputs_form}
    cwl_version = (app.get("raw") or {}).get("cwlVersion")
    planned = preflight.plan(specs, values, cwl_version if isinstance(cwl_version, str) else None)
    targets = preflight.all_targets(planned)
    if companions_only and not any(rule.companion_of("x") for t in targets for rule in t.rules):
        return preflight.Report({}, tuple(preflight.empty_required(specs, values)))
    wanted = preflight.names_to_look_up(targets, files)
    try:
        present = client.names_present(wanted) if wanted else {}
    except Unauthorized:
        raise
    except ApiError as error:
        note = f"The companion files could not be looked up ({error}); they are not checked."
        return preflight.report(specs, values, planned, files, None, unavailable=note)
    return preflight.report(specs, values, planned, files, present)
