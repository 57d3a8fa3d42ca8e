"""What every request and response passes: forms of text only, and security headers (no
framing, scripts and styles from this app only).

The pages have no inline script or style (every script and stylesheet is a file under static/),
so the Content-Security-Policy can refuse inline code outright: markup that slipped past the
escaping still could not run.
"""

from flask import abort, current_app, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # app docs may hold small inline images
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",  # no page may be framed (a framed Run button is a clickjack)
    ]
)
HSTS_SECONDS = 365 * 24 * 3600


def init_app(app):
    app.before_request(refuse_file_parts)
    app.after_request(add_security_headers)


def refuse_file_parts():
    """No form of the app uploads a file: a file part where text is expected is refused with
    its field's name (WTForms would otherwise meet a file object where it reads text)."""
    if request.method == "POST" and any(not isinstance(key, str) for key in request.form):
        # A part whose header cannot be read (say, a line break in its name) has no name.
        abort(
            400,
            description="Part of this form could not be read. Reload the page and "
            "send the form again.",
        )
    if request.files:
        names = ", ".join(f"“{name}”" for name in sorted(request.files))
        abort(
            400,
            description=f"This form takes text only, but a file was sent in {names}. "
            "Go back, reload the page and send the form again.",
        )


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        # Served over HTTPS only (the cookie says so): browsers must not try plain HTTP.
        headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_SECONDS}")
    return response
