"""Sign-in, and the empty form behind every one-button POST (sign out, run, delete)."""

import re

from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, ValidationError

# What can travel in an HTTP header: visible ASCII, no spaces (CAVATICA tokens are hex).
TOKEN_RE = re.compile(r"[\x21-\x7e]{8,512}")


class SignInForm(FlaskForm):
    token = PasswordField(
        "CAVATICA authentication token",
        validators=[DataRequired(message="Paste your CAVATICA authentication token.")],
        description="Find it in CAVATICA under Developer › Authentication token. It is kept on "
        "this server for your session only and never shown again.",
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )

    def validate_token(self, field):
        if not TOKEN_RE.fullmatch(field.data.strip()):
            raise ValidationError(
                "This does not look like a CAVATICA token: it should be one word of letters "
                "and digits. Check that you copied all of it and nothing else."
            )


class ActionForm(FlaskForm):
    """No fields: carries the CSRF token of a one-button POST."""
