"""The `careerbot` command line: chat, ask, jsonl, matrix, serve, loadtest and the dev commands."""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .errors import CareerBotError, ContentError

if TYPE_CHECKING:
    from typing import TypeAlias

    from .engine import Engine
    from .unanswered import UnansweredLog

    _Commands: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]

CONTENT_ENV = "CAREERBOT_CONTENT"  # the content folder, when --content gives none
NO_CACHE_ENV = "CAREERBOT_NO_CACHE"  # "1": build the compiled content at every start
DESCRIPTION = (
    "A career-advice chatbot for Machine Learning engineers, answering from four career guides."
)


def _chat(sub: _Commands) -> None:
    chat = sub.add_parser("chat", help="chat in the terminal (the default)")
    chat.add_argument(
        "--no-history",
        action="store_true",
        default=argparse.SUPPRESS,
        help="don't save what you type to the history file (also $CAREERBOT_NO_HISTORY)",
    )


def _ask_parser(sub: _Commands) -> None:
    ask = sub.add_parser("ask", help="ask one question and print the answer")
    ask.add_argument("question", nargs="+", help="the question (quote it or not)")
    ask.add_argument("--json", action="store_true", help="print the reply as JSON")
    ask.add_argument("--session", default="default", help=argparse.SUPPRESS)


def _jsonl(sub: _Commands) -> None:
    sub.add_parser(
        "jsonl", help='JSON lines on stdin/stdout: {"session": ..., "text": ...} per line'
    )


def _validate_parser(sub: _Commands) -> None:
    sub.add_parser("validate", help="check the content; list every problem found")


def _eval(sub: _Commands) -> None:
    ev = sub.add_parser("eval", help="accuracy over the labelled questions and dialogues")
    # the sets lie in a source checkout, not in the installed package: outside one, pass them
    ev.add_argument(
        "--questions", metavar="FILE", help="labelled questions (default tests/data/questions.yaml)"
    )
    ev.add_argument(
        "--dialogues", metavar="FILE", help="dialogue scripts (default tests/data/dialogues.yaml)"
    )
    ev.add_argument(
        "--heldout",
        metavar="FILE",
        help="the fresh held-out questions (default tests/data/heldout_questions.yaml, "
        "unless --questions is given)",
    )
    ev.add_argument("--json", action="store_true", help="print the report as JSON")
    ev.add_argument(
        "--sets", metavar="DIR", help="the blind sets' folder (default: the checkout's evaluation/)"
    )
    ev.add_argument(
        "--failures",
        action="store_true",
        help="list the failures of the development halves (sealed halves are never shown)",
    )
    ev.add_argument(
        "--calibrate",
        action="store_true",
        help="choose the fallback threshold on the blind development halves (whole replies), and "
        "report what the development questions' top intents alone would choose",
    )
    ev.add_argument(
        "--dev",
        metavar="FILE",
        help="development questions for --calibrate (default tests/data/dev_questions.yaml)",
    )


def _unanswered_parser(sub: _Commands) -> None:
    unanswered = sub.add_parser(
        "unanswered", help="what people asked that the bot declined, grouped, most frequent first"
    )
    unanswered.add_argument("--file", metavar="FILE", help="the log (default: the state folder's)")
    unanswered.add_argument("--top", type=int, default=20, help="groups to show (default 20)")
    unanswered.add_argument("--json", action="store_true", help="print the groups as JSON")


def _bench(sub: _Commands) -> None:
    bench = sub.add_parser("bench", help="latency, throughput, cold start and memory")
    bench.add_argument(
        "--questions",
        metavar="FILE",
        help="questions to time (default tests/data/questions.yaml)",
    )
    bench.add_argument("--json", action="store_true", help="print the figures as JSON")
    bench.add_argument(
        "--soak",
        action="store_true",
        help="instead: many replies over many sessions, and memory over time",
    )
    bench.add_argument(
        "--replies", type=int, default=1_000_000, metavar="N", help="--soak: replies (1,000,000)"
    )
    bench.add_argument(
        "--sessions", type=int, default=200_000, metavar="N", help="--soak: sessions (200,000)"
    )


def _clinc(sub: _Commands) -> None:
    clinc = sub.add_parser("clinc", help="CLINC150: convert to intents, or benchmark the matcher")
    clinc.add_argument(
        "args",
        nargs=argparse.REMAINDER,
        help="bench [--data FILE] [--intents N] | convert OUT_DIR [--data FILE] [--intents N]",
    )


def _matrix(sub: _Commands) -> None:
    from .matrix import command  # its options only: matrix-nio is imported only to run it

    command.add_parser(sub)


def _serve(sub: _Commands) -> None:
    from . import server_cli  # its flags only: the server is imported only to run it

    server_cli.serve_parser(sub)


def _loadtest(sub: _Commands) -> None:
    from . import server_cli

    server_cli.loadtest_parser(sub)


# each subcommand and what adds it to the command line, in the order --help lists them
COMMANDS: dict[str, Callable[[_Commands], None]] = {
    "chat": _chat,
    "ask": _ask_parser,
    "jsonl": _jsonl,
    "validate": _validate_parser,
    "eval": _eval,
    "unanswered": _unanswered_parser,
    "bench": _bench,
    "clinc": _clinc,
    "matrix": _matrix,
    "serve": _serve,
    "loadtest": _loadtest,
}


def _command(argv: Sequence[str]) -> str | None:
    """The subcommand argv names (its first word that is neither an option nor --content's value),
    or None when it names none or an unknown one."""
    value_next = False
    for arg in argv:
        if value_next:
            value_next = False
        elif arg == "--content":
            value_next = True
        elif arg == "--":
            return None
        elif not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line. Given the subcommand about to run, only its own options are built:
    argparse builds slowly (milliseconds for all of them), and `careerbot ask` starts per question.
    """
    p = argparse.ArgumentParser(prog="careerbot", description=DESCRIPTION)
    p.add_argument(
        "--content",
        metavar="DIR",
        help="content folder holding intents/ and knowledge/ (default: the bundled content)",
    )
    p.add_argument(
        "--no-color", action="store_true", help="plain output, no colours (also $NO_COLOR)"
    )
    p.add_argument(
        "--log-unanswered",
        action="store_true",
        help="append what the bot declines or is unsure of to the state folder's "
        "unanswered.jsonl (or the file $CAREERBOT_LOG_UNANSWERED names); texts only, no ids",
    )
    p.add_argument(
        "--no-history",
        action="store_true",
        help="chat without saving what you type to the history file (also $CAREERBOT_NO_HISTORY)",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name, add in COMMANDS.items():
        if command is None or name == command:
            add(sub)
    for parser in sub.choices.values():  # the global options are taken after the command too
        parser.add_argument(
            "--content", metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS
        )
        for flag in ("--no-color", "--log-unanswered"):
            parser.add_argument(
                flag, action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
            )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """The program; `argv` None means the process's own arguments (it ends when this returns)."""
    arguments = sys.argv[1:] if argv is None else argv
    args = _parser(_command(arguments)).parse_args(arguments)
    # the environment is read here, at the edge, and passed down as arguments
    args.content = args.content or os.environ.get(CONTENT_ENV) or None
    args.cache = cache_wanted(os.environ)
    one_shot = argv is None and args.command == "ask"
    if one_shot:  # one answer, then the process ends: nothing is worth collecting
        gc.disable()
    try:
        status = _run(args)
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        return 0
    except OSError as exc:  # e.g. a full disk behind stdout: say so, without a traceback
        _quiet_stdout()
        print(f"careerbot: cannot write the output: {exc.strerror or exc}", file=sys.stderr)
        return 1
    finally:
        if one_shot:  # the collection at exit need not walk the modules and the content either
            gc.freeze()


def cache_wanted(environ: Mapping[str, str]) -> bool:
    """Whether the compiled content is cached, as $CAREERBOT_NO_CACHE says (every adapter that
    loads the engine asks this, and passes the answer to `Engine.load`)."""
    return environ.get(NO_CACHE_ENV, "") in ("", "0")


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: importing the engine and loading the content allocate a
    great deal and free little, and the collector would walk all of it again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives until the process ends
    except OSError:
        pass


def _run(args: argparse.Namespace) -> int:
    command = args.command or "chat"
    try:
        if command == "clinc":
            from .devtools import clinc

            return clinc.main(args.args)
        if command == "validate":
            return _validate(args)
        if command == "unanswered":
            return _unanswered(args)
        if command == "eval":
            from .devtools import evaluate

            return evaluate.main(args)
        if command == "bench":
            from .devtools import bench

            return bench.main(args)
        if command == "matrix":
            from .matrix import command as matrix

            return matrix.main(args)
        if command in ("serve", "loadtest"):  # the HTTP server and its load test
            from . import server_cli

            return server_cli.run(args)
        with _collector_paused():
            engine = _load(args)
            if command == "ask":
                return _ask(engine, args)
        if command == "jsonl":
            from . import jsonl

            jsonl.serve(engine, _text_stdin(), sys.stdout)
            return 0
        if not sys.stdin.isatty():
            return _piped(engine, args)
        from .repl import run

        return run(engine, no_color=args.no_color, no_history=args.no_history)
    except CareerBotError as exc:
        print(f"careerbot: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def _load(args: argparse.Namespace) -> Engine:
    from .engine import Engine

    return Engine.load(args.content, cache=args.cache, unanswered=_unanswered_log(args))


def _unanswered_log(args: argparse.Namespace) -> UnansweredLog | None:
    """The opt-in log, from --log-unanswered or $CAREERBOT_LOG_UNANSWERED ("1" or a path)."""
    value = os.environ.get("CAREERBOT_LOG_UNANSWERED", "")
    if not getattr(args, "log_unanswered", False) and value in ("", "0"):
        return None
    from .unanswered import UnansweredLog

    return UnansweredLog(None if value in ("", "0", "1") else value)


def _unanswered(args: argparse.Namespace) -> int:
    from .unanswered import default_path, group, read

    groups = group(read(Path(args.file) if args.file else default_path()))
    if args.json:
        print(json.dumps([g.__dict__ for g in groups[: args.top]], ensure_ascii=False, indent=2))
        return 0
    if not groups:
        print("The log is empty.")
        return 0
    topics: dict[str, int] = {}
    for g in groups:
        for name, n in g.nearest.items():
            topics[name] = topics.get(name, 0) + n
    print(
        "Nearest topics: "
        + ", ".join(f"{t} ({n})" for t, n in sorted(topics.items(), key=lambda x: -x[1]))
    )
    print()
    for g in groups[: args.top]:
        nearest = max(g.nearest, key=lambda k: g.nearest[k])
        print(f"{g.count:4}  {g.text[:100]}")
        print(
            f"      nearest topic: {nearest}; replies: "
            + ", ".join(f"{k} {n}" for k, n in g.kinds.items())
        )
        for example in g.examples[1:]:
            print(f"      also: {example[:90]}")
    return 0


def _text_stdin() -> TextIO:
    """stdin as UTF-8 text that never fails on undecodable bytes (they become U+FFFD)."""
    return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")


def _ask(engine: Engine, args: argparse.Namespace) -> int:
    reply = engine.reply(" ".join(args.question), session=args.session)
    if args.json:
        print(json.dumps(reply.to_dict(), ensure_ascii=False, indent=2))
    else:
        from .terminal import format_reply, stdout_color

        print(format_reply(reply, color=stdout_color(args.no_color), numbered=False))
    return 0


def _piped(engine: Engine, args: argparse.Namespace) -> int:
    """Lines from a pipe: plain answers, no prompt, no terminal control codes."""
    from .terminal import format_reply

    first = True
    for line in _text_stdin():
        if not line.strip():
            continue
        if not first:
            print()
        first = False
        print(
            format_reply(engine.reply(line.rstrip("\r\n")), color=False, numbered=False), flush=True
        )
    return 0


def _validate(args: argparse.Namespace) -> int:
    from .engine import validate

    engine, problems = validate(args.content)
    if problems:
        print(str(ContentError(problems)), file=sys.stderr)
        return 1
    assert engine is not None
    for kind, counts in engine.summary().items():
        print(f"{kind}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    print("content OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
