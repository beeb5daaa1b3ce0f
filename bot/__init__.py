"""A rule-based career-advice chatbot for Machine Learning engineers, answering from four guides.

    from bot import Engine
    engine = Engine.load()
    reply = engine.reply("how much do senior ML engineers make?", session="alice")
"""

from __future__ import annotations

from .engine import Engine
from .errors import CareerBotError, ContentError, Problem, UsageError
from .reply import Reply
from .session import Profile, Session

__all__ = [
    "CareerBotError",
    "ContentError",
    "Engine",
    "Problem",
    "Profile",
    "Reply",
    "Session",
    "UsageError",
]
__version__ = "0.1.0"
