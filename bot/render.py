"""Rendering answer templates (sandboxed Jinja2)
against the knowledge base, recording the facts used.
"""

from __future__ import annotations

import marshal
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, pass_context
from jinja2.sandbox import SandboxedEnvironment
from msgspec import Struct

from .errors import ContentError, Problem
from .knowledge import Entity, Fact, KnowledgeBase
from .reply import Citation

_BLANK_LINES = re.compile(r"\n{3,}")
RENDERED = 4096  # renders kept: an answer is a function of its template and values alone
_TRAILING_SPACE = re.compile(r"[ \t]+\n")


class Rendered(Struct, frozen=True):
    text: str
    citations: tuple[Citation, ...]  # of every fact cited, in order of first use
    topics: frozenset[str]
    specific: bool  # the answer used facts tagged with one of its slot values
    # the template said the guides lack what was asked (called decline()) before citing anything:
    # "senior pay in tech" answers the level, then declines the industry, and is an answer
    declined: bool = False
    facts: tuple[Fact, ...] = ()  # every fact the template looked up, in order (maybe repeated)


class _Use:
    """What one render touched: which facts (for citations) and whether any list was cut."""

    def __init__(self, kb: KnowledgeBase | None, detail: int) -> None:
        self.kb, self.detail = kb, detail
        self.citations: dict[Citation, None] = {}
        self.looked_up: list[Fact] = []  # not deduplicated here: hashing every fact costs
        self.topics: set[str] = set()
        self.specific = False  # some fact was looked up by a slot's entity and found
        self.declined = False
        self.slot_ids: set[str] = set()

    def decline(self) -> str:
        """Mark the answer as an honest "the guides don't give that" (what it then says is the
        reply's text); returns "" so a template can call it inline. Once something is cited, the
        answer has answered part of the question, and stays an answer."""
        self.declined = self.declined or not self.citations
        return ""

    def _kb(self) -> KnowledgeBase:
        if self.kb is None:
            raise TemplateError("this content has no knowledge base")
        return self.kb

    def facts(self, topic: str, **tags: Any) -> list[Fact]:
        tags = {k: (v.id if isinstance(v, Entity) else v) for k, v in tags.items()}
        try:
            found = self._kb().facts(topic, **tags)
        except KeyError as exc:
            raise TemplateError(str(exc.args[0])) from None
        self.topics.add(topic)
        self.looked_up.extend(found)
        if found and self.slot_ids & {v for v in tags.values() if v is not None}:
            self.specific = True
        return found

    def naming(self, text: object, entity: Entity) -> bool:
        """The `naming` test; a fact found naming a slot's entity makes the answer specific."""
        found = _names(text, entity)
        if found and entity.id in self.slot_ids:
            self.specific = True
        return found

    def fact(self, topic: str, **tags: Any) -> Fact | None:
        found = self.facts(topic, **tags)
        return found[0] if found else None

    def entities(self, type_: str) -> list[Entity]:
        return list(self._kb().entities.get(type_, {}).values())

    def entity(self, type_: str, id_: str) -> Entity | None:
        return self._kb().entity(type_, id_)

    def cite(self, fact: Fact) -> str:
        """The title of the fact's guide; citing is what puts a guide in the reply's sources."""
        self.citations.setdefault(Citation(fact.source.id, fact.source.title, fact.section), None)
        return fact.source.title

    def limit(self, values: Iterable[Any], n: int) -> list[Any]:
        """The first n values, or all of them once the user asked for more detail."""
        values = list(values)
        return values if self.detail > 0 else values[:n]

    def bullets(
        self, facts: Iterable[Fact], n: int = 6, cite: bool = True, numbered: bool = False
    ) -> str:
        """Each fact's text and items as lines, under the title of its guide when citing."""
        blocks: list[str] = []
        last_source = None
        for f in facts:
            lines = []
            if cite and f.source.id != last_source:
                lines.append(f"From {self.cite(f)}:")
            last_source = f.source.id
            if f.name and f.text and not f.items:
                lines.append(f"- {f.name}: {f.text}")
            else:
                if f.name and f.items and not f.pay:
                    lines.append(f"{f.name}:")
                if f.text:
                    lines.append(f.text)
            for i, item in enumerate(self.limit(f.items, n), 1):
                lines.append(f"{i}. {item}" if numbered else f"- {item}")
            if blocks and cite and lines and not lines[0].startswith("From "):
                blocks[-1] += "\n" + "\n".join(lines)
            else:
                blocks.append("\n".join(lines))
        return "\n\n".join(blocks)


@pass_context
def _cite(context: Any, fact: Fact) -> str:
    return context["cite"](fact)


def _with_article(name: object) -> str:
    """ "a nurse", "an accountant", "an AI Engineer": the indefinite article a name takes by
    its first letter."""
    text = str(name)
    return ("an " if text[:1].lower() in "aeio" else "a ") + text


@pass_context
def _naming(context: Any, text: object, entity: Entity) -> bool:
    return bool(context["_naming"](text, entity))


def _names(text: object, entity: Entity) -> bool:
    """Whether text (or a fact's name and text) names the entity as whole words, ignoring case."""
    if isinstance(text, Fact):
        text = f"{text.name or ''} {text.text or ''}"
    return _name_pattern(entity.name, entity.aliases).search(str(text or "")) is not None


@lru_cache(maxsize=1024)
def _name_pattern(name: str, aliases: tuple[str, ...]) -> re.Pattern[str]:
    """An entity's names as whole words, ignoring case (a template may test each of many facts)."""
    words = "|".join(re.escape(w) for w in (name, *aliases))
    return re.compile(rf"(?<![\w+#])(?:{words})(?![\w+#])", re.IGNORECASE)


class _Sandbox(SandboxedEnvironment):
    """The sandbox, remembering its verdict on each (type, attribute): the verdict depends on
    nothing else, and templates read the same attributes of the same types at every reply."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._verdicts: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        key = (type(obj), attr)
        safe = self._verdicts.get(key)
        if safe is None:
            safe = self._verdicts[key] = super().is_safe_attribute(obj, attr, value)
        return safe


class Renderer:
    """Renders templates in a sandbox with strict undefined; each is compiled once, on first use,
    from the code `precompile` made (cached with the compiled content), else from its source."""

    def __init__(self, kb: KnowledgeBase | None, code: Mapping[str, bytes] | None = None) -> None:
        self.kb = kb
        self._code = dict(code or {})
        self._env = _Sandbox(
            undefined=StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.filters["cite"] = _cite
        self._env.filters["a"] = _with_article
        # "x is search('word')": case-insensitive substring test over optional text
        self._env.tests["search"] = lambda value, needle: needle.lower() in str(value or "").lower()
        self._env.tests["naming"] = _naming
        self._compiled: dict[str, Any] = {}
        self._lock = threading.Lock()
        # the same intent with the same slots and profile renders the same answer: kept, the
        # oldest dropped first, so a long-running bot renders each answer once
        self._rendered: OrderedDict[tuple[object, ...], Rendered] = OrderedDict()
        self._names: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = {}

    def compile(self, key: str, source: str) -> Any:
        template = self._compiled.get(key)
        if template is None:
            with self._lock:
                template = self._compiled.get(key) or self._load(key, source)
                self._compiled[key] = template
        return template

    def _load(self, key: str, source: str) -> Any:
        code = self._code.get(key)
        if code is None:
            return self._compiler().from_string(source)
        return self._env.template_class.from_code(
            self._env, marshal.loads(code), self._env.make_globals(None)
        )

    def _compiler(self) -> SandboxedEnvironment:
        """The environment, ready to compile source: the `do` statement is a compile-time extension,
        so running code compiled earlier needs neither it nor its import."""
        if not self._env.extensions:
            self._env.add_extension("jinja2.ext.do")
        return self._env

    def precompile(self, templates: Mapping[str, tuple[str, str]]) -> dict[str, bytes]:
        """Each template (key -> (source, file)) compiled to marshalled Python code; a template that
        does not compile is a ContentError naming its file."""
        code: dict[str, bytes] = {}
        problems = []
        for key, (source, file) in templates.items():
            try:
                code[key] = marshal.dumps(self._compiler().compile(source, name=key))
            except TemplateSyntaxError as exc:
                problems.append(Problem(file, key, f"template error: {exc.message}", exc.lineno))
        if problems:
            raise ContentError(problems)
        return code

    def render(self, key: str, source: str, values: Mapping[str, Any], detail: int = 0) -> Rendered:
        """Render a template; user text only ever arrives as values, never as template code."""
        # the answer depends on the values the template names (it includes no other template),
        # and on which entities fill slots: not on a profile it never reads
        slot_ids = frozenset(v.id for v in values.values() if isinstance(v, Entity))
        used = {name: values[name] for name in self._named(source, tuple(values))}
        memo = (key, source, detail, slot_ids, _frozen(used))
        try:
            hash(memo)
        except TypeError:  # a value that may change (not an entity, a mapping or a list)
            return self._render(key, source, values, detail)
        with self._lock:
            rendered = self._rendered.get(memo)
            if rendered is not None:
                self._rendered.move_to_end(memo)
                return rendered
        rendered = self._render(key, source, values, detail)
        with self._lock:
            self._rendered[memo] = rendered
            if len(self._rendered) > RENDERED:
                self._rendered.popitem(last=False)
        return rendered

    def _named(self, source: str, names: tuple[str, ...]) -> tuple[str, ...]:
        """Those of the names a template's source holds as a word."""
        memo = (source, names)
        named = self._names.get(memo)
        if named is None:
            named = tuple(n for n in names if re.search(rf"\b{re.escape(n)}\b", source))
            with self._lock:
                self._names[memo] = named
        return named

    def _render(self, key: str, source: str, values: Mapping[str, Any], detail: int) -> Rendered:
        use = _Use(self.kb, detail)
        use.slot_ids = {v.id for v in values.values() if isinstance(v, Entity)}
        context = dict(values)
        context.update(
            facts=use.facts,
            decline=use.decline,
            fact=use.fact,
            entities=use.entities,
            entity=use.entity,
            cite=use.cite,
            _naming=use.naming,
            bullets=use.bullets,
            limit=use.limit,
            detail=detail,
            sources=list(self.kb.sources.values()) if self.kb else [],
        )
        text = self.compile(key, source).render(context)
        text = _BLANK_LINES.sub("\n\n", _TRAILING_SPACE.sub("\n", text)).strip()
        return Rendered(
            text,
            tuple(use.citations),
            frozenset(use.topics),
            use.specific,
            use.declined,
            tuple(use.looked_up),
        )

    def check(
        self, key: str, source: str, file: str, values: Mapping[str, Any], detail: int = 0
    ) -> tuple[Rendered | None, Problem | None]:
        """Render for validation: a template error becomes a problem naming the intent's file."""
        try:
            return self._render(key, source, values, detail), None
        except TemplateError as exc:
            return None, Problem(file, key, f"template error: {exc}")
        except Exception as exc:  # noqa: BLE001 - any failure inside a template is a content problem
            return None, Problem(file, key, f"template failed: {type(exc).__name__}: {exc}")


def _frozen(value: Any) -> object:
    """A template value as a hashable key: mappings and lists as tuples (entities are frozen)."""
    if isinstance(value, Mapping):
        return tuple((k, _frozen(v)) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return (type(value).__name__, *(_frozen(v) for v in value))
    return value
