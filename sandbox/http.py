"""Request and response helpers shared by the API and the control endpoints."""

import json
import re
from json.encoder import encode_basestring_ascii
from urllib.parse import urlencode

import msgspec
from flask import current_app, g, jsonify, request

from .errors import ApiError, bad_request

MAX_DEPTH = 32
INTEGER = re.compile(r"-?[0-9]{1,18}")


def state():
    return current_app.extensions["sandbox"]


class BodyFloat(float):
    """A float read from a request body. It is a float in every way, except that msgspec
    refuses to write it: msgspec writes some floats differently from json (1e16 for 1e+16,
    null for inf), so a reply holding one is written by json (see fast_dumps)."""

    __slots__ = ()


_DECODER = msgspec.json.Decoder(float_hook=BodyFloat)


def dumps(value):
    """`value` as JSON bytes, exactly as the sandbox's jsonify writes it (compact, ASCII only,
    keys in their order), so replies put together from pieces read the same."""
    return json.dumps(value, separators=(",", ":")).encode()


def fast_dumps(value):
    """dumps(value), byte for byte, in a tenth of the time for a large reply (a 1,000-file
    task): msgspec writes it unless it holds what msgspec writes differently from json: a
    float from a body (BodyFloat), a character outside ASCII, or DEL."""
    try:
        out = msgspec.json.encode(value)
    except (TypeError, ValueError):  # a BodyFloat, a lone surrogate
        return dumps(value)
    return out if out.isascii() and b"\x7f" not in out else dumps(value)


def json_string(text):
    """dumps() of one string, at a tenth of the cost (the function json.dumps itself calls)."""
    return encode_basestring_ascii(text).encode()


def json_bytes_response(body):
    """A reply whose JSON text is already made, as jsonify would send it."""
    return current_app.response_class(body + b"\n", mimetype="application/json")


def api_base():
    return request.host_url.rstrip("/") + "/v2"


def _depth_ok(value):
    """Check nesting depth a level at a time (no recursion), so a hostile body cannot blow the
    stack later."""
    level, depth = [value], 1
    while level:
        if depth > MAX_DEPTH:
            return False
        below = []
        for item in level:
            if isinstance(item, dict):
                below += item.values()
            elif isinstance(item, list):
                below += item
        level, depth = below, depth + 1
    return True


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON.")


def parse_json(data):
    """Body bytes -> JSON value; empty body -> None; anything unreadable -> ValueError."""
    if not data or not data.strip():
        return None
    try:
        # msgspec reads plain UTF-8 JSON in half the time. What it refuses (other encodings, a
        # BOM, lone surrogates, NaN, 1e400, deep nesting) json reads or refuses as before, and
        # what it reads, json reads the same: the value is the same either way.
        value = _DECODER.decode(data)
    except (msgspec.DecodeError, RecursionError):
        try:
            value = json.loads(data, parse_float=BodyFloat, parse_constant=_reject_constant)
        except (ValueError, RecursionError) as exc:
            raise ValueError("Malformed JSON in the request body.") from exc
    if not _depth_ok(value):
        raise ValueError(f"JSON in the request body is nested deeper than {MAX_DEPTH} levels.")
    return value


def json_body():
    """The request's JSON body, as parsed before the request; unreadable -> 400."""
    if g.body_error is not None:
        raise bad_request(g.body_error)
    return g.body


def int_arg(name, default, minimum, maximum=None):
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    # int() alone would also take " 5", "1_0" and digits of other scripts ("٣").
    if INTEGER.fullmatch(raw) is None:
        raise bad_request(f"'{name}' must be an integer.")
    value = int(raw)
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and {maximum}" if maximum is not None else ""
        raise bad_request(
            f"'{name}' must be between {minimum}{upper}."
            if upper
            else f"'{name}' must be at least {minimum}."
        )
    return value


def bool_arg(name):
    raw = request.args.get(name)
    if raw is None:
        return None
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise bad_request(f"'{name}' must be true or false.")


def _page_url(offset, limit):
    pairs = [(k, v) for k, vs in request.args.lists() if k not in ("offset", "limit") for v in vs]
    pairs += [("offset", offset), ("limit", limit)]
    return api_base() + request.path[len("/v2") :] + "?" + urlencode(pairs, safe="/")


def page(seq, to_json, to_bytes=None):
    """One page of a sequence (list or lazy) as {href, items, links} + X-Total-Matching-Query.
    to_bytes(item), if given, is an item's JSON ready made, or None to leave it to to_json."""
    offset = int_arg("offset", 0, 0)
    limit = int_arg("limit", 50, 1, 100)
    total = len(seq)
    records = [seq[i] for i in range(offset, min(offset + limit, total))]
    links = []
    if offset + limit < total:
        links.append({"href": _page_url(offset + limit, limit), "rel": "next", "method": "GET"})
    if offset > 0:
        links.append(
            {"href": _page_url(max(0, offset - limit), limit), "rel": "prev", "method": "GET"}
        )
    href = _page_url(offset, limit)
    if to_bytes is None:
        response = jsonify({"href": href, "items": [to_json(r) for r in records], "links": links})
    else:
        items = b",".join(to_bytes(r) or dumps(to_json(r)) for r in records)
        response = json_bytes_response(
            b'{"href":'
            + json_string(href)
            + b',"items":['
            + items
            + b'],"links":'
            + dumps(links)
            + b"}"
        )
    response.headers["X-Total-Matching-Query"] = str(total)
    return response


def error_response(exc: ApiError):
    response = jsonify(exc.body())
    response.status_code = exc.status
    return response
