"""Every fact of the knowledge base as passages to retrieve: list items, paragraphs, table rows."""

from __future__ import annotations

from collections.abc import Iterator

from msgspec import Struct, structs

from .knowledge import TAGS, Asked, Entity, Fact, KnowledgeBase
from .reply import Citation


class Passage(Struct, frozen=True):
    """A retrievable piece of a guide: the text shown, its heading, its citation, its entities."""

    text: str
    heading: str  # what the passage is about, shown before it ("DeepMind — Focus areas")
    citation: Citation
    topic: str
    tags: tuple[str, ...]  # "type:id" of the entities the fact is tagged with
    names: str = ""  # those entities' names and aliases, as words to search by
    asked: str = ""  # how people ask for it in their own words (`KnowledgeBase.asked`)
    # what an answer may show in its place: an item's name ("Complete high school"), or the
    # name of the list it is an item of ("Cloud Platforms")
    label: str = ""

    def entity_ids(self, entity_type: str) -> set[str]:
        return {tag.split(":", 1)[1] for tag in self.tags if tag.startswith(entity_type + ":")}


def passages(kb: KnowledgeBase) -> list[Passage]:
    """All passages, in content order (topics as loaded, facts in file order)."""
    found: list[Passage] = []
    named = _entities_by_name(kb)
    for topic_id, topic in kb.topics.items():
        for fact in topic.facts:
            found.extend(_of_fact(kb, topic_id, topic.title, fact, named))
    if kb.asked:
        by_word: dict[str, list[Asked]] = {}  # by the first word of the text they begin
        for asked in kb.asked:
            by_word.setdefault(first_word(asked.passage), []).append(asked)
        found = [_with_asked(p, by_word.get(first_word(p.text), [])) for p in found]
    return found


def first_word(text: str) -> str:
    """The text's first word (passages and `asked` entries are matched by it)."""
    return text.split(maxsplit=1)[0] if text.strip() else ""


def _with_asked(passage: Passage, asked: list[Asked]) -> Passage:
    lines = [line for a in asked if passage.text.startswith(a.passage) for line in a.lines]
    return structs.replace(passage, asked="\n".join(lines)) if lines else passage


def _entities_by_name(kb: KnowledgeBase) -> dict[str, Entity]:
    """Each entity under its name and aliases, lower-cased (the first entity to claim one)."""
    named: dict[str, Entity] = {}
    for entity in kb.all_entities():
        if entity.type in TAGS:
            for name in (entity.name, *entity.aliases):
                named.setdefault(name.lower(), entity)
    return named


def _of_fact(
    kb: KnowledgeBase, topic_id: str, title: str, fact: Fact, named: dict[str, Entity]
) -> Iterator[Passage]:
    citation = Citation(fact.source.id, fact.source.title, fact.section)
    tagged = [(tag, value) for tag in TAGS if (value := getattr(fact, tag)) is not None]
    tags = tuple(f"{tag}:{value}" for tag, value in tagged)
    names = " ".join(
        " ".join((e.name, *e.aliases)) for tag, value in tagged if (e := kb.entity(tag, value))
    )
    heading = fact.question or (f"{title}: {fact.name}" if fact.name else title)

    def make(text: str, head: str = heading, label: str = "") -> Passage:
        return Passage(text.strip(), head, citation, topic_id, tags, names, label=label)

    if fact.pay is not None:
        yield make(f"{fact.name or title}: {fact.pay} {fact.pay.basis_label}", title)
    if fact.count is not None:
        yield make(f"{fact.name or title}: {fact.count}", title)
    if fact.text:  # labelled by its name, unless its items are (they say it in short)
        # about each entity of the kind it is tagged with that its items are ("... a senior or
        # principal ML engineer or even architect", tagged with the senior ML engineer and listing
        # "Principal ML engineer"), as well as that one
        listed = [e for item in fact.items if (e := named.get(str(item).lower())) is not None]
        kinds = {tag for tag, _ in tagged}
        extra = [e for e in listed if e.type in kinds and f"{e.type}:{e.id}" not in tags]
        yield Passage(
            fact.text.strip(),
            heading,
            citation,
            topic_id,
            (*tags, *dict.fromkeys(f"{e.type}:{e.id}" for e in extra)),
            " ".join((names, *(" ".join((e.name, *e.aliases)) for e in extra))).strip(),
            label="" if fact.items else fact.name or "",
        )
    items_head = f"{heading}: {fact.text}" if fact.text and len(fact.text) < 80 else heading
    for item in fact.items:
        # an item headed by an entity's name ("Finance: banks use ML for fraud detection") is
        # about that entity, though the fact as a whole is tagged with none
        entity = named.get(item.name.lower()) if item.name else None
        tag = f"{entity.type}:{entity.id}" if entity else ""
        label = (item.name if item.text else "") or fact.name or ""
        if entity is None or tag in tags:
            yield make(str(item), items_head, label)
        else:
            yield Passage(
                str(item).strip(),
                items_head,
                citation,
                topic_id,
                (*tags, tag),
                " ".join((names, entity.name, *entity.aliases)).strip(),
                label=label,
            )
