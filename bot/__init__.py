"""A rule-based career-advice chatbot for Machine Learning engineers, answering from four guides.

from bot import Engine
engine = Engine.load()
reply = engine.reply("how much do senior ML engineers make?", session="alice")
"""

from __future__ import annotations

from .engine import Engine
from .errors import CareerBotError, ContentError, InputError, Problem, StoreError, UsageError
from .reply import Citation, Reply
from .session import Profile, Session
from .store import MemoryStore, SessionStore, open_store

__all__ = [
    "CareerBotError",
    "Citation",
    "ContentError",
    "Engine",
    "InputError",
    "MemoryStore",
    "Problem",
    "Profile",
    "Reply",
    "Session",
    "SessionStore",
    "StoreError",
    "UsageError",
    "open_store",
]
__version__ = "0.1.0"
