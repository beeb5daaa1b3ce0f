"""Plain-text and ANSI formatting of replies for the one-shot command, pipes and the REPL."""

from __future__ import annotations

import os
import re
import sys
import textwrap
from typing import TextIO

from .reply import Reply

DIM, BOLD, CYAN, RESET = "\x1b[2m", "\x1b[1m", "\x1b[36m", "\x1b[0m"
_BULLET = re.compile(r"(?:[-*•] |\d{1,2}[.)] )")


def use_color(stream: TextIO, no_color: bool = False) -> bool:
    """Colour only on a terminal, and never when --no-color or $NO_COLOR (any value) says so."""
    if no_color or "NO_COLOR" in os.environ:
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def format_reply(
    reply: Reply, color: bool = False, numbered: bool = True, width: int | None = None
) -> str:
    """The reply as terminal text: the answer, then its sources (dimmed), then suggestions.

    With a `width`, long lines are wrapped to it, list items and suggestions with a hanging indent.
    """
    lines = []
    if reply.notice:
        lines += [DIM + part + RESET if color else part for part in wrap(reply.notice, width)] + [
            ""
        ]
    for line in reply.text.splitlines():
        heading = line.endswith(":") and not line.startswith("- ")
        for part in wrap(line, width, _hanging_indent(line)):
            lines.append(BOLD + part + RESET if color and heading else part)
    if reply.sources:
        src = "Sources: " + "; ".join(reply.sources)
        lines.append("")
        lines += [DIM + part + RESET if color else part for part in wrap(src, width, "  ")]
    if reply.suggestions:
        if reply.sources or not reply.text.rstrip().endswith(":"):
            lines += ["", "You could ask:" if not reply.fallback or not numbered else "Try:"]
        # else the reply's own last line ("Here are questions I can answer:") heads the list
        for i, s in enumerate(reply.suggestions, 1):
            label = f"  {i}. " if numbered else "  - "
            lines += numbered_item(label, s, color, width)
    return "\n".join(lines)


def wrap(line: str, width: int | None, indent: str = "") -> list[str]:
    """`line` folded to `width` columns, continuations starting with `indent`; words never split."""
    if not width or len(line) <= width:
        return [line]
    return textwrap.wrap(
        line, width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False
    ) or [line]


def _hanging_indent(line: str) -> str:
    """Where a wrapped line continues: under the text of a list item, else under its start."""
    stripped = line.lstrip()
    bullet = _BULLET.match(stripped)
    return line[: len(line) - len(stripped)] + (" " * len(bullet.group(0)) if bullet else "")


def numbered_item(
    label: str, text: str, color: bool = False, width: int | None = None
) -> list[str]:
    """`label` + `text` (cyan when coloured), continuation lines aligned under the text."""
    body = width - len(label) if width and width > len(label) + 20 else None
    parts = wrap(text, body, "")
    pad = " " * len(label)
    return [
        (label if i == 0 else pad) + (CYAN + p + RESET if color else p) for i, p in enumerate(parts)
    ]


def paint(text: str, code: str, color: bool) -> str:
    """`text` in one ANSI style (BOLD, DIM, CYAN) when colour is on, else unchanged."""
    return code + text + RESET if color and text else text


def stdout_color(no_color: bool) -> bool:
    return use_color(sys.stdout, no_color)
