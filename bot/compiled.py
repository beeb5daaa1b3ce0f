"""The content compiled for answering (entity index,
speller, matcher), built once and cached on disk.
"""

from __future__ import annotations

import gc
import logging
import os
import pickle
import sys
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

from msgspec import Struct, field

from .entities import EntityIndex
from .errors import ContentError, Problem
from .intents import IntentSet
from .knowledge import KnowledgeBase
from .lexicon import Lexicon
from .matching import Candidate, IntentExamples, Matcher
from .needs import needs
from .passages import passages
from .places import Places
from .render import Renderer
from .retrieval import PassageIndex
from .spelling import COMMON, Speller
from .text import normalise

log = logging.getLogger(__name__)
_PACKAGE = Path(__file__).resolve().parent
TYPO_RATIO = 10  # see _real_words
EVERYDAY = 1000  # the most frequent English words, which retrieval weighs less
ENGLISH_WORD = 1500  # a word of general English this frequent, capitalised, is still that word
KEEP_CACHED = 4  # compiled contents kept in the cache folder, most recently written first
FORMAT = 2  # of the cache file, in its name: a file of another format is never opened
STALE_WRITE_SECONDS = 3600  # a temporary file this old was left by a process killed while writing


class Compiled(Struct, frozen=True):
    """Everything a reply needs that can be computed from the content alone."""

    intents: IntentSet
    knowledge: KnowledgeBase | None
    entities: EntityIndex
    speller: Speller
    matcher: Matcher
    out_of_scope: tuple[tuple[str, ...], ...]  # terms the content declares out of scope, as tokens
    subject_terms: tuple[tuple[str, ...], ...]  # terms that make a question about the domain
    templates: dict[str, bytes]  # each intent's answer (and why) template compiled, by key
    passages: PassageIndex | None  # every fact as a passage to retrieve (None without knowledge)
    places: Places  # place names the content does not know (a gazetteer's, less the content's own)
    lexicon: Lexicon  # the content's concepts
    # the words of general English a capitalised word may be without being a name ("Embedded
    # SWE", not "Einstein"), one per line: searched for a rare word, never loaded into a set
    english: str = ""
    # the words only how people ask for passages uses ("Jira", "London"): no word of the content
    # for the checks of what it does not cover (places, names it does not know)
    asked_words: frozenset[str] = frozenset()
    # what a `whole` intent answers: its examples, normalised, as the matcher's candidate
    whole: dict[str, Candidate] = field(default_factory=dict)


def build(
    intents: IntentSet, knowledge: KnowledgeBase | None, root: Path | None = None
) -> Compiled:
    """Compile the content for answering; every answer template is rendered with each slot value
    once here, so a template that fails is a ContentError (naming file, intent and, given the
    folder `root` the files' labels start from, line) and not a failed reply later."""
    settings, abbreviations = intents.settings, intents.abbreviations

    def terms(key: str) -> tuple[tuple[str, ...], ...]:
        return tuple(
            tuple(t) for term in getattr(settings, key) if (t := normalise(term, abbreviations))
        )

    entities = EntityIndex(
        knowledge.all_entities() if knowledge else (), abbreviations, settings.ignore_entities
    )
    lexicon = Lexicon(settings.concepts, abbreviations, settings.except_words)
    examples = []
    vocabulary: list[str] = [*entities.vocabulary, *lexicon.words]
    example_words: Counter[str] = Counter()
    whole: dict[str, Candidate] = {}  # an example of a `whole` intent, said whole -> it
    for intent in intents.intents:
        if intent.whole:
            for example in intent.examples:
                said = normalise(example, abbreviations)
                vocabulary.extend(said)
                whole.setdefault(" ".join(said), Candidate(intent.name, 1.0, example))
            continue
        token_lists = []
        for example in intent.examples:
            tokens = normalise(example, abbreviations)
            example_words.update(tokens)
            token_lists.append(
                tuple(lexicon.apply(EntityIndex.replace(tokens, entities.find(tokens))))
            )
        keywords = tuple(tuple(lexicon.apply(normalise(k, abbreviations))) for k in intent.keywords)
        vocabulary.extend(t for keyword in keywords for t in keyword)
        examples.append(IntentExamples(intent.name, tuple(token_lists), keywords, intent.examples))
    out_of_scope = terms("out_of_scope_terms")
    # out-of-scope words are known words, so never "corrected" into the domain
    # ("pilot" is no typo of "pivot")
    vocabulary.extend(t for term in out_of_scope for t in term)
    common = normalise(" ".join(settings.common_words))
    templates = {intent.name: (intent.answer, intent.file) for intent in intents.intents}
    templates |= {
        intent.name + ".why": (intent.why, intent.file) for intent in intents.intents if intent.why
    }
    from . import template_check  # only when building: it imports PyYAML and jinja2's parser

    try:
        code = Renderer(knowledge).precompile(templates)
    except ContentError as exc:
        raise ContentError(template_check.in_files(exc.problems, root)) from None
    template_check.check_build(intents, knowledge, Renderer(knowledge, code), root)
    index = None
    if knowledge is not None:
        stopwords = (*settings.common_words, *settings.domain_words)
        index = PassageIndex(
            passages(knowledge), abbreviations, stopwords, lexicon, _everyday(_english())
        )
    asked: set[str] = set()  # the words only of how people ask for passages
    if knowledge is not None:  # every word the guides use is a word, not a typo of another
        for passage in passages(knowledge):
            vocabulary.extend(normalise(f"{passage.heading} {passage.text}", abbreviations))
            asked.update(normalise(passage.asked, abbreviations))
    asked -= set(vocabulary)
    vocabulary.extend(sorted(asked))
    # the settings' word lists are words too ("whole", "three", "theyre")
    listed = (
        *settings.common_words,
        *settings.followup_words,
        *settings.anaphora_words,
        *settings.choice_words,
        *settings.ordinal_words,
    )
    vocabulary.extend(t for words in listed for t in normalise(words, abbreviations))
    speller = Speller([*vocabulary, *_real_words(example_words, vocabulary)], _english())
    _check_needs(intents, speller)
    places = Places({})
    if intents.gaps.place_pay is not None:
        known = [*settings.common_words, *intents.gaps.place_exclusions]
        if knowledge is not None:
            known += [alias for e in knowledge.all_entities() for alias in (e.name, *e.aliases)]
        # a place named in how people ask for a passage ("pay in London?" for the Bay Area's)
        # is still a place the guides lack
        places = Places.from_gazetteer(
            known, speller.vocabulary - asked, intents.gaps.place_aliases
        )
        speller.keep(places.major)
    return Compiled(
        intents,
        knowledge,
        entities,
        speller,
        Matcher(examples, common),
        out_of_scope,
        terms("subject_terms"),
        code,
        index,
        places,
        lexicon,
        "\n" + "\n".join(sorted(w for w, n in _english().items() if n >= ENGLISH_WORD)) + "\n",
        frozenset(asked),
        whole,
    )


@cache
def _english() -> dict[str, int]:
    """Word -> frequency in general English, of the words common enough to protect from the
    speller (pyspellchecker's list, read once, and only while building)."""
    from spellchecker import SpellChecker

    found = SpellChecker(language="en").word_frequency.dictionary
    return {word: used for word, used in found.items() if used >= COMMON}


def _check_needs(intents: IntentSet, speller: Speller) -> None:
    """Each example of an intent that needs words (`Intent.needs`) holds one, typos repaired."""
    problems = []
    for intent in intents.intents:
        found = needs(intent.needs)
        for i, example in enumerate(intent.examples if intent.needs else ()):
            tokens = speller.correct(normalise(example, intents.abbreviations))
            if not found.held(example, tokens):
                problems.append(
                    Problem(
                        intent.file,
                        f"intents.{intent.name}.examples[{i}]",
                        f"{example!r} holds none of the words the intent needs",
                    )
                )
    if problems:
        raise ContentError(problems)


def _everyday(english: dict[str, int]) -> list[str]:
    """The EVERYDAY most frequent words of general English."""
    return sorted(english, key=english.__getitem__, reverse=True)[:EVERYDAY]


def _real_words(example_words: Counter[str], vocabulary: list[str]) -> list[str]:
    """The examples' words, less the typos some examples are written with ("enginer",
    "salery"), so that the speller repairs a typo into the word, not into another typo: a word
    that the content's other words would respell into a word used TYPO_RATIO times as often is
    left out."""
    reference = Speller(vocabulary)
    used = Counter(vocabulary) + example_words
    out = []
    for word, count in example_words.items():
        respelt = reference.correct_token(word)
        if respelt == word or used[respelt] < TYPO_RATIO * count:
            out.extend([word] * count)
    return out


def _key(files: Iterable[Path]) -> str:
    """Changes whenever a content file, the package's code or the Python version changes: their
    sizes and modification times, as Python's own bytecode cache checks its sources (reading and
    hashing the content would cost more than the rest of a start from the cache)."""
    parts = [sys.version]
    for path in (*sorted(_PACKAGE.glob("*.py")), *files):
        stat = path.stat()
        parts.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
    return "\n".join(parts)


class _KeyReader(pickle.Unpickler):
    """Reads the key at the head of a cache file: a string, so no class may be loaded."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"a cache key holds no {module}.{name}")


def _unpickle(fh: BinaryIO) -> Any:
    """pickle.load without the garbage collector, which would walk the growing object graph
    again and again while it loads (more than doubling the time on large content)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.load(fh)
    finally:
        if enabled:
            gc.enable()


def cached(files: list[Path], make: Callable[[], Compiled], folder: Path) -> Compiled:
    """The index for these content files from the cache `folder`, or made (and cached there) when
    absent or stale.

    One cache file per content location: the key of the content it was made from, then the index
    (pickled apart, so a stale index, whose classes may since have changed, is never unpickled).
    Two locations that share a file name only rebuild each other's. Only an index made from valid
    content is written; any cache problem just means building again.
    """
    folders = dict.fromkeys(f.parent for f in files)
    location = zlib.crc32("\0".join(str(f.resolve()) for f in folders).encode())
    path = folder / f"index-{FORMAT}-{location:08x}.pickle"
    key = _key(files)
    try:
        if _private(path):  # a file someone else could have written may hold code: never unpickled
            with path.open("rb") as fh:
                if _KeyReader(fh).load() == key:
                    index = _unpickle(fh)
                    if isinstance(index, Compiled):
                        return index
    except FileNotFoundError:
        pass
    except Exception as exc:  # noqa: BLE001 - a corrupt or foreign cache file is rebuilt, never fatal
        log.warning("ignoring unreadable cache %s: %s", path, exc)
    index = make()
    _write(folder, path, key, index)
    return index


def _private(path: Path) -> bool:
    """Whether the file and its folder belong to this user and no one else can write them."""
    for item in (path.parent, path):
        stat = item.stat()
        if stat.st_uid != os.getuid() or stat.st_mode & 0o022:
            log.warning("not using cache %s: it is not private to this user", item)
            return False
    return True


def _write(folder: Path, path: Path, key: str, index: Compiled) -> None:
    """Write the cache file atomically in a private folder, and drop the oldest other cache files
    and what a process killed while writing left behind (a temporary file an hour old)."""
    import tempfile  # only when writing

    tmp: str | None = None
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, delete=False, suffix=".tmp") as fh:
            tmp = fh.name
            pickle.dump(key, fh, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        tmp = None
        others = sorted(
            folder.glob("index-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True
        )
        for old in others[KEEP_CACHED:]:
            old.unlink(missing_ok=True)
        for left in folder.glob("*.tmp"):
            if left.stat().st_mtime < time.time() - STALE_WRITE_SECONDS:
                left.unlink(missing_ok=True)
    except OSError as exc:
        log.debug("cannot write cache %s: %s", path, exc)
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
