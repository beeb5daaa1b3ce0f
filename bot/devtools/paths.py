"""Where the developer tools find their data: the path given on the command line, else the source
checkout's own (the labelled sets, the blind sets and CLINC150 do not ship in the wheel)."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import UsageError


def _checkout() -> Path | None:
    root = Path(__file__).resolve().parents[2]
    return root if (root / "pyproject.toml").is_file() and (root / "tests").is_dir() else None


#: the source checkout this package runs from; None when it is installed (from a wheel, say)
CHECKOUT = _checkout()

#: defaults, relative to the checkout (CLINC150 lies beside it, in the shared folder)
QUESTIONS = "tests/data/questions.yaml"
DIALOGUES = "tests/data/dialogues.yaml"
HELDOUT = "tests/data/heldout_questions.yaml"
DEV = "tests/data/dev_questions.yaml"
SETS = "evaluation"
CLINC = "../shared/clinc150/data_full.json"


def default(relative: str) -> Path | None:
    """A default path in the checkout, or None when there is no checkout."""
    return None if CHECKOUT is None else Path(os.path.normpath(CHECKOUT / relative))


def given_or_default(
    given: str | os.PathLike[str] | None, relative: str, flag: str, what: str, folder: bool = False
) -> Path:
    """The path given with `flag`, else the checkout's default; a UsageError naming the flag to
    pass when the path is missing, so an installed package fails with a clear message."""
    kind = "DIR" if folder else "FILE"
    exists = Path.is_dir if folder else Path.is_file
    if given is not None:
        path = Path(given)
        if not exists(path):
            raise UsageError(f"no {what} at {path} ({flag})")
        return path
    path_or_none = default(relative)
    if path_or_none is None:
        raise UsageError(
            f"no {what}: the default ({relative}, relative to a source checkout) does not apply "
            f"to an installed package; pass {flag} {kind}"
        )
    if not exists(path_or_none):
        raise UsageError(f"no {what} at {path_or_none}; pass {flag} {kind}")
    return path_or_none
