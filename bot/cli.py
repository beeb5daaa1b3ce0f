"""The `careerbot` command line: chat, ask, jsonl, matrix, serve, loadtest and the dev commands."""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from .errors import CareerBotError, ContentError

if TYPE_CHECKING:
    from .engine import Engine

DESCRIPTION = (
    "A career-advice chatbot for Machine Learning engineers, answering from four career guides."
)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="careerbot", description=DESCRIPTION)
    p.add_argument(
        "--content",
        metavar="DIR",
        help="content folder holding intents/ and knowledge/ (default: the bundled content)",
    )
    p.add_argument(
        "--no-color", action="store_true", help="plain output, no colours (also $NO_COLOR)"
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("chat", help="chat in the terminal (the default)")
    ask = sub.add_parser("ask", help="ask one question and print the answer")
    ask.add_argument("question", nargs="+", help="the question (quote it or not)")
    ask.add_argument("--json", action="store_true", help="print the reply as JSON")
    ask.add_argument("--session", default="default", help=argparse.SUPPRESS)
    sub.add_parser(
        "jsonl", help='JSON lines on stdin/stdout: {"session": ..., "text": ...} per line'
    )
    sub.add_parser("validate", help="check the content; list every problem found")
    ev = sub.add_parser("eval", help="accuracy over the labelled questions and dialogues")
    ev.add_argument(
        "--questions", metavar="FILE", help="labelled questions (default tests/data/questions.yaml)"
    )
    ev.add_argument(
        "--dialogues", metavar="FILE", help="dialogue scripts (default tests/data/dialogues.yaml)"
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
        help="choose the fallback threshold on the development questions",
    )
    bench = sub.add_parser("bench", help="latency, throughput, cold start and memory")
    bench.add_argument(
        "--questions", metavar="FILE", help="questions to time (default: the labelled set)"
    )
    bench.add_argument("--json", action="store_true", help="print the figures as JSON")
    clinc = sub.add_parser("clinc", help="CLINC150: convert to intents, or benchmark the matcher")
    clinc.add_argument(
        "args", nargs=argparse.REMAINDER, help="bench [--intents N] | convert OUT_DIR [--intents N]"
    )
    # the Matrix adapter's options (matrix-nio is imported only to run it)
    from .matrix import command as matrix

    matrix.add_parser(sub)
    # the HTTP server and its load test (bot/serve.py, bot/devtools/loadtest.py)
    from . import serve
    from .devtools import loadtest

    serve.add_parser(sub)
    loadtest.add_parser(sub)
    for command in sub.choices.values():  # the global options are taken after the command too
        command.add_argument(
            "--content", metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS
        )
        command.add_argument(
            "--no-color", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
        )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
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
            from . import serve
            from .devtools import loadtest

            return serve.main(args) if command == "serve" else loadtest.main(args)
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

        return run(engine, no_color=args.no_color)
    except CareerBotError as exc:
        print(f"careerbot: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def _load(args: argparse.Namespace) -> Engine:
    from .engine import Engine

    return Engine.load(args.content)


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
