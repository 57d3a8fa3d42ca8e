"""Configuration: the defaults, and how the environment and a credentials profile override them.

The platform settings follow the official Seven Bridges SDK and CLI: `SB_API_ENDPOINT` and
`SB_AUTH_TOKEN` from the environment, or a named profile (`SB_PROFILE`) in the INI file
`~/.sevenbridges/credentials` with `api_endpoint` and `auth_token` keys.
"""

import configparser
import math
import os
from datetime import timedelta

CAVATICA_API = "https://cavatica-api.sbgenomics.com/v2"
CAVATICA_UI = "https://cavatica.sbgenomics.com"
CREDENTIALS_FILE = os.path.join("~", ".sevenbridges", "credentials")

DEFAULTS = {
    # The platform. No endpoint and no token: the app starts its embedded sandbox (see app.py).
    "SB_API_ENDPOINT": None,
    "SB_AUTH_TOKEN": None,
    "SB_PROFILE": None,
    "SB_CREDENTIALS_FILE": CREDENTIALS_FILE,
    "SB_TIMEOUT": 30.0,
    # With SB_AUTH_TOKEN: the header a sign-on proxy names the user in, and that proxy's addresses.
    "TRUSTED_USER_HEADER": None,
    "TRUSTED_PROXIES": "127.0.0.1,::1",
    # Where task links point; the platform's web UI, not its API.
    "CAVATICA_UI_URL": CAVATICA_UI,
    # Set by create_app when it serves the embedded sandbox (and by `make serve`'s, via SANDBOX=1).
    "SANDBOX": False,
    "SECRET_KEY": None,
    # Sessions: a signed cookie until sign-in, then server-side (the cookie carries its id).
    "SESSION_FILE_DIR": None,  # default: <instance folder>/sessions
    # When set, shared by every process: sessions, the draft guard, app revisions, rate budget.
    "REDIS_URL": None,
    "SESSION_PERMANENT": True,
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
    "SESSION_COOKIE_NAME": "launcher_session",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    # The largest request body taken (a form of 5,000 file ids is about 130 kB).
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    # Page sizes and caches.
    "PAGE_SIZE": 25,
    "APP_CACHE_SIZE": 128,
    # Seconds between two looks at a running task from its page (longer while nothing changes).
    "TASK_REFRESH_SECONDS": 5.0,
}

# Environment variables read on top of the defaults, with the type each is converted to.
ENV_VARS = {
    "SB_API_ENDPOINT": str,
    "SB_AUTH_TOKEN": str,
    "SB_PROFILE": str,
    "SB_CREDENTIALS_FILE": str,
    "SB_TIMEOUT": float,
    "TRUSTED_USER_HEADER": str,
    "TRUSTED_PROXIES": str,
    "CAVATICA_UI_URL": str,
    "SANDBOX": "bool",
    "SECRET_KEY": str,
    "SESSION_FILE_DIR": str,
    "REDIS_URL": str,
    "SESSION_COOKIE_SECURE": "bool",
    "SESSION_LIFETIME_HOURS": float,
    "PAGE_SIZE": int,
}

TRUE_WORDS = {"1", "true", "yes", "on"}


def from_environ(environ=None):
    """Read the known variables from the environment; empty values count as unset.

    :return: a dict of config keys to converted values.
    :raise ValueError: a variable holds something that is not of its type.
    """
    environ = os.environ if environ is None else environ
    config = {}
    for name, kind in ENV_VARS.items():
        raw = environ.get(name, "").strip()
        if not raw:
            continue
        if kind == "bool":
            config[name] = raw.lower() in TRUE_WORDS
        else:
            try:
                config[name] = kind(raw)
            except ValueError as err:
                raise ValueError(f"{name} must be a {kind.__name__}, not {raw!r}") from err
    for name in ("SB_TIMEOUT", "SESSION_LIFETIME_HOURS"):
        # float() reads "nan" and "inf" too; neither is a timeout or a lifetime.
        if name in config and not math.isfinite(config[name]):
            raise ValueError(f"{name} must be a finite number, not {config[name]}")
    for name in ("SB_TIMEOUT", "SESSION_LIFETIME_HOURS", "PAGE_SIZE"):
        if name in config and config[name] <= 0:
            raise ValueError(f"{name} must be more than 0, not {config[name]}")
    if config.get("PAGE_SIZE", 0) > 100:
        raise ValueError("PAGE_SIZE can be at most 100 (the platform's page limit)")
    if "SESSION_LIFETIME_HOURS" in config:
        hours = config.pop("SESSION_LIFETIME_HOURS")
        config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=hours)
    return config


def read_profile(profile, path=CREDENTIALS_FILE):
    """Read `api_endpoint` and `auth_token` of one profile of a credentials INI file.

    :return: (endpoint or None, token or None).
    :raise ValueError: the file or the profile does not exist.
    """
    path = os.path.expanduser(path)
    parser = configparser.ConfigParser(interpolation=None)
    if not parser.read(path):
        raise ValueError(f"SB_PROFILE is {profile!r} but there is no credentials file at {path}")
    if not parser.has_section(profile):
        raise ValueError(f"The credentials file {path} has no profile [{profile}]")
    section = parser[profile]
    return section.get("api_endpoint") or None, section.get("auth_token") or None


def resolve_platform(config):
    """Fill SB_API_ENDPOINT / SB_AUTH_TOKEN in `config` from the profile when one is named.

    Variables set directly win over the profile. A token without an endpoint means CAVATICA.
    """
    profile = config.get("SB_PROFILE")
    if profile and not (config.get("SB_API_ENDPOINT") and config.get("SB_AUTH_TOKEN")):
        endpoint, token = read_profile(profile, config["SB_CREDENTIALS_FILE"])
        config["SB_API_ENDPOINT"] = config.get("SB_API_ENDPOINT") or endpoint
        config["SB_AUTH_TOKEN"] = config.get("SB_AUTH_TOKEN") or token
    if config.get("SB_AUTH_TOKEN") and not config.get("SB_API_ENDPOINT"):
        config["SB_API_ENDPOINT"] = CAVATICA_API
    if config.get("SB_API_ENDPOINT"):
        config["SB_API_ENDPOINT"] = config["SB_API_ENDPOINT"].rstrip("/")
