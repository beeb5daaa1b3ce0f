"""What a message refers to in the last answer: an item by position ("the second one").

The last answer leaves its list items in the session; these functions find the reference in a
message and what it points at (the entities an item names are found when needed).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from msgspec import Struct

from .entities import EntityIndex
from .session import Session
from .text import normalise

_ITEM = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+(.+?)\s*$")
_CITED = re.compile(r"\s*\([^()]*\)\s*$")  # a trailing "(Guide, section)"
MAX_ITEMS = 20
NAMES_AN_ITEM = 3  # entities an item names on average, above which the items are lists of names
_NUMBERED = frozenset(("number", "item", "option", "step", "stage", "point"))  # "step 3"
_STEPS = ("step", "stage")


class Reference(Struct, frozen=True):
    """Tokens [start, end) of a message point at item `index` (1-based; -1 is the last, -2 the
    middle one)."""

    index: int
    start: int
    end: int


def list_items(text: str) -> list[str]:
    """The list items of an answer's text, without their trailing citations."""
    items = []
    for line in text.splitlines():
        match = _ITEM.match(line)
        if match:
            items.append(_CITED.sub("", match.group(1)))
    return items[:MAX_ITEMS]


def named_entities(
    text: str, entities: EntityIndex, abbreviations: Mapping[str, str]
) -> tuple[str, ...]:
    """ "type:id" of each entity the text names, in order of first mention."""
    found: dict[str, None] = {}
    for mention in entities.find(normalise(text, abbreviations)):
        entity = mention.entities[0]
        found.setdefault(f"{entity.type}:{entity.id}", None)
    return tuple(found)


LAST, MIDDLE = -1, -2  # the index of "the last one", "the middle one"


def find(tokens: Sequence[str], ordinals: Mapping[str, int]) -> Reference | None:
    """ "the second one", "number 3", "step 3", "the 2nd", "the last one" in the tokens."""
    for i, token in enumerate(tokens):
        if token in _NUMBERED and i + 1 < len(tokens) and tokens[i + 1].isdigit():
            return _span(tokens, int(tokens[i + 1]), i, i + 2)
        value = ordinals.get(token)
        if value is None and re.fullmatch(r"\d{1,2}(st|nd|rd|th)", token):
            value = int(token[:-2])
        if value is not None:
            ref = _span(tokens, value, i, i + 1)
            # "what's a good first step?": a start, not the first of the steps listed
            if tokens[ref.end - 1] in _STEPS and ref.start == i and i > 0:
                continue
            if tokens[ref.end : ref.end + 1] in (("thing",), ("things",)):
                continue  # "the first thing to try": what to do first, not an item
            # "the second", "second one", or the ordinal alone; not "last month", "first job"
            if ref.end - ref.start > 1 or len(tokens) == 1:
                return ref
    return None


def _span(tokens: Sequence[str], index: int, start: int, end: int) -> Reference:
    if start > 0 and tokens[start - 1] == "the":
        start -= 1
    if end < len(tokens) and tokens[end] in ("one", "ones", "item", "option", *_STEPS):
        end += 1
    return Reference(index, start, end)


def listed(tokens: Sequence[str], ref: Reference, lists: Sequence[Sequence[str]]) -> list[str]:
    """The items of the list, of a last answer in parts, whose heading names what the reference
    counts ("step 3" after the eight steps and the industries: the steps), or none."""
    nouns = [t for t in tokens[ref.start : ref.end] if t in _NUMBERED and t != "number"]
    for noun in nouns:
        for heading, *items in lists:
            if re.search(rf"\b{noun}s?\b", heading.lower()):
                return list(items)
    return []


def target(
    ref: Reference,
    state: Session,
    name_entities: Callable[[str], tuple[str, ...]],
    items: Sequence[str] = (),
) -> tuple[str, str | None] | None:
    """(the item's text, the entity it names as "type:id" or None), or None when out of range.

    The items of the last answer (or those given) are counted, unless they are lists of names
    themselves, naming more than NAMES_AN_ITEM entities each ("Major employers: Google, Amazon,
    ..."): then the entities are. Interview stages naming a skill or two each are items.
    """
    items = list(items) or state.items
    named = name_entities("\n".join(items)) if items else ()
    if len(items) >= 2 and len(named) <= NAMES_AN_ITEM * len(items):
        index = position(ref.index, len(items))
        if 1 <= index <= len(items):
            first = name_entities(items[index - 1])
            return items[index - 1], first[0] if first else None
    if len(named) >= 2:
        index = position(ref.index, len(named))
        if 1 <= index <= len(named):
            return "", named[index - 1]
    return None


def position(index: int, count: int) -> int:
    """The 1-based position a reference's index means among `count` items: -1 is the last, -2
    the middle one (of an odd count only; 0, none, else)."""
    if index == LAST:
        return count
    if index == MIDDLE:
        return (count + 1) // 2 if count % 2 else 0
    return index
