"""The `serve` and `loadtest` subcommands' flags and defaults; what runs them is imported to run.

`careerbot ask` and the REPL build the whole command line, so this module stays small: no
Starlette, no uvicorn, no asyncio.
"""

from __future__ import annotations

import argparse
from typing import Any

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_RATE_LIMIT = 60  # requests a minute per sender, per worker
GRACEFUL_SECONDS = 10  # how long SIGTERM waits for requests in flight

#: the environment variables the server reads (flags win over them)
ENV = {
    "host": "CAREERBOT_HOST",
    "port": "CAREERBOT_PORT",
    "workers": "CAREERBOT_WORKERS",
    "sessions": "CAREERBOT_SESSIONS",
    "cors": "CAREERBOT_CORS",
    "rate_limit": "CAREERBOT_RATE_LIMIT",
    "content": "CAREERBOT_CONTENT",
    "token": "CAREERBOT_TOKEN",
    "log_level": "CAREERBOT_LOG_LEVEL",
}
LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


def run(args: argparse.Namespace) -> int:
    """Run `serve` or `loadtest`."""
    if args.command == "serve":
        from . import serve

        return serve.main(args)
    from .devtools import loadtest

    return loadtest.main(args)


def serve_parser(sub: Any) -> None:
    """The `serve` subcommand's flags (each also read from its environment variable)."""
    p = sub.add_parser(
        "serve",
        help="HTTP server: Rasa REST webhook, JSON API and a web chat page "
        '(needs "careerbot[server]")',
    )
    p.add_argument("--host", help=f"address to listen on (default {DEFAULT_HOST}; ${ENV['host']})")
    p.add_argument("--port", type=int, help=f"port (default {DEFAULT_PORT}; ${ENV['port']})")
    p.add_argument("--workers", type=int, help=f"worker processes (default 1; ${ENV['workers']})")
    p.add_argument(
        "--sessions",
        metavar="URL",
        help="session store: sqlite:///PATH, redis://HOST:PORT/DB or "
        f"memory:// (default: SQLite under the XDG state directory; ${ENV['sessions']})",
    )
    p.add_argument(
        "--cors",
        action="append",
        metavar="ORIGIN",
        help="allow a browser page from this origin "
        f"to call the API (repeatable, or comma-separated; ${ENV['cors']})",
    )
    p.add_argument(
        "--rate-limit",
        type=int,
        metavar="N",
        help="requests a minute per sender, per worker; "
        f"0 for none (default {DEFAULT_RATE_LIMIT}; ${ENV['rate_limit']})",
    )
    p.add_argument("--log-level", choices=LOG_LEVELS, help=f"(default info; ${ENV['log_level']})")


def loadtest_parser(sub: Any) -> None:
    """`careerbot loadtest` (bot/devtools/loadtest.py)."""
    p = sub.add_parser(
        "loadtest",
        help="simulated users against a server on loopback: requests/s, "
        "latency, errors, wrong follow-ups",
    )
    p.add_argument("--url", help="a running server on loopback (default: start one)")
    p.add_argument(
        "--sessions",
        default="sqlite",
        help="store of the server started: sqlite, redis (a private "
        "redis-server) or a store URL (default sqlite)",
    )
    p.add_argument(
        "--workers", type=int, default=2, help="workers of the server started (default 2)"
    )
    p.add_argument("--users", type=int, default=50, help="concurrent users (default 50)")
    p.add_argument(
        "--rate",
        type=float,
        default=1000.0,
        help="requests a second offered by all users "
        "together; 0 for as fast as answers come (default 1000)",
    )
    p.add_argument("--duration", type=float, default=10.0, help="seconds measured (default 10)")
    p.add_argument("--warmup", type=float, default=2.0, help="seconds before measuring (default 2)")
    p.add_argument(
        "--max-requests", type=int, default=200_000, help="stop after this many (default 200000)"
    )
    p.add_argument(
        "--server-log-level", default="info", help="the started server's --log-level (default info)"
    )
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
