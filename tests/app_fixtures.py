"""The one place tests learn where the real apps are: the copy inside the project that the sandbox
seeds from (a bare clone holds everything it needs)."""

import json

from sandbox.store import REAL_APPS_DIR

REAL_APP_PATHS = sorted(REAL_APPS_DIR.glob("*.json"))


def load_real_app(name):
    """The raw CWL of one real app, by file name with or without `.json`."""
    file_name = name if name.endswith(".json") else f"{name}.json"
    return json.loads((REAL_APPS_DIR / file_name).read_text(encoding="utf-8"))
