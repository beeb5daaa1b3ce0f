"""Where the content lives: the checkout's folders, or the copy shipped inside the wheel."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ContentError, Problem

_PACKAGE = Path(__file__).resolve().parent


def default_root() -> Path:
    """The folder holding `intents/` and `knowledge/`.

    A source checkout's (the folders beside the package), else the copy an installed wheel
    carries in `bot/content/`. (`$CAREERBOT_CONTENT` is read by the command line, which passes
    the folder it names.)
    """
    candidates = [_PACKAGE.parent, _PACKAGE / "content"]
    for root in candidates:
        if (root / "intents").is_dir() and (root / "knowledge").is_dir():
            return root
    raise ContentError(
        [Problem(str(candidates[-1]), "", "no 'intents' folder found here (pass a content folder)")]
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
