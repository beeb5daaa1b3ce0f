"""Finding the passages that answer a question: SQLite FTS5's BM25 ranks, an evidence check decides.

BM25 alone would always return something; a question is only answered by a passage when the
passage holds most of what the question asks about (its informative terms, weighted by how rare
they are among the passages) and names no other entity of a kind the question names.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from msgspec import Struct

from .lexicon import Lexicon

if TYPE_CHECKING:
    import sqlite3
from .passages import Passage
from .text import normalise, stem

#: entity types where a passage about another entity of that type does not answer the question
EXCLUSIVE_TYPES = ("company", "level", "region", "state", "industry", "specialisation", "role")
CANDIDATES = 25  # passages BM25 hands to the evidence check
HEADING_WEIGHT = 0.4  # of a heading's terms in BM25, relative to the passage's own text
ASKED_WEIGHT = 0.5  # of the terms of how people ask for a passage (`Passage.asked`), likewise
ASKED_SHARE = 0.7  # of a question term's weight when a passage holds it only in those lines
MODIFIER_LETTERS = 5  # a word ending as a superlative or adverb does, longer than this
COMMON_SHARE = 0.5  # of the weight of a word of everyday English (`PassageIndex.common`)
RARE = 3  # passages at most holding a term that, asked by itself, is what a question asks
MIN_TERMS = 2  # a passage must hold at least this many of the question's informative terms
SAID_TEXTS = 512  # answers whose terms are remembered (`said`)
QUOTED = 24  # characters: a passage this long found in an answer is quoted there
UNKNOWN_WEIGHT = 2.0  # a question term no passage has weighs this many times the rarest known term


class Found(Struct, frozen=True):
    """A passage judged to answer a question: how much of it the passage covers, BM25's score."""

    passage: Passage
    coverage: float
    matched: int  # informative question terms the passage holds
    bm25: float
    held: tuple[str, ...] = ()  # those terms
    own: tuple[str, ...] = ()  # those of them its own words hold (not only how people ask for it)


class PassageIndex:
    """An in-memory FTS5 table of the passages' terms, and their rarity for the evidence check."""

    def __init__(
        self,
        passages: Sequence[Passage],
        abbreviations: Mapping[str, str],
        stopwords: Iterable[str],
        lexicon: Lexicon,
        common: Iterable[str] = (),
    ) -> None:
        self.passages = tuple(passages)
        self.abbreviations = abbreviations
        self.stopwords = frozenset(stem(w) for w in stopwords)
        self.lexicon = lexicon
        self._terms: list[frozenset[str]] = []
        self._asked_only: list[frozenset[str]] = []  # terms only `Passage.asked` holds
        self._text_terms: list[frozenset[str]] = []  # those of its text itself
        rows = []
        for passage in self.passages:
            text_terms = self.terms(normalise(passage.text, abbreviations))
            head_terms = self.terms(normalise(passage.heading, abbreviations))
            tag_terms = frozenset(self.terms(normalise(passage.names, abbreviations)))
            asked_terms = self.terms(normalise(passage.asked, abbreviations))
            own = frozenset(text_terms) | frozenset(head_terms) | tag_terms
            self._text_terms.append(frozenset(text_terms))
            self._terms.append(own | frozenset(asked_terms))
            self._asked_only.append(frozenset(asked_terms) - own)
            rows.append(
                (
                    " ".join(text_terms) + " " + " ".join(sorted(tag_terms)),
                    " ".join(head_terms),
                    " ".join(asked_terms),
                )
            )
        self._index_labels(abbreviations)
        self.entity_terms: dict[str, frozenset[str]] = {}  # "type:id" -> terms of its passages
        for passage, terms in zip(self.passages, self._terms, strict=True):
            for tag in passage.tags:
                self.entity_terms[tag] = self.entity_terms.get(tag, frozenset()) | terms
        df = Counter(term for terms in self._terms for term in terms)
        n = max(1, len(self.passages))
        self.idf = {term: math.log(1 + n / count) for term, count in df.items()}
        self.rare_terms = frozenset(term for term, count in df.items() if count <= RARE)
        self.unknown_idf = UNKNOWN_WEIGHT * math.log(1 + n)
        # the words of everyday English ("still", "built", "night") say less of what a question
        # is about than their rarity in the guides suggests
        self.common = frozenset(stem(word) for word in common)
        import sqlite3

        db = sqlite3.connect(":memory:")
        db.execute(
            "CREATE VIRTUAL TABLE passage USING fts5(body, heading, asked, tokenize='unicode61')"
        )
        db.executemany(
            "INSERT INTO passage (rowid, body, heading, asked) VALUES (?, ?, ?, ?)",
            [(i, *row) for i, row in enumerate(rows)],
        )
        db.commit()
        self._image = db.serialize()  # what is cached; opened on the first search
        db.close()
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._said: dict[str, frozenset[str]] = {}

    def _index_labels(self, abbreviations: Mapping[str, str]) -> None:
        """The passages' labels (`Passage.label`) and their terms; and, by term, those that may
        be found by themselves: of one list (or item) only, and not an entity's name (the hiring
        process headed "Amazon" is one of several things the guides say of Amazon)."""
        headings: dict[str, set[str]] = {}
        entity_named: set[str] = set()
        for p in self.passages:
            if p.label:
                headings.setdefault(p.label, set()).add(p.heading)
                label_terms = set(self.terms(normalise(p.label, abbreviations)))
                if label_terms <= set(self.terms(normalise(p.names, abbreviations))):
                    entity_named.add(p.label)
        self._all_labels = {
            label: frozenset(self.terms(normalise(label, abbreviations))) for label in headings
        }
        self._labels: dict[str, list[str]] = {}
        words: set[str] = set()
        for label, terms in self._all_labels.items():
            if len(headings[label]) == 1 and label not in entity_named:
                words.update(normalise(label, abbreviations))
                for term in terms:
                    self._labels.setdefault(term, []).append(label)
        # their words, less the stopwords: a question holding none asks of none
        self.label_words = frozenset(w for w in words if stem(w) not in self.stopwords)
        # those labels whole, case-folded: an entity named so is asked by any of its names ("what
        # math do I need?" asks for "Mathematical expertise", an alias of mathematics)
        self._by_name = {
            label.casefold(): label for labels in self._labels.values() for label in labels
        }
        self.label_names = frozenset(self._by_name)
        self._labelled: dict[str, list[Passage]] = {}  # label -> its passages, in order
        for p in self.passages:
            if p.label:
                self._labelled.setdefault(p.label, []).append(p)

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        del state["_lock"], state["_db"], state["_said"]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._db = None
        self._lock = threading.Lock()
        self._said = {}

    def said(self, text: str) -> frozenset[str]:
        """The terms of an answer's text; the same answers are given again and again, so the
        last SAID_TEXTS are remembered."""
        found = self._said.get(text)
        if found is None:
            found = frozenset(self.terms(normalise(text)))
            if len(self._said) >= SAID_TEXTS:
                self._said.clear()
            self._said[text] = found
        return found

    def _open(self) -> sqlite3.Connection:
        """The FTS5 table, opened from its image when first needed (a one-shot reply that an
        intent answers never opens it). Call with the lock held."""
        if self._db is None:
            import sqlite3

            self._db = sqlite3.connect(":memory:", check_same_thread=False)
            self._db.deserialize(self._image)
        return self._db

    def terms(self, tokens: Iterable[str]) -> list[str]:
        """The informative search terms of tokens: stems, stopwords dropped, concepts unified."""
        out = []
        for token in self.lexicon.apply(list(tokens)):
            term = stem(token)
            if token.startswith("@") or term in self.stopwords or len(term) < 2:
                continue
            out.append(term)
        return out

    def weights(self, query: Iterable[str]) -> dict[str, float]:
        """How much each term says of what a question asks: its rarity among the passages (a
        term none holds weighs most), half of it for a word of everyday English ("my son",
        "still") or a modifier none holds ("toughest"), and nothing for a number none holds ("my
        15-year-old": an age, not asked)."""
        out = {}
        for t in query:
            if t.isdecimal() and t not in self.idf:
                out[t] = 0.0
            else:
                rarity = self.idf.get(t, self.unknown_idf)
                everyday = t in self.common or (t not in self.idf and _modifier(t))
                out[t] = rarity * (COMMON_SHARE if everyday else 1.0)
        return out

    def details(
        self,
        asked: set[str],
        answer: str,
        found: Passage | None = None,
        named: frozenset[str] = frozenset(),
    ) -> list[Passage]:
        """The passages an answer shows only by their label, when the question asks about the
        label (holds two of its terms, or all of a shorter one, or names it: `named` holds the
        labels it names by an entity's other name): a named item's passage ("1. Complete high
        school"), or a named list's items ("Cloud Platforms"). Of the label of a passage found
        for the question, its list (a label may head several: "Google"); else of a label heading
        one list only and naming no entity."""
        if found is not None:
            labels = [found.label] if found.label else []
        else:
            # (in a fixed order: which of two labels as good is shown must not vary by process)
            labels = list(
                dict.fromkeys(lb for t in sorted(asked) for lb in self._labels.get(t, ()))
            )
            if named:
                labels += [
                    self._by_name[n] for n in sorted(named) if self._by_name[n] not in labels
                ]
        folded = answer.casefold()
        best: tuple[int, str] | None = None
        for label in labels:
            terms = self._all_labels[label]
            hits = len(asked & terms)
            # named whole by the question's own words ("which frameworks and libraries...?"
            # answered by the preparation steps), or shown by the answer
            whole = found is None and hits == len(terms) >= 2
            if label.casefold() in named:
                hits = len(terms)
            good = hits >= min(2, len(terms)) and (best is None or hits > best[0])
            if good and (label.casefold() in folded or whole):
                best = (hits, label)
        if best is None:
            return []
        label = best[1]
        heading = found.heading if found else None
        items = [p for p in self._labelled[label] if heading in (None, p.heading)]
        own = [p for p in items if p.text.startswith(label + ":")]
        shown = own[:1] if own else items  # an item of its own name, or the list's items
        return [p for p in shown if p.text.removeprefix(label + ":").strip() not in answer]

    def labelled(self, tokens: Sequence[str]) -> list[Passage]:
        """The passages labelled with just what a question names, when it asks nothing else
        ("what's DALL-E?", "AlphaGo?"): a label of one passage or list, each of its terms, no
        other term of the question."""
        asked = frozenset(self.asked(tokens))
        if not asked or not all(t in self.idf for t in asked):
            return []
        labels = [lb for lb, terms in self._all_labels.items() if terms == asked]
        if len(labels) != 1 or len({p.heading for p in self._labelled[labels[0]]}) != 1:
            return []  # a label of several lists ("Google") says too little of which
        return self._labelled[labels[0]]

    def asks_rare(self, tokens: Sequence[str]) -> bool:
        """Whether the one term of the question some passage holds is held by few ("anything on
        versioning?", "what's FAIR?"), not "so about the pay question?"."""
        known = {t for t in self.terms(tokens) if t in self.idf}
        return len(known) == 1 and known <= self.rare_terms

    def knows(self, term: str) -> bool:
        """Whether some passage holds the term."""
        return term in self.idf

    def asked(self, tokens: Sequence[str]) -> list[str]:
        """The terms a question asks: its informative terms, less those it sets aside ("besides
        search")."""
        return self.terms(self.lexicon.asked(tokens))

    def search(
        self,
        tokens: Sequence[str],
        named: Mapping[str, set[str]],
        limit: int = 3,
        min_coverage: float = 0.6,
        single: bool = False,
    ) -> list[Found]:
        """The passages that answer a question, best first.

        `tokens` are the question's (normalised, spelling repaired); `named` maps an entity type to
        the ids the question names. A passage must cover `min_coverage` of the question's
        informative weight, hold at least MIN_TERMS of its terms (one, when `single` and the
        question has one term some passage holds, not a word of everyday English: "do ML
        engineers care about reliability?"), and not be about another entity of a type the
        question names.
        """
        query = list(dict.fromkeys(self.terms(tokens)))
        if not query:
            return []
        weights = self.weights(query)
        total = sum(weights.values())
        known = [t for t in query if t in self.idf]
        need = 1 if single and len(known) == 1 and known[0] not in self.common else MIN_TERMS
        # no passage can hold more than every known term: not enough, no ranking needed
        if len(known) < need or sum(weights[t] for t in known) < min_coverage * total:
            return []
        match = " OR ".join(f'"{t}"' for t in known)
        with self._lock:
            rows = (
                self._open()
                .execute(
                    "SELECT rowid, bm25(passage, 1.0, ?, ?) FROM passage WHERE passage MATCH ? "
                    "ORDER BY bm25(passage, 1.0, ?, ?) LIMIT ?",
                    (HEADING_WEIGHT, ASKED_WEIGHT, match, HEADING_WEIGHT, ASKED_WEIGHT, CANDIDATES),
                )
                .fetchall()
            )
        found = []
        for rowid, score in rows:
            passage = self.passages[rowid]
            held = [t for t in query if t in self._terms[rowid]]
            asked_only = self._asked_only[rowid]
            coverage = (
                sum(weights[t] * (ASKED_SHARE if t in asked_only else 1.0) for t in held) / total
            )
            if len(held) < need or coverage < min_coverage or self._other_entity(passage, named):
                continue
            own = tuple(t for t in held if t not in asked_only)
            found.append(Found(passage, coverage, len(held), -score, tuple(held), own))
        found.sort(key=lambda f: (-f.coverage, -f.bm25))
        return found[:limit]

    def about(self, tag: str, query: Iterable[str]) -> list[Passage]:
        """Of each guide, the passage tagged with an entity ("role:senior_ml_engineer") holding
        the most of the query's terms (the first in the guides' order among equals), the best
        first; none when the query asks for something none of them holds."""
        weights = self.weights(query)
        best: dict[str, tuple[float, int]] = {}  # by source
        for i, passage in enumerate(self.passages):
            if tag in passage.tags:
                held = sum(w for t, w in weights.items() if t in self._terms[i])
                source = passage.citation.source
                if source not in best or held > best[source][0]:
                    best[source] = (held, i)
        ranked = sorted(best.values(), key=lambda b: (-b[0], b[1]))
        if not ranked or (weights and ranked[0][0] == 0):
            return []
        return [self.passages[i] for held, i in ranked if held or not weights]

    def holding(
        self, entity_type: str, query: Iterable[str], min_coverage: float
    ) -> dict[str, Passage]:
        """Entity id -> the passage tagged with that entity of the type that holds the most of
        the query's weight, for each entity with one holding at least `min_coverage` of it."""
        found = self.shares(entity_type, query, min_coverage)
        return {id_: passage for id_, (_, passage) in found.items()}

    def shares(
        self, entity_type: str, query: Iterable[str], min_coverage: float
    ) -> dict[str, tuple[float, Passage]]:
        """As `holding`, with the share of the query's weight each passage holds. Of equal
        shares, one whose text holds it wins: Apple's "on-device processing" before a headset
        people would call a device, or a drugmaker, a kind of "medical devices" company."""
        weights = self.weights(query)
        total = sum(weights.values())
        if not total:
            return {}
        best: dict[str, tuple[float, float, int]] = {}
        prefix = entity_type + ":"
        for i, passage in enumerate(self.passages):
            ids = [tag[len(prefix) :] for tag in passage.tags if tag.startswith(prefix)]
            if not ids:
                continue
            terms = self._terms[i]
            share = sum(w for t, w in weights.items() if t in terms) / total
            if share < min_coverage:
                continue
            text = self._text_terms[i]
            own = sum(w for t, w in weights.items() if t in text) / total
            for id_ in ids:
                if (share, own) > best.get(id_, (0.0, 0.0, 0))[:2]:
                    best[id_] = (share, own, i)
        # what its text holds breaks ties in the share (a thousandth of it, below any real gap)
        return {
            id_: (share + own / 1000, self.passages[i]) for id_, (share, own, i) in best.items()
        }

    def under(
        self,
        sections: Iterable[tuple[str, str]],
        query: Iterable[str],
        min_coverage: float,
        said: str = "",
        named: Mapping[str, set[str]] | None = None,
    ) -> list[Passage]:
        """The passages of the given (source, section) pairs that hold the most of the query's
        weight, at least `min_coverage` of it, those holding it in their own words first. One
        whose text `said` holds counts only its own words: how people ask for it is not enough
        to show it again. None about another entity of a type `named` holds."""
        weights = self.weights(query)
        total = sum(weights.values())
        by_section = self._by_section()
        indices = [
            i
            for section in dict.fromkeys(sections)
            for i in by_section.get(section, ())
            if not named or not self._other_entity(self.passages[i], named)
        ]
        if not total or not indices:
            return []
        shares = {
            i: sum(
                w
                for t, w in weights.items()
                if t in self._terms[i]
                and not (self.passages[i].text in said and t in self._asked_only[i])
            )
            / total
            for i in sorted(indices)
        }
        best = max(shares.values(), default=0.0)
        if best < min_coverage:
            return []
        kept = [i for i, share in shares.items() if share == best]
        # those holding it in their own words first ("manages teams" before "Team lead", which
        # only people asking for it call management)
        kept.sort(key=lambda i: (any(t in self._asked_only[i] for t in weights), i))
        return [self.passages[i] for i in kept]

    def in_topics(
        self, topics: Iterable[str], query: Iterable[str], min_coverage: float, shown: str
    ) -> list[Passage]:
        """The passage of the given topics that says what an answer has not `shown`, holding the
        most of the query's weight, at least `min_coverage` of it, and MIN_TERMS of its terms in
        its own words (the first in the guides' order among equals); none when no passage does."""
        weights = self.weights(query)
        total = sum(weights.values())
        if not total:
            return []
        by_topic = self._by_topic()
        said = self.said(shown)
        best: tuple[float, int] | None = None
        for i in sorted(i for topic in set(topics) for i in by_topic.get(topic, ())):
            if self.passages[i].text in shown or self._text_terms[i] <= said:
                continue
            terms, asked_only = self._terms[i], self._asked_only[i]
            held = [t for t in weights if t in terms]
            if sum(t not in asked_only for t in held) < MIN_TERMS:
                continue
            share = sum(weights[t] for t in held) / total
            if share >= min_coverage and (best is None or share > best[0]):
                best = (share, i)
        return [self.passages[best[1]]] if best else []

    def sections_quoted(self, said: str, sources: set[str]) -> list[tuple[str, str]]:
        """The (source, section) of each passage of the given sources an answer's text quotes
        whole, beyond the sections it cites ("How to recognise one: A clear proxy to recognize
        them is...", quoted from a section below the one the maturity answer cites)."""
        return list(
            dict.fromkeys(
                (p.citation.source, p.citation.section)
                for p in self.passages
                if p.citation.source in sources and len(p.text) >= QUOTED and p.text in said
            )
        )

    def _by_topic(self) -> dict[str, list[int]]:
        """Topic -> the indices of its passages, built when first needed."""
        return self._grouped("_topics", lambda p: p.topic)

    def _by_section(self) -> dict[tuple[str, str], list[int]]:
        """(source, section) -> the indices of its passages, built when first needed."""
        return self._grouped("_sections", lambda p: (p.citation.source, p.citation.section))

    def _grouped(self, name: str, key: Callable[[Passage], Any]) -> dict[Any, list[int]]:
        """The indices of the passages by a key, kept as attribute `name` once built."""
        found: dict[Any, list[int]] | None = self.__dict__.get(name)
        if found is None:
            found = {}
            for i, p in enumerate(self.passages):
                found.setdefault(key(p), []).append(i)
            setattr(self, name, found)
        return found

    @staticmethod
    def _other_entity(passage: Passage, named: Mapping[str, set[str]]) -> bool:
        for type_ in EXCLUSIVE_TYPES:
            wanted = named.get(type_)
            if wanted and (ids := passage.entity_ids(type_)) and not ids & wanted:
                return True
        return False


def _modifier(term: str) -> bool:
    """Whether a word reads as a superlative or an adverb ("toughest", "realistically"): it says
    how, not what, so a modifier no passage holds weighs as a word of everyday English."""
    return len(term) > MODIFIER_LETTERS and term.endswith(("est", "ly"))
