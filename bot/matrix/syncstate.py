"""What the Matrix bot keeps on disk between runs: the sync token, its device, and the events it
has answered, so a restart neither answers a message twice nor skips one that came meanwhile."""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from collections import deque
from pathlib import Path
from typing import Any

from ..errors import StoreError
from ..userdirs import state_dir

log = logging.getLogger(__name__)

VERSION = 1
MAX_ANSWERED = 1_000  # event ids remembered; a sync never replays more than a few dozen


def default_path(user_id: str) -> Path:
    """`$XDG_STATE_HOME/careerbot/matrix/<user id>.json` (else under ~/.local/state)."""
    return state_dir() / "matrix" / (re.sub(r"[^A-Za-z0-9._-]", "_", user_id) + ".json")


class SyncState:
    """The sync token (`since`), the device id, and recently answered event ids of one account.

    `load` never fails on a damaged file: the bot then starts without a token, which means it
    skips what happened before (see `service`), never that it answers old messages again.
    """

    def __init__(
        self,
        path: Path,
        user_id: str,
        since: str | None = None,
        device_id: str | None = None,
        answered: list[str] | None = None,
    ) -> None:
        self.path, self.user_id = path, user_id
        self.since, self.device_id = since, device_id
        self._answered: deque[str] = deque(answered or (), maxlen=MAX_ANSWERED)
        self._answered_set = set(self._answered)

    @classmethod
    def load(cls, path: Path, user_id: str) -> SyncState:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path, user_id)
        except (OSError, ValueError) as exc:
            log.warning(
                "ignoring unreadable Matrix state %s (%s): starting without a sync token", path, exc
            )
            return cls(path, user_id)
        if not isinstance(data, dict) or data.get("version") != VERSION:
            log.warning("ignoring Matrix state %s of another format", path)
            return cls(path, user_id)
        if data.get("user_id") != user_id:
            log.warning(
                "Matrix state %s belongs to %r, not %r: starting without a sync token",
                path,
                data.get("user_id"),
                user_id,
            )
            return cls(path, user_id)
        answered = [e for e in data.get("answered", []) if isinstance(e, str)]
        return cls(path, user_id, _text(data.get("since")), _text(data.get("device_id")), answered)

    def answered(self, event_id: str) -> bool:
        return event_id in self._answered_set

    def mark_answered(self, event_id: str) -> None:
        if event_id in self._answered_set:
            return
        if len(self._answered) == self._answered.maxlen:
            self._answered_set.discard(self._answered[0])
        self._answered.append(event_id)
        self._answered_set.add(event_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "user_id": self.user_id,
            "since": self.since,
            "device_id": self.device_id,
            "answered": list(self._answered),
        }

    def save(self) -> None:
        """Write the file atomically (a crash leaves the old or the new one, never half of one)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".matrix-", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump(self.to_dict(), f)
                os.replace(tmp, self.path)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError as exc:
            raise StoreError(
                f"cannot write the Matrix sync state {self.path}: {exc}; "
                "give --state a writable file"
            ) from exc


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
