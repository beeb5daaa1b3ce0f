"""The HTTP server's app: Rasa's REST webhook, the JSON API, health checks and the web chat page.

    POST   /webhooks/rest/webhook   {"sender", "message", "metadata"}
                                    -> [{"recipient_id", "text", "buttons"}, ...]
    POST   /v1/reply                {"session", "text"} -> the Reply dict (as `ask --json`)
                                    plus "session"
    GET    /v1/topics               what the bot answers, by group, and the starter questions
    GET    /v1/sessions/{id}        what the bot keeps about a session (404 if nothing)
    DELETE /v1/sessions/{id}        forget it
    GET    /healthz  /readyz        alive; content loaded and session store reachable
    GET    /                        the chat page (bot/web/)

Every error is a JSON object {"error": ..., "request_id": ...} with its status (400 bad JSON,
401 token, 404, 405, 413 too large, 415 not JSON, 422 wrong fields, 429 rate limit, 503 store
down); a bug gives a 500 without a traceback, logged with its request id.
"""

from __future__ import annotations

import hmac
import itertools
import json
import logging
import os
import random
import re
import time
from collections.abc import Callable, Mapping
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import rasa_rest
from .cli import cache_wanted
from .engine import Engine
from .errors import InputError, StoreError
from .inputs import MAX_REQUEST_BYTES, check_session_id, check_text
from .ratelimit import RateLimiter
from .reply import Reply
from .serve import ServerConfig
from .store import SessionStore, open_store

log = logging.getLogger(__name__)

WEB = Path(__file__).resolve().parent / "web"
PAGE_FILES = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
T = TypeVar("T")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class Problem(Exception):
    """A request the server refuses: its HTTP status and a message the client can act on."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def app_from_env() -> Starlette:
    """The app as configured by `careerbot serve` (via the environment): one per worker process,
    each loading the content and opening the session store once."""
    config = ServerConfig.from_env()
    store = open_store(config.sessions_url)
    engine = Engine.load(config.content, store=store, cache=cache_wanted(os.environ))
    return create_app(engine, store, config)


def create_app(
    engine: Engine, store: SessionStore, config: ServerConfig | None = None
) -> Starlette:
    """The ASGI app serving `engine`, whose sessions live in `store`."""
    config = config or ServerConfig()
    api = Api(engine, store, config)
    routes = [
        Route("/webhooks/rest/webhook", api.rest_webhook, methods=["POST"]),
        Route("/webhooks/rest/", api.rest_health, methods=["GET"]),
        Route("/v1/reply", api.reply, methods=["POST"]),
        Route("/v1/topics", api.topics, methods=["GET"]),
        Route("/v1/sessions/{session_id:path}", api.session, methods=["GET", "DELETE"]),
        Route("/healthz", api.healthz, methods=["GET"]),
        Route("/readyz", api.readyz, methods=["GET"]),
        Route("/", api.page, methods=["GET"]),
        Route("/static/{name}", api.static, methods=["GET"]),
    ]
    middleware = [Middleware(RequestLog)]
    if config.cors:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(config.cors),
                allow_methods=["GET", "POST", "DELETE"],
                allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
                expose_headers=["X-Request-ID", "Retry-After"],
                max_age=600,
            )
        )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        yield
        close = getattr(store, "close", None)
        if close is not None:
            close()

    handlers: dict[Any, Callable[..., Any]] = {
        Problem: _problem,
        HTTPException: _http_exception,
        StoreError: _store_down,
        Exception: _crash,
    }
    return Starlette(
        routes=routes, middleware=middleware, exception_handlers=handlers, lifespan=lifespan
    )


class Api:
    """The endpoints, sharing one engine, store, rate limiter and the page's files."""

    def __init__(self, engine: Engine, store: SessionStore, config: ServerConfig) -> None:
        self.engine, self.store, self.config = engine, store, config
        self.limiter = RateLimiter(config.rate_limit)
        self.token = config.token.encode() if config.token else None
        self.files = {name: (WEB / name).read_bytes() for name in PAGE_FILES}
        self.topics_body = json.dumps(_topics(engine), ensure_ascii=False).encode()

    # -- conversation --------------------------------------------------------------------------

    async def rest_webhook(self, request: Request) -> Response:
        """Rasa's REST channel (see bot/rasa_rest.py for the shape and where it was checked)."""
        self._authorize(request)
        data = await _json_object(request)
        sender = _field(data, "sender", check_session_id)
        message = _field(data, "message", check_text)
        if not isinstance(data.get("metadata", {}), (dict, type(None))):
            raise Problem(422, '"metadata" must be an object')
        self._limit(sender)
        reply = self._reply(message, sender)
        return JSONResponse(rasa_rest.messages(reply, sender))

    async def rest_health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def reply(self, request: Request) -> Response:
        self._authorize(request)
        data = await _json_object(request)
        session = _field(data, "session", check_session_id)
        text = _field(data, "text", check_text)
        self._limit(session)
        reply = self._reply(text, session)
        return JSONResponse({**reply.to_dict(), "session": session})

    def _reply(self, text: str, session: str) -> Reply:
        """The engine's reply, computed right here in the event loop. A turn is CPU-bound and
        short (about a millisecond; Python runs one thread at a time anyway), and handing it to a
        thread cost a third more CPU per request and, through GIL hand-offs, most of the tail
        latency (measured with `careerbot loadtest`). A turn runs to its end before the next
        starts, so a worker never waits for itself; it waits only while another worker holds
        the same session (a turn's length) or the database's write lock (microseconds), bounded
        by the store's wait_timeout."""
        return self.engine.reply(text, session)

    # -- information ---------------------------------------------------------------------------

    async def topics(self, request: Request) -> Response:
        self._authorize(request)
        self._limit(_client(request))
        return Response(self.topics_body, media_type="application/json")

    async def session(self, request: Request) -> Response:
        """What the bot keeps about a session (GET), or forget it (DELETE)."""
        self._authorize(request)
        try:
            session_id = check_session_id(request.path_params["session_id"])
        except InputError as exc:
            raise Problem(422, str(exc)) from None
        self._limit(session_id)
        if request.method == "DELETE":
            self.engine.reset(session_id)
            return JSONResponse({"session": session_id, "deleted": True})
        state = self.store.get(session_id)
        if state is None:
            raise Problem(404, f"no session {session_id!r}: nothing is kept about it")
        return JSONResponse({"session": session_id, "state": state.to_dict()})

    async def healthz(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(self, request: Request) -> Response:
        try:
            await self._in_thread(self.store.ping)
        except StoreError as exc:
            return JSONResponse({"status": "unavailable", "error": str(exc)}, status_code=503)
        return JSONResponse({"status": "ready", "sessions": type(self.store).__name__})

    # -- the page ------------------------------------------------------------------------------

    async def page(self, request: Request) -> Response:
        return Response(
            self.files["index.html"], media_type=PAGE_FILES["index.html"], headers=PAGE_HEADERS
        )

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in self.files or name == "index.html":
            raise Problem(404, f"no file {name!r}")
        return Response(self.files[name], media_type=PAGE_FILES[name], headers=PAGE_HEADERS)

    async def _in_thread(self, func: Callable[..., T], *args: Any) -> T:
        """A call that may block for long (a store that does not answer) off the event loop."""
        return await anyio.to_thread.run_sync(partial(func, *args))

    def _authorize(self, request: Request) -> None:
        if self.token is None:
            return
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), self.token
        ):
            raise Problem(
                401,
                "a valid token is needed: send the header Authorization: Bearer TOKEN",
                {"WWW-Authenticate": 'Bearer realm="careerbot"'},
            )

    def _limit(self, key: str) -> None:
        wait = self.limiter.wait(key)
        if wait:
            raise Problem(
                429,
                f"too many requests for {key!r}; try again in {wait:.1f}s",
                {"Retry-After": str(max(1, round(wait + 0.5)))},
            )


async def _json_object(request: Request) -> dict[str, Any]:
    """The request's body as a JSON object: 413 if larger than MAX_REQUEST_BYTES, 415 if not
    declared JSON, 400 if not UTF-8 JSON, 422 if not an object."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_REQUEST_BYTES:
        raise Problem(413, _too_large(int(length)))
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise Problem(
            415,
            f'send JSON with the header "Content-Type: application/json" (got {media or "none"!r})',
        )
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_REQUEST_BYTES:
            raise Problem(413, _too_large(len(body)))
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Problem(400, "request is not valid UTF-8") from None
    if not text.strip():
        raise Problem(400, "empty request: expected a JSON object")
    try:
        data = json.loads(text)
    except RecursionError:
        raise Problem(400, "invalid JSON: nested too deeply") from None
    except ValueError as exc:
        raise Problem(400, f"invalid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise Problem(422, f"expected a JSON object, got {type(data).__name__}")
    return data


def _field(data: dict[str, Any], key: str, check: Callable[[Any], str]) -> str:
    if key not in data:
        raise Problem(422, f'missing "{key}" (a string)')
    try:
        return check(data[key])
    except InputError as exc:
        raise Problem(422, f'"{key}": {exc}') from None


def _too_large(size: int) -> str:
    return f"request too large ({size:,} bytes; the limit is {MAX_REQUEST_BYTES:,})"


def _client(request: Request) -> str:
    return "client:" + (request.client.host if request.client else "unknown")


def _topics(engine: Engine) -> dict[str, Any]:
    groups = [
        {"title": g.title, "topics": [{"title": t.title, "example": t.example} for t in g.topics]}
        for g in engine.topics()
    ]
    return {"groups": groups, "starters": list(engine.settings.starter_questions)}


# -- errors ------------------------------------------------------------------------------------


def _error(
    request: Request, status: int, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    body = {"error": message, "request_id": getattr(request.state, "request_id", None)}
    return JSONResponse(body, status_code=status, headers=headers)


async def _problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return _error(request, exc.status, exc.message, exc.headers)


async def _http_exception(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (no such route, method not allowed) as JSON."""
    assert isinstance(exc, HTTPException)
    messages = {
        404: f"no such endpoint: {request.url.path}",
        405: f"method {request.method} not allowed here",
    }
    return _error(
        request, exc.status_code, messages.get(exc.status_code, str(exc.detail)), exc.headers
    )


async def _store_down(request: Request, exc: Exception) -> Response:
    """The session store cannot be used now (Redis down, a session busy too long): 503, so a
    client or a load balancer can retry; the reply is not lost, it was never made."""
    log.error("session store: %s", exc)
    return _error(request, 503, f"the session store is unavailable: {exc}", {"Retry-After": "1"})


async def _crash(request: Request, exc: Exception) -> Response:
    """A bug: logged with its traceback and request id; the client sees neither the traceback nor
    any detail."""
    rid = getattr(request.state, "request_id", None)
    log.error("request %s failed", rid, exc_info=exc)
    return JSONResponse(
        {"error": "internal error; it was logged", "request_id": rid}, status_code=500
    )


# -- request ids -------------------------------------------------------------------------------


_ID_PREFIX = f"{os.getpid() & 0xFFFF:04x}{random.getrandbits(16):04x}"
_ids = itertools.count(1)


def _new_request_id() -> str:
    """16 hex digits, unique across the workers: the process's own prefix and a counter."""
    return f"{_ID_PREFIX}{next(_ids) & 0xFFFFFFFF:08x}"


class RequestLog:
    """Gives each request an id (the client's X-Request-ID if it is sensible, else a new one),
    returns it in the X-Request-ID header, and logs one line per request with it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = given if _REQUEST_ID.fullmatch(given) else _new_request_id()
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log.info(
                "%s %s %s %d %.1fms",
                rid,
                scope["method"],
                scope["path"],
                status,
                (time.perf_counter() - started) * 1000,
            )
