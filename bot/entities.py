"""Finding entity mentions (companies, levels, states...) in normalised tokens."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from msgspec import Struct

from .domain import COMPANY
from .domain import ENTITY_PRIORITY as PRIORITY
from .knowledge import Entity
from .text import normalise

MAX_ALIAS_TOKENS = 6


class Mention(Struct, frozen=True):
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

    def __init__(
        self,
        entities: Iterable[Entity],
        abbreviations: Mapping[str, str] | None = None,
        ignore: Iterable[str] = (),
    ) -> None:
        skipped = set(ignore)  # "type:id" of entities never to find (the domain's own subject)
        table: dict[tuple[str, ...], dict[str, Entity]] = {}
        for entity in entities:
            if f"{entity.type}:{entity.id}" in skipped:
                continue
            for alias in (entity.name, *entity.aliases):
                tokens = tuple(normalise(alias, abbreviations))
                if not tokens:
                    continue
                table.setdefault(tokens, {}).setdefault(entity.type, entity)
                for variant in _number_variants(tokens):  # "seniors", "a neural network"
                    table.setdefault(variant, {}).setdefault(entity.type, entity)
        self._table = {k: tuple(sorted(v.values(), key=_priority)) for k, v in table.items()}
        self._longest = min(MAX_ALIAS_TOKENS, max((len(k) for k in self._table), default=0))
        # per first word, the lengths of the aliases starting with it, longest first
        starts: dict[str, set[int]] = {}
        for key in self._table:
            if len(key) <= self._longest:
                starts.setdefault(key[0], set()).add(len(key))
        self._starts = {word: tuple(sorted(n, reverse=True)) for word, n in starts.items()}
        self.vocabulary = frozenset(t for k in self._table for t in k)

    def find(self, tokens: Sequence[str]) -> list[Mention]:
        """Longest alias match at each position; shorter aliases starting there add their other
        types ("senior ml engineer" is a role and also says the level "senior")."""
        mentions, size = [], len(tokens)
        starts, table = self._starts, self._table
        after = 0  # the end of the last mention
        for i in [i for i, token in enumerate(tokens) if token in starts]:  # most start none
            if i < after:
                continue
            lengths = starts[tokens[i]]
            end, found = 0, dict[str, Entity]()
            inside: set[str] = set()  # types found only by a shorter alias
            for n in lengths:
                if i + n > size:
                    continue
                for entity in table.get(tuple(tokens[i : i + n]), ()):
                    end = end or i + n
                    if entity.type not in found and i + n < end:
                        inside.add(entity.type)
                    found.setdefault(entity.type, entity)
            if found:
                ordered = sorted(found.values(), key=_priority)
                # a company named inside a longer name ("Google's ML Crash Course") is not what
                # the mention names first
                if COMPANY in inside:
                    ordered.sort(key=lambda e: e.type == COMPANY)
                mentions.append(Mention(i, end, tuple(ordered)))
                after = end
        return mentions

    @staticmethod
    def replace(tokens: Sequence[str], mentions: Sequence[Mention]) -> list[str]:
        """The tokens with each mention replaced by its placeholder ("@company")."""
        out: list[str] = []
        i = 0
        for m in mentions:
            out.extend(tokens[i : m.start])
            out.append(m.placeholder)
            i = m.end
        out.extend(tokens[i:])
        return out


_RANK = {t: r for r, t in enumerate(PRIORITY)}


def _priority(entity: Entity) -> tuple[int, str]:
    """Entities of one alias, most specific type first (`domain.PRIORITY`), then by type."""
    return _RANK.get(entity.type, len(_RANK)), entity.type


def _number_variants(tokens: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The plural of an alias ("data scientists"), or the singular of a plural of several words
    ("neural networks" -> "neural network"; one word alone is too often a name: "aws", "pandas")."""
    last = tokens[-1]
    if len(last) > 2 and not last.endswith("s"):
        return [tokens[:-1] + (last + "s",)]
    if len(tokens) > 1 and len(last) > 3 and not last.endswith(("ss", "us", "is")):
        return [tokens[:-1] + (last[:-1],)]
    return []
