"""Sessions that no flood of visitors can evict, and that keep the token unreadable at rest.

A visitor who has not signed in gets no server-side session: what they need (the CSRF secret of
the sign-in form, flashed messages) travels in a signed cookie. Signing in makes a server-side
session (files, or Redis when REDIS_URL is set) and the cookie then carries only its signed id.
Each stored session expires by its own age (the session lifetime); nothing is ever evicted to
make room, so a flood of requests cannot sign anyone out. Stored sessions are msgpack (never
pickle), encrypted with a key derived from SECRET_KEY. A stored session is written again only
when it changed, or to renew its expiry (at most once every REFRESH_SECONDS): a page that only
reads it costs no encryption and no write, and two requests of one browser at once (a double
click) cannot put back what the other just stored.
"""

import base64
import logging
import os
import threading
import time
from urllib.parse import urlsplit

import msgspec
from cachelib.file import FileSystemCache
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app, request
from flask.sessions import SecureCookieSessionInterface, SessionInterface, SessionMixin
from flask_session.base import Serializer
from flask_session.cachelib import CacheLibSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.datastructures import CallbackDict

log = logging.getLogger(__name__)

# What a visitor's signed cookie may hold; anything else needs a server-side session.
COOKIE_KEYS = {"csrf_token", "_flashes", "_permanent"}
SWEEP_EVERY_SECONDS = 600  # how often expired session files are removed (Redis expires its own)
# An unchanged session is written again (its expiry renewed) at most this often, and at most
# every hundredth of its lifetime: it still ends about its lifetime after its last use.
REFRESH_SECONDS = 60
WRITTEN_AT = "_written_at"  # kept beside the session's data in the store, never in the session


def from_this_site(req=None):
    """Whether the request was made by a page of this site (not posted by another site).

    Browsers say so in Sec-Fetch-Site, or at least in Origin on every POST; a request with
    neither comes from no web page (a script or a test), which a cookie cannot ride along."""
    req = req or request
    fetch_site = req.headers.get("Sec-Fetch-Site")
    if fetch_site:
        return fetch_site in ("same-origin", "none")
    origin = req.headers.get("Origin")
    if origin:
        return urlsplit(origin).netloc == req.host
    return True


def fernet_for(secret_key):
    """A Fernet key derived from SECRET_KEY, for this one purpose (HKDF with its own label)."""
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"launcher session store"
    ).derive(secret_key.encode() if isinstance(secret_key, str) else secret_key)
    return Fernet(base64.urlsafe_b64encode(key))


class EncryptedMsgpack(Serializer):
    """Session data as msgpack, encrypted; a session that cannot be read counts as none."""

    def __init__(self, fernet):
        self.fernet = fernet
        self.encoder = msgspec.msgpack.Encoder()
        self.decoder = msgspec.msgpack.Decoder()

    def encode(self, session):
        return self.fernet.encrypt(self.encoder.encode({**session, WRITTEN_AT: time.time()}))

    def decode(self, serialized_data):
        """The stored session's data, and when it was written (`WRITTEN_AT`, 0 if unknown)."""
        try:
            data = self.decoder.decode(self.fernet.decrypt(serialized_data))
        except (InvalidToken, msgspec.DecodeError):
            return None  # another SECRET_KEY, or not ours: the visitor signs in again
        return data if isinstance(data, dict) else None


class RawBytes:
    """cachelib's file serializer without pickle: the value is already encrypted bytes."""

    def dump(self, value, f):
        f.write(value)

    def load(self, f):
        return f.read()


class SessionFiles(FileSystemCache):
    """A folder of session files with no count threshold: each file expires at its own time."""

    serializer = RawBytes()

    def __init__(self, path):
        super().__init__(path, threshold=0, mode=0o600)
        self._last_sweep = 0.0
        self._sweep_lock = threading.Lock()

    def sweep(self):
        """Remove expired files, at most once every SWEEP_EVERY_SECONDS."""
        now = time.time()
        with self._sweep_lock:
            if now - self._last_sweep < SWEEP_EVERY_SECONDS:
                return
            self._last_sweep = now
        self._remove_expired(now)


class FileSessionStore(CacheLibSessionInterface):
    """Flask-Session's cachelib store, given bytes from our serializer instead of a dict."""

    def _retrieve_session_data(self, store_id):
        data = self.cache.get(store_id)
        return None if data is None else self.serializer.decode(data)

    def _upsert_session(self, session_lifetime, session, store_id):
        self.cache.sweep()
        self.cache.set(
            store_id, self.serializer.encode(session), timeout=int(session_lifetime.total_seconds())
        )


def make_store(app):
    """The server-side store: Redis when REDIS_URL is set, else files in SESSION_FILE_DIR."""
    if app.config.get("REDIS_URL"):
        from flask_session.redis import RedisSessionInterface

        import state

        # The shared state's client: one pool of connections per process, not one per part.
        client = state.redis_client(app)
        store = RedisSessionInterface(app, client=client, key_prefix="launcher:session:")
    else:
        folder = app.config.get("SESSION_FILE_DIR") or os.path.join(app.instance_path, "sessions")
        os.makedirs(folder, exist_ok=True)
        store = FileSessionStore(app, client=SessionFiles(folder), key_prefix="session:")
    store.serializer = EncryptedMsgpack(fernet_for(app.config["SECRET_KEY"]))
    return store


class LauncherSession(CallbackDict, SessionMixin):
    """The session of one request. `sid`: its server-side id, None for a visitor's cookie
    session. `lapsed_sid`: the id the browser still holds when its stored session has expired,
    so a form posted just after can be kept for that browser and no other."""

    def __init__(self, initial=None, sid=None, lapsed_sid=None, written_at=0.0):
        def on_update(self):
            self.modified = True
            self.accessed = True

        super().__init__(initial, on_update)
        self.sid = sid
        self.lapsed_sid = lapsed_sid
        self.written_at = written_at  # when the stored session was last written
        self.modified = False
        self.accessed = False

    def __getitem__(self, key):
        self.accessed = True
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.accessed = True
        return super().get(key, default)

    @property
    def can_keep(self):
        """Whether data beyond the cookie's (a kept form) can be stored for this browser."""
        return bool(
            self.sid
            or self.lapsed_sid
            or "token" in self
            or current_app.config.get("SB_AUTH_TOKEN")
        )


class LauncherSessionInterface(SessionInterface):
    """Visitors' sessions in a signed cookie; signed-in sessions in the server-side store."""

    def __init__(self, app):
        self.store = make_store(app)
        self.cookie_sessions = SecureCookieSessionInterface()

    def _signer(self, app):
        return URLSafeTimedSerializer(
            app.secret_key, salt="launcher-session", serializer=self.cookie_sessions.serializer
        )

    def _max_age(self, app):
        return int(app.permanent_session_lifetime.total_seconds())

    def open_session(self, app, request):
        raw = request.cookies.get(self.get_cookie_name(app))
        if not raw:
            return LauncherSession()
        try:
            data = self._signer(app).loads(raw, max_age=self._max_age(app))
        except BadSignature:
            return LauncherSession()
        if not isinstance(data, dict):
            return LauncherSession()
        sid = data.get("sid")
        if isinstance(sid, str):
            stored = self.store._retrieve_session_data(self.store._get_store_id(sid))
            if isinstance(stored, dict):
                written_at = stored.pop(WRITTEN_AT, 0.0)
                return LauncherSession(stored, sid=sid, written_at=written_at)
            return LauncherSession(lapsed_sid=sid)
        return LauncherSession({k: v for k, v in data.items() if k in COOKIE_KEYS})

    def regenerate(self, session):
        """A new id for this session (at sign-in); the old stored one is deleted."""
        if session.sid:
            self.store._delete_session(self.store._get_store_id(session.sid))
        session.sid = None
        session.lapsed_sid = None
        session.modified = True

    def save_session(self, app, session, response):
        if session.accessed:
            response.vary.add("Cookie")
        if request.method not in ("GET", "HEAD", "OPTIONS") and not from_this_site():
            # Another site posted here: its answer must not replace this browser's cookie.
            return
        server_keys = set(session) - COOKIE_KEYS
        if server_keys and not session.sid:
            if "token" in session or self._deployment_user(app):
                session.sid = self.store._generate_sid(self.store.sid_length)
            elif session.lapsed_sid:
                session.sid = session.lapsed_sid  # a form kept for the browser that posted it
            else:
                log.warning("Dropped session keys of a visitor: %s", sorted(server_keys))
                for key in server_keys:
                    dict.pop(session, key, None)
                server_keys = set()
        if session.sid and not server_keys:
            # Signed out (or nothing left to keep): the stored session goes, the cookie stays.
            self.store._delete_session(self.store._get_store_id(session.sid))
            session.sid = None
            session.modified = True
        if session.sid:
            if session.modified or self._due_for_refresh(app, session):
                self.store._upsert_session(
                    app.permanent_session_lifetime, session, self.store._get_store_id(session.sid)
                )
            self._set_cookie(app, response, {"sid": session.sid})
        elif not session.modified:
            return
        elif session:
            self._set_cookie(app, response, dict(session))
        else:
            response.delete_cookie(
                self.get_cookie_name(app),
                domain=self.get_cookie_domain(app),
                path=self.get_cookie_path(app),
            )

    def _due_for_refresh(self, app, session):
        """An unchanged session is written again once its last write is old enough."""
        lifetime = app.permanent_session_lifetime.total_seconds()
        age = time.time() - (session.written_at or 0.0)
        return not 0 <= age < min(REFRESH_SECONDS, lifetime / 100)

    def _deployment_user(self, app):
        # With a deployment token nobody signs in, so what the pages keep lives server-side.
        return bool(app.config.get("SB_AUTH_TOKEN"))

    def _set_cookie(self, app, response, data):
        response.set_cookie(
            self.get_cookie_name(app),
            self._signer(app).dumps(data),
            max_age=self._max_age(app),
            httponly=self.get_cookie_httponly(app),
            secure=self.get_cookie_secure(app),
            samesite=self.get_cookie_samesite(app),
            domain=self.get_cookie_domain(app),
            path=self.get_cookie_path(app),
        )
        response.vary.add("Cookie")
