"""Intent definitions: examples, keywords, slots, answer template and follow-up suggestions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from . import yamlfile
from .errors import ContentError, Problem
from .gaps import Gaps, read_gaps
from .knowledge import _Checker, _label
from .settings import Settings

MIN_EXAMPLES = 8
CATEGORIES = ("career", "smalltalk", "dialogue", "profile")
#: dialogue acts the engine performs itself; an intent of category "dialogue" is named after one
ACTS = ("more", "sources", "why", "exact", "judge", "items")
_INTENT_FIELDS = (
    "name",
    "title",
    "category",
    "examples",
    "keywords",
    "slots",
    "answer",
    "suggestions",
    "why",
    "remember",
    "whole",
    "requires",
    "needs",
    "followups",
    "insiders",
    "entrants",
)


class Intent(msgspec.Struct, frozen=True):
    """Something a user can ask, and how to answer it."""

    name: str
    title: str
    examples: tuple[str, ...]
    answer: str
    file: str
    category: str = "career"
    keywords: tuple[str, ...] = ()
    slots: Mapping[str, str] = field(default_factory=dict)  # slot name -> entity type
    suggestions: tuple[str, ...] = ()
    why: str | None = (
        None  # template answering "why?" after this intent, if the guides give a reason
    )
    remember: bool = False  # what the user names in this question goes into their profile
    # answers only a message that says one of its examples whole, save filler words ("lol ok"),
    # and is kept out of the matcher, so that its examples weigh on no other intent
    whole: bool = False
    requires: tuple[
        str, ...
    ] = ()  # slots the question itself must fill for this intent to be chosen
    # words or phrases one of which a question must hold for this intent to be chosen (an
    # answer about pay to a question that never speaks of pay is a catch-all)
    needs: tuple[str, ...] = ()
    followups: Mapping[str, str] = field(
        default_factory=dict
    )  # entity type -> intent for "and at X?"
    group: str = ""  # the heading `/topics` lists it under (its file's `group`)
    # the intent answering this for someone who already works in the role (`insider_roles`): the
    # way into the job is not what an ML engineer asking "where can I go from here?" wants
    insiders: str | None = None
    # the intent answering this when the domain's own role is where the person is going
    # (`entering_words`): moving out of the job is not what "can a nurse become an MLE?" asks
    entrants: str | None = None


@dataclass(frozen=True)
class IntentSet:
    """All intents of a content folder, in declaration order, plus the lexicon and settings."""

    intents: tuple[Intent, ...]
    abbreviations: Mapping[str, str]
    settings: Settings
    gaps: Gaps = field(default_factory=Gaps)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {i.name: i for i in self.intents})

    def get(self, name: str) -> Intent:
        return self._by_name[name]  # type: ignore[attr-defined]

    def __contains__(self, name: object) -> bool:
        return name in self._by_name  # type: ignore[attr-defined]


def load_intents(folder: Path, entity_types: set[str]) -> IntentSet:
    """Load and validate every YAML file of an intents
    folder; raise ContentError listing all problems.
    """
    problems: list[Problem] = []
    intents: list[Intent] = []
    abbreviations: dict[str, str] = {}
    settings = Settings()
    gaps = Gaps()
    seen: dict[str, str] = {}
    files = sorted(folder.rglob("*.yaml"))
    if not files:
        raise ContentError([Problem(str(folder), "", "no .yaml files in the intents folder")])
    for path in files:
        c = _Checker(path, _label(path, folder))
        data, problem = yamlfile.read(path, c.label)
        if problem:
            problems.append(problem)
            continue
        if not isinstance(data, Mapping) or not data:
            c.add((), "expected a mapping with 'intents', 'abbreviations' or 'settings' at the top")
        else:
            c.unknown_fields(data, ("group", "intents", "abbreviations", "settings", "gaps"), ())
            if "gaps" in data:
                gaps = read_gaps(data["gaps"], c)
            group = (
                c.text(data, "group", (), required=False)
                or path.stem.replace("_", " ").capitalize()
            )
            _read_abbreviations(data.get("abbreviations"), c, abbreviations)
            if isinstance(data.get("settings"), Mapping):
                settings = settings.merged(data["settings"], c.reporter(("settings",)))
            elif "settings" in data:
                c.add(("settings",), "'settings' must be a mapping")
            raw = data.get("intents")
            if raw is not None and (not isinstance(raw, list) or not raw):
                c.add(("intents",), "'intents' must be a non-empty list")
            for i, entry in enumerate(raw if isinstance(raw, list) else []):
                intent = _read_intent(entry, ("intents", i), c, entity_types, group)
                if intent is None:
                    continue
                if intent.name in seen:
                    c.add(
                        ("intents", i, "name"),
                        f"intent {intent.name!r} is already defined in {seen[intent.name]}",
                    )
                    continue
                seen[intent.name] = c.label
                intents.append(intent)
        problems.extend(c.problems())
    names = {i.name for i in intents}
    for type_, target in settings.entity_intents.items():
        if target not in names:
            problems.append(
                Problem(
                    folder.name, f"settings.entity_intents.{type_}", f"unknown intent {target!r}"
                )
            )
    for word, type_ in settings.kind_words.items():
        if entity_types and type_ not in entity_types:
            problems.append(
                Problem(
                    folder.name,
                    f"settings.kind_words.{word}",
                    f"unknown entity type {type_!r} (known: {', '.join(sorted(entity_types))})",
                )
            )
    for intent in intents:
        for key, other in (("insiders", intent.insiders), ("entrants", intent.entrants)):
            if other is not None and other not in names:
                problems.append(
                    Problem(intent.file, f"{intent.name}.{key}", f"unknown intent {other!r}")
                )
        for type_, target in intent.followups.items():
            if target not in names:
                problems.append(
                    Problem(
                        intent.file,
                        f"{intent.name}.followups.{type_}",
                        f"unknown intent {target!r}",
                    )
                )
    if not intents and not problems:
        problems.append(Problem(str(folder), "", "no intents are defined"))
    if problems:
        raise ContentError(problems)
    return IntentSet(tuple(intents), abbreviations, settings, gaps)


def _read_abbreviations(raw: Any, c: _Checker, out: dict[str, str]) -> None:
    if raw is None:
        return
    if not isinstance(raw, Mapping):
        c.add(("abbreviations",), "'abbreviations' must map a short form to its expansion")
        return
    for short, long in raw.items():
        if not isinstance(short, str) or not isinstance(long, str) or not long.strip():
            c.add(("abbreviations", short), "an abbreviation and its expansion must be strings")
        else:
            out[short.lower()] = long.lower()


def _strings(raw: Any, key: str, keys: tuple, c: _Checker, minimum: int = 0) -> tuple[str, ...]:
    if raw is None:
        raw = []
    if not isinstance(raw, list) or not all(isinstance(s, str) and s.strip() for s in raw):
        c.add(keys + (key,), f"'{key}' must be a list of non-empty strings")
        return ()
    if len(raw) < minimum:
        c.add(keys + (key,), f"'{key}' needs at least {minimum} entries, got {len(raw)}")
    return tuple(s.strip() for s in raw)


def _read_intent(
    raw: Any, keys: tuple, c: _Checker, entity_types: set[str], group: str
) -> Intent | None:
    raw = c.mapping(raw, keys, "an intent")
    if raw is None:
        return None
    c.unknown_fields(raw, _INTENT_FIELDS, keys)
    name = c.text(raw, "name", keys)
    answer = c.text(raw, "answer", keys)
    title = c.text(raw, "title", keys, required=False)
    why = c.text(raw, "why", keys, required=False)
    category = raw.get("category", "career")
    if category not in CATEGORIES:
        c.add(
            keys + ("category",), f"unknown category {category!r} (one of: {', '.join(CATEGORIES)})"
        )
    if category == "dialogue" and name not in ACTS:
        c.add(keys + ("name",), f"a dialogue intent must be named after an act: {', '.join(ACTS)}")
    remember = raw.get("remember", False)
    if not isinstance(remember, bool):
        c.add(keys + ("remember",), f"'remember' must be true or false, got {remember!r}")
    whole = raw.get("whole", False)
    if not isinstance(whole, bool):
        c.add(keys + ("whole",), f"'whole' must be true or false, got {whole!r}")
    examples = _strings(raw.get("examples"), "examples", keys, c, MIN_EXAMPLES)
    keywords = _strings(raw.get("keywords"), "keywords", keys, c)
    suggestions = _strings(raw.get("suggestions"), "suggestions", keys, c)
    slots: dict[str, str] = {}
    raw_slots = raw.get("slots") or {}
    if not isinstance(raw_slots, Mapping):
        c.add(keys + ("slots",), "'slots' must map a slot name to an entity type")
    else:
        for slot, type_ in raw_slots.items():
            if type_ not in entity_types:
                known = (
                    ", ".join(sorted(entity_types)) or "none: this content has no knowledge base"
                )
                c.add(keys + ("slots", slot), f"unknown entity type {type_!r} (known: {known})")
            else:
                slots[str(slot)] = type_
    requires = _strings(raw.get("requires"), "requires", keys, c)
    for slot in requires:
        if slot not in slots and isinstance(raw_slots, Mapping) and slot not in raw_slots:
            c.add(keys + ("requires",), f"required slot {slot!r} is not one of the intent's slots")
    needs = _strings(raw.get("needs"), "needs", keys, c)
    followups: dict[str, str] = {}
    raw_followups = raw.get("followups") or {}
    if not isinstance(raw_followups, Mapping):
        c.add(keys + ("followups",), "'followups' must map an entity type to an intent name")
    else:
        for type_, target in raw_followups.items():
            if type_ not in entity_types or not isinstance(target, str):
                c.add(
                    keys + ("followups", type_), f"unknown entity type {type_!r} or bad intent name"
                )
            else:
                followups[type_] = target
    insiders, entrants = raw.get("insiders"), raw.get("entrants")
    if insiders is not None and not isinstance(insiders, str):
        c.add(keys + ("insiders",), "'insiders' must be an intent name")
        insiders = None
    if entrants is not None and not isinstance(entrants, str):
        c.add(keys + ("entrants",), "'entrants' must be an intent name")
        entrants = None
    if not name or not answer or len(examples) < MIN_EXAMPLES:
        return None
    return Intent(
        name=name,
        title=title or name.replace("_", " ").capitalize(),
        examples=examples,
        answer=answer,
        file=c.label,
        category=category,
        keywords=keywords,
        slots=slots,
        suggestions=suggestions,
        why=why,
        remember=remember is True,
        whole=whole is True,
        requires=requires,
        needs=needs,
        followups=followups,
        group=group,
        insiders=insiders,
        entrants=entrants,
    )
