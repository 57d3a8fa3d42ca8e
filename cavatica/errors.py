"""Typed errors raised by the CAVATICA client.

Every error the client raises is an `ApiError`, so a view can catch that one class as a last
resort and still show a clear message. Errors built from an HTTP reply carry the platform's
`status`, `code`, `message` and `more_info`; transport failures (`PlatformUnreachable`,
`OutcomeUnknown`) have no status.
"""

from __future__ import annotations

import time


class ApiError(Exception):
    """The platform said no, or could not be asked. Base of every client error."""

    default_status: int | None = None  # the HTTP status this kind of error stands for

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: int | None = None,
        more_info: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status if status is not None else self.default_status
        self.code = code
        self.more_info = more_info
        self.request_id = request_id

    def __str__(self) -> str:
        if self.status is None:
            return self.message
        if self.code is not None and self.code != self.status:
            return f"{self.status} (code {self.code}): {self.message}"
        return f"{self.status}: {self.message}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, "
            f"message={self.message!r})"
        )


class Unauthorized(ApiError):
    """401: the token is missing, wrong or expired."""

    default_status = 401


class Forbidden(ApiError):
    """403: the token is fine but this user may not do that."""

    default_status = 403


class NotFound(ApiError):
    """404: no such project, app, file or task (or it is not visible to this user)."""

    default_status = 404


class RateLimited(ApiError):
    """429: too many requests; nothing is accepted until `reset_at` (epoch seconds)."""

    default_status = 429

    def __init__(self, message: str, *, reset_at: int | None = None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.reset_at = reset_at

    @property
    def retry_after_seconds(self) -> int | None:
        """Whole seconds until the platform accepts requests again (0 if already past)."""
        if self.reset_at is None:
            return None
        return max(0, int(self.reset_at - time.time() + 0.999))


class ServerError(ApiError):
    """5xx, or a reply the client could not read: the platform had a problem."""


class PlatformUnreachable(ApiError):
    """No answer: connection refused, DNS failure, or a read-only call that timed out.

    Nothing was changed on the platform, so trying again is safe.
    """


class OutcomeUnknown(ApiError):
    """A call that changes something went out but its answer never came.

    The change may or may not have happened (e.g. a draft task may exist). Never retried
    automatically: look for the result first (see `CavaticaClient.find_draft_by_marker`).
    """


class RequestBudgetSpent(ApiError):
    """One page of the app asked for more calls than its share of the account's rate budget:
    the call was not sent (the rest of the budget stays for the user's other pages)."""

    default_status = None
