"""What the guides do not cover: topics people ask about, pay for places, companies, other jobs.

Content declares the gaps (`gaps:` in an intents file); `GapFinder` says which one a message falls
into, with the name it asks about, so that the bot declines honestly and names what the guides
do say nearby instead of answering with the closest thing it knows.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from importlib import import_module
from typing import Any

from msgspec import Struct, field
from msgspec.structs import replace

from .domain import PLACE_TYPES
from .places import Places
from .splitting import sentences
from .text import holds_phrase, normalise, occurrence
from .understanding import Understanding

Report = Any  # a knowledge._Checker (kept loose to avoid an import cycle)
_HIRES = (("hire",), ("employ",), ("recruit",))  # "does X hire...?": X is no place
_DOES = frozenset({"does", "do", "did", "would", "will"})
SURELY_BEFORE = frozenset({"at", "join", "joining"})  # a lower-case company name follows these
ACRONYM = 3  # letters: a lower-case company name this short is shown in capitals ("TCS")
TERSE = 6  # tokens: in a message this short an unknown lower-case word may be a name
NAME_REACH = 6  # tokens after a capitalised unknown word looked through for a company word
SUBJECT_WORDS = frozenset({"machine", "learning", "engineer", "engineers", "engineering", "role"})
_NAME_GOES_ON = re.compile(r" ([A-Z][a-z][A-Za-z0-9&]*)")  # "Jane Street": the name goes on
_NAME_RUNS_ON = re.compile(r"(?: [A-Z][A-Za-z0-9&]*)+")  # ... through every capitalised word
# a person's name, greeted or introduced, just before: "hey Claude,", "my name is Priya"
_PERSON_BEFORE = re.compile(
    r"(?i)\b(?:hi|hey|hello|dear|thanks|thank you|yo|i'm|im|i am|my name is|name's|called|"
    r"this is)[\s,]+$"
)
PLACE_PREPOSITIONS = frozenset({"in", "from", "near", "around", "to"})  # before a place name
MARKET_PREPOSITIONS = frozenset({"in", "near", "around", "across"})  # a market in a place
NAME_LETTERS = 4  # a capitalised unknown word this long is a name ("PharmD"; "QA" may not be)
TITLE_CASE = 0.75  # of a sentence's longer words capitalised: a title ("Is Software A Shortcut?")
_CAPITALISED = re.compile(r"(?<![\w'])([A-Z][A-Za-z0-9&+-]*[A-Za-z0-9+])")
# a firm named as firms are ("The Weather Company", "Acme Labs"), all its words capitalised
_ORGANISATION = re.compile(
    r"(?<![\w'])((?:[A-Z][\w&.-]*\s+){1,3}(?:Company|Corporation|Corp|Inc|Labs|Technologies|"
    r"Group|Systems|Partners|Analytics|Motors|Airlines|Pharmaceuticals|Holdings))\b"
)
# ... but not the one the person is at ("I work for Acme Labs")
_THEIR_OWN = re.compile(r"(?i)\b(?:i|we|i'm|im)\b[^.?!]{0,24}\b(?:at|for|with)\s+$")
_INDUSTRY_WORDS = frozenset({"industry", "industries", "sector", "sectors"})
# what may stand before "industry" without naming one ("this industry", "which sector")
_NOT_INDUSTRY = frozenset(
    {"the", "a", "an", "this", "that", "these", "those", "what", "which", "any", "every", "each"}
)
_ASKING = frozenset({"how", "what", "whats", "which", "who", "where", "when", "why"})
COMPANY_BEFORE = frozenset(
    {"at", "for", "with", "join", "joining", "from", "about", "like", "to", "is", "does", "than"}
)


class Gap(Struct, frozen=True):
    """One kind of question the guides cannot answer, and what to point at instead."""

    id: str
    what: str  # completes "the guides don't cover ...": may hold {name}
    # regular expressions, as written: compiled when first searched (most never are in a
    # one-shot reply, and compiling 200 of them would cost every start 20 ms)
    patterns: tuple[str, ...] = ()
    nearby: tuple[str, ...] = ()  # knowledge topic ids
    nearby_entities: str | None = None  # or an entity type whose names are listed
    types: tuple[str, ...] = ()  # entity_pay: the entity types whose pay the guides do not give
    exceptions: frozenset[str] = frozenset()  # "type:id" of entities of those types they do give
    # per pattern, the beginnings a word must have for it to match (`word_starts`), or None:
    # read once when the content is compiled, not at every start
    starts: tuple[frozenset[str] | None, ...] = ()
    # words a message must not hold for the gap to be its answer ("invest" for MLOps: what
    # companies invest in is the guides')
    unless: frozenset[str] = frozenset()
    # company_detail: the intents whose answer the guides give in general, not of a company
    intents: tuple[str, ...] = ()


class Gaps(Struct, frozen=True):
    """Every gap of the content, and the word lists the checks use."""

    topics: tuple[Gap, ...] = ()
    place_pay: Gap | None = None
    place_jobs: Gap | None = None
    entity_pay: Gap | None = None
    unknown_company: Gap | None = None
    unknown_name: Gap | None = None
    company_detail: Gap | None = None
    unknown_industry: Gap | None = None
    pay_words: frozenset[str] = frozenset()
    # phrases whose pay word asks no pay: "is the car industry putting money into ML?"
    spending_words: tuple[str, ...] = ()
    company_words: tuple[str, ...] = ()  # phrases: normalised words joined by spaces
    market_words: tuple[str, ...] = ()  # "job market", "demand": asked of a place (`place_jobs`)
    self_words: tuple[str, ...] = ()
    # "how much would I make?": pay asked of the person's own case, where they live counts
    own_words: frozenset[str] = frozenset()
    place_exclusions: tuple[str, ...] = ()
    # short names the gazetteer lacks ("UK", "England") -> the place they name
    place_aliases: Mapping[str, str] = field(default_factory=dict)
    file: str = ""
    lines: Mapping[str, int] = field(default_factory=dict)
    # the topics' patterns (numbered in order), each under the beginnings (START characters) a
    # word must have for it to match from there, or always tried: built once with the content
    by_start: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    always: tuple[int, ...] = ()

    def all(self) -> Iterable[Gap]:
        yield from self.topics
        singles = (
            self.place_pay,
            self.place_jobs,
            self.entity_pay,
            self.unknown_company,
            self.unknown_name,
            self.company_detail,
            self.unknown_industry,
        )
        yield from (g for g in singles if g)


class Found(Struct, frozen=True):
    """A message falls into this gap, asking about `name` (a place, a company...) if any."""

    gap: Gap
    name: str = ""


def read_gaps(raw: Any, c: Report) -> Gaps:
    """The `gaps:` mapping of an intents file, each problem reported with its key path."""
    if not isinstance(raw, Mapping):
        c.add(("gaps",), "'gaps' must be a mapping")
        return Gaps()
    allowed = (
        "pay_words",
        "company_words",
        "self_words",
        "place_exclusions",
        "market_words",
        "spending_words",
        "own_words",
        "place_aliases",
        "topics",
        "place_pay",
        "place_jobs",
        "entity_pay",
        "unknown_company",
        "unknown_name",
        "company_detail",
        "unknown_industry",
    )
    c.unknown_fields(raw, allowed, ("gaps",))
    words = {key: _words(raw.get(key), ("gaps", key), c) for key in allowed[:7]}
    topics: list[Gap] = []
    for i, entry in enumerate(raw.get("topics") or ()):
        gap = _gap(entry, ("gaps", "topics", i), c, needs_id=True)
        if gap is not None and any(t.id == gap.id for t in topics):
            c.add(("gaps", "topics", i, "id"), f"gap {gap.id!r} is already defined above")
        elif gap is not None:
            topics.append(gap)
    singles = {
        key: _gap(raw.get(key), ("gaps", key), c, key) if raw.get(key) else None
        for key in allowed[9:]
    }
    by_start: dict[str, list[int]] = {}
    always: list[int] = []
    known = [s for gap in topics for s in (gap.starts or (None,) * len(gap.patterns))]
    for i, starts in enumerate(known):
        for start in starts or ():
            by_start.setdefault(start, []).append(i)
        if starts is None:
            always.append(i)
    return Gaps(
        topics=tuple(topics),
        by_start={start: tuple(found) for start, found in by_start.items()},
        always=tuple(always),
        pay_words=frozenset(words["pay_words"]),
        company_words=tuple(" ".join(w.split()) for w in words["company_words"]),
        self_words=tuple(" ".join(w.split()) for w in words["self_words"]),
        place_exclusions=tuple(words["place_exclusions"]),
        market_words=tuple(" ".join(w.split()) for w in words["market_words"]),
        spending_words=tuple(" ".join(w.split()) for w in words["spending_words"]),
        own_words=frozenset(words["own_words"]),
        place_aliases=_aliases(raw.get("place_aliases"), ("gaps", "place_aliases"), c),
        place_pay=singles["place_pay"],
        place_jobs=singles["place_jobs"],
        entity_pay=singles["entity_pay"],
        unknown_company=singles["unknown_company"],
        unknown_name=singles["unknown_name"],
        company_detail=singles["company_detail"],
        unknown_industry=singles["unknown_industry"],
        file=c.label,
    )


def _aliases(raw: Any, keys: tuple[Any, ...], c: Report) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping) or not all(
        isinstance(k, str) and k.strip() and isinstance(v, str) and v.strip()
        for k, v in raw.items()
    ):
        c.add(keys, "must map each short name to the place it names (UK: United Kingdom)")
        return {}
    return {k.strip().lower(): v.strip() for k, v in raw.items()}


def _words(raw: Any, keys: tuple[Any, ...], c: Report) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(w, str) and w.strip() for w in raw):
        c.add(keys, "must be a list of words (quote words such as yes, no, on)")
        return []
    return [w.strip().lower() for w in raw]


def _gap(
    raw: Any, keys: tuple[Any, ...], c: Report, gap_id: str = "", needs_id: bool = False
) -> Gap | None:
    if not isinstance(raw, Mapping):
        c.add(keys, "a gap must be a mapping with 'what' and 'nearby'")
        return None
    c.unknown_fields(
        raw,
        (
            *("id", "what", "patterns", "nearby", "nearby_entities", "types", "except"),
            *("unless", "intents"),
        ),
        keys,
    )
    what = c.text(raw, "what", keys)
    gid = c.text(raw, "id", keys) if needs_id else gap_id
    patterns: list[str] = []
    for j, source in enumerate(raw.get("patterns") or ()):
        try:
            re.compile(str(source))
            patterns.append(str(source))
        except re.error as exc:
            c.add(keys + ("patterns", j), f"invalid regular expression: {exc}")
    if needs_id and not raw.get("patterns"):
        c.add(keys, "a topic gap needs 'patterns'")
    nearby = tuple(_words(raw.get("nearby"), keys + ("nearby",), c))
    types = tuple(_words(raw.get("types"), keys + ("types",), c))
    exceptions = frozenset(_words(raw.get("except"), keys + ("except",), c))
    entities = raw.get("nearby_entities")
    if not what or not gid:
        return None
    return Gap(
        gid,
        what,
        tuple(patterns),
        nearby,
        str(entities) if entities else None,
        types,
        exceptions,
        tuple(word_starts(p) for p in patterns),
        frozenset(_words(raw.get("unless"), keys + ("unless",), c)),
        tuple(_words(raw.get("intents"), keys + ("intents",), c)),
    )


_WORD_START = re.compile(r"\b\w")
START = 12  # characters of a word's beginning that `word_starts` tells
WINDOWS = 20_000  # text windows whose patterns are remembered (emptied when full)


def word_starts(pattern: str) -> frozenset[str] | None:
    """The beginnings (START characters, fewer for a shorter match) one of which a word of the text
    must have for the pattern to match: the pattern starts at a word boundary or the text's
    start, then literal text. None when that cannot be told (a class, a wildcard, flags)."""
    # the standard library's own regex parser (not typed: private to `re`)
    c, parser = import_module("re._constants"), import_module("re._parser")

    try:
        items = list(parser.parse(pattern))
    except Exception:  # noqa: BLE001 - an unreadable pattern is simply searched every time
        return None
    bounded, i = False, 0
    while i < len(items) and items[i][0] in (c.AT, c.ASSERT, c.ASSERT_NOT):
        bounded = bounded or items[i][1] in (c.AT_BOUNDARY, c.AT_BEGINNING)
        i += 1
    if not bounded:
        return None
    starts, _ = _starts(items[i:])
    return frozenset(starts) if "" not in starts else None


def _starts(items: list[Any]) -> tuple[set[str], bool]:
    """What a match of a sequence of parsed regex items begins with, to START characters, and
    whether those are all it can be (False: the matches go on with something not told, and
    each string given is only a beginning of them)."""
    c = import_module("re._constants")
    out = {""}
    for op, value in items:
        if all(len(s) >= START for s in out):
            break
        complete = True
        if op is c.LITERAL:
            found = {chr(value)}
        elif op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            found = {""}
        elif op is c.SUBPATTERN and not value[1]:
            found, complete = _starts(list(value[3]))
        elif op is c.BRANCH:
            found = set()
            for branch in value[1]:
                inner, whole = _starts(list(branch))
                found |= inner
                complete = complete and whole
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            low, high, inner_items = value
            found, complete = _starts(list(inner_items))
            complete = complete and high <= 1  # another repetition may follow
            if low == 0:
                found = found | {""}
        else:
            return out, False  # a class, a wildcard...: what came before is all that is known
        out = {(s + f)[:START] if len(s) < START else s for s in out for f in found}
        if not complete:
            return out, False
    return out, True


class GapFinder:
    """Says which gap a message falls into, if any."""

    def __init__(
        self,
        gaps: Gaps,
        places: Places,
        vocabulary: frozenset[str],
        ranking_words: frozenset[str] = frozenset(),
        occupations: Sequence[Sequence[str]] = (),
        company_intents: frozenset[str] = frozenset(),
        english: str = "",
        asked_words: frozenset[str] = frozenset(),
    ) -> None:
        self.gaps, self.places, self.vocabulary = gaps, places, vocabulary
        # names of places the gazetteer leaves out: the guides' own country ("USA"), and words
        # that are more often words than places ("Reading")
        self.home = frozenset(w for name in gaps.place_exclusions for w in name.split())
        # words only how people ask for passages uses: no names the content knows ("Jira")
        self.names = vocabulary - asked_words
        self.english = english  # general English, a word a line (`Compiled.english`)
        # intents taking a company: a message read as one is about a company ("tell me about X")
        self.company_intents = company_intents
        self.ranking_words = ranking_words  # "highest", "most": asked of all places, not yours
        # other jobs, as tokens, by their first word: "a doctor's salary"
        self.occupations: dict[str, list[tuple[str, ...]]] = {}
        for term in occupations:
            self.occupations.setdefault(term[0], []).append(tuple(term))
        # a message is searched only with the patterns it may match (`Gaps.by_start`)
        self._patterns = [(gap, p) for gap in gaps.topics for p in gap.patterns]
        self._compiled: dict[int, re.Pattern[str]] = {}
        # the keys of `by_start` in order: a word's beginnings are looked up only while some key
        # still begins so (most words stop at their first letter or two)
        self._starts = sorted(gaps.by_start)
        # what each text window ("how much do ") may match, as found: the same windows open
        # message after message
        self._windows: dict[str, tuple[int, ...]] = {}

    def find(
        self, u: Understanding, elsewhere: str | None = None, pay_asked: bool = False
    ) -> Found | None:
        """The gap the message falls into; `elsewhere` is where the person said they live, when
        the content has no such place (pay questions naming no place, asked of the person's own
        case, are about it: "how much would I make?", not "what's entry pay like?" nor "what's the
        highest paying state?"); `pay_asked` when the message asks pay without saying so
        ("boston?" after the pay in the Bay Area)."""
        text = " ".join(u.tokens)
        candidates = set(self.gaps.always)
        windows = self._windows
        for match in _WORD_START.finditer(text):
            begins = text[match.start() : match.start() + START]
            indexed = windows.get(begins)
            if indexed is None:
                indexed = self._starting(begins)
                if len(windows) >= WINDOWS:
                    windows.clear()
                windows[begins] = indexed
            candidates.update(indexed)
        for i in sorted(candidates):  # the first topic matching, in the content's order
            gap, source = self._patterns[i]
            pattern = self._compiled.get(i)
            if pattern is None:
                pattern = self._compiled[i] = re.compile(source)
            if pattern.search(text) and gap.unless.isdisjoint(u.tokens):
                return Found(gap)
        pay_words = self.gaps.pay_words
        asks_pay = any(w in pay_words and _asks_pay(u.tokens, i) for i, w in enumerate(u.tokens))
        if asks_pay and holds_phrase(u.tokens, self.gaps.spending_words):
            spent = " ".join(u.tokens)
            for phrase in self.gaps.spending_words:
                spent = f" {spent} ".replace(f" {phrase} ", " ")
            asks_pay = bool(self.gaps.pay_words & set(spent.split()))
        if (asks_pay or pay_asked) and self.gaps.place_pay:
            found = self.places.find_all(u.tokens, [(m.start, m.end) for m in u.mentions])
            names = list(dict.fromkeys(found))  # "in Spain or Mexico", "Paris, Rome or Oslo"
            joined = " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 2 else names)
            place: str | None = joined or None
            names_place = any(e.type in PLACE_TYPES for m in u.mentions for e in m.entities)
            if not place and not names_place:
                ranks = not self.ranking_words.isdisjoint(u.tokens)
                own = not self.gaps.own_words.isdisjoint(u.tokens)
                place = self._misspelt_place(u) or (elsewhere if own and not ranks else None)
            if place:
                return Found(self.gaps.place_pay, place)
        if not asks_pay and self.gaps.place_jobs and holds_phrase(u.tokens, self.gaps.market_words):
            place = self._place_after_preposition(u)
            if place:  # "what's the ML job market like in Canada?"
                return Found(self.gaps.place_jobs, place)
        if asks_pay and self.gaps.entity_pay:
            name = self._entity_asked(u, self.gaps.entity_pay) or self._occupation(u)
            if name:
                return Found(self.gaps.entity_pay, name)
        names_company = any(m.of_type("company") for m in u.mentions)
        worded = self._about_company(u.tokens)
        # read as an intent about a company, without a company word: a name written as one
        read = u.top is not None and u.top.intent in self.company_intents
        if self.gaps.unknown_company and not names_company and (worded or read):
            name = self._unknown_name(u, capitalised=not worded)
            if name:
                return Found(self.gaps.unknown_company, name)
        if self.gaps.unknown_company and not names_company:
            named = _ORGANISATION.search(u.text)
            if named and not _THEIR_OWN.search(u.text[: named.start()]):
                return Found(self.gaps.unknown_company, named.group(1).removeprefix("The "))
        if self.gaps.unknown_name:
            name = self._unknown_named(u)
            if name:
                return Found(self.gaps.unknown_name, name)
        if self.gaps.unknown_industry:
            name = self._unknown_industry(u)
            if name:
                return Found(self.gaps.unknown_industry, name)
        return None

    def _unknown_industry(self, u: Understanding) -> str | None:
        """An industry no content knows, named just before "industry" or "sector" ("the Scotch
        whisky industry", "is sports betting an industry"): its last word is no word of the
        content."""
        tokens = u.tokens
        for i, token in enumerate(tokens):
            if token not in _INDUSTRY_WORDS or not i:
                continue
            if any(m.start <= i < m.end or m.end == i for m in u.mentions):
                continue  # "the finance industry", "the energy sector": the guides' own
            # "the X industry", or "is X an industry"
            end = i - 1 if tokens[i - 1] in ("a", "an") else i
            words = list(tokens[max(0, end - 2) : end])
            while words and (words[0] in _NOT_INDUSTRY or words[0] in self.vocabulary):
                words = words[1:]
            if words and words[-1] not in self.vocabulary:
                return " ".join(words)
        return None

    def _starting(self, begins: str) -> tuple[int, ...]:
        """The patterns a text beginning so may match: those indexed under each of its
        beginnings, looked up while some key still begins so (most words stop at a letter or
        two)."""
        found: list[int] = []
        by_start, starts = self.gaps.by_start, self._starts
        for k in range(1, len(begins) + 1):
            begin = begins[:k]
            found.extend(by_start.get(begin, ()))
            at = bisect_left(starts, begin)
            if at == len(starts) or not starts[at].startswith(begin):
                break
        return tuple(found)

    def of_company(self, u: Understanding, intent: str) -> Found | None:
        """A company the guides cover, asked of in an intent they answer only in general ("does
        Google let you work remote?" read as the work environment), not one the person says
        they are at."""
        gap = self.gaps.company_detail
        if gap is None or intent not in gap.intents:
            return None
        name = self._entity_asked(u, replace(gap, types=("company",)))
        return Found(gap, name) if name else None

    def _unknown_named(self, u: Understanding) -> str | None:
        """A name no content knows in what the message asks: a capitalised word of at least
        NAME_LETTERS letters, not opening its sentence, no place, no person greeted or
        introduced ("is my PharmD a doctorate?", not "hey Claude, ..."). Only the sentences that
        ask are read ("I script in Grasshopper. What are the steps?" asks the steps), and none
        written in title case."""
        named = {i for m in u.mentions for i in range(m.start, m.end)}
        asked: list[str] | None = None  # the sentences that ask, split only for a candidate
        for match in _CAPITALISED.finditer(u.text, 1):
            word = match.group(1).split("-")[0]  # "X-rays", "ML-focused": the capital part
            low = word.lower()
            if sum(c.isalpha() for c in word) < NAME_LETTERS or low in self.names:
                continue
            tokens = normalise(word)
            at = [i for i, t in enumerate(u.tokens) if t in tokens]
            # a word capitalised inside ("PharmD") is a name even when the speller repaired
            # it; another, repaired, was a known word misspelt ("Pytroch")
            inside = any(c.isupper() for c in word[1:]) and any(c.islower() for c in word)
            if not tokens or (len(at) < len(tokens) and not inside) or named.intersection(at):
                continue  # repaired by the speller, or a name the content knows
            if all(t in self.names or t.rstrip("s") in self.names for t in tokens):
                continue
            if not inside and f"\n{low}\n" in self.english:
                continue  # a word capitalised for weight ("Embedded SWE"), not a name
            if self.places.find(tokens) or self.home.issuperset(tokens):
                continue  # a place, or the guides' own country ("pay in the USA")
            if asked is None:
                asked = [s.text for s in sentences(u.text) if s.kind == "question"]
            sentence = next((s for s in asked if match.group(1) in s), None)
            if sentence is None or sentence.startswith(match.group(1)) or _title(sentence):
                continue
            if _PERSON_BEFORE.search(sentence[: sentence.index(match.group(1))]):
                continue  # "hey Claude, how much...", "I'm Priya": a person, not what is asked
            if runs_on := _NAME_RUNS_ON.match(u.text, match.end()):
                word += runs_on.group(0)  # "Kaiser Permanente", "Sloan Sports Analytics"
            return word
        return None

    def _place_after_preposition(self, u: Understanding) -> str | None:
        """A place the guides lack named just after "in", "around"... ("jobs in the UK"), not one
        the person only says they are from."""
        tokens = u.tokens
        for i, word in enumerate(tokens[:-1]):
            if word in MARKET_PREPOSITIONS:
                taken = [(m.start - i - 1, m.end - i - 1) for m in u.mentions]
                place = self.places.find(tokens[i + 1 : i + 4], taken)
                if place:
                    return place
        return None

    def _occupation(self, u: Understanding) -> str | None:
        """Another job a pay question names ("compared to a doctor's salary"), as "doctors", in
        the capitals it was written with ("IT managers")."""
        tokens = u.tokens
        for i, token in enumerate(tokens):
            # a one-word job may stand in the plural ("lawyers", "actuaries")
            singulars = (token[:-1], token[:-3] + "y") if token.endswith("s") else ()
            for first in (token, *singulars):
                for term in self.occupations.get(first, ()):
                    # "IT managers": the last word of a longer name in the plural too
                    if len(term) == 1 or occurrence(tokens[i : i + len(term)], term):
                        name = " ".join(term)
                        if not name.endswith("s"):  # "pay for doctors", "for actuaries"
                            name = name[:-1] + "ies" if name.endswith("y") else name + "s"
                        # as written, unless shouted ("LAWYERS")
                        written = re.search(rf"\b{re.escape(name)}\b", u.text, re.IGNORECASE)
                        shown = written.group(0) if written else name
                        return name if shown.isupper() else shown
        return None

    def _misspelt_place(self, u: Understanding) -> str | None:
        """A place misspelt after "in", "from"... ("pay in toronot"): a word no content knows."""
        tokens = u.tokens
        for before, word in itertools.pairwise(tokens):
            if before in PLACE_PREPOSITIONS and word not in self.vocabulary:
                place = self.places.misspelt(word)
                if place:
                    return place
        return None

    def _entity_asked(self, u: Understanding, gap: Gap) -> str | None:
        """An entity of the gap's types the message asks about, not one the person says they are."""
        for mention in u.mentions:
            entity = next((e for t in gap.types if (e := mention.of_type(t))), None)
            if entity is None or f"{entity.type}:{entity.id}" in gap.exceptions:
                continue
            before = u.tokens[max(0, mention.start - 4) : mention.start]
            if not holds_phrase(before, self.gaps.self_words):
                return entity.name
        return None

    def _about_company(self, tokens: tuple[str, ...]) -> bool:
        return holds_phrase(tokens, self.gaps.company_words)

    def _unknown_name(self, u: Understanding, capitalised: bool = False) -> str | None:
        """A word no content knows, where a company would be named: after "at", "for", "join"...,
        before a company word or a possessive ("Anthropic's interview", "work at Anthropic"), or
        alone with a company word in a terse message ("spotify ml interview"). Written in lower
        case, it must be placed surely: after "at" or "join", or between a word such as "does" and
        a company word ("does spotify hire ML engineers?")."""
        named = {i for m in u.mentions for i in range(m.start, m.end)}
        tokens = u.tokens
        terse = len(tokens) <= TERSE
        for match in re.finditer(r"(?<![\w'])([A-Za-z][A-Za-z0-9&]+)('s\b)?", u.text):
            word, possessive = match.group(1), bool(match.group(2))
            low = word.lower()
            if low in self.vocabulary or len(low) < 3 or (capitalised and not word[0].isupper()):
                continue
            index = next((i for i, t in enumerate(tokens) if t in (low, low + "s")), None)
            if index is None or index in named:
                continue
            before = tokens[index - 1] if index else ""
            # "a manufacturing company in Stuttgart": a place, not a company; but a place does
            # not hire ("does Toyota hire ML engineers?")
            hires = before in _DOES and tokens[index + 1 : index + 2] in _HIRES
            if (self.places.find([low]) and not hires) or low in self.home:
                continue
            rest = list(tokens[index + 1 : index + 1 + NAME_REACH])
            name = word
            if word[0].isupper():
                # "Jane Street ML engineer interview": the name's next word, then the subject's
                if goes_on := _NAME_GOES_ON.match(u.text, match.end()):
                    name, rest = f"{word} {goes_on.group(1)}", rest[1:]
                rest = [t for t in rest if t not in SUBJECT_WORDS]
            while len(rest) > 2 and rest[0] in ("or", "and"):
                rest = rest[2:]  # "does ford or gm hire...": the names listed, then what is asked
            after = " ".join(rest[:3])
            followed = any(f" {after} ".startswith(f" {w} ") for w in self.gaps.company_words)
            if word[0].isupper():
                placed = before in COMPANY_BEFORE or possessive or terse or followed
            else:
                # ... though not just after a question word: "how meny openings" is a typo
                placed = (
                    (terse and before not in _ASKING)
                    or before in SURELY_BEFORE
                    or (before in COMPANY_BEFORE and followed)
                )
            if placed:
                if word[0].isupper():
                    return name
                # a short name written in lower case is most likely an acronym ("tcs", "gm")
                return word.upper() if len(word) <= ACRONYM else word.capitalize()
        return None


def _title(sentence: str) -> bool:
    """Whether a sentence is written in title case ("Is Software A Good Shortcut To ML?")."""
    longer = [w for w in sentence.split() if sum(c.isalpha() for c in w) >= NAME_LETTERS]
    return sum(w[0].isupper() for w in longer[1:]) >= TITLE_CASE * max(1, len(longer) - 1)


# "make" asks pay when it ends the question or an amount, a place or a time follows ("what would
# I make in Austin?", "make more than", "make 100k"), or "how much" asked it; not in "people who
# can make AI run well" or "a move you can make from there"
_MAKES = frozenset(("make", "makes", "making", "made"))
_PAY_AFTER_MAKE = frozenset(
    ("more", "less", "over", "under", "about", "around", "roughly", "between", "as", "in", "at")
    + ("a", "per", "an", "annually", "yearly", "monthly", "hourly", "money", "bank", "there")
    + ("here", "starting", "now", "nowadays", "today", "usually", "typically", "on", "with")
)


def _asks_pay(tokens: Sequence[str], i: int) -> bool:
    """Whether the pay word at position i asks pay (any but "make" does)."""
    if tokens[i] not in _MAKES:
        return True
    after = tokens[i + 1] if i + 1 < len(tokens) else None
    how_much = any(
        a == "how" and b == "much"
        for a, b in zip(tokens[max(0, i - 8) : i], tokens[max(0, i - 7) : i])
    )
    return after is None or after in _PAY_AFTER_MAKE or after[0].isdigit() or how_much
