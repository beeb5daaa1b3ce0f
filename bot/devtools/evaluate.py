"""`careerbot eval`: intent accuracy, answer facts,
out-of-scope rejection and dialogue pass rate.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import yaml

from ..engine import Engine
from ..errors import UsageError
from . import blind, paths
from .stats import Scores
from .stats import choose_threshold as best_threshold

#: the bars the test suite holds the engine to
BARS = {
    "intent_accuracy": 0.95,
    "fact_pass_rate": 0.95,
    "oos_rejection": 0.90,
    "dialogue_pass_rate": 0.95,
    "heldout_intent_accuracy": 0.95,
    "heldout_fact_pass_rate": 0.95,
    "heldout_oos_rejection": 0.90,
}


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


@dataclass
class Failure:
    where: str
    text: str
    expected: str | None
    got: str | None
    missing: list[str] = field(default_factory=list)


@dataclass
class QuestionReport:
    in_scope: int = 0
    intent_correct: int = 0
    with_facts: int = 0
    facts_passed: int = 0
    out_of_scope: int = 0
    rejected: int = 0
    smalltalk: int = 0
    smalltalk_correct: int = 0
    confusions: Counter = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)

    @property
    def intent_accuracy(self) -> float:
        return _share(self.intent_correct, self.in_scope)

    @property
    def fact_pass_rate(self) -> float:
        return _share(self.facts_passed, self.with_facts)

    @property
    def oos_rejection(self) -> float:
        return _share(self.rejected, self.out_of_scope)

    @property
    def smalltalk_accuracy(self) -> float:
        return _share(self.smalltalk_correct, self.smalltalk)


@dataclass
class DialogueReport:
    dialogues: int = 0
    turns: int = 0
    passed: int = 0
    failures: list[Failure] = field(default_factory=list)

    @property
    def pass_rate(self) -> float:
        return _share(self.passed, self.turns)


#: the thresholds `--calibrate` tries
GRID = [step / 100 for step in range(5, 96)]
#: the thresholds `--calibrate` tries on the blind development halves (the whole pipeline each)
BLIND_GRID = [step / 100 for step in range(20, 81)]
#: a path given on the command line, or None for the checkout's default
Given = str | Path | None


def _load(path: Path, key: str) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UsageError(f"{path} cannot be read: {exc}") from None
    rows = data.get(key) if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise UsageError(f"{path}: expected a top-level '{key}:' list")
    return rows


def load_questions(path: Given = None) -> list[dict[str, Any]]:
    """The labelled questions: `path`, else the checkout's (UsageError naming --questions)."""
    found = paths.given_or_default(path, paths.QUESTIONS, "--questions", "labelled questions")
    return _load(found, "questions")


def load_dialogues(path: Given = None) -> list[dict[str, Any]]:
    found = paths.given_or_default(path, paths.DIALOGUES, "--dialogues", "dialogue scripts")
    return _load(found, "dialogues")


def load_heldout(path: Given = None) -> list[dict[str, Any]]:
    found = paths.given_or_default(path, paths.HELDOUT, "--heldout", "held-out questions")
    return _load(found, "questions")


def load_dev(path: Given = None) -> list[dict[str, Any]]:
    found = paths.given_or_default(path, paths.DEV, "--dev", "development questions")
    return _load(found, "questions")


def choose_threshold(engine: Engine, rows: Sequence[dict[str, Any]]) -> Scores:
    """The fallback threshold of GRID maximising the mean of in-scope accuracy and out-of-scope
    rejection on development rows, with those figures there."""
    in_scope: list[tuple[bool, float]] = []
    oos: list[float] = []
    for row in rows:
        top = engine.understand(row["text"]).top
        confidence = top.score if top else 0.0
        if row.get("intent") is None:
            oos.append(confidence)
        else:
            in_scope.append((top is not None and top.intent == row["intent"], confidence))
    return best_threshold(in_scope, oos, candidates=GRID)


def with_threshold(engine: Engine, threshold: float) -> Engine:
    """The engine's content with another fallback threshold (nothing is compiled again)."""
    compiled = engine._compiled
    settings = msgspec.structs.replace(engine.settings, threshold=threshold)
    intents = dataclasses.replace(compiled.intents, settings=settings)
    return Engine(msgspec.structs.replace(compiled, intents=intents))


def choose_threshold_blind(
    engine: Engine, sets: Sequence[tuple[str, Path]], grid: Sequence[float] = BLIND_GRID
) -> tuple[float, float, float]:
    """(threshold, answered-right rate, declined-right rate): the threshold of the grid
    maximising the mean of the two rates on blind development sets (questions, forum posts and
    dialogue turns alike), the whole pipeline run at each; between equal choices the highest wins
    (saying "I don't know" wins)."""
    best: tuple[float, float, float] | None = None
    for threshold in grid:
        reports = blind.run_all(with_threshold(engine, threshold), sets)
        answered = _rate([r.answered for r in reports])
        declined = _rate([r.declined for r in reports])
        if best is None or (answered + declined) / 2 >= (best[1] + best[2]) / 2 - 1e-12:
            best = (threshold, answered, declined)
    assert best is not None
    return best


def _rate(tallies: Sequence[blind.Tally]) -> float:
    """The pass rate of tallies added up (each set weighs as many rows as it has)."""
    return _share(sum(t.passed for t in tallies), sum(t.total for t in tallies))


def missing_facts(text: str, facts: Sequence[str]) -> list[str]:
    lowered = text.lower()
    return [f for f in facts if str(f).lower() not in lowered]


def evaluate_questions(engine: Engine, rows: Sequence[dict[str, Any]]) -> QuestionReport:
    report = QuestionReport()
    for i, row in enumerate(rows):
        session = f"eval-question-{i}"
        reply = engine.reply(row["text"], session=session)
        engine.reset(session)
        expected = row.get("intent")
        if expected is None:
            report.out_of_scope += 1
            if reply.kind == "decline":
                report.rejected += 1
            else:
                report.failures.append(Failure("out of scope", row["text"], None, reply.intent))
            continue
        report.in_scope += 1
        category = engine.intent(expected).category
        correct = reply.intent == expected
        report.intent_correct += correct
        if category == "smalltalk":
            report.smalltalk += 1
            report.smalltalk_correct += correct
        if not correct:
            report.confusions[(expected, reply.intent)] += 1
        facts = row.get("facts") or []
        missing = missing_facts(reply.text, facts) if facts else []
        if facts:
            report.with_facts += 1
            report.facts_passed += not missing
        if not correct or missing:
            report.failures.append(
                Failure("question", row["text"], expected, reply.intent, missing)
            )
    return report


def evaluate_dialogues(engine: Engine, dialogues: Sequence[dict[str, Any]]) -> DialogueReport:
    report = DialogueReport()
    for d, dialogue in enumerate(dialogues):
        session = f"eval-dialogue-{d}"
        engine.reset(session)
        report.dialogues += 1
        for turn in dialogue["turns"]:
            reply = engine.reply(turn["user"], session=session)
            report.turns += 1
            ok = True
            if "intent" in turn:
                expected = turn["intent"]
                ok = reply.intent == expected if expected is not None else reply.kind == "decline"
            missing = missing_facts(reply.text, turn.get("facts") or [])
            present = [s for s in turn.get("not") or [] if str(s).lower() in reply.text.lower()]
            ok = ok and not missing and not present
            report.passed += ok
            if not ok:
                report.failures.append(
                    Failure(
                        dialogue.get("name", str(d)),
                        turn["user"],
                        turn.get("intent"),
                        reply.intent,
                        missing + [f"not: {s}" for s in present],
                    )
                )
        engine.reset(session)
    return report


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def main(args: argparse.Namespace) -> int:
    """`careerbot eval`: every path is checked (or defaulted to the checkout's) before the engine
    loads, so a missing one fails at once with the flag to pass."""
    if args.calibrate:
        dev = load_dev(args.dev)
        engine = Engine.load(args.content)
        chosen = choose_threshold(engine, dev)
        print(
            f"development questions: threshold {chosen.threshold:.2f} maximises "
            f"(in-scope accuracy + out-of-scope rejection) / 2 of the top intent: "
            f"{_pct(chosen.in_scope_accuracy)} and {_pct(chosen.oos_recall)} there"
        )
        folder = paths.given_or_default(args.sets, paths.SETS, "--sets", "blind sets", folder=True)
        sets = blind.find_sets(folder, ("dev",))
        if sets:
            threshold, answered, declined = choose_threshold_blind(engine, sets)
            print(
                f"blind development halves (the rule in use): threshold {threshold:.2f} maximises "
                f"(answered right + declined right) / 2 of whole replies: "
                f"{_pct(answered)} and {_pct(declined)} there"
            )
        print(f"in use: {engine.threshold:.2f}, set in the intents' settings")
        return 0
    if args.sets or args.failures:
        return _blind(args)
    questions, dialogues = load_questions(args.questions), load_dialogues(args.dialogues)
    heldout = load_heldout(args.heldout) if args.heldout or not args.questions else None
    engine = Engine.load(args.content)
    q = evaluate_questions(engine, questions)
    d = evaluate_dialogues(engine, dialogues)
    h = evaluate_questions(engine, heldout) if heldout is not None else None
    figures = {
        "intent_accuracy": q.intent_accuracy,
        "fact_pass_rate": q.fact_pass_rate,
        "oos_rejection": q.oos_rejection,
        "smalltalk_accuracy": q.smalltalk_accuracy,
        "dialogue_pass_rate": d.pass_rate,
    }
    if h is not None:
        figures |= {
            "heldout_intent_accuracy": h.intent_accuracy,
            "heldout_fact_pass_rate": h.fact_pass_rate,
            "heldout_oos_rejection": h.oos_rejection,
        }
    if args.json:
        print(
            json.dumps(
                {
                    **{k: round(v, 4) for k, v in figures.items()},
                    "counts": {
                        "in_scope": q.in_scope,
                        "out_of_scope": q.out_of_scope,
                        "smalltalk": q.smalltalk,
                        "dialogues": d.dialogues,
                        "dialogue_turns": d.turns,
                    },
                    "confusions": [[e, g, n] for (e, g), n in q.confusions.most_common(10)],
                    "failures": [
                        asdict(f) for f in q.failures + d.failures + (h.failures if h else [])
                    ],
                },
                indent=2,
            )
        )
        return 0
    print(
        f"labelled questions: {q.in_scope} in scope, {q.out_of_scope} out of scope; "
        f"dialogues: {d.dialogues} ({d.turns} turns)"
        + (f"; fresh held-out set: {h.in_scope} + {h.out_of_scope}" if h else "")
    )
    for name, value in figures.items():
        bar = BARS.get(name)
        mark = "" if bar is None else ("  ok" if value >= bar else f"  BELOW {_pct(bar)}")
        print(f"  {name.replace('_', ' '):22} {_pct(value):>7}{mark}")
    if q.confusions:
        print("top confusions (expected -> got):")
        for (expected, got), n in q.confusions.most_common(8):
            print(f"  {n:3}  {expected} -> {got or 'fallback'}")
    failures = q.failures + d.failures + (h.failures if h else [])
    if failures:
        print(f"failures ({len(failures)}):")
        for f in failures[:40]:
            extra = f"  missing {f.missing}" if f.missing else ""
            print(f"  [{f.where}] {f.text!r}: expected {f.expected}, got {f.got}{extra}")
    return 0


def _blind(args: argparse.Namespace) -> int:
    folder = paths.given_or_default(args.sets, paths.SETS, "--sets", "blind sets", folder=True)
    sets = blind.find_sets(folder)
    reports = blind.run_all(Engine.load(args.content), sets)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "set": r.name,
                        "half": r.half,
                        "answered": r.answered.rate,
                        "declined": r.declined.rate,
                        "by_style": {s: t.rate for s, t in r.by_style.items()},
                        "conversations": r.conversations.rate if r.conversations.total else None,
                    }
                    for r in reports
                ],
                indent=2,
            )
        )
        return 0
    print("\n".join(blind.table(reports)))
    if args.failures:
        for r in reports:
            for line in r.failures:
                print(" ", line)
    return 0
