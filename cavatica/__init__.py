"""The CAVATICA API v2 client: the only package in the app that speaks HTTP to the platform.

    client = CavaticaClient(base_url, token, timeout=30.0, app_cache=None, budget=None)
    client.me(); client.projects(name=None, offset=0, limit=50) -> Page(items, total, offset, limit)
    client.apps(project, ...) -> Page; client.app(app_id, revision=None)   # with "raw"
    client.files(project=None, parent=None, names=(), ...) -> Page; client.file(file_id)
    client.files_by_id(ids) -> {id: file}       # POST /bulk/files/get, 100 ids a call, all at once
    client.files_by_id_later(ids) -> answer()   # sent now, read when the page needs the files
    client.file_names(ids) -> {id: name}        # optional: {} when it would spend the reserve
    client.rate_state(); client.can_spend_optional(calls)   # the rate budget as last seen
    client.files_named(names, project=None, parent=None) -> {name: [files]}
    client.files(..., origin_task=id)           # the files a task made
    client.names_present({folder id: names}) -> {folder id: names that exist}  # companion check
    client.create_task(body)                    # POST /tasks, never retried
    client.update_task(task_id, changes); client.find_draft_by_marker(project, marker)
    client.tasks(...) -> Page; client.task(task_id); client.run_task / abort_task / delete_task

What it promises:

- Errors are typed (`errors.py`) and carry `.status .code .message .more_info`;
  `RateLimited.reset_at` comes from `X-RateLimit-Reset`. `PlatformUnreachable`: nothing reached
  the platform, or a read timed out, so trying again is safe. `OutcomeUnknown`: a write went out
  and its answer never came (a timeout, a dropped connection, a 502/504 from a gateway): the
  change may have happened, so it is never retried; look for the result first.
- Reads (and the bulk look-up, which only reads) retry connection errors and 502/503/504 a couple
  of times with a short back-off. Nothing else retries.
- Every read names the fields it needs: without them the platform's lists send a subset. Bulk
  items carry no `type` or `parent` (`files_by_id(ids, parents=True)` asks for `parent`).
- `budget` keeps the X-RateLimit-* headers seen per account (`state.RateBudget`, or in Redis), so
  optional reads (names for display) leave the last requests to the creates that need them.
- An app revision never changes, so `app_cache` keeps it (as msgpack bytes: each caller gets a
  copy of its own, quickly); asking for the latest revision caches it under the revision it
  turned out to be.
- `file_memory` keeps the files each account looked up for a few minutes; a look-up that asks
  for `recent` files takes those as they were and asks only for the others.
- The token is never logged or put in an exception message. Calls are counted per route, so
  tests and the benchmarks can say how many a page costs.
"""

from .client import BULK_CHUNK, MAX_LIMIT, CavaticaClient, Page, account_key, split_app_id
from .errors import (
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
    "RequestBudgetSpent",
    "ServerError",
    "Unauthorized",
    "account_key",
    "split_app_id",
]
