"""The JSON-lines pipe: one request object per input line, one reply object per output line."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TextIO

from .errors import InputError
from .inputs import parse_request

if TYPE_CHECKING:
    from .engine import Engine


def handle(engine: Engine, line: str) -> dict[str, Any]:
    """The reply object for one input line: the reply's dict plus "session", or {"error": ...}."""
    try:
        request = parse_request(line)
        reply = engine.reply(request.text, session=request.session)
    except InputError as exc:
        return {"error": str(exc)}
    return {**reply.to_dict(), "session": request.session}


def serve(engine: Engine, stdin: TextIO, stdout: TextIO) -> int:
    """Answer every line of `stdin` on `stdout`,
    flushing after each; returns the number of lines.
    """
    count = 0
    for line in stdin:
        stdout.write(json.dumps(handle(engine, line.rstrip("\r\n")), ensure_ascii=False) + "\n")
        stdout.flush()
        count += 1
    return count
