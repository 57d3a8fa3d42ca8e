"""CavaticaClient: the only code that speaks HTTP to CAVATICA (or to the local sandbox).

One choke point for the auth header, timeouts, retries (read-only calls only), typed errors and
pages. A client holds one `requests.Session`; create one per web request or per thread
(sessions are not meant to be shared between threads).
"""

from __future__ import annotations

import functools
import hashlib
import http.client
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import msgspec
import requests
import urllib3
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import ConnectTimeoutError

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

log = logging.getLogger("cavatica")

USER_AGENT = f"cavatica-launcher/0.1.0 (python-requests/{requests.__version__})"
MAX_LIMIT = 100  # the platform's page size cap
# The platform answers with the fields a call names in `fields` (lists: a default subset when it
# names none), so each call asks for what the app reads: everything (`_all`), except app lists,
# where everything would bring each app's whole CWL along.
ALL_FIELDS = "_all"
APP_LIST_FIELDS = "id,name,project,revision"
NAME_FIELDS = "id,name"  # a companion-file check reads names only
# The platform's switch for beta features; on file details it adds the parent folder's id.
ADVANCE_ACCESS = {"X-SBG-Advance-Access": "advance"}
BULK_CHUNK = 100  # the bulk endpoints take at most 100 ids a call
# The official SDK refuses URLs over 6,000 characters, as gateways may; calls with many name
# filters are split to stay under it.
MAX_URL_LENGTH = 6000
# Bulk calls in flight at once from the process's bulk threads, whatever its pages, and the most
# one look-up writes itself on open connections: 3,200 ids wait one round trip, not 32, and more
# wait a round trip per 3,200 rather than flooding the platform.
BULK_THREADS = 32
SENDS_UNDER_WAY_SECONDS = 0.05  # at most, before a look-up sent now and read later returns
CONNECT_TIMEOUT = 10.0  # seconds; a connect should never take the whole read timeout
RETRY_STATUSES = frozenset({502, 503, 504})
# A gateway's own answers: the platform behind it may have acted before its answer was lost.
GATEWAY_STATUSES = frozenset({502, 504})
# POSTs that only read: safe to retry, and a lost answer changes nothing on the platform.
READ_ONLY_POSTS = frozenset({"/bulk/files/get"})

# Optional calls (names for display) are skipped when fewer than this share of the platform's
# rate budget would be left after them: the last requests are kept for a user's create.
RESERVE_SHARE = 0.05
RESERVE_MIN = 10
# The platform's documented budget (1,000 requests per 5 minutes), until a reply says otherwise.
DEFAULT_RATE_LIMIT = 1000

_NO_BODY = object()


class _SharedAdapter(requests.adapters.HTTPAdapter):
    """A pool of kept-alive connections that every client of the process reads through (a
    connection carries no identity: the token is a header of each call). Closing one client
    leaves the pool to the others."""

    def close(self) -> None:
        pass


_READ_ADAPTERS: dict[str, _SharedAdapter] = {}
_READ_ADAPTERS_LOCK = threading.Lock()
# Room for every thread of a busy process to keep its connection between pages.
READ_POOL_SIZE = 64


def _read_adapter(base_url: str) -> _SharedAdapter:
    """The process's pool of connections to the platform at `base_url`, made once."""
    parts = urlsplit(base_url)
    key = f"{parts.scheme}://{parts.netloc}"
    with _READ_ADAPTERS_LOCK:
        adapter = _READ_ADAPTERS.get(key)
        if adapter is None:
            adapter = _READ_ADAPTERS[key] = _SharedAdapter(pool_maxsize=READ_POOL_SIZE)
        return adapter


PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


def _proxies_for(base_url: str) -> dict[str, str]:
    """The proxies the environment sets for `base_url`: worked out once per value of the proxy
    variables (each client made per page would otherwise parse the whole environment twice)."""
    setting = tuple(os.environ.get(v) or os.environ.get(v.lower()) for v in PROXY_VARIABLES)
    return dict(_environ_proxies(base_url, setting))


@functools.lru_cache(maxsize=16)
def _environ_proxies(base_url: str, _setting: tuple) -> dict[str, str]:
    return requests.utils.get_environ_proxies(base_url)


_bulk_pool: ThreadPoolExecutor | None = None
_bulk_pool_lock = threading.Lock()


def _rate_values(headers: Mapping[str, str]) -> dict[str, int]:
    """{"limit", "remaining", "reset"}: those of a reply's X-RateLimit-* headers it has."""
    values = {}
    for name in ("limit", "remaining", "reset"):
        try:
            values[name] = int(headers.get(f"X-RateLimit-{name.title()}"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
    return values


def _latest(reports: Iterable[Mapping[str, int]]) -> Mapping[str, int] | None:
    """Of replies' rate values sent at once, the one that says the most has been spent: the
    latest window (reset), and in it the fewest remaining."""
    known = [r for r in reports if "remaining" in r]
    if not known:
        return None
    return min(known, key=lambda r: (-r.get("reset", 0), r["remaining"]))


def _bulk_executor() -> ThreadPoolExecutor:
    """The process's threads for bulk look-ups, started once: starting ten threads for each
    page cost that page several milliseconds of waiting for the interpreter. Shared, so it
    also bounds the bulk calls in flight from the whole process."""
    global _bulk_pool
    with _bulk_pool_lock:
        if _bulk_pool is None:
            _bulk_pool = ThreadPoolExecutor(max_workers=BULK_THREADS, thread_name_prefix="bulk")
        return _bulk_pool


# How requests sends a call; a test's mock of the transport replaces it, and is then used.
_ADAPTER_SEND = requests.adapters.HTTPAdapter.send
# What writing or reading a call on a connection of its own may raise.
_CONNECTION_FAILURES = (OSError, http.client.HTTPException, urllib3.exceptions.HTTPError)


class _Reply:
    """A reply read straight off a connection: what this client reads of a requests.Response."""

    def __init__(self, raw: urllib3.BaseHTTPResponse) -> None:
        self.status_code = raw.status
        self.reason = raw.reason
        self.headers = CaseInsensitiveDict(raw.headers)
        self.content = raw.data or b""

    def json(self) -> Any:
        return msgspec.json.decode(self.content)

    def close(self) -> None:
        pass


def _as_request_error(exc: BaseException) -> requests.RequestException:
    """A failure on a connection written to straight, as requests would have raised it."""
    if isinstance(exc, TimeoutError | urllib3.exceptions.TimeoutError):
        return requests.ReadTimeout(exc)
    return requests.ConnectionError(exc)


class _SentCall:
    """One bulk look-up written to an open connection of the read pool, its reply read later.
    The connection goes back to the pool once the reply is read, or closed if it never is."""

    def __init__(self, pool: urllib3.HTTPConnectionPool, conn: Any, chunk: list[str]) -> None:
        self.pool, self.conn, self.chunk = pool, conn, chunk
        self.started = time.monotonic()
        self.failure: requests.RequestException | None = None

    def send(self, target: str, body: bytes, headers: Mapping[str, str], timeout: float) -> None:
        try:
            self.conn.timeout = timeout
            self.conn.request("POST", target, body=body, headers=headers)
        except _CONNECTION_FAILURES as exc:
            self.failure = _as_request_error(exc)
            self.abandon()

    def reply(self, timeout: float) -> _Reply:
        """The reply, read in full; raises a requests.RequestException as requests would."""
        if self.failure is not None:
            raise self.failure
        conn, self.conn = self.conn, None
        try:
            conn.timeout = timeout
            return _Reply(conn.getresponse())
        except _CONNECTION_FAILURES as exc:
            conn.close()
            raise _as_request_error(exc) from exc
        finally:
            self.pool._put_conn(conn)

    def abandon(self) -> None:
        """Closes the connection if its reply was not read: it must not carry that reply to
        the next call made on it."""
        if self.conn is not None:
            self.conn.close()
            self.pool._put_conn(self.conn)
            self.conn = None


def account_key(base_url: str, token: str) -> str:
    """A stable name for one account on one platform, for shared state (never the token)."""
    material = f"cavatica-launcher account\0{base_url.rstrip('/')}\0{token}".encode()
    return hashlib.sha256(material).hexdigest()[:32]


def reserve_of(limit: int) -> int:
    """How many of a window's `limit` requests optional calls leave for what users asked."""
    return max(RESERVE_MIN, int(limit * RESERVE_SHARE))


@dataclass(frozen=True)
class Page:
    """One page of a list. `total` comes from the `X-Total-Matching-Query` header."""

    items: list[dict]
    total: int
    offset: int
    limit: int

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total

    @property
    def has_previous(self) -> bool:
        return self.offset > 0


def _packed(value: Any) -> bytes:
    """JSON data as the app cache keeps it: msgpack bytes, which no caller can change, and
    which turn back into a fresh copy of their own in a millisecond or two (an app's CWL can
    be 600 kB: a JSON round trip takes ten times as long, copy.deepcopy thirty)."""
    return msgspec.msgpack.encode(value)


def _unpacked(raw: Any) -> Any:
    """What `_packed` made, or None for anything else (an entry of another form is a miss)."""
    if not isinstance(raw, bytes):
        return None
    try:
        return msgspec.msgpack.decode(raw)
    except msgspec.DecodeError:
        return None


def split_app_id(app_id: str) -> tuple[str, int | None]:
    """`owner/project/app/3` -> (`owner/project/app`, 3); an id without revision -> (id, None)."""
    app_id = app_id.strip().strip("/")
    parts = app_id.split("/")
    last = parts[-1]
    if len(parts) == 4 and last.isascii() and last.isdigit():
        return "/".join(parts[:3]), int(last)
    return app_id, None


def _path_segment(value: Any) -> str:
    # Ids such as `owner/project` keep their slashes; anything else in them is escaped.
    parts = str(value).split("/")
    # An empty, `.` or `..` part would name another resource (HTTP libraries resolve dot
    # segments: `/tasks/..` is sent as `/`), and no platform id has one.
    if any(part in ("", ".", "..") for part in parts):
        raise NotFound(f"'{value}' is not a valid id.")
    return "/".join(quote(part, safe="") for part in parts)


def _page_params(offset: int, limit: int) -> tuple[int, int]:
    return max(0, int(offset)), min(MAX_LIMIT, max(1, int(limit)))


def _as_list(values: Any) -> list:
    if values is None:
        return []
    if isinstance(values, str | int | float):
        return [values]
    return list(values)


def _name_chunks(names: list[str], budget: int) -> Iterable[list[str]]:
    """`names` in runs that fit one call: a page of them at most, in `budget` URL characters."""
    chunk: list[str] = []
    used = 0
    for name in names:
        cost = len("&name=") + len(quote(name, safe=""))
        if chunk and (len(chunk) >= MAX_LIMIT or used + cost > budget):
            yield chunk
            chunk, used = [], 0
        chunk.append(name)
        used += cost
    if chunk:
        yield chunk


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the request certainly did not reach the platform (so nothing changed there)."""
    if isinstance(exc, requests.ConnectTimeout | requests.exceptions.SSLError):
        return True
    if isinstance(
        exc,
        requests.exceptions.InvalidURL
        | requests.exceptions.MissingSchema
        | requests.exceptions.InvalidSchema,
    ):
        return True
    if isinstance(exc, requests.ConnectionError) and exc.args:
        reason = getattr(exc.args[0], "reason", exc.args[0])
        # Refused connections and DNS failures are NewConnectionError, a ConnectTimeoutError.
        return isinstance(reason, ConnectTimeoutError)
    return False


def _retryable_failure(exc: requests.RequestException) -> bool:
    """Connection failures worth another try on a read-only call. A read timeout is not one:
    the platform is slow, and asking again would only make the user wait a multiple of it."""
    if isinstance(exc, requests.exceptions.SSLError):
        return False
    return isinstance(exc, requests.ConnectionError | requests.exceptions.ChunkedEncodingError)


class CavaticaClient:
    """A small client for the CAVATICA API v2 (`base_url` like `https://cavatica-api.sbgenomics.com/v2`)."""

    def __init__(
        self,
        base_url: str,
        token: str,
        timeout: float | tuple[float, float] = 30.0,
        app_cache: Any = None,
        *,
        retries: int = 2,
        backoff: float = 0.3,
        budget: Any = None,
        request_share: float | None = None,
        file_memory: Any = None,
    ) -> None:
        """`budget` keeps the rate-limit headers seen per account (`note`, `spend`, `get`); it
        may be shared by every client of a deployment (see the `state` package).
        `request_share`: the most this client may send, as a share of the account's rate limit
        (the app makes one client per page, so no one page can spend the whole budget).
        `file_memory` keeps the files looked up per account for a short while (`get_many`,
        `put_many`; see the `state` package), for the look-ups that ask for `recent` ones."""
        if not base_url:
            raise ValueError("base_url is required")
        if not token:
            raise ValueError("a token is required")
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._token_fingerprint = hashlib.sha256(
            b"cavatica-launcher token fingerprint\0" + token.encode()
        ).hexdigest()[:32]
        if isinstance(timeout, tuple):
            self.timeout = (float(timeout[0]), float(timeout[1]))
        else:
            self.timeout = (min(CONNECT_TIMEOUT, float(timeout)), float(timeout))
        self.app_cache = app_cache
        self.account = account_key(self.base_url, token)
        self.budget = budget
        self.request_share = request_share
        self.file_memory = file_memory
        self.calls_sent = 0
        self.retries = retries
        self.backoff = backoff
        # Upstream calls made, keyed like "GET /tasks/{task_id}" (every attempt counts). A view
        # may send independent reads from several threads at once, hence the lock.
        self.call_counts: Counter[str] = Counter()
        self._counts_lock = threading.Lock()
        # The last X-RateLimit-* headers seen: {"limit", "remaining", "reset"} as ints.
        self.last_rate_limit: dict[str, int] | None = None
        # What `names_present` learnt, so no name is asked twice: {folder id: {name: exists}},
        # and the folders listed whole (every name in them is then known).
        self._names_known: dict[str, dict[str, bool]] = {}
        self._folders_listed: dict[str, set[str]] = {}
        # Reads go through the process's kept-alive connections: a page then opens none (over
        # HTTPS each new one costs the platform's round trip two or three times). Writes get
        # connections of their own, opened for this client: a kept-alive connection the
        # platform closed meanwhile fails a call before it is read, and a POST /tasks that
        # fails so cannot be known not to have been made (it is never retried).
        self.session = self._new_session(_read_adapter(self.base_url))
        self._write_session = self._new_session(requests.adapters.HTTPAdapter())

    def _new_session(self, adapter: requests.adapters.HTTPAdapter) -> requests.Session:
        session = requests.Session()
        # requests reads the proxy variables from the environment again for every call (a
        # tenth of a bulk call's CPU); this client talks to one platform, so they are read once,
        # NO_PROXY included, as are the CA bundle variables requests honours.
        session.trust_env = False
        session.proxies.update(_proxies_for(self.base_url))
        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        if bundle:
            session.verify = bundle
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        session.headers.update(
            {
                "X-SBG-Auth-Token": self._token,
                "Content-Type": "application/json",
                "Accept": "application/json",
                "User-Agent": USER_AGENT,
            }
        )
        return session

    def __repr__(self) -> str:
        return f"CavaticaClient({self.base_url!r})"

    def close(self) -> None:
        self.session.close()  # the shared read pool stays open for the process's other clients
        self._write_session.close()

    def __enter__(self) -> CavaticaClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---- users, projects -------------------------------------------------------------------

    def me(self) -> dict:
        return self._json("GET", "/user", fields=ALL_FIELDS)

    def rate_limit(self) -> dict:
        return self._json("GET", "/rate_limit")

    def projects(self, name: str | None = None, offset: int = 0, limit: int = 50) -> Page:
        params = [("name", name)] if name else []
        return self._page("/projects", params, offset, limit)

    def project(self, project_id: str) -> dict:
        return self._json("GET", "/projects/{project_id}", fields=ALL_FIELDS, project_id=project_id)

    # ---- apps --------------------------------------------------------------------------------

    def apps(self, project: str, q: str | None = None, offset: int = 0, limit: int = 50) -> Page:
        params = [("project", project)]
        if q:
            params.append(("q", q))
        return self._page("/apps", params, offset, limit, fields=APP_LIST_FIELDS)

    def app(self, app_id: str, revision: int | None = None) -> dict:
        """An app with its `raw` CWL. A given revision never changes, so it is served from
        `app_cache` when one was passed in (keyed per platform and per token, since visibility
        is per user)."""
        app_id, revision_in_id = split_app_id(app_id)
        if revision is None:
            revision = revision_in_id
        elif revision_in_id is not None and int(revision) != revision_in_id:
            raise ValueError("the app id already names a different revision")
        if revision is None:
            app = self._json("GET", "/apps/{app_id}", fields=ALL_FIELDS, app_id=app_id)
            # The latest is some revision: keep it, so opening that revision next costs nothing.
            latest = app.get("revision") if isinstance(app, dict) else None
            if self.app_cache is not None and isinstance(latest, int) and latest >= 0:
                self._cache_put(self._app_cache_key(app_id, latest), _packed(app))
            return app
        revision = int(revision)
        if revision < 0:
            raise ValueError("an app revision is a number >= 0")
        key = self._app_cache_key(app_id, revision)
        if self.app_cache is not None:
            cached = _unpacked(self.app_cache.get(key))
            if isinstance(cached, dict):
                return cached
        app = self._json(
            "GET", "/apps/{app_id}/{revision}", fields=ALL_FIELDS, app_id=app_id, revision=revision
        )
        if self.app_cache is not None and isinstance(app, dict):
            self._cache_put(key, _packed(app))
        return app

    def _app_cache_key(self, app_id: str, revision: int) -> str:
        # A string key works for a dict as well as for cachelib caches.
        return f"cavatica-app|{self.base_url}|{self._token_fingerprint}|{app_id}|{revision}"

    def _cache_put(self, key: str, value: dict) -> None:
        setter = getattr(self.app_cache, "set", None)
        if callable(setter):
            setter(key, value)
        else:
            self.app_cache[key] = value

    # ---- files -------------------------------------------------------------------------------

    def files(
        self,
        project: str | None = None,
        parent: str | None = None,
        names: Iterable[str] = (),
        metadata: Mapping[str, Any] | None = None,
        tags: Iterable[str] = (),
        offset: int = 0,
        limit: int = 50,
        fields: str = ALL_FIELDS,
        origin_task: str | None = None,
    ) -> Page:
        """One level of a project (`project`) or of a folder (`parent`): give exactly one.
        Several values for one filter mean OR; different filters mean AND. `fields` names what
        each item needs (`NAME_FIELDS` for names alone; the default is everything).
        `origin_task`: only the files that task made (its outputs)."""
        if (project is None) == (parent is None):
            raise ValueError("give exactly one of project or parent")
        params: list[tuple[str, Any]] = [("project", project) if project else ("parent", parent)]
        params += [("name", name) for name in _as_list(names)]
        for key, values in (metadata or {}).items():
            key = key.removeprefix("metadata.")
            params += [(f"metadata.{key}", value) for value in _as_list(values)]
        params += [("tag", tag) for tag in _as_list(tags)]
        if origin_task:
            params.append(("origin.task", origin_task))
        return self._page("/files", params, offset, limit, fields=fields)

    def copy_file(
        self,
        file_id: str,
        project: str | None = None,
        parent: str | None = None,
        name: str | None = None,
    ) -> dict:
        """POST /files/{id}/actions/copy into a project's root (`project`) or a folder
        (`parent`): give exactly one. Makes a file, so it is never retried: after
        `OutcomeUnknown`, look for the copy by name before asking again."""
        if (project is None) == (parent is None):
            raise ValueError("give exactly one of project or parent")
        body: dict[str, str] = {"project": project} if project else {"parent": parent}
        if name:
            body["name"] = name
        return self._json("POST", "/files/{file_id}/actions/copy", body=body, file_id=file_id)

    def file(self, file_id: str) -> dict:
        return self._json("GET", "/files/{file_id}", fields=ALL_FIELDS, file_id=file_id)

    def names_present(self, wanted: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
        """{folder id: which of the names wanted there exist}, for checking companion files.

        A folder is asked only for the names wanted: several `name` filters in one GET /files
        (a page of them at most, and a URL the platform's gateways take). When more names are
        wanted than one call takes, the folder's own listing may be cheaper: its first page
        says how long it is, and the cheaper way finishes the job. No name is asked twice in
        this client's life (one web request)."""
        present: dict[str, set[str]] = {}
        for folder, names in wanted.items():
            names = {n for n in names if n}
            if folder in self._folders_listed:
                present[folder] = names & self._folders_listed[folder]
                continue
            known = self._names_known.setdefault(folder, {})
            ask = sorted(n for n in names if n not in known)
            if len(ask) > MAX_LIMIT:
                ask = self._list_folder_if_cheaper(folder, ask, known)
            for chunk in _name_chunks(ask, self._name_budget):
                found = {item.get("name") for item in self._every_file(folder, names=chunk)}
                known.update({name: name in found for name in chunk})
            present[folder] = {n for n in names if known.get(n)}
        return present

    def files_named(
        self, names: Iterable[str], project: str | None = None, parent: str | None = None
    ) -> dict[str, list[dict]]:
        """{name: [files of that exact name]} at one level of a project (`project`) or folder
        (`parent`), for every name asked (an empty list: none). Several `name` filters go in
        one GET /files (a page of them at most, in a URL the gateways take), so 200 names
        cost about two calls."""
        wanted = list(dict.fromkeys(n for n in names if n))
        found: dict[str, list[dict]] = {name: [] for name in wanted}
        where = {"project": project} if project is not None else {"parent": parent}
        for chunk in _name_chunks(wanted, self._name_budget):
            offset = 0
            while True:
                page = self.files(**where, names=chunk, offset=offset, limit=MAX_LIMIT)
                for item in page.items:
                    if item.get("name") in found:
                        found[item["name"]].append(item)
                if not page.has_next or not page.items:
                    break
                offset += len(page.items)
        return found

    def _list_folder_if_cheaper(self, folder: str, ask: list[str], known: dict) -> list[str]:
        """List the folder when that costs fewer calls than filtering by `ask`; the names
        still to ask by filter (none when the whole folder was listed)."""
        first = self.files(parent=folder, offset=0, limit=MAX_LIMIT, fields=NAME_FIELDS)
        here = {item.get("name") for item in first.items}
        rest = [n for n in ask if n not in here]
        known.update({n: True for n in ask if n in here})
        pages_left = -(-max(0, first.total - len(first.items)) // MAX_LIMIT)
        if pages_left > len(list(_name_chunks(rest, self._name_budget))):
            return rest
        if pages_left:
            here.update(item.get("name") for item in self._every_file(folder, len(first.items)))
        self._folders_listed[folder] = here
        known.update({n: n in here for n in ask})
        return []

    def _every_file(self, folder: str, offset: int = 0, names: list[str] | None = None):
        """Every item of one folder level (filtered by `names`), page by page."""
        while True:
            page = self.files(
                parent=folder, names=names or (), offset=offset, limit=MAX_LIMIT, fields=NAME_FIELDS
            )
            yield from page.items
            if not page.has_next or not page.items:
                return
            offset += len(page.items)

    @property
    def _name_budget(self) -> int:
        # Room for the name filters once the rest of the URL is counted.
        return MAX_URL_LENGTH - len(self.base_url) - 120

    def files_by_id(
        self, ids: Iterable[str], parents: bool = False, recent: bool = False
    ) -> dict[str, dict]:
        """{id: file} for the ids the platform knows and this user can see; others are skipped.
        Bulk items carry no `type` and no `parent`; `parents=True` asks for `parent` with the
        platform's advance-access header (what a companion-file check needs: each folder).
        `recent=True`: files this account looked up a moment ago (`file_memory`) are taken as
        they were then, and only the others are asked for."""
        found, _failed = self.files_by_id_with_errors(ids, parents, recent)
        return found

    def files_by_id_with_errors(
        self, ids: Iterable[str], parents: bool = False, recent: bool = False
    ) -> tuple[dict[str, dict], dict[str, ApiError]]:
        """Like `files_by_id`, plus {id: error} for the ids the platform could not return."""
        return self._file_lookups(ids, parents, recent, wait=True)()

    def files_by_id_later(
        self, ids: Iterable[str], parents: bool = False, recent: bool = False
    ) -> Callable[[], dict[str, dict]]:
        """`files_by_id` sent now, read later: a function that waits for its answer (or raises
        its error). A page does its other work meanwhile instead of after the round trip."""
        answer = self._file_lookups(ids, parents, recent, wait=False)
        return lambda: answer()[0]

    def _file_lookups(
        self, ids: Iterable[str], parents: bool, recent: bool, wait: bool
    ) -> Callable[[], tuple[dict[str, dict], dict[str, ApiError]]]:
        """The bulk calls for `ids`, started; returns what waits for them and merges the
        replies. With `wait`, one call is sent from this thread (no hand-over to another)."""
        wanted = list(dict.fromkeys(i for i in ids if i))  # unique, in order
        found: dict[str, dict] = {}
        if recent and self.file_memory is not None and wanted:
            known = self.file_memory.get_many(self.account, wanted)
            # A file remembered from a look-up without folders does not do when one is wanted.
            found = {i: f for i, f in known.items() if not parents or "parent" in f}
            wanted = [i for i in wanted if i not in found]
        chunks = [wanted[start : start + BULK_CHUNK] for start in range(0, len(wanted), BULK_CHUNK)]

        under_way = threading.Semaphore(0)
        # Calls sent together are counted in the shared budget together, and its state noted
        # once from their replies: in Redis that is 2 round trips for ten calls, not 20.
        budgeted = self.budget is not None and len(chunks) > 1
        if budgeted:
            self.budget.spend(self.account, calls=len(chunks))
        rates: list[Mapping[str, int]] = []

        def kept(chunk_found, chunk_failed, rate):
            rates.append(rate)
            if self.file_memory is not None and chunk_found:
                # Kept as each reply comes, while the other calls are still out.
                self.file_memory.put_many(self.account, chunk_found)
            return chunk_found, chunk_failed

        def look_up(chunk):
            under_way.release()
            return kept(*self._bulk_files(chunk, parents, budgeted))

        sent: list[_SentCall] = []
        if not chunks or (wait and len(chunks) == 1):
            replies = [look_up(chunk) for chunk in chunks]
            readers: list[Callable[[], tuple[dict, dict]]] = [lambda r=r: r for r in replies]
        else:
            # Written from this thread, one after another, to connections already open: each
            # call is on its way in a tenth of a millisecond, with no thread to hand it to, and
            # the replies are read in turn. Those with no open connection go to the process's
            # bulk threads, which open theirs at once.
            calls = self._send_together(chunks, parents, budgeted)
            sent = [call for call in calls if call is not None]
            handed = []
            readers = []
            for chunk, call in zip(chunks, calls, strict=True):
                if call is None:
                    future = _bulk_executor().submit(look_up, chunk)
                    handed.append(future)
                    readers.append(future.result)
                else:
                    readers.append(
                        functools.partial(self._read_sent, call, parents, budgeted, kept)
                    )
            if handed and not wait:
                # Back to the caller once every call is under way: its work would otherwise
                # hold up the sends (by 5-15 ms for ten), each waiting for the interpreter.
                deadline = time.monotonic() + SENDS_UNDER_WAY_SECONDS
                for _ in handed:
                    under_way.acquire(timeout=max(0.0, deadline - time.monotonic()))
        outcomes: dict[int, tuple[dict, dict]] = {}

        def answer() -> tuple[dict[str, dict], dict[str, ApiError]]:
            failed: dict[str, ApiError] = {}
            try:
                for position, read in enumerate(readers):
                    if position not in outcomes:  # a reply is read once, however often asked
                        outcomes[position] = read()
                    chunk_found, chunk_failed = outcomes[position]
                    found.update(chunk_found)
                    failed.update(chunk_failed)
            finally:
                for call in sent:  # after a failure, the replies left unread
                    call.abandon()
            latest = _latest(rates) if budgeted else None
            if latest is not None:
                rates.clear()  # noted once, however often the answer is read
                self._note_budget(latest)
            return found, failed

        return answer

    def _send_together(
        self, chunks: list[list[str]], parents: bool, budgeted: bool
    ) -> list[_SentCall | None]:
        """A bulk look-up per chunk written now to an open connection of the read pool, each
        counted as sent; None for the chunks left for another thread (no open connection, or
        the transport is not requests' own: a test's mock, a proxy)."""
        url = self.base_url + "/bulk/files/get"
        pool = self._open_pool(url)
        if pool is None:
            return [None] * len(chunks)
        target = urlsplit(url).path
        calls: list[_SentCall | None] = []
        for position, chunk in enumerate(chunks):
            if position >= BULK_THREADS:  # the rest wait for the bulk threads (bounded too)
                calls.append(None)
                continue
            conn = pool._get_conn()
            if conn.sock is None:  # opening it here would make the others wait its handshake
                pool._put_conn(conn)
                calls.append(None)
                continue
            try:
                self._count_attempt("POST", "/bulk/files/get", budgeted, attempt=1)
            except RequestBudgetSpent:
                pool._put_conn(conn)
                calls.append(None)  # refused there too, and told when the answer is read
                continue
            call = _SentCall(pool, conn, chunk)
            body, headers = self._post_parts(
                {"file_ids": chunk}, ADVANCE_ACCESS if parents else None
            )
            call.send(target, body, headers, self.timeout[1])
            calls.append(call)
        return calls

    def _open_pool(self, url: str) -> urllib3.HTTPConnectionPool | None:
        """The read pool's connections to `url`, when calls may be written to them straight."""
        adapter = self.session.get_adapter(url)
        if not isinstance(adapter, _SharedAdapter) or type(adapter).send is not _ADAPTER_SEND:
            return None
        if requests.utils.select_proxy(url, self.session.proxies):
            return None
        prepared = requests.PreparedRequest()
        prepared.prepare(method="POST", url=url)
        return adapter.get_connection_with_tls_context(prepared, self.session.verify)

    def _read_sent(
        self, call: _SentCall, parents: bool, budgeted: bool, kept: Callable
    ) -> tuple[dict, dict]:
        """The reply to a call `_send_together` wrote, read as `_request` reads one; retried
        (through `_request`) as it would be."""
        retry = self.retries > 0
        try:
            reply = call.reply(self.timeout[1])
        except requests.RequestException as exc:
            if not (retry and _retryable_failure(exc)):
                raise self._transport_error(exc, read_only=True) from exc
            outcome = f"failed ({type(exc).__name__})"
        else:
            log.debug(
                "POST /bulk/files/get -> %s in %.0f ms (sent together)",
                reply.status_code,
                (time.monotonic() - call.started) * 1000,
            )
            self._note_rate_limit(reply, to_budget=not budgeted)
            if not (retry and reply.status_code in RETRY_STATUSES):
                data = self._read(reply, read_only=True)
                return kept(*self._bulk_items(call.chunk, data, reply.headers))
            outcome = f"-> {reply.status_code}"
        log.info("POST /bulk/files/get %s; trying again", outcome)
        self._pause(1)
        return kept(*self._bulk_files(call.chunk, parents, budgeted, tried=1))

    def file_names(self, ids: Iterable[str], recent: bool = False) -> dict[str, str]:
        """{id: name} for showing files, looked up in bulk unless that would spend the last of
        the rate budget: names are a nicety (pages show the ids instead), a create is not.
        `recent`: as for `files_by_id`."""
        wanted = list(dict.fromkeys(i for i in ids if i))
        if recent and self.file_memory is not None and wanted:
            known = self.file_memory.get_many(self.account, wanted)
            names = {i: f["name"] for i, f in known.items() if isinstance(f.get("name"), str)}
            rest = [i for i in wanted if i not in names]
            return {**names, **self.file_names(rest)} if rest else names
        if not wanted or not self.can_spend_optional(-(-len(wanted) // BULK_CHUNK)):
            return {}
        found = self.files_by_id(wanted)
        return {i: f["name"] for i, f in found.items() if isinstance(f.get("name"), str)}

    def _bulk_files(
        self, chunk: list[str], parents: bool = False, budgeted: bool = False, tried: int = 0
    ) -> tuple[dict[str, dict], dict[str, ApiError], Mapping[str, int]]:
        """One POST /bulk/files/get of at most BULK_CHUNK ids (with `parent` if `parents`):
        (found, failed, the reply's rate values). `budgeted`, `tried`: as for `_request`."""
        data, reply_headers = self._request(
            "POST",
            "/bulk/files/get",
            body={"file_ids": chunk},
            headers=ADVANCE_ACCESS if parents else None,
            budgeted=budgeted,
            tried=tried,
        )
        return self._bulk_items(chunk, data, reply_headers)

    def _bulk_items(
        self, chunk: list[str], data: Any, reply_headers: Mapping[str, str]
    ) -> tuple[dict[str, dict], dict[str, ApiError], Mapping[str, int]]:
        """A bulk reply to `chunk` read: (found, failed, the reply's rate values)."""
        items = data.get("items", []) if isinstance(data, dict) else []
        found: dict[str, dict] = {}
        failed: dict[str, ApiError] = {}
        for position, item in enumerate(items):
            resource = item.get("resource") if isinstance(item, dict) else None
            if isinstance(resource, dict) and resource.get("id"):
                found[resource["id"]] = resource
            elif position < len(chunk) and len(items) == len(chunk):
                # Error items carry no id; the reply keeps the order of the request.
                error = item.get("error") if isinstance(item, dict) else None
                failed[chunk[position]] = self._error_from_body(error, None)
        for file_id in chunk:
            if file_id not in found and file_id not in failed:
                failed[file_id] = NotFound("The platform did not return this file.")
        return found, failed, _rate_values(reply_headers)

    # ---- tasks -------------------------------------------------------------------------------

    def create_task(self, body: dict) -> dict:
        """POST /tasks: makes a DRAFT (never sent with `action=run`). Never retried: after
        `OutcomeUnknown`, look for the draft with `find_draft_by_marker` before trying again."""
        task = self._json("POST", "/tasks", body=body)
        if not isinstance(task, dict):
            raise OutcomeUnknown("The platform's answer to creating the task could not be read.")
        return task

    def tasks(
        self,
        project: str | None = None,
        status: str | None = None,
        parent: str | None = None,
        order_by: str | None = None,
        order: str | None = None,
        offset: int = 0,
        limit: int = 50,
        fields: str = ALL_FIELDS,
    ) -> Page:
        """One page of tasks. `fields` names what each item needs: a list of names and states
        need not carry every task's inputs (a batch's are 1,000 files)."""
        params = [
            (name, value)
            for name, value in (
                ("project", project),
                ("status", status),
                ("parent", parent),
                ("order_by", order_by),
                ("order", order),
            )
            if value
        ]
        return self._page("/tasks", params, offset, limit, fields=fields)

    def task(self, task_id: str) -> dict:
        return self._json("GET", "/tasks/{task_id}", fields=ALL_FIELDS, task_id=task_id)

    def update_task(self, task_id: str, changes: dict) -> dict:
        """PATCH /tasks/{id}: the platform lets inputs and settings change only while DRAFT (7026).
        A PATCH sets the same values twice without harm, but it is still not retried."""
        return self._json("PATCH", "/tasks/{task_id}", body=changes, task_id=task_id)

    def run_task(self, task_id: str) -> dict:
        return self._json("POST", "/tasks/{task_id}/actions/run", task_id=task_id)

    def abort_task(self, task_id: str) -> dict:
        return self._json("POST", "/tasks/{task_id}/actions/abort", task_id=task_id)

    def delete_task(self, task_id: str) -> None:
        self._json("DELETE", "/tasks/{task_id}", task_id=task_id)

    def find_draft_by_marker(self, project: str, marker: str, limit: int = 25) -> dict | None:
        """The newest draft of `project` whose description or name contains `marker`, or None.
        Used after `OutcomeUnknown` on create: did the draft get made after all?"""
        if not marker:
            raise ValueError("a marker is required")
        page = self.tasks(
            project=project, status="DRAFT", order_by="created_time", order="desc", limit=limit
        )
        for task in page.items:
            if marker in (task.get("description") or "") or marker in (task.get("name") or ""):
                return task
        return None

    # ---- plumbing ----------------------------------------------------------------------------

    def _page(
        self, route: str, params: list, offset: int, limit: int, fields: str = ALL_FIELDS
    ) -> Page:
        offset, limit = _page_params(offset, limit)
        # List items otherwise carry only a default subset (no metadata on files, for one).
        params = [*params, ("offset", offset), ("limit", limit), ("fields", fields)]
        data, headers = self._request("GET", route, params=params)
        items = (data.get("items") or []) if isinstance(data, dict) else []
        try:
            total = int(headers["X-Total-Matching-Query"])
        except (KeyError, ValueError):
            total = offset + len(items)  # no count given: assume this page is the last
        return Page(items=items, total=total, offset=offset, limit=limit)

    def _json(
        self,
        method: str,
        route: str,
        body: Any = _NO_BODY,
        fields: str | None = None,
        headers: Mapping[str, str] | None = None,
        **path_args: Any,
    ) -> Any:
        params = [("fields", fields)] if fields else None
        return self._request(method, route, params=params, body=body, headers=headers, **path_args)[
            0
        ]

    def _request(
        self,
        method: str,
        route: str,
        params: list | None = None,
        body: Any = _NO_BODY,
        headers: Mapping[str, str] | None = None,
        budgeted: bool = False,
        tried: int = 0,
        **path_args: Any,
    ) -> tuple[Any, Mapping[str, str]]:
        """Send one call; returns (parsed JSON or None, response headers) or raises an ApiError.
        `budgeted`: the caller counted this call in the shared rate budget and notes the
        budget its reply reports (one of many sent at once: once for all, not once each).
        `tried`: attempts already made elsewhere (`_send_together`), counted in the retries."""
        path = route.format(**{name: _path_segment(v) for name, v in path_args.items()})
        url = self.base_url + path
        read_only = method == "GET" or (method == "POST" and route in READ_ONLY_POSTS)
        attempts = 1 + (max(0, self.retries) if read_only else 0)
        kwargs: dict[str, Any] = {"params": params, "timeout": self.timeout, "headers": headers}
        if body is not _NO_BODY:
            kwargs["json"] = body
        for attempt in range(1 + tried, attempts + 1):
            more_tries_left = attempt < attempts
            self._count_attempt(method, route, budgeted, attempt)
            started = time.monotonic()
            try:
                if route in READ_ONLY_POSTS:
                    response = self._post_read(url, body, headers)
                else:
                    session = self.session if read_only else self._write_session
                    response = session.request(method, url, **kwargs)
            except requests.RequestException as exc:
                if read_only and more_tries_left and _retryable_failure(exc):
                    log.info("%s %s failed (%s); trying again", method, path, type(exc).__name__)
                    self._pause(attempt)
                    continue
                raise self._transport_error(exc, read_only) from exc
            log.debug(
                "%s %s -> %s in %.0f ms",
                method,
                path,
                response.status_code,
                (time.monotonic() - started) * 1000,
            )
            self._note_rate_limit(response, to_budget=not budgeted)
            if read_only and more_tries_left and response.status_code in RETRY_STATUSES:
                log.info("%s %s -> %s; trying again", method, path, response.status_code)
                response.close()
                self._pause(attempt)
                continue
            return self._read(response, read_only), response.headers
        raise AssertionError("unreachable: the last attempt always returns or raises")

    def _count_attempt(self, method: str, route: str, budgeted: bool, attempt: int) -> None:
        """Counts one attempt at a call, here and in the shared budget; raises
        RequestBudgetSpent instead when this client has sent its share."""
        with self._counts_lock:
            if self._over_request_share():
                raise RequestBudgetSpent(self._request_share_message())
            self.calls_sent += 1
            self.call_counts[f"{method} {route}"] += 1
        # GET /rate_limit is not counted; a budgeted call was, but not its retries.
        counted = route == "/rate_limit" or (budgeted and attempt == 1)
        if self.budget is not None and not counted:
            self.budget.spend(self.account)

    def _post_read(
        self, url: str, body: Any, headers: Mapping[str, str] | None
    ) -> requests.Response:
        """A read-only POST (a bulk look-up) sent straight through the read pool's adapter. A
        Session's own work for each call (settings merged anew, cookies, hooks, redirects)
        was a third of a bulk look-up's CPU, and a 1,000-file page sends ten at once from one
        interpreter; these calls need none of it: the platform sets no cookies and does not
        redirect them (a redirect is read as the reply it is)."""
        prepared = requests.PreparedRequest()
        prepared.method = "POST"
        prepared.url = url
        prepared.body, prepared.headers = self._post_parts(body, headers)
        prepared.hooks = {"response": []}
        adapter = self.session.get_adapter(url)
        return adapter.send(
            prepared,
            timeout=self.timeout,
            verify=self.session.verify,
            proxies=self.session.proxies,
        )

    def _post_parts(
        self, body: Any, headers: Mapping[str, str] | None
    ) -> tuple[bytes, CaseInsensitiveDict]:
        """A read-only POST's body as JSON bytes, and its headers: the session's, `headers`,
        and the body's length."""
        encoded = msgspec.json.encode(body)
        merged = CaseInsensitiveDict(self.session.headers)
        merged.update(headers or {})
        merged["Content-Length"] = str(len(encoded))
        return encoded, merged

    def _pause(self, attempt: int) -> None:
        if self.backoff > 0:
            time.sleep(self.backoff * attempt)

    def _read(self, response: requests.Response, read_only: bool) -> Any:
        if not read_only and response.status_code in GATEWAY_STATUSES:
            raise OutcomeUnknown(
                f"The request was sent, but a gateway answered {response.status_code} instead "
                "of the platform.",
                status=response.status_code,
                request_id=response.headers.get("X-Request-Id"),
            )
        if response.status_code >= 400:
            raise self._error_from_response(response)
        if response.status_code == 204 or not response.content.strip():
            return None
        try:
            # msgspec reads JSON in about half the time of the json module (a bulk reply of
            # 100 files is 60 kB); its errors are ValueErrors too.
            return msgspec.json.decode(response.content)
        except ValueError:
            if read_only:
                raise ServerError(
                    "The platform sent a reply that could not be read.",
                    status=response.status_code,
                    request_id=response.headers.get("X-Request-Id"),
                ) from None
            raise OutcomeUnknown(
                "The platform accepted the request but its reply could not be read, so it is "
                "not known what it did.",
                status=response.status_code,
            ) from None

    def _transport_error(self, exc: requests.RequestException, read_only: bool) -> ApiError:
        host = urlsplit(self.base_url).netloc or self.base_url
        timed_out = isinstance(exc, requests.ReadTimeout)
        if _never_sent(exc):
            return PlatformUnreachable(f"Could not connect to {host}; nothing was sent.")
        if timed_out:
            what = f"did not answer within {self.timeout[1]:g} seconds"
        else:
            what = "closed the connection before answering"
        if read_only:
            return PlatformUnreachable(f"The platform at {host} {what}.")
        return OutcomeUnknown(f"The request was sent, but the platform at {host} {what}.")

    def _note_rate_limit(self, response: requests.Response, to_budget: bool = True) -> None:
        values = _rate_values(response.headers)
        if values:
            self.last_rate_limit = values
            if to_budget:
                self._note_budget(values)

    def _note_budget(self, values: Mapping[str, int]) -> None:
        """Tell the shared budget what a reply's rate headers (`_rate_values`) say."""
        if self.budget is not None and "remaining" in values:
            limit = values.get("limit", values["remaining"])
            reset = values.get("reset")
            if reset is not None and reset > 10**11:
                reset //= 1000  # tolerate milliseconds, as `_reset_at` does
            self.budget.note(self.account, limit, values["remaining"], reset)

    def rate_state(self) -> dict[str, int] | None:
        """{"limit", "remaining", "reset"}: the budget of this account as last seen (by any
        client sharing `budget`), or None when unknown."""
        if self.budget is not None:
            return self.budget.get(self.account)
        return self.last_rate_limit

    def max_calls(self) -> int | None:
        """How many calls this client may send in all (None: no cap)."""
        if self.request_share is None:
            return None
        state = self.rate_state() or {}
        limit = state.get("limit") or DEFAULT_RATE_LIMIT
        return max(RESERVE_MIN, int(limit * self.request_share))

    def _over_request_share(self) -> bool:
        cap = self.max_calls()
        return cap is not None and self.calls_sent >= cap

    def _request_share_message(self) -> str:
        state = self.rate_state() or {}
        limit = state.get("limit") or DEFAULT_RATE_LIMIT
        return (
            f"This page would need more than {self.max_calls():,} calls to CAVATICA, "
            f"{self.request_share:.0%} of the {limit:,} your account may make in 5 minutes, so "
            "it stopped there and the rest stays for your other pages. Choose fewer files, or "
            "split the work into several tasks."
        )

    def can_spend_optional(self, calls: int) -> bool:
        """True when `calls` optional calls would still leave the reserve of the rate budget."""
        state = self.rate_state()
        if not state or "remaining" not in state:
            return True
        limit = state.get("limit") or state["remaining"]
        reset = state.get("reset")
        if reset is not None and reset <= time.time():
            return True  # that window has ended
        return state["remaining"] - calls >= reserve_of(limit)

    def _error_from_response(self, response: requests.Response) -> ApiError:
        try:
            body = response.json()
        except ValueError:
            body = None
        return self._error_from_body(body, response)

    def _error_from_body(self, body: Any, response: requests.Response | None) -> ApiError:
        body = body if isinstance(body, dict) else {}
        status = response.status_code if response is not None else _int_or_none(body.get("status"))
        code = _int_or_none(body.get("code"))
        message = body.get("message")
        if not isinstance(message, str) or not message.strip():
            message = _default_message(status, response.reason if response is not None else None)
        # Defence in depth: never let the token travel on in a message.
        message = message.replace(self._token, "[token]")
        more_info = body.get("more_info") if isinstance(body.get("more_info"), str) else None
        kwargs = {
            "status": status,
            "code": code,
            "more_info": more_info,
            "request_id": response.headers.get("X-Request-Id") if response is not None else None,
        }
        if status == 429:
            return RateLimited(message, reset_at=_reset_at(response), **kwargs)
        error_class = {401: Unauthorized, 403: Forbidden, 404: NotFound}.get(status)
        if error_class is None:
            error_class = ServerError if status is not None and status >= 500 else ApiError
        return error_class(message, **kwargs)


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _default_message(status: int | None, reason: str | None) -> str:
    plain = {
        401: "The token was not accepted: it is missing, wrong or has expired.",
        403: "This account is not allowed to do that.",
        404: "Not found, or not visible to this account.",
        429: "Too many requests to the platform; wait before trying again.",
    }
    if status in plain:
        return plain[status]
    described = f"HTTP {status} {reason or ''}".strip()
    if status is not None and status >= 500:
        return f"The platform had a problem ({described})."
    return f"The platform refused the request ({described})."


def _reset_at(response: requests.Response | None) -> int | None:
    """Epoch seconds when the rate-limit window ends, from X-RateLimit-Reset or Retry-After."""
    if response is None:
        return None
    reset = _int_or_none(response.headers.get("X-RateLimit-Reset"))
    if reset is not None:
        return reset // 1000 if reset > 10**11 else reset  # tolerate milliseconds
    retry_after = _int_or_none(response.headers.get("Retry-After"))
    if retry_after is not None:
        return int(time.time()) + retry_after
    return None
