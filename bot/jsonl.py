"""The JSON-lines pipe: one request object per input line, one reply object per output line."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TextIO

from .errors import InputError, StoreError
from .inputs import MAX_REQUEST_BYTES, parse_request

if TYPE_CHECKING:
    from .engine import Engine


def handle(engine: Engine, line: str) -> dict[str, Any]:
    """The reply object for one input line: the reply's dict plus "session", or {"error": ...}."""
    try:
        request = parse_request(line)
        reply = engine.reply(request.text, session=request.session)
    except (InputError, StoreError) as exc:
        return {"error": str(exc)}
    return {**reply.to_dict(), "session": request.session}


def serve(engine: Engine, stdin: TextIO, stdout: TextIO) -> int:
    """Answer every line of `stdin` on `stdout`, flushing after each; returns the number of lines.

    Lines are read in bounded chunks: a line longer than MAX_REQUEST_BYTES characters is skipped
    without being held in memory, and answered with an error.
    """
    count = 0
    while True:
        line = stdin.readline(MAX_REQUEST_BYTES + 1)
        if not line:
            return count
        if len(line) > MAX_REQUEST_BYTES and not line.endswith("\n"):
            size = len(line) + _skip_line(stdin)
            result: dict[str, Any] = {
                "error": f"request too large ({size:,} characters; the limit is "
                f"{MAX_REQUEST_BYTES:,})"
            }
        else:
            result = handle(engine, line.rstrip("\r\n"))
        stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        stdout.flush()
        count += 1


def _skip_line(stdin: TextIO) -> int:
    """Read and drop the rest of the current line; returns how many characters that was."""
    skipped = 0
    while True:
        chunk = stdin.readline(MAX_REQUEST_BYTES)
        skipped += len(chunk)
        if not chunk or chunk.endswith("\n"):
            return skipped
