"""Telling the user what the platform said: one table from each platform error to the title of
its error page and the sentence that explains it (never a traceback or a token)."""

import time
from dataclasses import dataclass

from cavatica import (
    ApiError,
    Forbidden,
    NotFound,
    OutcomeUnknown,
    PlatformUnreachable,
    RateLimited,
    RequestBudgetSpent,
    ServerError,
    Unauthorized,
)


@dataclass(frozen=True)
class Problem:
    """`title` heads the error page (None: by status, see `problem_title`); `sentence` may use
    {said} (what the platform said, when it answered) and {message} (the client's words)."""

    title: str | None
    sentence: str


REFUSED, NO_ANSWER = "CAVATICA refused the request", "CAVATICA could not answer"

PROBLEMS = {
    Unauthorized: Problem(None, "CAVATICA did not accept the token (it may have expired).{said}"),
    Forbidden: Problem(
        "Not allowed by CAVATICA", "Your CAVATICA account is not allowed to do this.{said}"
    ),
    NotFound: Problem(
        "Not found on CAVATICA",
        "CAVATICA could not find this, or your account cannot see it.{said}",
    ),
    RateLimited: Problem("Too many requests", ""),  # the sentence says when: rate_limit_message
    # This app, not the platform, stopped one page spending more than its share of the budget.
    RequestBudgetSpent: Problem("Too many requests", "{message}"),
    ServerError: Problem(
        None, "CAVATICA had a problem and could not answer. Try again in a minute.{said}"
    ),
    PlatformUnreachable: Problem(
        "CAVATICA could not be reached",
        "CAVATICA could not be reached. {message} Try again in a minute.",
    ),
    OutcomeUnknown: Problem(
        "CAVATICA's answer was lost", "It is not known whether CAVATICA did this. {message}"
    ),
    ApiError: Problem(None, REFUSED + ".{said}"),
}


def problem_of(error):
    """The table's entry for `error`'s class, or for the nearest class it derives from."""
    return next(PROBLEMS[cls] for cls in type(error).__mro__ if cls in PROBLEMS)


def platform_problem(error):
    """A sentence for the user about a client error."""
    if isinstance(error, RateLimited):
        return rate_limit_message(error)
    said = f" CAVATICA said: “{error.message}”" if error.status else ""
    return problem_of(error).sentence.format(said=said, message=error.message)


def problem_title(error):
    """The title of the page that shows `error`."""
    return problem_of(error).title or (REFUSED if platform_status(error) < 500 else NO_ANSWER)


def platform_status(error):
    """The HTTP status of a page that shows a platform error: the platform's own when it
    refused the request (4xx), 502 when it failed or could not be reached."""
    status = getattr(error, "status", None)
    if status is not None and 400 <= status < 500:
        return status
    if isinstance(error, RequestBudgetSpent):
        return 429  # this app, not the platform, said "too many" for one page
    return 502


def rate_limit_message(error):
    """'Too many requests' with when to try again, from the platform's reset time."""
    wait = error.retry_after_seconds
    if wait is None:
        return "CAVATICA has had too many requests from this account. Wait a few minutes."
    at = time.strftime("%H:%M:%S UTC", time.gmtime(error.reset_at))
    return (
        "CAVATICA has had too many requests from this account. "
        f"Try again in {wait} seconds (after {at})."
    )
