"""The JSON-lines pipe: one request object per input line, one reply object per output line."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TextIO

from .errors import UsageError

if TYPE_CHECKING:
    from .engine import Engine

MAX_LINE = 1_000_000  # characters; longer lines are refused, not parsed


def handle(engine: Engine, line: str) -> dict[str, Any]:
    """The reply object for one input line: the reply's dict plus "session", or {"error": ...}."""
    if len(line) > MAX_LINE:
        return {"error": f"line too long ({len(line)} characters; the limit is {MAX_LINE})"}
    if not line.strip():
        return {"error": "empty line: expected a JSON object such as {\"session\": \"alice\", \"text\": \"hi\"}"}
    try:
        request = json.loads(line)
    except ValueError as exc:
        return {"error": f"invalid JSON: {exc}"}
    if not isinstance(request, dict):
        return {"error": f"expected a JSON object, got {type(request).__name__}"}
    text, session = request.get("text"), request.get("session", "default")
    if not isinstance(text, str):
        return {"error": "missing \"text\" (a string)"}
    if not isinstance(session, str) or not session:
        return {"error": "\"session\" must be a non-empty string"}
    try:
        reply = engine.reply(text, session=session)
    except UsageError as exc:
        return {"error": str(exc)}
    return {**reply.to_dict(), "session": session}


def serve(engine: Engine, stdin: TextIO, stdout: TextIO) -> int:
    """Answer every line of `stdin` on `stdout`, flushing after each; returns the number of lines."""
    count = 0
    for line in stdin:
        stdout.write(json.dumps(handle(engine, line.rstrip("\r\n")), ensure_ascii=False) + "\n")
        stdout.flush()
        count += 1
    return count
