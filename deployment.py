"""Who is there when the whole deployment uses one token (SB_AUTH_TOKEN).

Nobody signs in then, so the app must learn who is there some other way. Either a reverse proxy
that signs lab members in (the lab's single sign-on) names the user in a header the app trusts
(TRUSTED_USER_HEADER), only from the proxy's own addresses (TRUSTED_PROXIES), and each draft
says who created it; or the app serves this machine only (loopback), and says so at start.
"""

import ipaddress
import logging

from flask import abort, current_app, g, request

log = logging.getLogger(__name__)

CREATOR_TEXT = "Created by {user} (signed in through the lab's sign-on)."


def init_app(app):
    if not app.config.get("SB_AUTH_TOKEN"):
        return
    if app.config.get("TRUSTED_USER_HEADER"):
        log.info(
            "SB_AUTH_TOKEN with TRUSTED_USER_HEADER=%s: requests are served only from %s, "
            "and each draft names who created it.",
            app.config["TRUSTED_USER_HEADER"],
            ", ".join(trusted_proxies(app)),
        )
    else:
        log.warning(
            "SB_AUTH_TOKEN is set without TRUSTED_USER_HEADER: anyone who reaches this app acts "
            "as the deployment's CAVATICA account, so only this machine (loopback) is served. "
            "To serve a lab, put it behind a sign-on proxy (see the README)."
        )
    app.before_request(check_visitor)


def trusted_proxies(app):
    raw = app.config.get("TRUSTED_PROXIES") or "127.0.0.1,::1"
    return [part.strip() for part in raw.split(",") if part.strip()]


def _is_loopback(address):
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


def check_visitor():
    """Refuse a request that does not come the way this deployment is reached."""
    header = current_app.config.get("TRUSTED_USER_HEADER")
    address = request.remote_addr
    if not header:
        if not _is_loopback(address):
            abort(403, description=NOT_LOOPBACK)
        return
    if address not in trusted_proxies(current_app):
        abort(403, description=NOT_FROM_PROXY)
    user = request.headers.get(header, "").strip()
    if not user or len(user) > 200 or any(ord(c) < 0x20 or ord(c) == 0x7F for c in user):
        abort(403, description=NO_USER)
    g.deployment_user = user


NOT_LOOPBACK = (
    "This site uses one CAVATICA account for everyone and serves only the machine it runs on. "
    "Ask whoever runs it to put it behind the lab's sign-on."
)
NOT_FROM_PROXY = "This site is reached through the lab's sign-on. Open it at its usual address."
NO_USER = "The lab's sign-on did not say who you are. Sign in there again, then reload."


def deployment_user():
    """Who the sign-on proxy says is there (deployment-token mode), or None."""
    return g.get("deployment_user")


def with_creator(description):
    """The description with who created the draft on its first line (so the lines the app
    writes at its end, and finds again there, stay last)."""
    user = deployment_user()
    if not user:
        return description
    line = CREATOR_TEXT.format(user=user)
    return f"{line}\n\n{description}" if description else line
