"""Concepts: words that mean the same here, rewritten to one name for matching and retrieval."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from .text import normalise


class Lexicon:
    """Rewrites each occurrence of a concept's word or phrase to the concept's name (its first
    member), longest phrase first; placeholders ("@company") are left alone."""

    def __init__(
        self, concepts: Iterable[Sequence[str]], abbreviations: Mapping[str, str] | None = None
    ) -> None:
        self._table: dict[tuple[str, ...], tuple[str, ...]] = {}
        for group in concepts:
            forms = [tuple(normalise(word, abbreviations)) for word in group]
            forms = [f for f in forms if f]
            for form in forms[1:]:
                if form != forms[0]:
                    self._table.setdefault(form, forms[0])
        self._longest = max((len(k) for k in self._table), default=0)

    @property
    def words(self) -> set[str]:
        """Every word of every concept (for the speller's vocabulary)."""
        return {w for k, v in self._table.items() for w in (*k, *v)}

    def apply(self, tokens: Sequence[str]) -> list[str]:
        if not self._table:
            return list(tokens)
        out: list[str] = []
        i = 0
        while i < len(tokens):
            for n in range(min(self._longest, len(tokens) - i), 0, -1):
                name = self._table.get(tuple(tokens[i : i + n]))
                if name is not None:
                    out.extend(name)
                    i += n
                    break
            else:
                out.append(tokens[i])
                i += 1
        return out
