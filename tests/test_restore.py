"""Restoring a saved session: what the content cannot use is dropped with a warning, and the
conversation goes on as if it had never been there."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot import Engine, MemoryStore, Session
from bot.session import Profile

SESSION = "restored"


@pytest.fixture
def restore(engine: Engine, caplog: pytest.LogCaptureFixture) -> Any:
    """Restore a state into a fresh session; returns the warnings logged meanwhile."""

    def put(state: Any) -> str:
        engine.reset(SESSION)
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            engine.restore(SESSION, state)
        return caplog.text

    yield put
    engine.reset(SESSION)


def _works(engine: Engine, text: str) -> str:
    reply = engine.reply(text, session=SESSION)
    assert reply.text != engine.settings.texts["error"], f"{text!r} failed"
    return reply.text


def test_an_intent_that_no_longer_exists_is_dropped(engine: Engine, restore: Any) -> None:
    log = restore({"intent": "salary_old", "slots": {"level": "senior"}, "runner_up": "gone"})
    assert "intent 'salary_old' (no such intent)" in log and "runner_up 'gone'" in log
    state = engine.session(SESSION)
    assert state.intent is None and state.slots == {} and state.runner_up is None
    assert engine.explain(SESSION).intent is None


def test_entity_ids_must_exist_and_be_of_the_slot_type(engine: Engine, restore: Any) -> None:
    log = restore({"intent": "salary", "slots": {"level": "meta", "planet": "mars"}})
    assert "slots['level'] 'meta' (no such level)" in log
    assert "slots['planet'] (the intent has no such slot)" in log
    assert engine.session(SESSION).slots == {}
    restore({"intent": "salary", "slots": {"level": "senior"}, "slot_origins": {"level": "x"}})
    state = engine.session(SESSION)
    assert state.slots == {"level": "senior"} and state.slot_origins == {}
    assert "$155,000" in _works(engine, "and in new york?")


def test_profile_ids_must_name_known_entities(engine: Engine, restore: Any) -> None:
    profile = {
        "level": "senior",
        "region": "atlantis",
        "state": "washington",
        "interests": ["nlp_engineer", "basket_weaving", "nlp_engineer"],
        "skills": ["python", 7],
        "years": 10**9,
    }
    log = restore({"profile": profile})
    assert "profile.region 'atlantis'" in log and "profile.years" in log
    saved = engine.session(SESSION).profile  # a list holding a non-string is dropped whole
    assert saved == Profile(level="senior", state="washington", interests=["nlp_engineer"])
    shown = dict(engine.explain(SESSION).profile)
    assert "atlantis" not in str(shown) and "basket" not in str(shown)


def test_a_citation_without_its_fields_does_not_break_sources(engine: Engine, restore: Any) -> None:
    restore({"intent": "salary", "slots": {}, "citations": [{"title": "A guide"}]})
    assert engine.session(SESSION).citations == []
    engine.explain(SESSION)  # once a KeyError
    _works(engine, "where does that come from?")


def test_a_suggestion_that_is_a_number_cannot_ask_itself(engine: Engine, restore: Any) -> None:
    restore({"intent": "salary", "suggestions": ["1", "What is the pay in New York?"]})
    assert engine.session(SESSION).suggestions == []
    _works(engine, "1")  # once a RecursionError: "1" picked suggestion 1, which was "1"


def test_a_clarifying_question_with_unknown_options_is_dropped(
    engine: Engine, restore: Any
) -> None:
    log = restore({"options": ["gone", "salary"], "pending_slots": {"level": "senior"}})
    assert "options" in log
    state = engine.session(SESSION)
    assert state.options == [] and state.pending_slots == {}
    restore({"options": ["salary", "job_locations"], "pending_slots": {"level": "nope"}})
    assert engine.session(SESSION).pending_slots == {}
    assert engine.reply("1", session=SESSION).intent == "salary"


def test_the_other_parts_intents_must_exist(engine: Engine, restore: Any) -> None:
    log = restore({"intent": "skill_info", "part_intents": ["gone", "salary"]})
    assert "part_intents" in log
    assert engine.session(SESSION).part_intents == ["salary"]
    assert engine.reply("and in Texas?", session=SESSION).intent == "salary"


def test_recent_entities_must_exist(engine: Engine, restore: Any) -> None:
    log = restore({"recent": ["company:google", "company:nowhere", "nonsense", "level:senior"]})
    assert "recent" in log
    assert engine.session(SESSION).recent == ["company:google", "level:senior"]


def test_numbers_are_kept_in_range(engine: Engine, restore: Any) -> None:
    restore(
        {"intent": "salary", "confidence": float("nan"), "runner_up_confidence": 7, "detail": 10**9}
    )
    state = engine.session(SESSION)
    assert state.confidence == 0.0 and state.runner_up_confidence == 1.0 and state.detail <= 100
    _works(engine, "tell me more")


@pytest.mark.parametrize("state", [[1, 2], "ab", 5, None, {"profile": []}, {"profile": "x"}])
def test_a_state_of_the_wrong_shape_gives_a_fresh_session(
    engine: Engine, restore: Any, state: Any
) -> None:
    assert restore(state)  # a warning says why, never an exception
    assert engine.session(SESSION) == Session()
    _works(engine, "how much do senior ml engineers make")


def test_a_session_object_with_malformed_fields(engine: Engine, restore: Any) -> None:
    broken = Session(intent="salary", profile=None)  # type: ignore[arg-type]
    broken.slots = ["level"]  # type: ignore[assignment]
    restore(broken)
    assert engine.session(SESSION).profile == Profile()
    _works(engine, "how much would I make?")


def test_an_older_schema_version_keeps_what_still_fits(engine: Engine, restore: Any) -> None:
    log = restore(
        {
            "version": 0,
            "intent": "salary",
            "slots": {"level": "senior"},
            "profile": {"student": True, "region": "seattle"},
            "renamed_field": 3,
        }
    )
    assert "older schema version 0" in log
    state = engine.session(SESSION)
    assert state.intent == "salary" and state.slots == {"level": "senior"}
    assert state.profile.student and state.profile.region == "seattle"
    assert "New York" in _works(engine, "and in new york?")


@pytest.mark.parametrize("version", [2, 99, "1", True, 1.5, None, [1]])
def test_a_newer_or_unreadable_schema_version_is_not_guessed_at(
    engine: Engine, restore: Any, version: Any
) -> None:
    log = restore({"version": version, "profile": {"student": True}})
    assert "schema version" in log
    assert engine.session(SESSION) == Session()


def test_a_store_holding_ids_of_older_content_is_fitted_on_the_next_turn(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    store = MemoryStore()
    fresh = Engine.load(store=store)
    store.save("old", Session(intent="gone", profile=Profile(region="atlantis", level="senior")))
    with caplog.at_level(logging.INFO, logger="bot.restore"):
        fresh.reply("hi", session="old")
    assert "session 'old'" in caplog.text and "atlantis" in caplog.text
    state = fresh.session("old")
    assert state.intent is None and state.profile == Profile(level="senior")


def test_a_valid_state_round_trips_without_warnings(engine: Engine, restore: Any) -> None:
    engine.reset("source")
    for text in ("I'm a senior engineer in Seattle, I know python", "how much would I make?"):
        engine.reply(text, session="source")
    saved = engine.session("source").to_dict()
    assert restore(saved) == ""
    assert engine.session(SESSION).to_dict() == saved
    engine.reset("source")


def test_an_answered_clarifying_question_leaves_nothing_to_warn_about(
    engine: Engine, restore: Any, caplog: pytest.LogCaptureFixture
) -> None:
    restore({"options": ["company_hiring", "salary"], "pending_slots": {"company": "meta"}})
    with caplog.at_level(logging.WARNING):
        assert engine.reply("1", session=SESSION).intent == "company_hiring"
        engine.reply("and at google?", session=SESSION)
    assert caplog.text == ""


def test_the_lists_of_an_answer_in_parts_are_lists_of_texts(engine: Engine, restore: Any) -> None:
    log = restore({"part_lists": [["Steps:", "one", 2]]})
    assert "part_lists" in log and engine.session(SESSION).part_lists == []
    kept = [["The eight steps:", "Complete high school", "Earn a bachelor's degree"]]
    assert restore({"part_lists": kept}) == ""
    assert engine.session(SESSION).part_lists == kept
    _works(engine, "what is step 2?")


def test_the_engine_keeps_every_suggestion_it_offers(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """A session the engine wrote fits its own content: the suggestions a reply numbers (some
    are an intent's question written as a user would type it, "Where can I apply to Google?")
    are still there at the next turn, so "1" asks the first one shown."""
    from bot.devtools.evaluate import load_questions

    offered = 0
    for row in load_questions(None):
        engine.reset(SESSION)
        reply = engine.reply(row["text"], session=SESSION)
        if not reply.suggestions:
            continue
        offered += 1
        with caplog.at_level(logging.INFO, logger="bot.restore"):
            caplog.clear()
            state = engine.session(SESSION)
            engine.restore(SESSION, state)
        assert caplog.text == "", row["text"]
        assert engine.session(SESSION).suggestions[:3] == list(reply.suggestions)
    assert offered > 100


def test_one_asks_the_first_suggestion_shown(engine: Engine) -> None:
    engine.reset(SESSION)
    first = engine.reply("Tesla for machine learning careers?", session=SESSION).suggestions[0]
    picked = engine.reply("1", session=SESSION)
    engine.reset("direct")
    asked = engine.reply(first, session="direct")
    assert (picked.intent, picked.text) == (asked.intent, asked.text)
