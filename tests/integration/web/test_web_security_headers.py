"""Every response says: no framing, scripts and styles from this app only, no type sniffing,
no address sent to other sites; and, when served over HTTPS only, HTTPS for ever."""

import pytest

PAGES = [
    "/sign-in",  # a form page, signed out
    "/projects",  # a page signed in
    "/projects/demo-user/pediatric-wgs",
    "/no/such/page",  # an error page
    "/static/style.css",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_security_headers(signed_in, path):
    response = signed_in.get(path)
    response.close()  # a static file is streamed
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_a_redirect_and_a_refused_post_carry_them_too(make_app):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    for response in (client.get("/projects"), client.post("/sign-out")):
        assert response.headers["X-Frame-Options"] == "DENY"


def test_https_deployments_send_hsts(make_app):
    response = make_app(SESSION_COOKIE_SECURE=True).test_client().get("/sign-in")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert int(response.headers["Strict-Transport-Security"].split("=")[1]) >= 180 * 24 * 3600


def test_no_page_template_has_inline_script_or_style():
    import re
    from pathlib import Path

    templates = Path(__file__).resolve().parents[3] / "templates"
    for path in templates.rglob("*.html"):
        html = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html), path
