"""The interactive terminal chat: one prompt-toolkit session, slash commands, numbered suggestions.

The only module (with its `repl_*` helpers) that imports prompt_toolkit, so `careerbot ask` and
piped input never load it. Answers are printed to `sys.stdout` between prompts, as pgcli does;
the prompt itself is drawn on the `output` given to `run` (the terminal by default).
"""

from __future__ import annotations

import difflib
import logging
import os
import re
import sys
from collections.abc import Callable, Iterable
from typing import TextIO

from prompt_toolkit import PromptSession, print_formatted_text
from prompt_toolkit.application import get_app
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.filters import Condition
from prompt_toolkit.formatted_text import ANSI, FormattedText
from prompt_toolkit.history import DummyHistory, History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.output import ColorDepth, Output, create_output
from prompt_toolkit.styles import Style

from .engine import Engine
from .overview import COMMANDS as CHAT_COMMANDS
from .overview import ORIGINS
from .repl_completion import CareerCompleter
from .repl_history import PrivateHistory, history_wanted, open_history
from .repl_keys import repl_key_bindings
from .repl_toolbar import toolbar
from .reply import Reply
from .terminal import BOLD, CYAN, DIM, format_reply, numbered_item, paint, use_color, wrap

log = logging.getLogger(__name__)

SESSION = "repl"
PROMPT = "you> "
MAX_WIDTH = 100  # answers wrap at the terminal width, but no wider than this, to stay readable
MAX_COMMAND_ECHO = 30
MAX_PROMPT_FAILURES = 3  # in a row: then the input is broken, not merely odd
MAX_PASTED_LINES = 20  # lines of one paste answered; a longer paste is more likely a document

#: slash commands in the order /help lists them, with the line it shows (and Tab completion too)
COMMANDS: dict[str, str] = {
    "/help": "commands, keys and example questions",
    **{"/" + name: line for name, line in CHAT_COMMANDS.items()},
    "/quit": "leave (also /exit or Ctrl-D)",
}
ALIASES = {"/exit": "/quit", "/q": "/quit", "/?": "/help", "/h": "/help"}

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_NUMBER = re.compile(r"#?(\d{1,3})[.)]?")


# -- printing ---------------------------------------------------------------------------------


class Console:
    """Where the REPL prints: plain text, or ANSI styles rendered by prompt-toolkit in colour."""

    def __init__(self, stream: TextIO, color: bool) -> None:
        self.stream = stream
        self.color = color
        self._output: Output | None = create_output(stdout=stream) if color else None

    def say(self, text: str = "") -> None:
        try:
            if self._output is not None:
                print_formatted_text(ANSI(text), output=self._output)
                self._output.flush()
            else:
                self._write(text + "\n")
        except UnicodeEncodeError:
            # A terminal that cannot show "–" or "→" still gets the rest of the answer.
            encoding = getattr(self.stream, "encoding", None) or "ascii"
            self._write(_strip_ansi(text).encode(encoding, "replace").decode(encoding) + "\n")

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


# -- the REPL ---------------------------------------------------------------------------------


class Repl:
    """One conversation: turns typed lines into questions or commands and prints what comes back.

    `handle(line)` does one turn and says whether to go on; `run()` below owns the prompt.
    """

    def __init__(
        self,
        engine: Engine,
        console: Console,
        width: int = 80,
        history: History | None = None,
        confirm: Callable[[str], bool] | None = None,
    ) -> None:
        self.engine = engine
        self.console = console
        self.history = history  # the input history, which /reset offers to forget
        self.confirm = confirm  # asks a yes/no question; None when nobody can answer one
        self.color = console.color
        self.width = width
        self.last: Reply | None = None
        self.said_goodbye = False
        self.starters: tuple[str, ...] = engine.settings.starter_questions[:3]
        self.topic: str | None = (
            None  # the title of what the conversation is about, for the toolbar
        )
        #: the last numbered list on screen: a bare number asks its question
        self.suggestions: tuple[str, ...] = self.starters
        self.commands = {
            "/help": self.show_help,
            "/topics": self.show_topics,
            "/why": self.show_why,
            "/sources": self.show_sources,
            "/profile": self.show_profile,
            "/reset": self.reset,
        }

    # -- turns --------------------------------------------------------------------------------

    def handle(self, line: str) -> bool:
        """One input at the prompt; False when the user is leaving. A paste of several lines is
        taken as several messages, each answered in turn, as piped input is."""
        lines = [text for text in line.splitlines() if text.strip()]
        if len(lines) <= 1:
            return self.handle_line(lines[0] if lines else "")
        for text in lines[:MAX_PASTED_LINES]:
            self.say(paint("→ " + text.strip(), DIM, self.color))
            if not self.handle_line(text):
                return False
        if len(lines) > MAX_PASTED_LINES:
            self.say(
                f"(You pasted {len(lines):,} lines; I answered the first {MAX_PASTED_LINES}. "
                "Paste the rest again to go on.)"
            )
        return True

    def handle_line(self, line: str) -> bool:
        """One line: a command, a suggestion's number or a question."""
        text = line.strip()
        if not text:
            return True
        if text.startswith("/"):
            return self.command(text)
        number = _NUMBER.fullmatch(text)
        if number and self.suggestions:
            pick = int(number.group(1))
            if 1 <= pick <= len(self.suggestions):
                question = self.suggestions[pick - 1]
                self.say(paint("→ " + question, DIM, self.color))
                return self.ask(question)
            self.say(
                f"There is no question {pick} here; type 1 to {len(self.suggestions)}, "
                "or ask in your own words."
            )
            return True
        return self.ask(text)

    def ask(self, text: str) -> bool:
        reply = self.engine.reply(text, session=SESSION)
        self.last = reply
        self.suggestions = reply.suggestions
        if reply.kind in ("answer", "retrieved", "multi"):
            self.topic = self.engine.explain(SESSION).title
        self.say(format_reply(reply, color=self.color, numbered=True, width=self.width))
        self.say()
        # "bye" ends the chat as /quit does; the engine's answer already said goodbye.
        self.said_goodbye = reply.intent == "goodbye"
        return not self.said_goodbye

    def command(self, text: str) -> bool:
        name = text.split()[0].lower()
        name = ALIASES.get(name, name)
        if name == "/quit":
            return False
        action = self.commands.get(name)
        if action is None:
            self.unknown(text.split()[0])
        else:
            action()
        self.say()
        return True

    # -- commands -----------------------------------------------------------------------------

    def welcome(self) -> None:
        self.say(
            paint("CareerBot", BOLD, self.color)
            + ": career advice for Machine Learning engineers, from four career guides."
        )
        self.say("Ask in your own words, for example:")
        self._numbered(self.starters)
        self.say(
            paint(
                "Type a number to ask one of these. /help lists commands, /topics what I know; "
                "Ctrl-D quits.",
                DIM,
                self.color,
            )
        )
        self.say()

    def goodbye(self) -> None:
        if not self.said_goodbye:
            self.say("Goodbye, and good luck with your ML career!")

    def show_help(self) -> None:
        self.say(paint("Ask a question in your own words, or use a command:", BOLD, self.color))
        width = max(len(name) for name in COMMANDS) + 2
        for name, text in COMMANDS.items():
            self.say(f"  {paint(name.ljust(width), CYAN, self.color)}{text}")
        self.say(paint("Keys:", BOLD, self.color))
        for key, text in (
            ("Tab", "complete commands, company names and topics"),
            ("→", "take the greyed-out suggestion from your history"),
            ("↑ ↓", "browse your earlier questions"),
            ("Ctrl-C", "clear the line"),
            ("Ctrl-D", "quit"),
        ):
            self.say(f"  {key.ljust(width)}{text}")
        self.say(paint("Type a number to ask a numbered question, for example:", BOLD, self.color))
        self._numbered(self.starters)

    def show_topics(self) -> None:
        groups = self.engine.topics()
        # Titles longer than this get a line of their own, so the examples keep room to breathe.
        column = min(32, max((len(t.title) for g in groups for t in g.topics), default=0)) + 4
        self.say("What I can answer, with an example question for each:")
        for group in groups:
            self.say()
            self.say(paint(group.title, BOLD, self.color))
            for topic in group.topics:
                self._two_columns("  " + topic.title, topic.example, column)

    def show_why(self) -> None:
        why = self.engine.explain(SESSION)
        last = self.last
        if last is None and not why.intent:
            self.say("Ask me a question first; then /why shows how I understood it.")
            return
        if last is not None and last.intent is None:
            if why.options:
                self.say(
                    "Your last question was close to two topics "
                    f"({' or '.join(why.options)}), so I asked which you meant."
                )
            else:
                self.say(
                    f"Your last message matched no topic well enough: the best match scored "
                    f"{last.confidence:.2f} and I answer from {why.threshold:.2f} up."
                )
            if why.intent:
                self.say(f"The conversation is still about {why.title} ({why.intent}).")
            return
        if not why.intent:
            self.say("There is no topic to explain yet.")
            return
        label = 12
        self.say(
            paint("Matched:".ljust(label), BOLD, self.color)
            + f"{why.title} ({why.intent}), confidence {why.confidence:.2f}"
        )
        if why.confidence < why.threshold:
            self.say(
                " " * label
                + paint(
                    "a follow-up: the topic carried over from the previous answer", DIM, self.color
                )
            )
        if why.runner_up:
            self.say(
                paint("Runner-up:".ljust(label), BOLD, self.color)
                + f"{why.runner_up_title} ({why.runner_up}), "
                + f"confidence {why.runner_up_confidence:.2f}"
            )
        if last is not None and last.kind == "act":
            self.say(" " * label + f"(your last message asked for {last.intent!r} on this topic)")
        if why.slots:
            self.say(paint("Details:", BOLD, self.color))
            for slot in why.slots:
                where = ORIGINS.get(slot.origin, f"from {slot.origin}" if slot.origin else "")
                self.say(
                    f"  {slot.name} = {slot.value}"
                    + (paint(f"  ({where})", DIM, self.color) if where else "")
                )
        else:
            self.say(paint("Details:".ljust(label), BOLD, self.color) + "none (a general answer)")

    def show_sources(self) -> None:
        last = self.last
        if last is None:
            self.say("Ask me a question first; then /sources shows where the answer comes from.")
            return
        if last.fallback or not last.sources:
            self.say("My last reply did not come from the guides, so it has no sources.")
            return
        sections: dict[str, list[str]] = {title: [] for title in last.sources}
        for cited in self.engine.explain(SESSION).citations:
            parts = sections.setdefault(cited.title, [])
            if cited.section not in parts:
                parts.append(cited.section)
        self.say("The last answer comes from:")
        for title, parts in sections.items():
            self.say("  " + paint(title, BOLD, self.color))
            for section in parts:
                for line in wrap(f"    - {section}", self.width, "      "):
                    self.say(line)

    def show_profile(self) -> None:
        rows = self.engine.explain(SESSION).profile
        if not rows:
            self.say(
                "I don't know anything about you yet. Tell me, for example: "
                '"I am a student", "I have 3 years of experience" or "I live in Seattle".'
            )
            return
        self.say("What I remember about you:")
        for label, value in rows:
            self.say(f"  {paint((label + ':').ljust(12), BOLD, self.color)}{value}")
        self.say(paint("I use this to tailor answers; /reset forgets it.", DIM, self.color))

    def reset(self) -> None:
        self.engine.reset(SESSION)
        self.last = None
        self.topic = None
        self.suggestions = self.starters
        self.say("Done: I've forgotten this conversation and what you told me about yourself.")
        history = self.history
        if isinstance(history, PrivateHistory) and self.confirm is not None and history.count():
            question = (
                f"Your input history ({history.count()} lines, in {history.path}) still holds "
                "what you typed. Forget it too? [y/N] "
            )
            if self.confirm(question):
                history.forget()
                self.say("Done: the input history is empty.")
            else:
                self.say("The input history is kept (--no-history turns it off).")

    def unknown(self, word: str) -> None:
        shown = _CONTROL.sub("", word)[:MAX_COMMAND_ECHO]
        known = list(COMMANDS) + list(ALIASES)
        close = difflib.get_close_matches(word.lower(), known, n=1, cutoff=0.6)
        hint = f" Did you mean {ALIASES.get(close[0], close[0])}?" if close else ""
        self.say(f"Unknown command {shown!r}.{hint} Commands: {' '.join(COMMANDS)}")

    # -- helpers ------------------------------------------------------------------------------

    def say(self, text: str = "") -> None:
        """Print a line; a long plain one is folded at the terminal width, not mid-word by it."""
        if "\x1b" not in text:
            text = "\n".join(
                part
                for line in text.split("\n")
                for part in wrap(line, self.width, " " * (len(line) - len(line.lstrip(" "))))
            )
        self.console.say(text)

    def _numbered(self, questions: Iterable[str]) -> None:
        for i, question in enumerate(questions, 1):
            for line in numbered_item(f"  {i}. ", question, self.color, self.width):
                self.say(line)

    def _two_columns(self, left: str, right: str, column: int) -> None:
        if len(left) + 2 > column:
            self.say(left)
            left = ""
        for i, line in enumerate(
            wrap(right, self.width - column if self.width > column + 20 else None)
        ):
            self.say((left if i == 0 else "").ljust(column) + paint(line, DIM, self.color))


# -- the prompt -------------------------------------------------------------------------------


def run(
    engine: Engine,
    no_color: bool = False,
    input: Input | None = None,
    output: Output | None = None,
    history_path: str | os.PathLike[str] | None = None,
    no_history: bool = False,
) -> int:
    """Chat until /quit or Ctrl-D; returns the exit status (0).

    `input`/`output` are prompt-toolkit's (tests pass `create_pipe_input()` and `DummyOutput()`);
    answers go to `sys.stdout`. History lives in `history_path`, else the user's state folder;
    `no_history` (or $CAREERBOT_NO_HISTORY) keeps it in memory only.
    """
    color = use_color(sys.stdout, no_color)
    console = Console(sys.stdout, color)
    history = open_history(history_path) if history_wanted(no_history) else InMemoryHistory()
    repl = Repl(engine, console, history=history, confirm=lambda q: _yes(q, input, output))
    completer = CareerCompleter.for_engine(
        engine, {**COMMANDS, **{a: "= " + c for a, c in ALIASES.items() if len(a) > 3}}
    )
    style = Style.from_dict(
        {"prompt": "ansicyan bold"} if color else {"auto-suggestion": "underline"}
    )
    session: PromptSession[str] = PromptSession(
        message=FormattedText([("class:prompt", PROMPT)]) if color else PROMPT,
        history=history,
        auto_suggest=AutoSuggestFromHistory(),
        completer=completer,
        # Menus popping up while people type questions are noise; commands are short and listed.
        complete_while_typing=Condition(lambda: get_app().current_buffer.text.startswith("/")),
        bottom_toolbar=lambda: toolbar(repl.suggestions, repl.topic),
        key_bindings=repl_key_bindings(repl.show_help),
        style=style,
        include_default_pygments_style=False,
        color_depth=None if color else ColorDepth.DEPTH_1_BIT,
        input=input,
        output=output,
    )
    repl.width = _width(session)
    repl.welcome()
    failures = 0
    while True:
        try:
            line = session.prompt()
        except KeyboardInterrupt:
            continue  # Ctrl-C: the line is cleared, the chat goes on
        except EOFError:
            break  # Ctrl-D on an empty line
        except Exception:  # e.g. prompt-toolkit tripping over an odd key sequence
            log.exception("reading the prompt failed")
            failures += 1
            if failures < MAX_PROMPT_FAILURES:
                continue
            console.say("Sorry, I can't read from this terminal any more.")
            repl.goodbye()
            return 1
        failures = 0
        repl.width = _width(session)
        try:
            if not repl.handle(line):
                break
        except KeyboardInterrupt:
            continue
        except Exception:  # a bug in one turn must not end the chat
            log.exception("REPL turn failed for %r", line[:200])
            console.say("Sorry, something went wrong on my side. Please try again.")
    repl.goodbye()
    return 0


def _yes(question: str, input: Input | None, output: Output | None) -> bool:
    """A yes/no question in a prompt of its own, so the answer stays out of the history."""
    ask: PromptSession[str] = PromptSession(history=DummyHistory(), input=input, output=output)
    try:
        return ask.prompt(question).strip().lower() in ("y", "yes")
    except (KeyboardInterrupt, EOFError):
        return False


def _width(session: PromptSession[str]) -> int:
    try:
        columns = session.output.get_size().columns
    except OSError:  # the size ioctl can fail on odd terminals; assume the classic width
        columns = 80
    # Never wider than the terminal: a line folded here and again by the terminal is unreadable.
    return max(1, min(MAX_WIDTH, columns - 1))
