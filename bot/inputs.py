"""Checks on what arrives from outside (message text,
session ids, JSON requests), shared by every interface.

Each check raises InputError with a one-line message a client can act on; the interface reports
it for that request and goes on with the next.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from msgspec import Struct

from .errors import InputError

READ_TEXT = 4_000  # characters of a message the engine reads; it says so when there were more
MAX_SESSION_ID = 128  # characters
MAX_REQUEST_BYTES = 64 * 1024  # one JSON request (a JSON line, an HTTP body)
DEFAULT_SESSION = "default"


class Request(Struct, frozen=True):
    """One message for the engine: who sent it (a session id) and what they said."""

    session: str
    text: str


def check_text(text: Any) -> str:
    """The message text, if it is a string; lone surrogates (from broken UTF-16 JSON escapes)
    become U+FFFD. Any length is taken: the engine reads the first READ_TEXT characters."""
    if not isinstance(text, str):
        raise InputError(f"text must be a string, got {_kind(text)}")
    return _repair(text)


def check_session_id(session: Any) -> str:
    """A session id: 1 to MAX_SESSION_ID printable characters (no control characters, no lone
    surrogates, no leading or trailing spaces)."""
    if not isinstance(session, str):
        raise InputError(f"session must be a string, got {_kind(session)}")
    if not session:
        raise InputError("session must not be empty")
    if len(session) > MAX_SESSION_ID:
        raise InputError(
            f"session id too long ({len(session):,} characters; the limit is {MAX_SESSION_ID})"
        )
    if session != session.strip():
        raise InputError("session id must not start or end with spaces")
    bad = next((c for c in session if unicodedata.category(c) in ("Cc", "Cs", "Cn", "Co")), None)
    if bad is not None:
        raise InputError(f"session id holds a character that is not allowed (U+{ord(bad):04X})")
    return session


def parse_request(
    body: str | bytes, text_key: str = "text", session_key: str = "session"
) -> Request:
    """A request from a JSON object such as
    {"session": "alice", "text": "hi"} (session optional).
    """
    if len(body) > MAX_REQUEST_BYTES:
        raise InputError(
            f"request too large ({len(body):,} bytes; the limit is {MAX_REQUEST_BYTES:,})"
        )
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("request is not valid UTF-8") from None
    if not body.strip():
        raise InputError(
            f'empty request: expected a JSON object such as {{"{session_key}": "alice", '
            f'"{text_key}": "hi"}}'
        )
    try:
        data = json.loads(body)
    except RecursionError:
        raise InputError("invalid JSON: nested too deeply") from None
    except ValueError as exc:
        raise InputError(f"invalid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"expected a JSON object, got {_kind(data)}")
    if text_key not in data:
        raise InputError(f'missing "{text_key}" (a string)')
    return Request(
        check_session_id(data.get(session_key, DEFAULT_SESSION)), check_text(data[text_key])
    )


def _repair(text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text


def _kind(value: Any) -> str:
    names = {
        dict: "an object",
        list: "an array",
        str: "a string",
        bool: "a boolean",
        type(None): "null",
        int: "a number",
        float: "a number",
    }
    return names.get(type(value), type(value).__name__)
