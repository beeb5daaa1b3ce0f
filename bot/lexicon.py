"""Concepts: words that mean the same here, rewritten to one name for matching and retrieval;
and what a question sets aside ("besides search"), which says nothing of what it asks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from .text import normalise

#: how many words after "besides" (and the like) name what the question sets aside
EXCEPT_SPAN = 2


class Lexicon:
    """Rewrites each occurrence of a concept's word or phrase to the concept's name (its first
    member), longest phrase first; placeholders ("@company") are left alone."""

    def __init__(
        self,
        concepts: Iterable[Sequence[str]],
        abbreviations: Mapping[str, str] | None = None,
        excepting: Iterable[str] = (),
    ) -> None:
        self._except: dict[str, list[tuple[str, ...]]] = {}  # by first word
        for phrase in excepting:
            form = tuple(normalise(phrase, abbreviations))
            if form:
                self._except.setdefault(form[0], []).append(form)
        self._table: dict[tuple[str, ...], tuple[str, ...]] = {}
        for group in concepts:
            forms = [tuple(normalise(word, abbreviations)) for word in group]
            forms = [f for f in forms if f]
            for form in forms[1:]:
                if form != forms[0]:
                    self._table.setdefault(form, forms[0])
        # per first word, the lengths of the phrases starting with it, longest first
        self._starts: dict[str, tuple[int, ...]] = {}
        for key in self._table:
            self._starts[key[0]] = tuple(
                sorted({*self._starts.get(key[0], ()), len(key)}, reverse=True)
            )

    @property
    def words(self) -> set[str]:
        """Every word of every concept (for the speller's vocabulary)."""
        return {w for k, v in self._table.items() for w in (*k, *v)}

    def aside(self, tokens: Sequence[str]) -> set[int]:
        """Positions of what a question sets aside: "besides", "other than"... and the few words
        after ("what does Google do with ML besides search" asks about Google, not search)."""
        found: set[int] = set()
        for i in [i for i, token in enumerate(tokens) if token in self._except]:
            for phrase in self._except[tokens[i]]:
                if tuple(tokens[i : i + len(phrase)]) == phrase:
                    found.update(range(i, i + len(phrase) + EXCEPT_SPAN))
        return found

    def asked(self, tokens: Sequence[str]) -> list[str]:
        """The tokens without what the question sets aside."""
        aside = self.aside(tokens) if self._except else set()
        return [token for i, token in enumerate(tokens) if i not in aside]

    def apply(self, tokens: Sequence[str]) -> list[str]:
        """The tokens with each concept's phrase replaced by the concept's name, the longest
        phrase first; only where a word may begin one (most begin none)."""
        starts = self._starts
        at = [i for i, token in enumerate(tokens) if token in starts]
        if not at:
            return list(tokens)
        out: list[str] = []
        done = 0  # tokens[:done] are in out
        for i in at:
            if i < done:
                continue
            for n in starts[tokens[i]]:
                name = self._table.get(tuple(tokens[i : i + n])) if i + n <= len(tokens) else None
                if name is not None:
                    out.extend(tokens[done:i])
                    out.extend(name)
                    done = i + n
                    break
        out.extend(tokens[done:])
        return out
