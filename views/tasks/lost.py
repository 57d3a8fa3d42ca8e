"""What the task form says when CAVATICA's answer to creating a draft was lost.

`drafts` decides (it sends a form again only after a look begun past the deadline found
nothing); this puts what it decided into words: until when the draft may still appear, that
nothing is sent again before then, and how to look again.
"""

import math
import time

from drafts import Outcome

from ..problems import platform_problem

# A lost try's draft may still appear up to this many client timeouts after the try began: the
# try's own wait, and twice as long again (a platform that took twice the timeout was seen).
LOOK_TIMEOUTS = 3

TITLE = "CAVATICA's answer was lost"  # the heading over what follows
LOOK_AGAIN = "Press “Look again” to check; everything you entered is kept."
NOT_MADE = (
    "We looked again: no draft of this form was made, so you can create it now. "
    "Everything you entered is kept."
)


def look_seconds(timeout):
    """How long after a lost try began the app keeps looking before the form may be sent again."""
    return LOOK_TIMEOUTS * float(timeout)


def until_words(until, now):
    """“10:31:30 UTC, in 6 seconds”: when the app stops waiting for a lost draft."""
    left = max(0, math.ceil(until - now))
    at = time.strftime("%H:%M:%S UTC", time.gmtime(until))
    return f"{at}, in {left} second{'' if left == 1 else 's'}"


def look_in_seconds(result, now):
    """Seconds until the page should look again by itself, or None when it is not waiting."""
    if result.looking_until is None:
        return None
    return max(0, math.ceil(result.looking_until - now))


def problem_of(result, marker, now):
    """The sentence above the form for an UNKNOWN, STILL_LOOKING or NOT_MADE result."""
    if result.outcome is Outcome.NOT_MADE:
        return (
            "We could not tell whether the draft was created: CAVATICA's answer never came. "
            "We looked for it after the time it could still appear and nothing was found, so "
            "you can submit again; everything you entered is kept."
        )
    until = until_words(result.looking_until, now)
    if result.outcome is Outcome.UNKNOWN:
        said = "CAVATICA may still be creating the draft."  # the heading says the answer was lost
    else:
        said = (
            "Nothing new was sent: CAVATICA may still be creating the draft from when this form "
            "was first sent (its answer was lost), and it is not there yet."
        )
    said += (
        f" Looking again until {until}: this form is not sent again before then, "
        "so it cannot make a second draft."
    )
    if result.lookup_error is not None:
        said += (
            f" Looking for it failed just now: {platform_problem(result.lookup_error)} "
            f"You can also look in the project for a draft whose description ends with "
            f"“ref {marker}”."
        )
    return f"{said} {LOOK_AGAIN}"
