"""Configuration as a deployment sets it: environment variables and a credentials profile."""

import logging

import pytest
from web_helpers import text_of

from app import create_app


def base_config(tmp_path):
    return {"TESTING": True, "SESSION_FILE_DIR": str(tmp_path / "sessions"), "SECRET_KEY": "k"}


@pytest.fixture
def clean_env(monkeypatch):
    for name in (
        "SB_API_ENDPOINT",
        "SB_AUTH_TOKEN",
        "SB_PROFILE",
        "SECRET_KEY",
        "SB_TIMEOUT",
        "SB_CREDENTIALS_FILE",
        "PAGE_SIZE",
        "SESSION_LIFETIME_HOURS",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_the_environment_configures_the_platform(clean_env, sandbox, tmp_path):
    clean_env.setenv("SB_API_ENDPOINT", sandbox.api_url + "/")
    clean_env.setenv("SB_AUTH_TOKEN", sandbox.token)
    clean_env.setenv("SB_TIMEOUT", "7.5")
    clean_env.setenv("PAGE_SIZE", "2")
    app = create_app(base_config(tmp_path))
    assert app.config["SB_API_ENDPOINT"] == sandbox.api_url
    assert app.config["SB_TIMEOUT"] == 7.5
    # A deployment-wide token: no sign-in, and the projects are the token's.
    text = text_of(app.test_client().get("/projects"))
    assert "1–2 of 5" in text


def test_a_credentials_profile_configures_the_platform(clean_env, sandbox, tmp_path):
    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[default]\napi_endpoint = https://example.invalid/v2\nauth_token = nope\n\n"
        f"[sandbox]\napi_endpoint = {sandbox.api_url}\nauth_token = {sandbox.token}\n"
    )
    clean_env.setenv("SB_PROFILE", "sandbox")
    clean_env.setenv("SB_CREDENTIALS_FILE", str(credentials))
    app = create_app(base_config(tmp_path))
    assert app.config["SB_API_ENDPOINT"] == sandbox.api_url
    assert "Pediatric WGS Cohort" in text_of(app.test_client().get("/projects"))


def test_a_missing_profile_is_a_clear_error(clean_env, tmp_path):
    credentials = tmp_path / "credentials"
    credentials.write_text("[default]\napi_endpoint = x\nauth_token = y\n")
    clean_env.setenv("SB_PROFILE", "lab")
    clean_env.setenv("SB_CREDENTIALS_FILE", str(credentials))
    with pytest.raises(ValueError, match=r"has no profile \[lab\]"):
        create_app(base_config(tmp_path))


def test_a_token_alone_means_cavatica(clean_env, tmp_path):
    clean_env.setenv("SB_AUTH_TOKEN", "a-token")
    app = create_app(base_config(tmp_path))
    assert app.config["SB_API_ENDPOINT"] == "https://cavatica-api.sbgenomics.com/v2"


def test_a_bad_number_is_a_clear_error(clean_env, tmp_path):
    clean_env.setenv("SB_TIMEOUT", "soon")
    with pytest.raises(ValueError, match="SB_TIMEOUT must be a float"):
        create_app(base_config(tmp_path))


def test_no_secret_key_warns_and_still_works(clean_env, sandbox, tmp_path, caplog):
    config = base_config(tmp_path)
    del config["SECRET_KEY"]
    config.update(SB_API_ENDPOINT=sandbox.api_url, SB_AUTH_TOKEN=sandbox.token)
    with caplog.at_level(logging.WARNING):
        app = create_app(config)
    assert len(app.config["SECRET_KEY"]) >= 32
    assert "sessions end when the app restarts" in caplog.text
    assert sandbox.token not in caplog.text


def test_tests_must_name_a_platform(clean_env, tmp_path):
    with pytest.raises(RuntimeError, match="SB_API_ENDPOINT"):
        create_app(base_config(tmp_path))


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SB_TIMEOUT", "0", "SB_TIMEOUT must be more than 0"),
        ("SB_TIMEOUT", "nan", "SB_TIMEOUT must be a finite number"),
        ("SESSION_LIFETIME_HOURS", "inf", "SESSION_LIFETIME_HOURS must be a finite number"),
        ("PAGE_SIZE", "500", "PAGE_SIZE can be at most 100"),
    ],
)
def test_numbers_out_of_range_are_clear_errors(clean_env, tmp_path, name, value, message):
    clean_env.setenv(name, value)
    with pytest.raises(ValueError, match=message):
        create_app(base_config(tmp_path))
