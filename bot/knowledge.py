"""The knowledge base: sources, entity catalogues
and sourced facts, loaded and validated from YAML.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from . import yamlfile
from .errors import ContentError, Problem

#: catalogue name in entities.yaml -> entity type used by slots and fact tags
CATALOGUES: dict[str, str] = {
    "companies": "company",
    "levels": "level",
    "regions": "region",
    "states": "state",
    "industries": "industry",
    "specialisations": "specialisation",
    "skills": "skill",
    "certifications": "certification",
    "associations": "association",
    "job_sites": "job_site",
    "roles": "role",
}
TAGS = ("company", "level", "region", "state", "industry", "specialisation", "role")
SOURCE_KINDS = ("career card", "blog post", "career guide", "essay")
PAY_BASES = ("median", "base", "total", "average", "unspecified")


class Source(Struct, frozen=True):
    """One of the guides: its file name, the title the bot cites, and what kind of text it is."""

    id: str
    file: str
    title: str
    kind: str


class Pay(Struct, frozen=True):
    """A salary figure exactly as a guide states it ("$180,000–$250,000+", "~$180,000")."""

    min: int
    max: int | None = None
    open_max: bool = False
    approx: bool = False
    currency: str = "USD"
    period: str = "year"
    basis: str = "unspecified"

    @property
    def amount(self) -> str:
        symbol = "$" if self.currency == "USD" else f"{self.currency} "
        text = f"{symbol}{self.min:,}"
        if self.max is not None:
            text += f"–{symbol}{self.max:,}"
        if self.open_max:
            text += "+"
        return ("~" if self.approx else "") + text

    @property
    def basis_label(self) -> str:
        return {
            "median": "median salary",
            "base": "base salary",
            "total": "total compensation",
            "average": "average salary",
        }.get(self.basis, "salary")

    def __str__(self) -> str:
        return self.amount


class Count(Struct, frozen=True):
    """A count such as "~700+" open roles."""

    value: int
    approx: bool = False
    open_max: bool = False

    def __str__(self) -> str:
        return ("~" if self.approx else "") + f"{self.value:,}" + ("+" if self.open_max else "")


class Item(Struct, frozen=True):
    """One entry of a list fact: a short sentence, optionally with a label."""

    text: str
    name: str | None = None

    def __str__(self) -> str:
        if self.name and self.text:
            return f"{self.name}: {self.text}"
        return self.name or self.text


class Fact(Struct, frozen=True):
    """A piece of knowledge from one section of one guide."""

    topic: str
    source: Source
    section: str
    name: str | None = None
    question: str | None = None
    text: str | None = None
    items: tuple[Item, ...] = ()
    pay: Pay | None = None
    count: Count | None = None
    company: str | None = None
    level: str | None = None
    region: str | None = None
    state: str | None = None
    industry: str | None = None
    specialisation: str | None = None
    role: str | None = None


class Entity(Struct, frozen=True):
    """A named thing questions mention (a company, a level, a state...) with its aliases."""

    type: str
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    state: str | None = None
    group: str | None = None

    def __str__(self) -> str:
        return self.name

    def names(self) -> tuple[str, ...]:
        """Its name and aliases, case-folded."""
        return tuple(n.casefold() for n in (self.name, *self.aliases))


class Topic(Struct, frozen=True):
    id: str
    title: str
    file: str
    facts: tuple[Fact, ...]


class Asked(Struct, frozen=True):
    """How people ask for a passage in their own words: searched with it, never shown."""

    passage: str  # the start of the passage's text
    lines: tuple[str, ...]


class KnowledgeBase(Struct):
    """Everything the guides say, indexed for the templates."""

    sources: dict[str, Source] = field(default_factory=dict)
    entities: dict[str, dict[str, Entity]] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    asked: list[Asked] = field(default_factory=list)

    def facts(self, topic: str, **tags: str | None) -> list[Fact]:
        """Facts of `topic` whose tags equal every given non-None tag value."""
        try:
            facts = self.topics[topic].facts
        except KeyError:
            raise KeyError(f"unknown knowledge topic {topic!r}") from None
        wanted = {k: v for k, v in tags.items() if v is not None}
        for key in wanted:
            if key not in TAGS:
                raise KeyError(f"unknown fact tag {key!r}")
        return [f for f in facts if all(getattr(f, k) == v for k, v in wanted.items())]

    def entity(self, type_: str, id_: str | None) -> Entity | None:
        if id_ is None:
            return None
        return self.entities.get(type_, {}).get(id_)

    def all_entities(self) -> Iterator[Entity]:
        for type_ in sorted(self.entities):
            yield from self.entities[type_].values()

    def summary(self) -> dict[str, int]:
        return {
            "sources": len(self.sources),
            "entities": sum(len(v) for v in self.entities.values()),
            "topics": len(self.topics),
            "facts": sum(len(t.facts) for t in self.topics.values()),
        }


class _Checker:
    """Collects problems for one file, each with the key path to the bad value."""

    def __init__(self, path: Path, label: str) -> None:
        self.path, self.label = path, label
        self.found: list[tuple[tuple[Any, ...], str]] = []

    def add(self, keys: tuple[Any, ...], message: str) -> None:
        self.found.append((keys, message))

    def reporter(self, keys: tuple[Any, ...]) -> Callable[[str, str], None]:
        """A function adding (key, message) problems under `keys`."""
        return lambda key, message: self.add(keys + (key,), message)

    def problems(self) -> list[Problem]:
        out = []
        for keys, message in self.found:
            line = yamlfile.locate(self.path, keys)
            where = ".".join(str(k) if not isinstance(k, int) else f"[{k}]" for k in keys)
            out.append(Problem(self.label, where.replace(".[", "["), message, line))
        return out

    def text(self, data: Mapping, key: str, keys: tuple, required: bool = True) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                self.add(keys, f"missing required field '{key}'")
            return None
        if not isinstance(value, str) or not value.strip():
            self.add(keys + (key,), f"'{key}' must be a non-empty string, got {value!r}")
            return None
        return value.strip()

    def mapping(self, value: Any, keys: tuple, what: str) -> Mapping | None:
        if not isinstance(value, Mapping):
            self.add(keys, f"{what} must be a mapping, got {type(value).__name__}")
            return None
        return value

    def unknown_fields(self, data: Mapping, allowed: tuple[str, ...], keys: tuple) -> None:
        for key in data:
            if key not in allowed:
                self.add(keys + (key,), f"unknown field {key!r} (allowed: {', '.join(allowed)})")


def _label(path: Path, root: Path) -> str:
    try:
        return str(Path(root.name) / path.relative_to(root))
    except ValueError:
        return str(path)


def load_knowledge(folder: Path) -> KnowledgeBase:
    """Load and validate every YAML file of a knowledge
    folder; raise ContentError listing all problems.
    """
    kb = KnowledgeBase()
    problems: list[Problem] = []
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise ContentError([Problem(str(folder), "", "no .yaml files in the knowledge folder")])
    parsed: list[tuple[Path, _Checker, Any]] = []
    for path in files:
        checker = _Checker(path, _label(path, folder))
        data, problem = yamlfile.read(path, checker.label)
        if problem:
            problems.append(problem)
            continue
        if not isinstance(data, Mapping) or not data:
            checker.add(
                (), "expected a mapping with 'sources', 'entities', 'topics' or 'asked' at the top"
            )
            problems.extend(checker.problems())
            continue
        checker.unknown_fields(data, ("sources", "entities", "topics", "asked"), ())
        parsed.append((path, checker, data))
    # Sources and entities first: facts refer to them.
    for _, checker, data in parsed:
        if "sources" in data:
            _read_sources(data["sources"], checker, kb)
    for _, checker, data in parsed:
        if "entities" in data:
            _read_entities(data["entities"], checker, kb)
    if not kb.sources:
        problems.append(Problem(str(folder.name), "sources", "no sources are defined"))
    for _, checker, data in parsed:
        if "topics" in data:
            _read_topics(data["topics"], checker, kb)
    for _, checker, data in parsed:
        if "asked" in data:
            _read_asked(data["asked"], checker, kb)
    _check_entity_links(kb, parsed)
    for _, checker, _ in parsed:
        problems.extend(checker.problems())
    if problems:
        raise ContentError(problems)
    return kb


def _read_sources(data: Any, c: _Checker, kb: KnowledgeBase) -> None:
    if not isinstance(data, list) or not data:
        c.add(("sources",), "'sources' must be a non-empty list")
        return
    for i, entry in enumerate(data):
        keys = ("sources", i)
        entry = c.mapping(entry, keys, "a source")
        if entry is None:
            continue
        c.unknown_fields(entry, ("id", "file", "title", "kind"), keys)
        id_, file, title, kind = (c.text(entry, k, keys) for k in ("id", "file", "title", "kind"))
        if kind and kind not in SOURCE_KINDS:
            c.add(keys + ("kind",), f"unknown kind {kind!r} (one of: {', '.join(SOURCE_KINDS)})")
        if id_ in kb.sources:
            c.add(keys + ("id",), f"source {id_!r} is defined twice")
        elif id_ and file and title and kind:
            kb.sources[id_] = Source(id_, file, title, kind)


def _read_entities(data: Any, c: _Checker, kb: KnowledgeBase) -> None:
    data = c.mapping(data, ("entities",), "'entities'")
    if data is None:
        return
    for catalogue, entries in data.items():
        keys = ("entities", catalogue)
        type_ = CATALOGUES.get(catalogue)
        if type_ is None:
            c.add(keys, f"unknown catalogue {catalogue!r} (one of: {', '.join(CATALOGUES)})")
            continue
        if not isinstance(entries, list) or not entries:
            c.add(keys, f"catalogue {catalogue!r} must be a non-empty list")
            continue
        table = kb.entities.setdefault(type_, {})
        alias_owner: dict[str, str] = {}
        for i, entry in enumerate(entries):
            ekeys = keys + (i,)
            entry = c.mapping(entry, ekeys, "an entity")
            if entry is None:
                continue
            c.unknown_fields(entry, ("id", "name", "aliases", "state", "group"), ekeys)
            id_, name = c.text(entry, "id", ekeys), c.text(entry, "name", ekeys)
            aliases = entry.get("aliases", [])
            if not isinstance(aliases, list) or not all(
                isinstance(a, str) and a.strip() for a in aliases
            ):
                c.add(ekeys + ("aliases",), "'aliases' must be a list of non-empty strings")
                aliases = []
            state = c.text(entry, "state", ekeys, required=False)
            group = c.text(entry, "group", ekeys, required=False)
            if not id_ or not name:
                continue
            if id_ in table:
                c.add(ekeys + ("id",), f"{type_} {id_!r} is defined twice")
                continue
            for j, alias in enumerate([name, *aliases]):
                owner = alias_owner.setdefault(alias.strip().lower(), id_)
                if owner != id_:
                    c.add(
                        ekeys + (("aliases", j - 1) if j else ("name",)),
                        f"alias {alias!r} already names {type_} {owner!r}",
                    )
            table[id_] = Entity(type_, id_, name, tuple(a.strip() for a in aliases), state, group)


def _check_entity_links(kb: KnowledgeBase, parsed: list[tuple[Path, _Checker, Any]]) -> None:
    states = kb.entities.get("state", {})
    for _, c, data in parsed:
        regions = (
            (data.get("entities") or {}).get("regions")
            if isinstance(data.get("entities"), Mapping)
            else None
        )
        for i, entry in enumerate(regions or []):
            if isinstance(entry, Mapping) and entry.get("state") and entry["state"] not in states:
                c.add(("entities", "regions", i, "state"), f"unknown state {entry['state']!r}")


def _read_asked(data: Any, c: _Checker, kb: KnowledgeBase) -> None:
    """`asked`: a list of {passage: the start of a passage's text, lines: how people ask for it}."""
    from .passages import first_word, passages  # the passages are the facts' texts, read above

    if not isinstance(data, list) or not data:
        c.add(("asked",), "'asked' must be a non-empty list")
        return
    texts: dict[str, list[str]] = {}  # by first word
    for passage in passages(kb):
        texts.setdefault(first_word(passage.text), []).append(passage.text)
    for i, entry in enumerate(data):
        keys = ("asked", i)
        entry = c.mapping(entry, keys, "an entry of 'asked'")
        if entry is None:
            continue
        c.unknown_fields(entry, ("passage", "lines"), keys)
        start = c.text(entry, "passage", keys)
        lines = entry.get("lines")
        if not isinstance(lines, list) or not lines:
            c.add(keys + ("lines",), "'lines' must be a non-empty list of questions")
            continue
        bad = [j for j, line in enumerate(lines) if not isinstance(line, str) or not line.strip()]
        for j in bad:
            c.add(keys + ("lines", j), f"a line must be a non-empty string, got {lines[j]!r}")
        if start is None or bad:
            continue
        if not any(text.startswith(start) for text in texts.get(first_word(start), ())):
            c.add(keys + ("passage",), f"no passage of the guides begins with {start!r}")
            continue
        kb.asked.append(Asked(start, tuple(line.strip() for line in lines)))


_FACT_FIELDS = ("source", "section", "name", "question", "text", "items", "pay", "count", *TAGS)
_PAY_FIELDS = ("min", "max", "open_max", "approx", "currency", "period", "basis")


def _read_topics(data: Any, c: _Checker, kb: KnowledgeBase) -> None:
    data = c.mapping(data, ("topics",), "'topics'")
    if data is None:
        return
    for topic_id, topic in data.items():
        keys = ("topics", topic_id)
        topic = c.mapping(topic, keys, "a topic")
        if topic is None:
            continue
        c.unknown_fields(topic, ("title", "facts"), keys)
        title = c.text(topic, "title", keys)
        raw_facts = topic.get("facts")
        if not isinstance(raw_facts, list) or not raw_facts:
            c.add(keys + ("facts",), "'facts' must be a non-empty list")
            continue
        facts = [
            f
            for i, raw in enumerate(raw_facts)
            if (f := _read_fact(raw, topic_id, keys + ("facts", i), c, kb))
        ]
        if topic_id in kb.topics:
            c.add(keys, f"topic {topic_id!r} is already defined in {kb.topics[topic_id].file}")
        elif title:
            kb.topics[topic_id] = Topic(topic_id, title, c.label, tuple(facts))


def _read_fact(raw: Any, topic: str, keys: tuple, c: _Checker, kb: KnowledgeBase) -> Fact | None:
    raw = c.mapping(raw, keys, "a fact")
    if raw is None:
        return None
    c.unknown_fields(raw, _FACT_FIELDS, keys)
    ok = True
    source_id = c.text(raw, "source", keys)
    source = kb.sources.get(source_id or "")
    if source_id and source is None:
        c.add(
            keys + ("source",),
            f"unknown source {source_id!r} (known: {', '.join(sorted(kb.sources))})",
        )
        ok = False
    section = c.text(raw, "section", keys)
    values: dict[str, Any] = {}
    for key in ("name", "question", "text"):
        if key in raw:
            values[key] = c.text(raw, key, keys)
            ok = ok and values[key] is not None
    for tag in TAGS:
        if tag in raw:
            value = raw[tag]
            if not isinstance(value, str) or value not in kb.entities.get(tag, {}):
                c.add(keys + (tag,), f"unknown {tag} {value!r}")
                ok = False
            else:
                values[tag] = value
    if "items" in raw:
        items = _read_items(raw["items"], keys + ("items",), c)
        ok = ok and items is not None
        values["items"] = items or ()
    if "pay" in raw:
        values["pay"] = _read_pay(raw["pay"], keys + ("pay",), c)
        ok = ok and values["pay"] is not None
    if "count" in raw:
        values["count"] = _read_count(raw["count"], keys + ("count",), c)
        ok = ok and values["count"] is not None
    if not any(k in raw for k in ("text", "items", "pay", "count")):
        c.add(keys, "a fact needs content: one of 'text', 'items', 'pay', 'count'")
        ok = False
    if not (ok and source and section):
        return None
    return Fact(topic=topic, source=source, section=section, **values)


def _read_items(raw: Any, keys: tuple, c: _Checker) -> tuple[Item, ...] | None:
    if not isinstance(raw, list) or not raw:
        c.add(keys, "'items' must be a non-empty list")
        return None
    items = []
    for i, entry in enumerate(raw):
        if isinstance(entry, str) and entry.strip():
            items.append(Item(entry.strip()))
        elif isinstance(entry, Mapping) and set(entry) <= {"name", "text"} and entry.get("name"):
            name, text = entry.get("name"), entry.get("text", "")
            if isinstance(name, str) and isinstance(text, str):
                items.append(Item(text.strip(), name.strip()))
                continue
            c.add(keys + (i,), "an item's name and text must be strings")
        else:
            c.add(keys + (i,), f"an item must be a sentence or {{name, text}}, got {entry!r}")
    return tuple(items) if len(items) == len(raw) else None


def _read_pay(raw: Any, keys: tuple, c: _Checker) -> Pay | None:
    raw = c.mapping(raw, keys, "'pay'")
    if raw is None:
        return None
    c.unknown_fields(raw, _PAY_FIELDS, keys)
    low, high = raw.get("min"), raw.get("max")
    ok = True
    for key, value, required in (("min", low, True), ("max", high, False)):
        if value is None and not required:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            c.add(keys + (key,), f"'{key}' must be a positive whole number, got {value!r}")
            ok = False
    if ok and high is not None and high < low:
        c.add(keys + ("max",), f"max {high} is less than min {low}")
        ok = False
    for key in ("open_max", "approx"):
        if key in raw and not isinstance(raw[key], bool):
            c.add(keys + (key,), f"'{key}' must be true or false, got {raw[key]!r}")
            ok = False
    basis = raw.get("basis", "unspecified")
    if basis not in PAY_BASES:
        c.add(keys + ("basis",), f"unknown basis {basis!r} (one of: {', '.join(PAY_BASES)})")
        ok = False
    currency, period = raw.get("currency", "USD"), raw.get("period", "year")
    if not isinstance(currency, str) or not isinstance(period, str):
        c.add(keys, "'currency' and 'period' must be strings")
        ok = False
    if not ok:
        return None
    return Pay(
        low,
        high,
        bool(raw.get("open_max", False)),
        bool(raw.get("approx", False)),
        currency,
        period,
        basis,
    )


def _read_count(raw: Any, keys: tuple, c: _Checker) -> Count | None:
    raw = c.mapping(raw, keys, "'count'")
    if raw is None:
        return None
    c.unknown_fields(raw, ("value", "approx", "open_max"), keys)
    value = raw.get("value")
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        c.add(keys + ("value",), f"'value' must be a whole number, got {value!r}")
        return None
    return Count(value, bool(raw.get("approx", False)), bool(raw.get("open_max", False)))
