"""Sign-in, and the empty form behind every one-button POST (sign out, run, delete)."""

from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired


class SignInForm(FlaskForm):
    token = PasswordField(
        "CAVATICA authentication token",
        validators=[DataRequired(message="Paste your CAVATICA authentication token.")],
        description="Find it in CAVATICA under Developer › Authentication token. It is kept on "
        "this server for your session only and never shown again.",
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class ActionForm(FlaskForm):
    """No fields: carries the CSRF token of a one-button POST."""
