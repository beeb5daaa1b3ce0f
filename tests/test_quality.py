"""The labelled questions and dialogue scripts, replayed: per-row results plus the overall bars."""

from __future__ import annotations

from bot import Engine
from bot.devtools.evaluate import (
    BARS,
    evaluate_dialogues,
    evaluate_questions,
    load_dialogues,
    load_heldout,
    load_questions,
)

QUESTIONS = load_questions()
DIALOGUES = load_dialogues()


def test_the_labelled_set_is_large_enough() -> None:
    in_scope = [q for q in QUESTIONS if q.get("intent")]
    out_of_scope = [q for q in QUESTIONS if not q.get("intent")]
    assert len(in_scope) >= 300 and len(out_of_scope) >= 80
    assert len(DIALOGUES) >= 40 and sum(len(d["turns"]) for d in DIALOGUES) >= 150


def test_labels_name_real_intents(engine: Engine) -> None:
    names = {i.name for i in engine.intents.intents}
    assert {q["intent"] for q in QUESTIONS if q.get("intent")} <= names
    assert {t["intent"] for d in DIALOGUES for t in d["turns"] if t.get("intent")} <= names


def test_question_bars(engine: Engine) -> None:
    report = evaluate_questions(engine, QUESTIONS)
    failures = "\n".join(
        f"{f.text!r}: expected {f.expected}, got {f.got} {f.missing}" for f in report.failures
    )
    assert report.intent_accuracy >= BARS["intent_accuracy"], failures
    assert report.fact_pass_rate >= BARS["fact_pass_rate"], failures
    assert report.oos_rejection >= BARS["oos_rejection"], failures


def test_fresh_heldout_bars(engine: Engine) -> None:
    """A second set written without seeing the intents' examples or the first set's failures."""
    report = evaluate_questions(engine, load_heldout())
    failures = "\n".join(
        f"{f.text!r}: expected {f.expected}, got {f.got} {f.missing}" for f in report.failures
    )
    assert report.in_scope >= 200 and report.out_of_scope >= 50
    assert report.intent_accuracy >= BARS["heldout_intent_accuracy"], failures
    assert report.fact_pass_rate >= BARS["heldout_fact_pass_rate"], failures
    assert report.oos_rejection >= BARS["heldout_oos_rejection"], failures


def test_dialogue_bar(engine: Engine) -> None:
    report = evaluate_dialogues(engine, DIALOGUES)
    failures = "\n".join(
        f"[{f.where}] {f.text!r}: expected {f.expected}, got {f.got} {f.missing}"
        for f in report.failures
    )
    assert report.pass_rate >= BARS["dialogue_pass_rate"], failures
