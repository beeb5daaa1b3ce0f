"""The chat commands (`!help`, `!topics`, `!why`, `!sources`, `!profile`, `!reset`): the REPL's
slash commands for a chat room, answered through the engine's public API only."""

from __future__ import annotations

import difflib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable

from ..engine import Engine
from ..overview import COMMANDS as CHAT_COMMANDS
from ..overview import ORIGINS, Explanation
from .message import NUMBER_HINT, Block, Message, render

PREFIX = "!"
#: the commands in the order !help lists them, with the line it shows (as the REPL's /help)
COMMANDS: dict[str, str] = {
    "!help": "commands and how to ask",
    **{PREFIX + name: line for name, line in CHAT_COMMANDS.items()},
}
ALIASES = {"!?": "!help", "!h": "!help", "!source": "!sources", "!topic": "!topics"}
MAX_COMMAND_ECHO = 30
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_NUMBER = re.compile(r"#?(\d{1,3})[.)]?")


class NoSuchSuggestion(Exception):
    """A number beyond the suggestions shown; `str()` says which numbers there are."""


class ShownSuggestions:
    """The numbered suggestions each session was shown last, so that "2" asks the second one, as
    in the REPL. Bounded (least recently used forgotten first) and safe across threads. A number
    with nothing remembered (after a restart) goes to the engine, which resolves it itself."""

    def __init__(self, limit: int = 10_000) -> None:
        self.limit = limit
        self._shown: OrderedDict[str, tuple[str, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, session: str, suggestions: tuple[str, ...]) -> None:
        with self._lock:
            self._shown[session] = suggestions
            self._shown.move_to_end(session)
            while len(self._shown) > self.limit:
                self._shown.popitem(last=False)

    def forget(self, session: str) -> None:
        with self._lock:
            self._shown.pop(session, None)

    def resolve(self, session: str, text: str) -> str:
        """The suggestion a bare number ("2", "#2", "2.") picks, else `text` unchanged.
        Raises NoSuchSuggestion for a number beyond those shown."""
        number = _NUMBER.fullmatch(text.strip())
        with self._lock:
            shown = self._shown.get(session, ())
        if number is None or not shown:
            return text
        pick = int(number.group(1))
        if not 1 <= pick <= len(shown):
            raise NoSuchSuggestion(
                f"There is no question {pick} here; type 1 to {len(shown)}, "
                "or ask in your own words."
            )
        return shown[pick - 1]


def is_command(text: str) -> bool:
    return text.startswith(PREFIX) and len(text) > 1 and not text[1].isspace()


def command_name(text: str) -> str:
    """The command a line names, aliases resolved ("!H please" -> "!help")."""
    word = text.split()[0].lower()
    return ALIASES.get(word, word)


def run_command(engine: Engine, session: str, text: str, direct: bool = True) -> Message:
    """The answer to a command line such as "!sources"; an unknown one gets a hint."""
    name = command_name(text)
    actions: dict[str, Callable[[], list[Block]]] = {
        "!help": lambda: help_blocks(direct),
        "!topics": lambda: topics_blocks(engine),
        "!why": lambda: why_blocks(engine.explain(session)),
        "!sources": lambda: sources_blocks(engine.explain(session)),
        "!profile": lambda: profile_blocks(engine.explain(session)),
        "!reset": lambda: reset_blocks(engine, session),
    }
    action = actions.get(name)
    return render(action() if action else unknown_blocks(text.split()[0]))


def help_blocks(direct: bool = True) -> list[Block]:
    how = (
        "Ask a question in your own words."
        if direct
        else "Start your message with my name, or mention me, and ask in your own words."
    )
    return [
        Block("p", f"{how} After an answer, {NUMBER_HINT} of the suggested questions."),
        Block("h", "Commands:"),
        Block("ul", items=tuple(f"{name}: {line}" for name, line in COMMANDS.items())),
    ]


def topics_blocks(engine: Engine) -> list[Block]:
    blocks = [Block("p", "What I can answer, with an example question for each:")]
    for group in engine.topics():
        blocks.append(Block("h", group.title))
        blocks.append(Block("ul", items=tuple(f"{t.title}: {t.example}" for t in group.topics)))
    return blocks


def why_blocks(why: Explanation) -> list[Block]:
    if why.intent is None and why.last_kind is None:
        return [Block("p", "Ask me a question first; then !why shows how I understood it.")]
    if why.last_kind in ("decline", "clarify"):
        return _why_unanswered(why)
    if why.intent is None:
        return [Block("p", "There is no topic to explain yet.")]
    lines = [f"Matched: {why.title} ({why.intent}), confidence {why.confidence:.2f}"]
    if why.confidence < why.threshold:
        lines.append("(a follow-up: the topic carried over from the previous answer)")
    if why.runner_up:
        lines.append(
            f"Runner-up: {why.runner_up_title} ({why.runner_up}), "
            f"confidence {why.runner_up_confidence:.2f}"
        )
    blocks = [Block("p", "\n".join(lines))]
    if why.slots:
        blocks.append(Block("h", "Details:"))
        blocks.append(
            Block(
                "ul",
                items=tuple(
                    f"{s.name} = {s.value}"
                    + (f" ({ORIGINS.get(s.origin, 'from ' + s.origin)})" if s.origin else "")
                    for s in why.slots
                ),
            )
        )
    else:
        blocks.append(Block("p", "Details: none (a general answer)"))
    return blocks


def _why_unanswered(why: Explanation) -> list[Block]:
    if why.options:
        text = (
            f"Your last question was close to two topics ({' or '.join(why.options)}), so I "
            "asked which you meant."
        )
    else:
        text = (
            f"Your last message matched no topic well enough: I answer from a confidence of "
            f"{why.threshold:.2f} up."
        )
    if why.intent:
        text += f" The conversation is still about {why.title} ({why.intent})."
    return [Block("p", text)]


def sources_blocks(why: Explanation) -> list[Block]:
    if why.intent is None and why.last_kind is None:
        return [
            Block("p", "Ask me a question first; then !sources shows where the answer comes from.")
        ]
    if why.last_kind == "decline" or not why.citations:
        return [Block("p", "My last reply did not come from the guides, so it has no sources.")]
    sections: dict[str, list[str]] = {}
    for cited in why.citations:
        parts = sections.setdefault(cited.title, [])
        if cited.section not in parts:
            parts.append(cited.section)
    blocks = [Block("p", "The last answer comes from:")]
    for title, parts in sections.items():
        blocks.append(Block("h", title + ":"))
        blocks.append(Block("ul", items=tuple(parts)))
    return blocks


def profile_blocks(why: Explanation) -> list[Block]:
    if not why.profile:
        return [
            Block(
                "p",
                "I don't know anything about you yet. Tell me, for example: "
                '"I am a student", "I have 3 years of experience" or "I live in Seattle".',
            )
        ]
    return [
        Block("h", "What I remember about you:"),
        Block("ul", items=tuple(f"{label}: {value}" for label, value in why.profile)),
        Block("note", "I use this to tailor answers; !reset forgets it."),
    ]


def reset_blocks(engine: Engine, session: str) -> list[Block]:
    engine.reset(session)
    return [
        Block("p", "Done: I've forgotten this conversation and what you told me about yourself.")
    ]


def unknown_blocks(word: str) -> list[Block]:
    shown = _CONTROL.sub("", word)[:MAX_COMMAND_ECHO]
    close = difflib.get_close_matches(word.lower(), [*COMMANDS, *ALIASES], n=1, cutoff=0.6)
    hint = f" Did you mean {ALIASES.get(close[0], close[0])}?" if close else ""
    return [Block("p", f"Unknown command {shown!r}.{hint} Commands: {' '.join(COMMANDS)}")]


def welcome_blocks(engine: Engine, direct: bool, name: str) -> list[Block]:
    """What the bot says when it joins a room."""
    how = (
        "Ask me anything about that here."
        if direct
        else f'In this room, start your message with "{name}:" or mention me.'
    )
    return [
        Block(
            "p",
            "Hi! I give career advice for Machine Learning engineers, from four career "
            f"guides, and say which guide each fact comes from. {how}",
        ),
        Block("h", "For example:"),
        Block("ul", items=engine.settings.starter_questions[:3]),
        Block("note", "!help lists commands, !topics what I know."),
    ]
