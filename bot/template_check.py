"""Checking answer templates: each one rendered with every slot value when the content is built,
and read without rendering when other problems stop the build; every problem names its line.

A template error is found in the intent's `answer` (or `why`) text; its line in the YAML file is
the line where that text starts plus the line within the template (exact for `|` block text, the
style every answer uses).
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import msgspec
import yaml
from jinja2 import Environment, TemplateError, nodes

from . import yamlfile
from .errors import ContentError, Problem
from .intents import Intent, IntentSet
from .knowledge import KnowledgeBase
from .render import Renderer
from .restore import PROFILE_TYPES
from .session import Profile
from .slots import SlotFiller

#: what a template may read that it does not set itself (besides its slots): see Renderer.render,
#: SlotFiller.values, and Jinja's own `loop`
CONTEXT_NAMES = frozenset(
    ["mentioned", "profile", "facts", "fact", "entities", "entity", "cite", "bullets", "limit"]
    + ["decline", "detail", "sources", "loop"]
)
_TEMPLATE_FILE = "<template>"  # the file name Jinja gives the frames of a template's code

_NONE = re.compile(r"\bNone\b")  # Python's None printed into an answer


def render_all(
    intents: IntentSet,
    knowledge: KnowledgeBase | None,
    renderer: Renderer,
    slots: SlotFiller,
    root: Path | None = None,
) -> tuple[list[Problem], set[str]]:
    """Render every intent's answer with each slot empty and filled by each entity of its type,
    at both levels of detail, and its `why`: (a problem for each template that fails, the
    knowledge topics the answers reached). `root` (the folder the files' labels start from)
    lets each problem name its line in the file."""
    problems: list[Problem] = []
    reached: set[str] = set()
    for intent in intents.intents:
        found = [_render_answer(intent, knowledge, renderer, slots, reached)]
        if intent.why:
            values = slots.values(intent, {}, Profile())
            found.append(_render(renderer, intent, "why", values, 0, reached))
        problems.extend(_in_file(problem, root) for problem in found if problem is not None)
    return problems, reached


def _render_answer(
    intent: Intent,
    kb: KnowledgeBase | None,
    renderer: Renderer,
    slots: SlotFiller,
    reached: set[str],
) -> Problem | None:
    trials: list[tuple[dict[str, str], Profile]] = [({}, Profile()), ({}, _full_profile(kb))]
    for slot, type_ in intent.slots.items():
        trials.extend(
            ({slot: id_}, Profile()) for id_ in (kb.entities.get(type_, {}) if kb else {})
        )
    for filled, profile in trials:
        values = slots.values(intent, filled, profile)
        for detail in (0, 1):
            problem = _render(renderer, intent, "answer", values, detail, reached)
            if problem is not None:
                return problem
    return None


def _full_profile(kb: KnowledgeBase | None) -> Profile:
    """A profile with every field set (to the first entity of its type), so the templates' paths
    for someone who told about themselves are rendered too."""
    profile = Profile(years=5, student=True)
    for field, type_ in PROFILE_TYPES.items():
        first = next(iter(kb.entities.get(type_, {})), None) if kb else None
        if first is not None:
            setattr(profile, field, [first] if isinstance(getattr(profile, field), list) else first)
    return profile


def _render(
    renderer: Renderer,
    intent: Intent,
    field: str,
    values: Mapping[str, Any],
    detail: int,
    reached: set[str],
) -> Problem | None:
    key = intent.name if field == "answer" else f"{intent.name}.{field}"
    source = intent.answer if field == "answer" else intent.why or ""
    try:
        rendered = renderer.render(key, source, values, detail)
        reached |= rendered.topics
        if _NONE.search(rendered.text):  # "Cloud Platforms: None": a missing value printed
            raise TemplateError("it prints None, a value the knowledge does not have")
    except Exception as exc:  # noqa: BLE001 - any failure inside a template is a content problem
        what = "template error" if isinstance(exc, TemplateError) else "template failed"
        detail_text = f"{exc}" if isinstance(exc, TemplateError) else f"{type(exc).__name__}: {exc}"
        if values_named := _filled(values, intent):
            detail_text += f" (with {values_named})"
        return Problem(intent.file, key, f"{what}: {detail_text}", _template_line(exc))
    return None


def _filled(values: Mapping[str, Any], intent: Intent) -> str:
    """The slot values of a failing render, as `slot=id`, so the failing case can be tried."""
    return ", ".join(f"{slot}={v.id}" for slot in intent.slots if (v := values.get(slot)))


def _template_line(exc: BaseException) -> int | None:
    """The line within the template where rendering failed (the innermost template frame)."""
    lines = [
        line
        for frame, line in traceback.walk_tb(exc.__traceback__)
        if frame.f_code.co_filename == _TEMPLATE_FILE
    ]
    return lines[-1] if lines else None


# -- lines in the files ------------------------------------------------------------------------


def in_files(problems: Iterable[Problem], root: Path | None) -> list[Problem]:
    """Problems whose line is a line within a template (as the Renderer reports syntax errors),
    given the line in the YAML file instead."""
    return [_in_file(p, root) for p in problems]


def _in_file(problem: Problem, root: Path | None) -> Problem:
    """`problem.line`, a line within the template, moved into the message ("line 3 of the
    answer"), and the line in the file in its place when it can be found."""
    name, _, field = problem.path.partition(".")
    field = field or "answer"
    within = problem.line
    message = problem.message + (f" (line {within} of the {field})" if within else "")
    start = _text_start(root / problem.file, name, field) if root is not None else None
    line = None if start is None else start + (within - 1 if within else 0)
    return msgspec.structs.replace(problem, message=message, line=line)


@cache
def _nodes(path: Path) -> Any:
    try:
        return yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def _text_start(path: Path, intent: str, field: str) -> int | None:
    """The line (1-based) where the `field` text of the intent named `intent` starts."""
    root = _nodes(path)
    intents = _child(root, "intents")
    if not isinstance(intents, yaml.SequenceNode):
        return None
    for entry in intents.value:
        name = _child(entry, "name")
        if isinstance(name, yaml.ScalarNode) and name.value == intent:
            text = _child(entry, field)
            if text is None:
                return None
            block = isinstance(text, yaml.ScalarNode) and text.style in ("|", ">")
            return text.start_mark.line + 1 + (1 if block else 0)
    return None


def _child(node: Any, key: str) -> Any:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((v for k, v in node.value if k.value == key), None)


# -- without rendering -------------------------------------------------------------------------


def scan(intents_dir: Path) -> list[Problem]:
    """Template problems found without the knowledge base, for when other problems stop the
    build: syntax errors, and names a template reads that nothing sets. Every intent of every
    file that parses is read, whatever else is wrong with it."""
    _nodes.cache_clear()
    root = intents_dir.parent
    problems: list[Problem] = []
    parser = Environment(extensions=["jinja2.ext.do"])
    renderer = Renderer(None)
    for path in sorted(intents_dir.rglob("*.yaml")):
        label = str(path.relative_to(root))
        data, problem = yamlfile.read(path, label)
        entries = data.get("intents") if isinstance(data, Mapping) else None
        if problem is not None or not isinstance(entries, list):
            continue
        for entry in entries:
            for key, source, slots in _templates(entry):
                found = _scan_one(renderer, parser, label, key, source, slots)
                problems.extend(in_files(found, root))
    _nodes.cache_clear()
    return problems


def _templates(entry: Any) -> Iterable[tuple[str, str, set[str]]]:
    if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
        return
    slots = entry.get("slots")
    names = {str(s) for s in slots} if isinstance(slots, Mapping) else set()
    for field in ("answer", "why"):
        if isinstance(entry.get(field), str):
            key = entry["name"] if field == "answer" else f"{entry['name']}.{field}"
            yield key, entry[field], names


def _scan_one(
    renderer: Renderer, parser: Environment, label: str, key: str, source: str, slots: set[str]
) -> list[Problem]:
    try:
        renderer.precompile({key: (source, label)})
    except ContentError as exc:
        return exc.problems
    tree = parser.parse(source)
    names = list(tree.find_all(nodes.Name))
    set_here = {n.name for n in names if n.ctx != "load"}
    unknown = sorted(
        {n.name for n in names if n.ctx == "load"}
        - set_here
        - slots
        - CONTEXT_NAMES
        - set(parser.globals)
    )
    lines = {n.name: n.lineno for n in names if n.ctx == "load"}
    return [
        Problem(label, key, f"template error: {name!r} is undefined", lines[name])
        for name in unknown
    ]


def check_build(
    intents: IntentSet,
    knowledge: KnowledgeBase | None,
    renderer: Renderer,
    root: Path | None,
) -> None:
    """Raise ContentError when some template fails to render (see `render_all`)."""
    _nodes.cache_clear()
    problems, _ = render_all(intents, knowledge, renderer, SlotFiller(intents, knowledge), root)
    _nodes.cache_clear()
    if problems:
        raise ContentError(problems)
