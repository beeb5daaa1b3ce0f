"""The blind evaluation sets (written from the guides
alone): answers with the right facts, honest declines.

Each set lies in `evaluation/dev/` (failures may be read) and `evaluation/sealed/` (only run, never
read, never tuned on). A question row: `text`, `style`, `expect` (answer | decline), `facts` (each a
string or a list of alternatives, all required); a dialogue: `turns` of such rows with `user` for
`text` and optional `not` (strings that must not appear).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..engine import Engine
from ..errors import UsageError
from ..reply import Reply

HALVES = ("dev", "sealed")
#: question sets reported on their own, not added to the persona sets: these names, numbered or not
SEPARATE = ("forum", "nearmiss", "longposts")
ANSWERING = ("answer", "retrieved", "multi", "act")
_DASHES = re.compile("[\u2010-\u2015\u2212-]+")
_SPACE = re.compile(r"\s+")


@dataclass
class Tally:
    """Passed out of total, for one group of rows."""

    passed: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.passed += ok
        self.total += 1

    @property
    def rate(self) -> float:
        return self.passed / self.total if self.total else 0.0


@dataclass
class SetReport:
    """One set's figures: in-scope answered with the facts, declines, by style, and failures."""

    name: str
    half: str
    answered: Tally = field(default_factory=Tally)
    declined: Tally = field(default_factory=Tally)
    by_style: dict[str, Tally] = field(default_factory=dict)
    conversations: Tally = field(default_factory=Tally)
    failures: list[str] = field(default_factory=list)

    @property
    def overall(self) -> Tally:
        return Tally(
            self.answered.passed + self.declined.passed, self.answered.total + self.declined.total
        )


def _relaxed(text: str) -> str:
    text = _DASHES.sub("-", text.casefold().replace("\u2019", "'"))
    return _SPACE.sub(" ", text)


def missing(reply_text: str, facts: Iterable[Any]) -> list[str]:
    """The facts (a string, or a list of alternatives) that the reply does not contain."""
    text = _relaxed(reply_text)
    out = []
    for fact in facts or ():
        options = fact if isinstance(fact, list) else [fact]
        if not any(_relaxed(str(option)) in text for option in options):
            out.append(" | ".join(str(o) for o in options))
    return out


def judge(reply: Reply, row: dict[str, Any]) -> tuple[bool, str]:
    """Whether a reply is right for a row, and what was wrong."""
    if row.get("expect") == "decline":
        return (
            reply.kind == "decline",
            "" if reply.kind == "decline" else f"answered ({reply.kind})",
        )
    facts = row.get("facts") or ()
    # a turn asking nothing the guides hold (a greeting, thanks) is answered by small talk too
    if reply.kind not in ANSWERING and (facts or reply.kind != "smalltalk"):
        return False, f"not answered ({reply.kind})"
    lacking = missing(reply.text, facts)
    present = [s for s in row.get("not") or () if _relaxed(str(s)) in _relaxed(reply.text)]
    problems = ([f"missing {lacking}"] if lacking else []) + ([f"has {present}"] if present else [])
    return not problems, "; ".join(problems)


def run_set(engine: Engine, path: Path, half: str) -> SetReport:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UsageError(f"{path} cannot be read: {exc}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: expected a mapping with 'questions:' or 'dialogues:'")
    report = SetReport(str(data.get("set") or path.stem), half)
    if "dialogues" in data:
        for d, dialogue in enumerate(data["dialogues"]):
            session = f"blind-{path.stem}-{d}"
            engine.reset(session)
            all_ok = True
            for turn in dialogue.get("turns") or ():
                ok = _score(engine, report, {**turn, "text": turn["user"]}, session)
                all_ok = all_ok and ok
            report.conversations.add(all_ok)
            engine.reset(session)
        return report
    for i, row in enumerate(data.get("questions") or ()):
        session = f"blind-{path.stem}-{i}"
        _score(engine, report, row, session)
        engine.reset(session)
    return report


def _score(engine: Engine, report: SetReport, row: dict[str, Any], session: str) -> bool:
    reply = engine.reply(str(row["text"]), session=session)
    ok, why = judge(reply, row)
    (report.declined if row.get("expect") == "decline" else report.answered).add(ok)
    if row.get("expect") != "decline":
        report.by_style.setdefault(str(row.get("style") or "plain"), Tally()).add(ok)
    if not ok and report.half == "dev":
        report.failures.append(f"[{report.name}] {row['text'][:300]!r}: {why}")
    return ok


def find_sets(folder: Path, halves: Sequence[str] = HALVES) -> list[tuple[str, Path]]:
    """(half, file) of every set in the folder's halves, in order; a UsageError when none is."""
    found = [(half, path) for half in halves for path in sorted((folder / half).glob("*.yaml"))]
    if not found:
        where = " or ".join(f"{half}/*.yaml" for half in halves)
        raise UsageError(f"no blind sets in {folder} (looked for {where}); pass --sets DIR")
    return found


def run_all(engine: Engine, sets: Sequence[tuple[str, Path]]) -> list[SetReport]:
    """Run the sets `find_sets` found."""
    return [run_set(engine, path, half) for half, path in sets]


def combined(reports: Sequence[SetReport], name: str, half: str) -> SetReport:
    """The question sets of one half added up (dialogues and the SEPARATE sets stay apart)."""
    total = SetReport(name, half)
    for r in reports:
        if r.half != half or r.conversations.total or r.name.rstrip("0123456789") in SEPARATE:
            continue
        for mine, theirs in ((total.answered, r.answered), (total.declined, r.declined)):
            mine.passed += theirs.passed
            mine.total += theirs.total
        for style, tally in r.by_style.items():
            mine = total.by_style.setdefault(style, Tally())
            mine.passed += tally.passed
            mine.total += tally.total
    return total


def _pct(tally: Tally) -> str:
    return f"{100 * tally.rate:5.1f}% ({tally.passed}/{tally.total})" if tally.total else "      -"


def table(reports: Sequence[SetReport]) -> list[str]:
    """Lines of a report: per set and half, in-scope answered, declines, by style, conversations."""
    reports = [*reports, *(combined(reports, "persona sets", half) for half in HALVES)]
    styles = sorted({s for r in reports for s in r.by_style})
    lines = [f"{'set':24} {'answered right':>20} {'declined right':>20}  by style"]
    for r in reports:
        per_style = ", ".join(
            f"{s} {100 * r.by_style[s].rate:.0f}%" for s in styles if s in r.by_style
        )
        conv = f", whole conversations {_pct(r.conversations)}" if r.conversations.total else ""
        lines.append(
            f"{r.name + ' (' + r.half + ')':24} {_pct(r.answered):>20} {_pct(r.declined):>20}  "
            f"{per_style}{conv}"
        )
    return lines
