"""The running Matrix bot: logs in, syncs, joins rooms it is invited to and answers the messages
addressed to it, one engine session per person and room. The only module importing matrix-nio.

Each sync batch is handled before its token is saved: rooms in parallel, each room's messages in
order. Answered event ids are saved with the token, and each answer is sent with a transaction id
derived from the question, so a restart (or a retried request) never answers a message twice.
Without a saved token the first sync only learns where "now" is: nothing before it is answered.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
from nio import (  # type: ignore[import-untyped]
    AsyncClient,
    AsyncClientConfig,
    ErrorResponse,
    JoinResponse,
    LoginResponse,
    MatrixRoom,
    MegolmEvent,
    RoomMemberEvent,
    RoomMessageText,
    SyncResponse,
    WhoamiResponse,
)

from ..engine import Engine
from ..errors import CareerBotError, StoreError, UsageError
from .addressing import Identity, addressed_text, session_id
from .chat import (
    NoSuchSuggestion,
    ShownSuggestions,
    command_name,
    is_command,
    run_command,
    welcome_blocks,
)
from .message import Block, Message, render, reply_message, shown_suggestions
from .retry import Backoff, Exhausted, retry
from .syncstate import SyncState, default_path

log = logging.getLogger(__name__)

R = TypeVar("R")

SYNC_TIMEOUT_MS = 30_000  # the long poll: the server answers at once when something happens
TYPING_MS = 15_000
TIMELINE_LIMIT = 50  # messages per room in one sync; after a longer absence older ones are skipped
#: the sync filter: no presence, typing or read receipts, which the bot has no use for
SYNC_FILTER: dict[str, Any] = {
    "presence": {"not_types": ["*"]},
    "account_data": {"not_types": ["*"]},
    "room": {
        "timeline": {"limit": TIMELINE_LIMIT},
        "ephemeral": {"not_types": ["*"]},
        "account_data": {"not_types": ["*"]},
    },
}
REQUEST_BACKOFF = Backoff()  # about 15 s over 6 attempts, then the request is given up
SYNC_BACKOFF = Backoff(first=1.0, cap=60.0, attempts=None)  # syncing never gives up
TRANSIENT = (aiohttp.ClientError, asyncio.TimeoutError, TimeoutError, ConnectionError)
ENCRYPTED_NOTICE = (
    "This room is end-to-end encrypted, and I can't read encrypted messages. "
    "Please talk to me in a room without encryption."
)
SORRY = "Sorry, I can't reach my memory of our conversation right now. Please try again shortly."


@dataclass(frozen=True)
class MatrixConfig:
    """How to reach and log in to the homeserver, and where the sync state lives.

    `user_id` may be left out with an access token (the server says whose it is).
    """

    homeserver: str
    user_id: str | None = None
    access_token: str | None = None
    password: str | None = None
    device_name: str = "careerbot"
    state_path: Path | None = None  # default: syncstate.default_path(user id)
    sync_timeout_ms: int = SYNC_TIMEOUT_MS
    request_backoff: Backoff = REQUEST_BACKOFF
    sync_backoff: Backoff = SYNC_BACKOFF

    def __post_init__(self) -> None:
        if not self.homeserver.startswith(("http://", "https://")):
            raise UsageError(f"homeserver must be an http(s) URL, got {self.homeserver!r}")
        if not self.access_token and not self.password:
            raise UsageError(
                "no credentials: set CAREERBOT_MATRIX_ACCESS_TOKEN, or "
                "CAREERBOT_MATRIX_PASSWORD with the bot's user id"
            )
        if self.password and not self.access_token and not self.user_id:
            raise UsageError(
                "a password login needs the bot's user id (--user-id or "
                "CAREERBOT_MATRIX_USER_ID), such as @careerbot:example.org"
            )


class MatrixBot:
    """One bot account on one homeserver. `await run()` until `await stop()`; `ready` is set once
    the first sync has been handled (rooms joined, messages since the saved token answered)."""

    def __init__(self, engine: Engine, config: MatrixConfig) -> None:
        self.engine, self.config = engine, config
        self.client = AsyncClient(
            config.homeserver.rstrip("/"),
            user=config.user_id or "",
            # nio's own retrying is turned off: `retry` does it, with one policy for all requests
            config=AsyncClientConfig(max_limit_exceeded=0, max_timeouts=0, request_timeout=30),
        )
        self.ready = asyncio.Event()
        self.answered = 0  # messages answered since start (for logs and tests)
        self.shown = ShownSuggestions()
        self.state: SyncState | None = None
        self._names: tuple[str, ...] = ()
        self._stopping = False
        self._stopped = asyncio.Event()
        self._sync_task: asyncio.Task[Any] | None = None
        self._greet: set[str] = set()  # rooms joined, not yet greeted
        self._warned_encrypted: set[str] = set()

    # -- lifecycle ------------------------------------------------------------------------------

    async def run(self) -> None:
        """Log in and answer until `stop()`; raises UsageError when the credentials are refused.
        A homeserver that cannot be reached is waited for, with back-off, as long as it takes."""
        try:
            await self.login()
            state = self._state()
            first = True
            while not self._stopping:
                # nio keeps no rooms across restarts: the first sync asks for their whole state
                full_state = first and state.since is not None
                response = await self._sync(full_state)
                if response is None:
                    break
                await self.handle(response, answer=state.since is not None, full_state=full_state)
                if response.next_batch != state.since:
                    state.since = response.next_batch
                    state.save()
                first = False
                self.ready.set()
        except asyncio.CancelledError:
            if not self._stopping:
                raise
        finally:
            await self.client.close()

    async def stop(self) -> None:
        """Stop after the batch being handled (a pending long poll is cancelled)."""
        self._stopping = True
        self._stopped.set()
        if self._sync_task is not None:
            self._sync_task.cancel()

    async def login(self) -> None:
        if self.config.access_token:
            self.client.access_token = self.config.access_token
            who = await self._until_reached(self.client.whoami, "check the access token")
            if not isinstance(who, WhoamiResponse):
                raise UsageError(f"the homeserver refused the access token: {who}")
            self.client.user_id, self.client.device_id = who.user_id, who.device_id or ""
            self.state = self._load_state(who.user_id)
        else:
            assert self.config.user_id and self.config.password
            self.state = self._load_state(self.config.user_id)
            self.client.device_id = self.state.device_id or ""
            password = self.config.password
            login = await self._until_reached(
                lambda: self.client.login(password, device_name=self.config.device_name), "log in"
            )
            if not isinstance(login, LoginResponse):
                raise UsageError(f"login as {self.config.user_id} failed: {login}")
            self.state.device_id = login.device_id
            self.state.save()
        name = await self._request(
            lambda: self.client.get_displayname(self.client.user_id), "get display name"
        )
        self._names = tuple(n for n in (getattr(name, "displayname", None),) if n)
        log.info(
            "logged in to %s as %s (device %s)",
            self.config.homeserver,
            self.client.user_id,
            self.client.device_id or "?",
        )

    # -- one sync batch -------------------------------------------------------------------------

    async def handle(
        self, response: SyncResponse, answer: bool = True, full_state: bool = False
    ) -> None:
        """Join new invites, greet rooms just joined, answer new messages (unless `answer` is
        false: the first sync without a token), and leave rooms where the bot is alone.
        (`full_state`: the batch is the first after a restart, which marks every room "limited".)"""
        for room_id in response.rooms.invite:
            await self._join(room_id)
        if answer:
            await asyncio.gather(
                *(
                    self._room(
                        room_id, info.timeline.events, info.timeline.limited and not full_state
                    )
                    for room_id, info in response.rooms.join.items()
                )
            )
        for room_id in response.rooms.leave:
            self._greet.discard(room_id)
        for room_id in response.rooms.join:
            await self._leave_if_alone(room_id)

    async def _room(self, room_id: str, events: list[Any], limited: bool) -> None:
        room = self.client.rooms.get(room_id)
        if room is None:
            return
        if room_id in self._greet:
            self._greet.discard(room_id)
            await self._greet_room(room)
            events = self._since_invite(events)
        elif limited:
            log.warning(
                "%s: more messages came than one sync holds; answering the last %d",
                room_id,
                TIMELINE_LIMIT,
            )
        for event in events:
            try:
                await self._event(room, event)
            except CareerBotError as exc:
                log.error(
                    "%s: event %s not answered: %s", room_id, getattr(event, "event_id", "?"), exc
                )
            except Exception:  # one bad event must not stop the others or the bot
                log.exception("%s: event %s not answered", room_id, getattr(event, "event_id", "?"))

    def _since_invite(self, events: list[Any]) -> list[Any]:
        """The events of a room just joined from the bot's invite on (the timeline of a room just
        joined reaches back into its history, which was not addressed to the bot)."""
        for i, event in enumerate(events):
            if (
                isinstance(event, RoomMemberEvent)
                and event.state_key == self.client.user_id
                and event.membership == "invite"
            ):
                return events[i + 1 :]
        return events  # the invite is older than the whole timeline

    async def _event(self, room: MatrixRoom, event: Any) -> None:
        state = self._state()
        if getattr(event, "sender", None) == self.client.user_id or state.answered(event.event_id):
            return
        if isinstance(event, MegolmEvent):
            await self._warn_encrypted(room)
            return
        if not isinstance(event, RoomMessageText):
            return  # notices (other bots), emotes, media, state changes
        content = event.source.get("content", {})
        if (content.get("m.relates_to") or {}).get("rel_type") == "m.replace":
            return  # an edit of an earlier message: answering it again would repeat the answer
        direct = is_direct(room)
        text = addressed_text(content, self.identity(room), direct)
        if text is None:
            return
        # typing starts alongside the answer, not before it; it is withdrawn once the answer is sent
        typing = asyncio.create_task(self._typing(room.room_id, True))
        try:
            message = await asyncio.to_thread(
                self.respond, text, session_id(room.room_id, event.sender), direct
            )
            sent = await self._send(
                room.room_id, message.content(), _txn(event.event_id), None if direct else event
            )
        finally:
            await typing
            await self._typing(room.room_id, False)
        if sent:
            state.mark_answered(event.event_id)
            state.save()
            self.answered += 1

    def respond(self, text: str, session: str, direct: bool = True) -> Message:
        """The message answering `text` in `session`: a chat command's output or the engine's
        reply (to the suggestion a bare number picks). Called in a worker thread."""
        try:
            if is_command(text):
                if command_name(text) == "!reset":
                    self.shown.forget(session)
                return run_command(self.engine, session, text, direct)
            try:
                question = self.shown.resolve(session, text)
            except NoSuchSuggestion as exc:
                return render(_paragraph(str(exc)))
            reply = self.engine.reply(question, session=session)
            self.shown.remember(session, shown_suggestions(reply))
            return reply_message(reply, asked=question if question != text else None)
        except StoreError as exc:
            log.error("session store: %s", exc)
            return render(_paragraph(SORRY))

    def identity(self, room: MatrixRoom) -> Identity:
        return Identity.of(self.client.user_id, *self._names, room.user_name(self.client.user_id))

    # -- requests -------------------------------------------------------------------------------

    async def _sync(self, full_state: bool) -> SyncResponse | None:
        """The next batch, retrying for as long as it takes; None once `stop()` was called."""
        state = self._state()

        async def once() -> Any:
            self._sync_task = asyncio.ensure_future(
                self.client.sync(
                    timeout=self.config.sync_timeout_ms,
                    since=state.since,
                    full_state=full_state,
                    sync_filter=SYNC_FILTER,
                )
            )
            try:
                return await self._sync_task
            finally:
                self._sync_task = None

        try:
            response = await retry(
                once, _sync_verdict, "sync", self.config.sync_backoff, TRANSIENT, sleep=self._sleep
            )
        except asyncio.CancelledError:
            if self._stopping:
                return None
            raise
        return response if isinstance(response, SyncResponse) else None

    async def _join(self, room_id: str) -> None:
        response = await self._request(lambda: self.client.join(room_id), f"join {room_id}")
        if isinstance(response, JoinResponse):
            log.info("joined %s", room_id)
            self._greet.add(room_id)
        else:
            log.warning("could not join %s: %s", room_id, response)

    async def _leave_if_alone(self, room_id: str) -> None:
        room = self.client.rooms.get(room_id)
        if room is None or room.joined_count > 1 or room.invited_count > 0:
            return
        log.info("leaving %s: everyone else has left", room_id)
        await self._request(lambda: self.client.room_leave(room_id), f"leave {room_id}")
        self._greet.discard(room_id)

    async def _greet_room(self, room: MatrixRoom) -> None:
        name = self._names[0] if self._names else self.client.user_id
        blocks = welcome_blocks(self.engine, is_direct(room), name)
        await self._send(room.room_id, render(blocks).content(), _txn("welcome " + room.room_id))

    async def _warn_encrypted(self, room: MatrixRoom) -> None:
        if room.room_id in self._warned_encrypted:
            return
        self._warned_encrypted.add(room.room_id)
        log.warning("%s is encrypted; its messages cannot be read", room.room_id)
        await self._send(
            room.room_id,
            render(_paragraph(ENCRYPTED_NOTICE)).content(),
            _txn("encrypted " + room.room_id),
        )

    async def _send(
        self,
        room_id: str,
        content: dict[str, Any],
        txn: str,
        reply_to: RoomMessageText | None = None,
    ) -> bool:
        """Send with retries; in a room with others, as a reply that mentions the asker."""
        if reply_to is not None:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to.event_id}}
            content["m.mentions"] = {"user_ids": [reply_to.sender]}
        else:
            content["m.mentions"] = {}
        response = await self._request(
            lambda: self.client.room_send(room_id, "m.room.message", content, tx_id=txn),
            f"send to {room_id}",
        )
        if isinstance(response, ErrorResponse):
            log.error("could not send to %s: %s", room_id, response)
            return False
        return response is not None

    async def _typing(self, room_id: str, on: bool) -> None:
        """Best effort: a typing notice that fails is not worth a retry or a delay."""
        try:
            await self.client.room_typing(room_id, on, timeout=TYPING_MS)
        except TRANSIENT as exc:
            log.debug("typing notice in %s failed: %s", room_id, exc)

    async def _sleep(self, seconds: float) -> None:
        """Wait between sync attempts, cut short (as a cancellation) by `stop()`."""
        try:
            await asyncio.wait_for(self._stopped.wait(), seconds)
        except TimeoutError:
            return
        raise asyncio.CancelledError

    async def _until_reached(self, call: Callable[[], Awaitable[R]], what: str) -> R:
        """`call` retried with the sync back-off (for ever) until the homeserver answers;
        `stop()` ends the wait."""
        return await retry(call, _verdict, what, self.config.sync_backoff, TRANSIENT, self._sleep)

    async def _request(self, call: Callable[[], Awaitable[R]], what: str) -> R | None:
        """`call` with the request back-off; None when every attempt failed."""
        try:
            return await retry(call, _verdict, what, self.config.request_backoff, TRANSIENT)
        except Exhausted as exc:
            log.error("%s", exc)
            return None

    # -- state ----------------------------------------------------------------------------------

    def _load_state(self, user_id: str) -> SyncState:
        return SyncState.load(self.config.state_path or default_path(user_id), user_id)

    def _state(self) -> SyncState:
        if self.state is None:
            raise UsageError("log in before syncing")
        return self.state


def is_direct(room: MatrixRoom) -> bool:
    """A room of the bot and one person (joined or invited) is a direct chat."""
    return bool(room.member_count <= 2)


def _verdict(response: object) -> float | None:
    """Retry rate limits after the wait the server asks for, and server errors (5xx) at once."""
    if not isinstance(response, ErrorResponse):
        return None
    status = getattr(response.transport_response, "status", None)
    if response.status_code == "M_LIMIT_EXCEEDED" or status == 429:
        return (response.retry_after_ms or 0) / 1000
    if status is not None and status >= 500:
        return 0.0
    return None


def _sync_verdict(response: object) -> float | None:
    """A sync is retried on any error but a refused login: the bot must keep listening."""
    if not isinstance(response, ErrorResponse):
        return None
    if response.status_code in ("M_UNKNOWN_TOKEN", "M_FORBIDDEN", "M_MISSING_TOKEN"):
        raise UsageError(f"the homeserver refused the bot's login: {response}")
    wait = _verdict(response)
    return 0.0 if wait is None else wait


def _txn(key: str) -> str:
    """A transaction id fixed by `key`: the server takes a repeated send as the same message."""
    return "careerbot-" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _paragraph(text: str) -> list[Block]:
    return [Block("p", text)]
