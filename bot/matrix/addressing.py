"""Whether a Matrix message is for the bot, what it asks once the bot's name is taken off, and
which session it belongs to."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import InputError
from ..inputs import check_session_id

SESSION_PREFIX = "matrix:"
#: a reply's fallback quote ("> <@alice:example.org> earlier text") that older clients prepend
_REPLY_FALLBACK = re.compile(r"\A(?:>[^\n]*\n)+\n?")


@dataclass(frozen=True)
class Identity:
    """How people may address the bot: its user id and the names they may write (display name,
    localpart), matched without regard to case."""

    user_id: str
    names: tuple[str, ...]

    @classmethod
    def of(cls, user_id: str, *names: str | None) -> Identity:
        localpart = user_id[1:].split(":", 1)[0] if user_id.startswith("@") else user_id
        found = dict.fromkeys(n.strip() for n in (*names, localpart) if n and n.strip())
        # longest first, so "CareerBot Pro" is taken off whole before "CareerBot"
        return cls(user_id, tuple(sorted(found, key=lambda n: (-len(n), n))))


def session_id(room_id: str, user_id: str) -> str:
    """The engine session of one person in one room: readable when it fits the engine's limits
    (ids hold no spaces, so the space keeps room and user apart), else a hash of both."""
    readable = f"{SESSION_PREFIX}{room_id} {user_id}"
    try:
        return check_session_id(readable)
    except InputError:
        digest = hashlib.sha256(
            f"{room_id}\0{user_id}".encode("utf-8", "surrogatepass")
        ).hexdigest()
        return f"{SESSION_PREFIX}sha256:{digest}"


def addressed_text(content: Mapping[str, Any], me: Identity, direct: bool) -> str | None:
    """The question in a message's content if it is for the bot, else None.

    In a direct chat every message is. In a room with others, a message is when it starts with
    the bot's name ("careerbot: how much ...", "@careerbot, ..."), or mentions it (a pill, the
    `m.mentions` list, or its user id in the text); the name is taken off the question.
    """
    body = content.get("body")
    if not isinstance(body, str):
        return None
    body = _REPLY_FALLBACK.sub("", body).strip() if _is_reply(content) else body.strip()
    rest = _after_name(body, me)
    if rest is not None:
        return rest
    if direct:
        return body
    if _mentions(content, me) or _names_in(body, (me.user_id,)):
        return _without_names(body, me)
    return None


def _is_reply(content: Mapping[str, Any]) -> bool:
    relates = content.get("m.relates_to")
    return isinstance(relates, dict) and isinstance(relates.get("m.in_reply_to"), dict)


def _after_name(body: str, me: Identity) -> str | None:
    """The text after the bot's name at the start of `body` ("CareerBot: hi" -> "hi"), or None."""
    for name in (me.user_id, *me.names):
        match = re.match(rf"@?{re.escape(name)}(?:[:,]|\s|$)\s*", body, re.IGNORECASE)
        if match:
            return body[match.end() :].strip()
    return None


def _mentions(content: Mapping[str, Any], me: Identity) -> bool:
    mentions = content.get("m.mentions")
    if isinstance(mentions, dict) and me.user_id in (mentions.get("user_ids") or ()):
        return True
    formatted = content.get("formatted_body")
    return isinstance(formatted, str) and f"matrix.to/#/{me.user_id}" in formatted


def _names_in(body: str, names: Iterable[str]) -> bool:
    lowered = body.lower()
    return any(name.lower() in lowered for name in names)


def _without_names(body: str, me: Identity) -> str:
    """`body` with the bot's user id, and its names where they stand alone, taken out."""
    text = re.sub(re.escape(me.user_id), " ", body, flags=re.IGNORECASE)
    for name in me.names:
        text = re.sub(rf"(?<!\w)@?{re.escape(name)}(?!\w)[:,]?", " ", text, flags=re.IGNORECASE)
    return " ".join(text.split())
