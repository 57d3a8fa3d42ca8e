"""The CAVATICA API v2 client: the only package in the app that speaks HTTP to the platform."""

from .client import BULK_CHUNK, MAX_LIMIT, CavaticaClient, Page, account_key, split_app_id
from .errors import (
    ApiError,
    Forbidden,
    NotFound,
    OutcomeUnknown,
    PlatformUnreachable,
    RateLimited,
    ServerError,
    Unauthorized,
)

__all__ = [
    "BULK_CHUNK",
    "MAX_LIMIT",
    "ApiError",
    "CavaticaClient",
    "Forbidden",
    "NotFound",
    "OutcomeUnknown",
    "Page",
    "PlatformUnreachable",
    "RateLimited",
    "ServerError",
    "Unauthorized",
    "account_key",
    "split_app_id",
]
