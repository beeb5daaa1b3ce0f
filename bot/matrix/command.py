"""`careerbot matrix`: its options, the credentials from the environment, and the process that
runs the bot until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UsageError

if TYPE_CHECKING:  # importing them at run time needs matrix-nio
    from .service import MatrixBot, MatrixConfig

log = logging.getLogger(__name__)

ENV_HOMESERVER = "CAREERBOT_MATRIX_HOMESERVER"
ENV_USER_ID = "CAREERBOT_MATRIX_USER_ID"
ENV_TOKEN = "CAREERBOT_MATRIX_ACCESS_TOKEN"
ENV_PASSWORD = "CAREERBOT_MATRIX_PASSWORD"
HELP = "answer in Matrix rooms as a bot user (needs careerbot[matrix])"
EPILOG = f"""Credentials come from the environment, never the command line:
  {ENV_HOMESERVER}   the homeserver URL, e.g. https://matrix.example.org
  {ENV_TOKEN}   the bot account's access token (or:)
  {ENV_PASSWORD}   its password, with {ENV_USER_ID} (e.g. @careerbot:example.org)
"""


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The `matrix` subcommand and its options."""
    p = commands.add_parser(
        "matrix",
        help=HELP,
        description=HELP,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--homeserver", metavar="URL", help=f"homeserver URL (default ${ENV_HOMESERVER})"
    )
    p.add_argument("--user-id", metavar="ID", help=f"the bot's user id (default ${ENV_USER_ID})")
    p.add_argument(
        "--sessions",
        metavar="URL",
        default="memory://",
        help="session store: memory:// (default; forgotten on restart), "
        "sqlite:///PATH or redis://HOST:PORT/DB",
    )
    p.add_argument(
        "--state",
        metavar="FILE",
        type=Path,
        help="where the sync token is kept (default $XDG_STATE_HOME/careerbot/matrix/USER_ID.json)",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log each request (debug level)")


def main(args: argparse.Namespace, environ: Mapping[str, str] = os.environ) -> int:
    """Run the bot until interrupted; returns the exit status. Raises CareerBotError subclasses
    (UsageError for missing settings or refused credentials, StoreError, ContentError)."""
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:
        logging.getLogger("nio").setLevel(logging.WARNING)
    try:
        from .service import MatrixBot
    except ImportError as exc:
        raise UsageError(
            f"the Matrix adapter needs matrix-nio ({exc}): pip install 'careerbot[matrix]'"
        ) from None
    from ..engine import Engine
    from ..store import open_store

    config = config_from(args, environ)
    store = open_store(args.sessions)
    store.ping()
    if args.sessions.startswith("memory:"):
        log.warning(
            "sessions are kept in memory: a restart forgets every conversation "
            "(use --sessions sqlite:///PATH to keep them)"
        )
    bot = MatrixBot(Engine.load(args.content, store=store, cache=args.cache), config)
    import asyncio  # here, not at the top: `careerbot ask` builds this parser and must stay light

    asyncio.run(_serve(bot))
    return 0


def config_from(args: argparse.Namespace, environ: Mapping[str, str]) -> MatrixConfig:
    from .service import MatrixConfig

    homeserver = args.homeserver or environ.get(ENV_HOMESERVER, "")
    if not homeserver:
        raise UsageError(f"no homeserver: pass --homeserver URL or set {ENV_HOMESERVER}")
    return MatrixConfig(
        homeserver=homeserver,
        user_id=args.user_id or environ.get(ENV_USER_ID) or None,
        access_token=environ.get(ENV_TOKEN) or None,
        password=environ.get(ENV_PASSWORD) or None,
        state_path=args.state,
    )


async def _serve(bot: MatrixBot) -> None:
    import asyncio
    import signal

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: asyncio.ensure_future(bot.stop()))
    try:
        await bot.run()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    log.info("stopped after answering %d message(s)", bot.answered)
