"""The REPL's bottom toolbar: key hints, and what the conversation is about."""

from __future__ import annotations

from collections.abc import Sequence


def toolbar(suggestions: Sequence[str], topic: str | None) -> str:
    """The toolbar text; prompt-toolkit calls it on every redraw, so it stays cheap.

    Hints first and the current topic last, so a narrow terminal cuts the topic, not the keys.
    """
    hints = " /help  /topics  /why  Tab complete  Ctrl-D quit"
    if suggestions:
        n = len(suggestions)
        hints = f" {'1' if n == 1 else f'1-{n}'} ask a suggestion " + hints
    if topic:
        hints += f"  │ {topic}"
    return hints
