"""Reading content YAML safely: the C loader when present, duplicate keys refused, lines found."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import Problem

if TYPE_CHECKING:
    import yaml

# PyYAML is imported only when a file is parsed: a start from the cached content needs none of it.


@cache
def _loader() -> Any:
    """The C safe loader when present, refusing a key given twice in one mapping."""
    import yaml

    class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
        """Safe loader that refuses a key given twice in one mapping (PyYAML keeps the last)."""

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    return Loader


def _construct_mapping(loader: Any, node: yaml.MappingNode, deep: bool = False) -> dict:
    import yaml

    loader.flatten_mapping(node)
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:  # a mapping or list used as a key ("? {a: 1}")
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"a key must be a plain value, not {type(key).__name__}",
                key_node.start_mark,
            ) from None
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first given on line {seen[key] + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


def read(path: Path, label: str) -> tuple[Any, Problem | None]:
    """Parse one YAML file; on failure return the problem (file, line, what is wrong)."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, Problem(label, "", f"cannot be read: {exc}")
    try:
        return yaml.load(text, Loader=_loader()), None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        return None, Problem(label, "", f"invalid YAML: {what}", line)
    except yaml.YAMLError as exc:
        return None, Problem(label, "", f"invalid YAML: {exc}")


def locate(path: Path, keys: tuple[Any, ...]) -> int | None:
    """Line (1-based) of the node at `keys` in the file, or of its nearest existing parent.

    Only called when a problem is reported, so composing the node tree again is fine.
    """
    import yaml

    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for key in keys:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == str(key)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            child = node.value[key]
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line
