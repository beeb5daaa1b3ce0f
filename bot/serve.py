"""`careerbot serve`: the settings from flags and environment, checked and printed; then uvicorn.

The workers are separate processes (uvicorn's supervisor starts them and restarts one that dies);
each builds its app with `bot.server:app_from_env`, so the settings reach them through the
environment variables this module sets. Nothing here imports Starlette or uvicorn until the
server starts, so the rest of the command line stays light.
"""

from __future__ import annotations

import argparse
import os
import signal
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .cli import cache_wanted
from .errors import UsageError
from .server_cli import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEFAULT_RATE_LIMIT,
    ENV,
    GRACEFUL_SECONDS,
    LOG_LEVELS,
)


@dataclass(frozen=True)
class ServerConfig:
    """Everything the server is told; the token comes from the environment only (a flag would
    show it to every user of `ps`)."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    workers: int = 1
    sessions: str = ""  # a store URL; empty: SQLite under the XDG state directory
    content: str | None = None
    token: str | None = field(default=None, repr=False)
    cors: tuple[str, ...] = ()  # origins allowed to call the API from a browser
    rate_limit: int = DEFAULT_RATE_LIMIT  # 0: no limit
    log_level: str = "info"

    @property
    def sessions_url(self) -> str:
        from .stores import default_sqlite_url

        return self.sessions or default_sqlite_url()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServerConfig:
        """The settings the environment gives (each unset one keeps its default)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, var in ENV.items():
            raw = env.get(var, "").strip()
            if raw:
                values[name] = _parse(name, raw, var)
        return cls(**values).checked()

    def with_flags(self, args: argparse.Namespace) -> ServerConfig:
        """These settings with the command-line flags that were given."""
        flags = {
            name: getattr(args, name)
            for name in ("host", "port", "workers", "sessions", "rate_limit", "log_level")
            if getattr(args, name, None) is not None
        }
        if getattr(args, "cors", None):
            flags["cors"] = tuple(o for value in args.cors for o in _origins(value))
        if getattr(args, "content", None):
            flags["content"] = args.content
        return replace(self, **flags).checked()

    def checked(self) -> ServerConfig:
        if not 0 < self.port < 65536:
            raise UsageError(f"--port must be 1 to 65535, got {self.port}")
        if not 1 <= self.workers <= 64:
            raise UsageError(f"--workers must be 1 to 64, got {self.workers}")
        if self.rate_limit < 0:
            raise UsageError(f"--rate-limit must be 0 (none) or more, got {self.rate_limit}")
        if self.log_level not in LOG_LEVELS:
            raise UsageError(
                f"--log-level must be one of {', '.join(LOG_LEVELS)}, got {self.log_level!r}"
            )
        for origin in self.cors:
            if origin != "*" and "://" not in origin:
                raise UsageError(f"a CORS origin looks like https://example.org, got {origin!r}")
        return self

    def to_env(self) -> dict[str, str]:
        """The environment that gives a worker these settings."""
        env = {
            ENV["host"]: self.host,
            ENV["port"]: str(self.port),
            ENV["workers"]: str(self.workers),
            ENV["sessions"]: self.sessions_url,
            ENV["cors"]: ",".join(self.cors),
            ENV["rate_limit"]: str(self.rate_limit),
            ENV["log_level"]: self.log_level,
        }
        if self.content:
            env[ENV["content"]] = self.content
        return env

    def describe(self, ttl: float) -> list[str]:
        """What is printed on start."""
        from .stores import redact_url

        workers = f"{self.workers} worker{'s' if self.workers != 1 else ''}"
        days = ttl / 86400
        limit = (
            f"{self.rate_limit} requests a minute per sender, per worker"
            if self.rate_limit
            else "none"
        )
        return [
            (
                f"careerbot serve: http://{_host_for_url(self.host)}:{self.port}/ "
                f"({workers}, pid {os.getpid()})"
            ),
            f"  sessions:   {redact_url(self.sessions_url)} (idle ones expire after {days:g} days)",
            f"  content:    {self.content or 'bundled'}",
            f"  token:      {'required (CAREERBOT_TOKEN is set)' if self.token else 'none'}",
            f"  CORS:       {', '.join(self.cors) or 'same origin only'}",
            f"  rate limit: {limit}",
            (
                "  endpoints:  / (chat page), POST /webhooks/rest/webhook (Rasa REST), "
                "POST /v1/reply, GET /v1/topics, GET|DELETE /v1/sessions/{id}, "
                "GET /healthz, GET /readyz"
            ),
        ]


def main(args: argparse.Namespace) -> int:
    """Check the settings, the content and the store, print them, serve until SIGTERM or Ctrl-C."""
    config = ServerConfig.from_env().with_flags(args)
    uvicorn = _server_modules()
    if config.workers > 1 and config.sessions_url.startswith("memory:"):
        raise UsageError(
            "memory:// sessions cannot be shared by several workers: use sqlite:///PATH or redis://"
        )
    from .engine import Engine
    from .store import DEFAULT_TTL, open_store

    store = open_store(config.sessions_url)
    store.ping()
    # content errors stop us here, before any worker starts; this warms the cache
    Engine.load(config.content, cache=cache_wanted(os.environ))
    for line in config.describe(DEFAULT_TTL):
        print(line, flush=True)
    os.environ.update(config.to_env())
    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again with the handler
    # that was there before it: this one, so a requested stop exits 0 rather than "killed"
    signal.signal(signal.SIGTERM, _stopped)
    try:
        uvicorn.run(
            "bot.server:app_from_env",
            factory=True,
            host=config.host,
            port=config.port,
            workers=config.workers if config.workers > 1 else None,
            log_level=config.log_level,
            access_log=False,
            log_config=log_config(config.log_level),
            proxy_headers=False,
            timeout_graceful_shutdown=GRACEFUL_SECONDS,
            server_header=False,
        )
    except _Stopped:
        pass
    return 0


class _Stopped(Exception):
    """SIGTERM arrived and the server has shut down."""


def _stopped(signum: int, frame: object) -> None:
    raise _Stopped


def log_config(level: str) -> dict[str, Any]:
    """uvicorn's loggers and ours (request ids, errors) on stderr, one format."""
    handler = {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"}
        },
        "handlers": {"stderr": handler},
        "loggers": {
            name: {"handlers": ["stderr"], "level": level.upper(), "propagate": False}
            for name in ("uvicorn", "uvicorn.error", "bot")
        },
    }


def _server_modules() -> Any:
    try:
        import starlette  # noqa: F401
        import uvicorn
    except ImportError:
        raise UsageError('the server needs its extra: pip install "careerbot[server]"') from None
    return uvicorn


def _parse(name: str, raw: str, var: str) -> Any:
    if name in ("port", "workers", "rate_limit"):
        try:
            return int(raw)
        except ValueError:
            raise UsageError(f"${var} must be a whole number, got {raw!r}") from None
    if name == "cors":
        return tuple(_origins(raw))
    if name == "log_level":
        return raw.lower()
    return raw


def _origins(value: str) -> list[str]:
    return [o.strip().rstrip("/") for o in value.split(",") if o.strip()]


def _host_for_url(host: str) -> str:
    return f"[{host}]" if ":" in host else host
