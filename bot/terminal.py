"""Plain-text and ANSI formatting of replies for the one-shot command, pipes and the REPL."""

from __future__ import annotations

import os
import sys
from typing import TextIO

from .reply import Reply

DIM, BOLD, CYAN, RESET = "\x1b[2m", "\x1b[1m", "\x1b[36m", "\x1b[0m"


def use_color(stream: TextIO, no_color: bool = False) -> bool:
    """Colour only on a terminal, and never when --no-color or $NO_COLOR (any value) says so."""
    if no_color or "NO_COLOR" in os.environ:
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def format_reply(reply: Reply, color: bool = False, numbered: bool = True) -> str:
    """The reply as terminal text: the answer, then its sources (dimmed), then suggestions."""
    lines = []
    for line in reply.text.splitlines():
        if color and line.endswith(":") and not line.startswith("- "):
            line = BOLD + line + RESET
        lines.append(line)
    if reply.sources:
        src = "Sources: " + "; ".join(reply.sources)
        lines += ["", DIM + src + RESET if color else src]
    if reply.suggestions:
        lines += ["", "You could ask:" if not reply.fallback or not numbered else "Try:"]
        for i, s in enumerate(reply.suggestions, 1):
            label = f"  {i}. " if numbered else "  - "
            lines.append(label + (CYAN + s + RESET if color else s))
    return "\n".join(lines)


def stdout_color(no_color: bool) -> bool:
    return use_color(sys.stdout, no_color)
