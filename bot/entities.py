"""Finding entity mentions (companies, levels, states...) in normalised tokens."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .knowledge import Entity
from .text import normalise

#: when one alias names entities of several types, the placeholder takes the first type here
PRIORITY = ("company", "level", "region", "state", "specialisation", "role", "industry",
            "skill", "certification", "association", "job_site")
MAX_ALIAS_TOKENS = 6


@dataclass(frozen=True)
class Mention:
    """Tokens [start, end) of the question name these entities (one per type)."""

    start: int
    end: int
    entities: tuple[Entity, ...]

    @property
    def placeholder(self) -> str:
        return "@" + self.entities[0].type

    def of_type(self, type_: str) -> Entity | None:
        return next((e for e in self.entities if e.type == type_), None)


class EntityIndex:
    """Alias token sequences -> entities; longest match wins, left to right."""

    def __init__(self, entities: Iterable[Entity], abbreviations: Mapping[str, str] | None = None) -> None:
        table: dict[tuple[str, ...], dict[str, Entity]] = {}
        for entity in entities:
            for alias in (entity.name, *entity.aliases):
                tokens = tuple(normalise(alias, abbreviations))
                if tokens:
                    table.setdefault(tokens, {}).setdefault(entity.type, entity)
        rank = {t: i for i, t in enumerate(PRIORITY)}
        self._table = {
            k: tuple(sorted(v.values(), key=lambda e: (rank.get(e.type, len(rank)), e.type)))
            for k, v in table.items()
        }
        self._longest = min(MAX_ALIAS_TOKENS, max((len(k) for k in self._table), default=0))
        self.vocabulary = frozenset(t for k in self._table for t in k)

    def find(self, tokens: Sequence[str]) -> list[Mention]:
        mentions, i = [], 0
        while i < len(tokens):
            for n in range(min(self._longest, len(tokens) - i), 0, -1):
                found = self._table.get(tuple(tokens[i:i + n]))
                if found:
                    mentions.append(Mention(i, i + n, found))
                    i += n
                    break
            else:
                i += 1
        return mentions

    @staticmethod
    def replace(tokens: Sequence[str], mentions: Sequence[Mention]) -> list[str]:
        """The tokens with each mention replaced by its placeholder ("@company")."""
        out, i = [], 0
        for m in mentions:
            out.extend(tokens[i:m.start])
            out.append(m.placeholder)
            i = m.end
        out.extend(tokens[i:])
        return out
