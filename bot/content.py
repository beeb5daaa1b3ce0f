"""Where the content lives: the checkout's folders, or the copy shipped inside the wheel."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ContentError, Problem

_PACKAGE = Path(__file__).resolve().parent


def default_root() -> Path:
    """The folder holding `intents/` and `knowledge/`.

    `$CAREERBOT_CONTENT` wins; then a source checkout (the folders beside the package);
    then the copy an installed wheel carries in `bot/content/`.
    """
    override = os.environ.get("CAREERBOT_CONTENT")
    candidates = [Path(override)] if override else [_PACKAGE.parent, _PACKAGE / "content"]
    for root in candidates:
        if (root / "intents").is_dir() and (override or (root / "knowledge").is_dir()):
            return root
    raise ContentError(
        [Problem(str(candidates[0]), "", "no 'intents' folder found here (set CAREERBOT_CONTENT)")]
    )


def resolve(path: str | os.PathLike[str] | None) -> tuple[Path, Path | None]:
    """(intents folder, knowledge folder or None) for a content root or a bare intents folder."""
    root = default_root() if path is None else Path(path)
    if not root.is_dir():
        raise ContentError([Problem(str(root), "", "is not a folder")])
    if (root / "intents").is_dir():
        knowledge = root / "knowledge"
        return root / "intents", knowledge if knowledge.is_dir() else None
    return root, None
