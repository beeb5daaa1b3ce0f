"""Key bindings of the REPL beyond prompt-toolkit's defaults (Ctrl-C and Ctrl-D keep theirs)."""

from __future__ import annotations

from collections.abc import Callable

from prompt_toolkit.application import run_in_terminal
from prompt_toolkit.filters import completion_is_selected
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys


def repl_key_bindings(show_help: Callable[[], None]) -> KeyBindings:
    """Enter takes a highlighted completion instead of sending the line; F1 prints the help;
    stray mouse-report sequences are ignored.

    Ctrl-C (clear the line: KeyboardInterrupt) and Ctrl-D (EOFError on an empty line) are
    prompt-toolkit's defaults; the REPL loop decides what they mean.
    """
    kb = KeyBindings()

    @kb.add("enter", filter=completion_is_selected)
    def _accept_completion(event: KeyPressEvent) -> None:
        # As in pgcli: with the menu open, Enter takes the highlighted word and keeps editing.
        event.current_buffer.complete_state = None

    @kb.add("f1")
    def _help(event: KeyPressEvent) -> None:
        # Printed above the prompt; whatever the user was typing stays in the line.
        run_in_terminal(show_help)

    @kb.add(Keys.Vt100MouseEvent)
    def _ignore_mouse(event: KeyPressEvent) -> None:
        # Mouse reporting is never switched on, so a "mouse event" is typed or piped text that
        # looks like one ("\x1b[31m"); prompt-toolkit's own handler fails to parse those.
        pass

    return kb
