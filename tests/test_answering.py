"""Answering the way people ask: retrieval, long messages, honest declines, references, profile."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest
import yaml

from bot import Engine
from bot.knowledge import load_knowledge
from bot.lexicon import Lexicon
from bot.passages import Passage, passages
from bot.reply import Citation
from bot.retrieval import PassageIndex
from bot.splitting import may_tell_about_me, needs_splitting, paired, sentences
from bot.text import normalise
from bot.unanswered import UnansweredLog, group, read

from .conftest import DATA


def ask(engine: Engine, *texts: str, session: str = "answering") -> list:
    engine.reset(session)
    return [engine.reply(text, session=session) for text in texts]


# -- retrieval ------------------------------------------------------------------------------


def test_a_single_list_item_is_retrieved_with_its_citation(engine: Engine) -> None:
    (reply,) = ask(engine, "does deepmind do anything with climate stuff?")
    assert reply.kind in ("retrieved", "answer")
    assert "climate change modeling" in reply.text
    assert any("DeepMind" in c.section for c in reply.citations)


@pytest.mark.parametrize(
    "text",
    ["how many players are on a soccer team", "how do I learn to play guitar", "what time is it"],
)
def test_retrieval_does_not_answer_what_is_out_of_scope(engine: Engine, text: str) -> None:
    (reply,) = ask(engine, text)
    assert reply.kind == "decline"


def test_an_answer_is_sharpened_only_with_what_it_lacks(engine: Engine) -> None:
    (reply,) = ask(engine, "entry level ml engineer salary")
    assert "More specifically" not in reply.text


def test_an_answer_that_ignores_a_named_entity_gets_a_passage_about_it(engine: Engine) -> None:
    """The general duties answer "what are a junior ML engineer's responsibilities", and a
    passage tagged with that role (from the knowledge base, not this test) follows it."""
    tagged = [p.text for p in passages(engine.knowledge) if "role:junior_ml_engineer" in p.tags]
    assert tagged
    (reply,) = ask(engine, "what are the responsibilities of a junior ml engineer?")
    assert reply.kind == "answer" and reply.intent != "career_progression"
    assert "More specifically" in reply.text
    assert any(text in reply.text for text in tagged)


def test_each_guide_says_its_own_of_an_entity_the_answer_ignores(engine: Engine) -> None:
    tag = "role:senior_ml_engineer"
    sources = {p.citation.title for p in passages(engine.knowledge) if tag in p.tags}
    assert len(sources) >= 2
    (reply,) = ask(engine, "what does a senior ml engineer actually do?")
    added = reply.text.split("More specifically", 1)[1].split("\n\nSources")[0]
    assert {title for title in sources if title in added} == sources, added


def test_a_name_the_answer_does_not_say_is_part_of_what_was_asked(engine: Engine) -> None:
    """ "Cloud skills" names a skill; the general development suggestions do not mention the cloud,
    so the suggestion about it (found in the guides, not named here) follows them: the one that
    says something, not the bare skill's name that holds the question as well."""
    (reply,) = ask(engine, "how do I improve my cloud skills?")
    assert reply.intent == "development_suggestions"
    sharpened = reply.text.split("More specifically", 1)
    assert len(sharpened) == 2 and "cloud" in sharpened[1].lower(), reply.text
    assert "managed service" in sharpened[1], reply.text


@pytest.mark.parametrize(
    "text",
    [
        # the transitions answer names managers (product or project manager) and moving
        "which roles could an ML engineer take to move into management?",
        # what the closest passage holds is what the question names: Amazon's AWS services
        "what AWS ML services does amazon offer?",
    ],
)
def test_the_closest_passage_follows_an_answer_that_says_its_words_elsewhere(
    engine: Engine, text: str
) -> None:
    """The passage closest to the question, found by retrieval and not named here, follows an
    answer that does not show it, unless the answer already shows a passage as close."""
    (reply,) = ask(engine, text)
    engine.reset("closest")
    u = engine._dialogue.read(text)
    index = engine._dialogue.answerers[0].__self__.passages  # type: ignore[attr-defined]
    best = index.search(u.tokens, {}, limit=1)[0].passage
    assert reply.kind == "answer" and best.text in reply.text, reply.text
    assert reply.text.index(best.text) > reply.text.index("More specifically")


def test_what_the_answers_own_topics_say_closest_to_the_question_follows_it(
    engine: Engine,
) -> None:
    """The startup-or-big-tech answer does not say what the essay says of ML maturity; the
    passage of its own topics holding most of the question follows it."""
    text = "do small startups and big firms differ in how mature their ML is?"
    (reply,) = ask(engine, text)
    answerers = engine._dialogue.answerers[0].__self__  # type: ignore[attr-defined]
    topics = answerers.composer.topics(answerers.intents.get(reply.intent))
    added = reply.text.split("More specifically, the guides say:\n", 1)
    assert reply.kind == "answer" and len(added) == 2, reply.text
    found = [p for p in answerers.passages.passages if p.text in added[1]]
    assert found and all(p.topic in topics for p in found), added[1]


def test_c_plus_plus_is_a_term_retrieval_finds(engine: Engine) -> None:
    """ "C++" was the letter "c", too short to search for: a question about it found nothing."""
    index = engine._dialogue.answerers[0].__self__.passages  # type: ignore[attr-defined]
    u = engine._dialogue.read("i hear C++ matters for ML, why?")
    found = index.search(u.tokens, {}, limit=1, min_coverage=0.5)
    assert found and "C++" in found[0].passage.text, found


def test_a_thin_answer_is_sharpened_by_one_more_word_a_passage_holds(engine: Engine) -> None:
    """A skill the guides only name ("Model Evaluation", a label) is a thin answer: one more
    word of the question that a passage holds ("bias") brings that passage after it."""
    (reply,) = ask(engine, "is model evaluation important for catching bias?")
    assert reply.intent == "skill_info", reply.text
    sharpened = reply.text.split("More specifically", 1)
    assert len(sharpened) == 2 and "bias" in sharpened[1], reply.text


def _tagged_with(engine: Engine, entity_type: str, word: str) -> set[str]:
    """The names of the entities of a type whose passages say a word."""
    ids = {
        tag.split(":", 1)[1]
        for p in passages(engine.knowledge)
        if word in p.text.lower()
        for tag in p.tags
        if tag.startswith(entity_type + ":")
    }
    return {engine.knowledge.entity(entity_type, i).name for i in ids}


def test_which_entities_lists_those_whose_passages_hold_the_rest(engine: Engine) -> None:
    expected = _tagged_with(engine, "company", "robotic")
    assert len(expected) >= 2
    (reply,) = ask(engine, "which companies are doing robotics?")
    assert reply.kind == "retrieved"
    listed = {line[2:].split(":", 1)[0] for line in reply.text.splitlines() if line[:2] == "- "}
    assert listed == expected
    assert len(reply.citations) == len(expected)


def test_which_of_them_filters_the_last_answers_entities(engine: Engine) -> None:
    everyone = _tagged_with(engine, "company", "robotic")
    (first, second) = ask(
        engine, "what do OpenAI, Tesla and IBM each focus on?", "which of them do robotics?"
    )
    assert first.kind == "multi"
    listed = {line[2:].split(":", 1)[0] for line in second.text.splitlines() if line[:2] == "- "}
    assert listed == everyone & {"OpenAI", "Tesla", "IBM"} and listed < everyone
    # a count that is not the last list's: all companies, not only the three
    (_, third) = ask(
        engine, "what do OpenAI, Tesla and IBM each focus on?", "which of the ten do robotics?"
    )
    assert {line[2:].split(":", 1)[0] for line in third.text.splitlines()[1:]} == everyone


@pytest.mark.parametrize(
    "text",
    [
        "which companies do the guides cover?",
        "what ten firms does the blog cover?",  # a count between "which" and the kind
        "The guide profiles some big employers, I think. Which ones?",  # the kind said before
    ],
)
def test_which_kind_without_more_gets_what_the_guides_say_of_the_kind(
    engine: Engine, text: str
) -> None:
    (reply,) = ask(engine, text)
    assert reply.kind == "answer" and reply.intent == "company_overview", reply.text


@pytest.mark.parametrize(
    "text",
    ["which companies do underwater basket weaving?", "what firms sponsor visas for pilots?"],
)
def test_which_entities_declines_what_no_passage_holds(engine: Engine, text: str) -> None:
    (reply,) = ask(engine, text)
    assert reply.kind == "decline"


def test_a_second_confident_reading_is_answered_with_the_first_offered(engine: Engine) -> None:
    text = "is a data scientist or an ml engineer the better path for me"
    top, second = engine.rank(text)[:2]
    assert second.score >= engine.threshold  # two readings the bot is sure of
    (reply,) = ask(engine, text)
    assert reply.kind == "answer" and reply.intent == top.intent
    assert engine.rank(reply.suggestions[0])[0].intent == second.intent


def test_an_act_asked_with_words_of_its_own_never_shows_its_placeholder(engine: Engine) -> None:
    placeholders = [i.answer for i in engine.intents.intents if i.category == "dialogue"]
    for text in (
        "is this trend real, and if so, what are the reasons behind it?",
        "how exact are the salary surveys in the trend reports?",
    ):
        (reply,) = ask(engine, text)
        assert not any(p.strip("()") in reply.text for p in placeholders), reply.text


def test_an_act_asked_of_a_topic_asks_that_topic(engine: Engine) -> None:
    """ "tell me more about their projects" is a question about projects, not "tell me more"."""
    (direct,) = ask(engine, "what are Microsoft's notable ML projects?")
    _, reply = ask(engine, "what does Microsoft focus on?", "tell me more about their projects")
    assert reply.kind == "answer" and reply.intent == direct.intent
    assert reply.slots.get("company") == "microsoft" and reply.text == direct.text


# -- long and multi-part messages -----------------------------------------------------------


def test_a_long_post_gets_each_question_answered_in_parts(engine: Engine) -> None:
    (reply,) = ask(
        engine,
        "I'm a data scientist in Seattle, mostly notebooks and pandas. I'd like to move to the "
        "engineering side. How is the ML engineer role different from what I do now? And what "
        "does an ML engineer make in Washington state? Thanks!",
    )
    assert reply.kind == "multi" and len(reply.parts) == 2
    assert (
        "Productionizing models" in reply.parts[0].text or "productionizing" in reply.parts[0].text
    )
    assert "$138,400" in reply.parts[1].text
    assert reply.notice and "Data Scientist" in reply.notice
    data = reply.to_dict()
    assert [p["kind"] for p in data["parts"]] == [p.kind for p in reply.parts]


def test_a_question_nothing_answers_takes_no_part_while_others_are_answered(
    engine: Engine,
) -> None:
    """A title nothing answers does not use up one of the three parts: the next three
    questions are answered, and the title is named at the end."""
    (reply,) = ask(
        engine,
        "Why does my aunt keep calling it wizardry?\n\nI'm 30 and curious. How many openings does"
        " Apple have? What do ML engineers earn in Texas? And what is DeepMind working on?",
    )
    assert reply.kind == "multi" and len(reply.parts) == 3, reply.text
    assert [p.intent for p in reply.parts] == ["company_open_roles", "salary", "company_focus"]
    assert reply.text.endswith('"Why does my aunt keep calling it wizardry?".)'), reply.text
    assert "first 3 questions" not in reply.text


def test_a_post_asking_one_thing_twice_gets_one_answer(engine: Engine) -> None:
    """The second question answered as the first was is not a part of its own (the first part
    holds the second's text whole: senior pay, then what the guides say of senior engineers)."""
    (reply,) = ask(
        engine,
        "How much does a senior ML engineer make? I'm asking for my son. "
        "What do senior ML engineers earn?",
    )
    assert reply.kind == "answer" and not reply.parts, reply.text
    assert reply.text.count("$210,000") == 1
    (declined,) = ask(
        engine,
        "I'm a nurse in Ohio. What do ML engineers earn? My friend says a lot. "
        "What is the salary of an ML engineer, really?",
    )
    assert declined.kind == "decline" and declined.text.count("Ohio") <= 2, declined.text


def test_a_question_that_leans_on_the_sentence_before_it_is_read_with_it(engine: Engine) -> None:
    text = (
        "I have spent four years writing Go microservices for a logistics firm. My plan is to "
        "switch into machine learning engineering within two years. What is the smartest way to "
        "go about it?"
    )
    (alone,) = ask(engine, "What is the smartest way to go about it?")
    (reply,) = ask(engine, text)
    assert alone.kind == "decline"
    assert reply.kind != "decline" and reply.citations


@pytest.mark.parametrize(
    "text",
    [
        "I was basically wondering which certificates are worth it",
        "My nephew asks which certificates are worth it.",  # asked for someone else
        "She wants to know how much ML engineers earn.",
        "Her aunt would like to know, as a nurse, whether the math matters.",  # with an aside
    ],
)
def test_a_question_asked_as_wondering_is_a_question(text: str) -> None:
    (sentence,) = sentences(text)
    assert sentence.kind == "question"


def test_a_phrase_with_my_tells_nothing_without_a_verb() -> None:
    """ "with 4 years im a mid level dev, what does mid level pay?" tells, then asks; "In my
    situation, is it realistic...?" is one question."""
    told, asked = sentences("with 4 years im a mid level dev, what does mid level pay?")
    assert (told.kind, asked.kind) == ("about_me", "question")
    (whole,) = sentences("In my situation, is it realistic to retrain as an ML engineer?")
    assert whole.kind == "question"


@pytest.mark.parametrize(
    "text",
    [
        "He asked for a raise.",
        "I write for my grandson, who is 17 and loves robots.",
        "I have an offer for a part-time masters, which I could do while working.",
    ],
)
def test_what_someone_asked_for_or_who_someone_is_is_not_a_question(text: str) -> None:
    (sentence,) = sentences(text)
    assert sentence.kind != "question"


@pytest.mark.parametrize(
    "text",
    [
        "I'm a nurse in Leeds.",
        "Hey, I've been coding for years.",
        "My background is physics.",
        "We moved to Denver last spring.",
        "just moved to Ohio",
        "i work as a data analyst",
    ],
)
def test_the_cheap_check_lets_every_statement_about_oneself_through(text: str) -> None:
    assert sentences(text)[0].kind == "about_me"
    assert may_tell_about_me(normalise(text))


def test_a_sentence_goes_on_past_punctuation_in_brackets(engine: Engine) -> None:
    """ "(buildings!)" ends no sentence: "who scripts Python..." is what the person tells, not a
    question of its own. A bare "architect" is that job (listed among other occupations), so the
    way into ML engineering is what they get, not the ML architect's career ladder."""
    text = "I'm an architect (buildings!) who codes a bit. How do I become an ML engineer?"
    assert [s.kind for s in sentences(text)] == ["about_me", "question"]
    (reply,) = ask(engine, text)
    assert reply.intent == "become_ml_engineer", reply.text
    assert [s.text for s in sentences("what pays (roughly?) the most?")] == [
        "what pays (roughly?) the most?"
    ]


def test_a_short_question_after_another_finishes_it() -> None:
    pieces = sentences("Google hires a lot of ML people, right? how many? I'm in Ohio. Salary?")
    assert [(s.kind, s.text) for s in pieces][:1] == [
        ("question", "Google hires a lot of ML people, right? how many?")
    ]
    assert [s.kind for s in pieces] == ["question", "about_me", "question"]


@pytest.mark.parametrize(
    ("text", "questions"),
    [
        (
            "How much do they make in Texas, and do they need a master's degree?",
            ["How much do they make in Texas", "do they need a master's degree?"],
        ),
        (
            "what skills matter most and how long does the switch take?",
            ["what skills matter most", "how long does the switch take?"],
        ),
        ("what and how should I study first?", ["what and how should I study first?"]),
        ("Is it hard, and why?", ["Is it hard, and why?"]),
        # a list of questions, the last after "and"; one of them may begin with "if"
        (
            (
                "Please say which firms build robots, what a staff engineer earns, and how many"
                " rounds Meta's interview has?"
            ),
            [
                "Please say which firms build robots",
                "what a staff engineer earns",
                "how many rounds Meta's interview has?",
            ],
        ),
        (
            "What do seniors earn in Ohio, is Boston a big hub, and which firms hire most?",
            ["What do seniors earn in Ohio", "is Boston a big hub", "which firms hire most?"],
        ),
        (
            "what does Apple pay seniors, and if I move to Texas, how much less is it?",
            ["what does Apple pay seniors", "if I move to Texas, how much less is it?"],
        ),
        # no "and" before the last: one question, whatever its commas
        (
            "I wonder, what should I learn first for this role?",
            ["I wonder, what should I learn first for this role?"],
        ),
    ],
)
def test_two_questions_joined_in_one_sentence_are_two(text: str, questions: list[str]) -> None:
    assert [(s.kind, s.text) for s in sentences(text)] == [("question", q) for q in questions]


@pytest.mark.parametrize(
    ("text", "told", "asked"),
    [
        ("with 3 yrs im probably mid level, what's mid pay?", True, "what's mid pay?"),
        ("I live in Austin, how much would I make?", True, "how much would I make?"),
        ("what does an ml engineer do, and how much do they make?", False, ""),
        ("im a nurse, so what", False, ""),
    ],
)
def test_what_a_sentence_tells_before_a_comma_and_a_question_is_told(
    text: str, told: bool, asked: str
) -> None:
    pieces = sentences(text)
    assert (pieces[0].kind == "about_me") == told
    if told:
        assert [p.kind for p in pieces] == ["about_me", "question"] and pieces[1].text == asked


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        # a wh-word in a statement's word order tells; a relative "which" refers back
        (
            "At the clinic I spend hours telling patients why a scan matters, and how we read it.",
            ["statement"],
        ),
        ("I have two kids, which means little free time.", ["about_me"]),
        ("I moved to Texas last year, which surprised my parents.", ["about_me"]),
        # ... and so does a relative "who" with a verb of its own; "who should I" still asks
        ("Our data team, who run the forecasts, wants to grow.", ["statement"]),
        # a greeting to someone before it does not hide what the person tells
        ("Hello friends, I have been a welder for ten years.", ["about_me"]),
        ("Well, I'm 51 and a pharmacist.", ["about_me"]),
        # an aside in brackets asks nothing; thanks for help is chatter; loving to know asks
        ("I write about robots (and keep wondering if I should build them).", ["statement"]),
        ("Any input is welcome, I read every reply.", ["chatter"]),
        ("I'd love to know what the hours are like.", ["question"]),
        ("I know people at Meta, who should I ping first", ["about_me", "question"]),
        ("I'm 40, how i can switch to ml", ["about_me", "question"]),
        # wanting to understand or being unsure whether asks
        ("I want to understand why companies keep hiring for this.", ["question"]),
        ("Honestly not sure whether a bootcamp is enough.", ["question"]),
    ],
)
def test_a_sentence_without_a_question_mark_asks_only_in_a_questions_word_order(
    text: str, kinds: list[str]
) -> None:
    assert [s.kind for s in sentences(text)] == kinds


def test_what_people_often_lack_answers_a_gap_check_that_names_no_skill(engine: Engine) -> None:
    (reply,) = ask(engine, "so what am I lacking, skill-wise?")
    assert reply.intent == "skill_gap_check"
    assert "Stakeholder Management" in reply.text and "Cost Optimization" in reply.text


def test_a_question_after_what_the_person_tells_is_read_alone_as_surely(engine: Engine) -> None:
    """ "I'm an IT manager" says who asks: the manager does not make the question about
    management, whose intent reads the whole a little more surely."""
    whole = engine.rank("I'm an IT manager, how do I become an ML engineer?")
    assert whole[0].intent != "become_ml_engineer"
    (reply,) = ask(engine, "I'm an IT manager, how do I become an ML engineer?")
    assert reply.intent == "become_ml_engineer", reply.text


def test_what_a_sentence_tells_before_its_question_is_remembered(engine: Engine) -> None:
    (pay,) = ask(engine, "with 3 yrs im probably mid level, what's mid pay?")
    assert pay.intent == "salary" and "150,000" in pay.text
    assert engine.session("answering").profile.years == 3


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("which statistics topics should I brush up on?", "technical_skills"),
        ("what kind of equipment do ML engineers get to use at work?", "work_environment"),
        # the guide named as where something is said asks nothing of its own
        ("How does the blog post describe an ML engineer's role?", "role_overview"),
        ("how does one go about meeting people in the field?", "associations"),
        ("what do ML engineers find hardest about the work?", "challenges"),
        ("which areas does IBM concentrate its ML work on?", "company_focus"),
    ],
)
def test_a_phrase_of_a_concept_reads_as_the_concept(engine: Engine, text: str, intent: str) -> None:
    """ "brush up on" is learning, "find hardest" the challenges, "concentrate on" a focus."""
    (reply,) = ask(engine, text)
    assert reply.intent == intent, reply.text


def test_plugging_the_gaps_asks_how_to_close_them(engine: Engine) -> None:
    _, plug = ask(
        engine, "which skills do career changers often lack?", "how can I plug those holes?"
    )
    assert plug.kind != "decline" and "end to end project" in plug.text, plug.text


def test_getting_past_the_challenges_asks_how_to_overcome_them(engine: Engine) -> None:
    _, past = ask(engine, "what's hard about being an ML engineer?", "how do people get past them?")
    assert past.kind != "decline" and "professional development" in past.text, past.text


def test_what_a_question_sets_aside_is_not_asked(engine: Engine) -> None:
    lexicon = Lexicon((), excepting=["besides", "other than"])
    tokens = ["what", "does", "ibm", "do", "other", "than", "watson", "ads", "today", "besides"]
    assert lexicon.asked(tokens) == ["what", "does", "ibm", "do", "today"]
    (reply,) = ask(engine, "so what is deepmind up to besides games")
    assert reply.intent == "company_overview" and "DeepMind" in reply.text
    (reply,) = ask(engine, "which sectors other than finance use machine learning engineers?")
    assert reply.intent == "industries" and "finance" not in reply.slots.values()


def test_a_list_item_headed_by_an_entity_is_about_it(engine: Engine) -> None:
    (reply,) = ask(engine, "what do they use ml for in finance")
    assert reply.kind == "answer"
    assert reply.text.startswith("What the guides say about Finance:")
    assert "fraud detection" in reply.text.split("\n\n")[0]


def test_chatter_and_statements_are_not_questions() -> None:
    kinds = [
        s.kind
        for s in sentences("Hi all! I'm 34 and live in Ohio. What do ML engineers do? Thanks.")
    ]
    assert kinds == ["chatter", "about_me", "question", "chatter"]


def test_only_the_start_of_a_very_long_message_is_read_and_the_reply_says_so(
    engine: Engine,
) -> None:
    (reply,) = ask(engine, "how much do senior ml engineers make? " + "blah " * 2000)
    assert reply.notice and "4,000" in reply.notice


# -- honest declines ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("can I get a visa to work as an ML engineer?", "visas"),
        ("which school is best for studying ML?", "rankings"),
        ("should I go to Purdue or Georgia Tech for a masters?", "rankings"),
        ("could I still switch into ML at 41?", "too late"),
        ("which countries have the most ML jobs?", "outside the US"),
        ("please help me fix this docker build error", "help with code"),
        ("does wipro or accenture hire ML engineers?", "don't cover Wipro"),
        ("is tcs a good place to start an ML career?", "don't cover TCS"),
        ("tell me about Spotify", "don't cover Spotify"),
        ("can an international student get hired as an ML engineer?", "visas"),
        ("is ChatGPT going to take my ML job?", "replace"),
        ("can you review my resume?", "resumes"),
        ("what is a transformer model?", "explaining"),
        ("what's the difference between deep learning and machine learning?", "explaining"),
        ("how much equity should I ask for at a startup?", "RSU grants"),
        ("what questions does Google ask in ML interviews?", "interview questions"),
        ("how long should my resume be?", "resumes"),
        ("how many hours a day should I study?", "how long it takes"),
        ("how much does AWS cost for training models?", "cloud computing costs"),
        ("is an online masters respected by employers?", "university"),
        ("does DeepMind hire in Zurich?", "job market in"),
        ("how does a UX researcher's pay compare to an ML engineer's?", "pay for ux researchers"),
        ("what universities have the strongest AI programmes?", "rankings"),
        ("what do ML engineers earn in Berlin?", "Berlin"),
        ("how much does an ML engineer make at Netflix?", "Netflix"),
        ("how much does a data scientist make?", "Data Scientist"),
        ("what do computer vision engineers make?", "pay for Computer vision engineer"),
        ("is ML engineer pay above what IT managers earn?", "pay for IT managers;"),
        ("What's Anthropic like to work for?", "Anthropic"),
        ("am I too old to switch into ML at 45?", "too late"),
        ("are Kaggle rankings worth chasing?", "Kaggle"),
        ("would winning data science competitions help me?", "competitions"),
        ("do ML engineers earn more than plumbers?", "pay for plumbers"),
        ("are ML engineers paid better than front-end developers?", "pay for Front-end Engineer"),
        ("what does an SRE earn compared with an ML engineer?", "pay for DevOps Engineer"),
        ("is udemy any good for learning ML?", "online courses"),
        ("are there ML meetups in Denver?", "meetups"),
        ("is Spotify a mature company when it comes to ML?", "Spotify"),
        ("does spotify hire ml engineers?", "Spotify"),
        ("Jane Street ML engineer interview process", "don't cover Jane Street"),
        ("is ML engineer pay higher in the US than in other countries?", "by country"),
        ("any good podcasts about ML engineering?", "podcasts"),
        ("is there a meetup for ML people in Leeds?", "meetups"),
        ("do ML engineers earn more in the UK?", "pay in the United Kingdom"),
        ("ML engineer pay in Sao Paulo", "pay in São Paulo"),
        ("what's the going rate for ML engineers in Ireland?", "pay in Ireland"),
        ("what do ML engineers make in the netherlands", "pay in the Netherlands"),
        ("what's a typical ML salary in England", "pay in England"),
        ("will recruiters care that I have no publications?", "publishing"),
        ("will ML engineers still be needed in ten years?", "replace"),
        ("how is the ML job market in Canada?", "job market in Canada"),
        ("is it harder for older people to get into ML?", "too late"),
        ("any tips for an ICML paper deadline?", "publishing"),
        ("won't AI automate our jobs soon?", "replace"),
        ("could these models end up doing our work for us one day?", "replace"),
        ("will robots put us out of work one day?", "replace"),
        ("should my CV run to two pages?", "resumes"),
        ("will my accent count against me in ML interviews?", "spoken languages"),
        ("would Apple take fresh graduates for ML roles?", "new graduates"),
        ("any Berlin startups worth applying to for ML?", "particular startups"),
        ("should I go to CVPR or ICLR next spring?", "particular conferences"),
        ("which universities in Peru offer an AI masters?", "university"),
        ("do ML engineers get hired in the lumberjacking industry?", "lumberjacking industry"),
        ("what coding questions does Apple ask in its ML interviews?", "interview questions"),
        ("how do I ace the Meta ML system design round?", "interview details"),
        ("ML engineer layoffs 2023 at big tech", "layoff"),
        ("what's the passing score for the AWS ML Specialty exam?", "certification exams"),
        ("should I quit my job to study ML full time?", "quit"),
        ("how many ML engineers does Netflix have?", "how big its teams are"),
        ("mlflow or wandb for a beginner?", "tool"),
        ("is the Lakeside University data science degree any good?", "university"),
        ("what would Initech Systems pay a senior ML engineer?", "don't cover Initech Systems"),
        ("Initrode ML engineer openings", "don't cover Initrode"),
        ("is Microsoft's speech lab located in Dublin?", "offices"),
        ("how big is the NVIDIA robotics team?", "how big its teams are"),
        ("what do ML engineers earn at Initrode?", "don't cover"),
        (
            "is the Boston Consulting Group a good first ML job?",
            "don't cover Boston Consulting Group",
        ),
        ("will my university credits transfer toward an AI master's?", "credits"),
        ("could a 15 year old get hired at 15 as an ML intern?", "too late"),
        ("is there much demand for ML engineers in Europe?", "job market in Europe"),
        ("does Meta have ML vacancies in Dublin?", "job market in Dublin"),
        ("are stock options at a small startup worth much?", "what equity is worth"),
        ("how do I negotiate my ML engineer offer up?", "negotiat"),
        ("what's the cost of living like in Seattle on an ML salary?", "cost of living"),
        ("can you explain gradient descent to me?", "algorithms"),
        ("who's NVIDIA's chief executive these days?", "who runs"),
        ("where does Tesla have its HQ", "headquarters"),
        ("could I keep a part time ML job next to teaching?", "part-time"),
        ("do I need a licence to practise as an ML engineer?", "licences"),
        ("how many engineers did Google let go last year?", "layoff"),
        ("should I put my band on my CV?", "resumes"),
        ("is there a robotics camp for my 14 year old that you'd suggest?", "camps"),
        ("know a decent class on time series for beginners?", "online courses"),
        ("would my company pay for a masters in AI?", "how to pay for them"),
        ("what would a PhD in AI cost me?", "cost"),
        ("best graphics card for training models at home?", "hardware"),
        ("what is a neural network? explain it simply", "concepts"),
        ("do ML engineers earn more than secretaries?", "pay for secretaries"),
        ("any way to get funding for an AI certificate?", "how to pay for them"),
        ("is the databricks lakehouse certification any good", "only"),
        ("does the Oracle Cloud Infrastructure AI credential carry weight?", "only"),
        (
            "are Amazon's ML engineers expected to do weekend work?",
            "work hours at Amazon in particular",
        ),
    ],
)
def test_what_the_guides_lack_is_declined_naming_what_they_cover(
    engine: Engine, text: str, says: str
) -> None:
    (reply,) = ask(engine, text)
    assert reply.kind == "decline", reply.text
    assert says.lower() in reply.text.lower()
    assert "cover" in reply.text


@pytest.mark.parametrize(
    "text",
    [
        "I'm 40 and want to become an ML engineer, what degree do I need?",
        "do ML engineers work 40 hours a week?",
        "should I study computer science or math for my degree?",
        "how do ML engineers fix a bug in production?",
        "which US states hire the most ML engineers?",
        "what are the transformer focus areas at google?",
        "do mature companies invest in MLOps?",
        "what's the equity like at big tech?",
        "who employs ML engineers?",
        "what questions do most people have about this career?",
        "could I be a startup founder after a few years as an ML engineer?",
        "are automakers like Tesla pouring money into ML?",
        "do ML engineers ever work night shifts?",
        "which cloud tools do you'd say matter most for ML engineers?",
        "is there a course on machine learning the guides like?",
        "which professional associations beat going to meetups?",
        "any tech publications I should read to stay current on ML?",
        "what ML does the shop that sold books before everything else use today?",
        "I started coding at 15, what should I learn next for ML?",
        "I work for Initech Systems. How do I become an ML engineer?",
        "how meny openings does apple have",
        "are ML jobs based in California mostly?",
        "is a university degree worth it for ML?",
        "does the gaming industry hire ML engineers?",
        "what startups should I avoid?",
        "which industry pays ML engineers the most?",
        "do ML engineers work from an office?",
    ],
)
def test_what_only_resembles_a_gap_is_not_declined_as_one(engine: Engine, text: str) -> None:
    (reply,) = ask(engine, text)
    assert "Nearby, they cover" not in reply.text, reply.text


def test_an_answer_declining_only_part_of_the_question_is_an_answer(engine: Engine) -> None:
    (partly,) = ask(engine, "senior ML engineer salary in the automotive industry")
    assert partly.kind == "answer" and "$210,000" in partly.text, partly.text
    assert "don't give a salary figure for Automobile" in partly.text
    (wholly,) = ask(engine, "ML engineer salary in the automotive industry")
    assert wholly.kind == "decline", wholly.text


def test_the_job_markets_competition_is_not_a_kaggle_competition(engine: Engine) -> None:
    (reply,) = ask(engine, "how tough is the competition for ML engineer jobs right now?")
    assert "Kaggle" not in reply.text


@pytest.mark.parametrize(
    ("alternate", "city", "kept"),
    [
        ("Bangalore", "Bengaluru", True),
        ("Peking", "Beijing", True),
        ("Osaca", "Osaka", False),  # the city's own name spelt another way
        ("shang hai shi", "Shanghai", False),  # a transliteration
        ("Chi-ning-shih", "Jining", False),
        ("PRY", "Pretoria", False),  # a code
    ],
)
def test_the_gazetteer_keeps_the_names_english_speakers_use(
    alternate: str, city: str, kept: bool
) -> None:
    from bot.places import _exonym

    assert _exonym(alternate, {"name": city}) is kept


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("ml engineer pay in londno", "London"),
        ("what do ML engineers earn in Manchster?", "Manchester"),
    ],
)
def test_a_misspelt_place_the_guides_lack_is_still_that_place(
    engine: Engine, text: str, place: str
) -> None:
    (reply,) = ask(engine, text)
    assert reply.kind == "decline" and f"pay in {place}" in reply.text, reply.text


@pytest.mark.parametrize(
    ("text", "places"),
    [
        # "spain" is one edit from a word of the guides ("span"), and too rare an English word
        # for the speller to leave alone: a country is never respelt
        ("typical ML engineer earnings in spain", "Spain"),
        # "Mexico" is a word of the guides, in "New Mexico", and still a country
        ("ML pay in Mexico City vs Mexico", "Mexico City or Mexico"),
        ("what do ml engineers get paid in lisbon, porto and madrid?", "Lisbon, Porto or Madrid"),
    ],
)
def test_every_place_the_guides_lack_is_named_in_the_decline(
    engine: Engine, text: str, places: str
) -> None:
    (reply,) = ask(engine, text)
    assert reply.kind == "decline" and f"pay in {places}." in reply.text, reply.text
    (state,) = ask(engine, "ML engineer pay in New Mexico")
    assert "New Mexico" in state.text and "pay in Mexico" not in state.text


def test_an_english_name_of_a_city_is_a_place_the_guides_lack(engine: Engine) -> None:
    (reply,) = ask(engine, "what would an ML engineer earn in Bombay?")
    assert reply.kind == "decline" and "Mumbai" in reply.text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Would my PsyD count as a PhD for ML jobs?", "PsyD"),
        ("is the Strata Data Conference worth attending for ml people?", "Strata Data Conference"),
        # "Jira" is a word of how people ask for a passage (`asked.yaml`), not of the content
        ("should an ML team track its work in Jira?", "Jira"),
    ],
)
def test_a_name_no_content_knows_in_what_is_asked_is_declined(
    engine: Engine, text: str, name: str
) -> None:
    """A capitalised name the content does not know, in the sentence that asks, is what the
    question is about: declined, naming it and what the intent it read as covers."""
    (reply,) = ask(engine, text)
    assert reply.kind == "decline" and f"don't cover {name}." in reply.text, reply.text


@pytest.mark.parametrize(
    "text",
    [
        "How do I move from Embedded SWE work to ML?",  # an English word, capitalised
        "Is Data Engineering A Good Path Into Machine Learning Engineering?",  # a title
        # a name in what the person tells, not in what they ask
        "I draw in Rhinoceros Grasshopper. What are the steps to become an ML engineer?",
        "do MLEs usually get RSUs?",  # abbreviations the content knows
        "hey Claude, how much do ML engineers make?",  # a person greeted
    ],
)
def test_a_capitalised_word_that_is_no_unknown_name_asked_is_answered(
    engine: Engine, text: str
) -> None:
    (reply,) = ask(engine, text)
    assert reply.kind == "answer", reply.text


def test_a_person_introducing_themselves_is_greeted_not_declined(engine: Engine) -> None:
    (reply,) = ask(engine, "Hi, I'm Priya")
    assert reply.kind == "smalltalk", reply.text


def test_pay_in_a_us_city_the_guides_lack_is_its_states_when_they_give_that(
    engine: Engine,
) -> None:
    """The gazetteer knows the state of a US city: pay in Boston gets the Massachusetts figure,
    saying the guides have none for Boston; a bare "chicago?" after a pay answer asks the same.
    A state without a figure (Florida, Illinois) stays an honest decline, and so does a city of
    the state whose pay was just given ("and in Dallas?" after Texas)."""
    (boston,) = ask(engine, "ML engineer pay in Boston?")
    assert boston.kind == "answer" and boston.text.startswith(
        "The guides give no ML engineer pay for Boston itself; it is in Massachusetts"
    ), boston.text
    assert "$136,700" in boston.text, boston.text
    _, bare = ask(engine, "what's the entry level salary?", "boston?")
    assert bare.kind == "answer" and "Massachusetts" in bare.text, bare.text
    (miami,) = ask(engine, "salary in Miami")
    assert miami.kind == "decline" and "pay in Miami" in miami.text, miami.text
    _, chicago = ask(engine, "what's the entry level salary?", "what about Chicago")
    assert chicago.kind == "decline" and "Chicago" in chicago.text, chicago.text
    _, dallas = ask(engine, "ML engineer pay in Texas?", "what about Dallas then?")
    assert dallas.kind == "decline" and "Dallas" in dallas.text, dallas.text
    # a company asked after pay is not pay at that company
    _, apple = ask(engine, "ML engineer pay in Texas?", "tell me about Apple's ML work")
    assert apple.kind == "answer" and "Siri" in apple.text, apple.text


def test_a_place_the_person_lives_in_makes_pay_an_honest_decline(engine: Engine) -> None:
    _, pay = ask(engine, "I live in Berlin", "how much would I make?")
    assert pay.kind == "decline" and "Berlin" in pay.text
    _, here = ask(engine, "I live in Berlin", "is the pay any good over here?")
    assert here.kind == "decline" and "Berlin" in here.text
    # pay asked in general, not of their own case, is the guides' general pay
    _, entry = ask(engine, "I live in Berlin", "what is entry level pay like?")
    assert entry.kind == "answer" and "110,000" in entry.text, entry.text
    # ... unless the talk has since been about places the guides cover
    *_, moved = ask(engine, "I live in Berlin", "what about Washington state?", "what's mid pay?")
    assert moved.kind == "answer" and "150,000" in moved.text, moved.text
    # making a move asks no pay
    _, switch = ask(
        engine, "I live in Berlin", "if I make the switch, what could I move on to later?"
    )
    assert "Berlin" not in switch.text, switch.text


# -- the last answer ------------------------------------------------------------------------


def test_how_exact_a_figure_is_comes_from_how_the_guide_states_it(engine: Engine) -> None:
    roles, exact = ask(engine, "how many ML openings does Amazon have?", "is that precise?")
    assert roles.intent == "company_open_roles" and "~600+" in roles.text
    assert exact.kind == "act" and exact.intent == "exact"
    assert "~600+" in exact.text and "roughly" in exact.text and exact.citations
    _, none = ask(engine, "what does an ML engineer do?", "exact figure?")
    assert none.intent == "exact" and "no figure" in none.text


def test_the_second_one_asks_of_that_item(engine: Engine) -> None:
    _, second = ask(engine, "what are the interview stages?", "what happens in the second one?")
    assert "System Design" in second.text
    # items naming a skill or two each are counted as items, not the skills they name
    _, third = ask(engine, "which interview stages are there?", "the third one please")
    assert "Behavioral Round" in third.text, third.text
    # an item named with "what is it about?" around it is still that item
    _, design = ask(
        engine, "which interview stages are there?", "and system design, what is it about?"
    )
    assert "Optimizing an ML pipeline" in design.text and "Often Missing" not in design.text
    # the middle one of three is the second
    _, middle = ask(engine, "which interview stages are there?", "and the middle one?")
    assert middle.text.startswith("Item 2 ") and "System Design" in middle.text, middle.text


def test_one_question_of_several_entities_is_answered_for_each(engine: Engine) -> None:
    (reply,) = ask(engine, "what do OpenAI, Tesla and IBM each focus on?")
    assert reply.kind == "multi" and len(reply.parts) == 3
    assert "Full Self-Driving" in reply.text and "Watson" in reply.text


def test_a_bare_number_picks_from_what_a_decline_showed(engine: Engine) -> None:
    decline, picked = ask(engine, "what is the capital of france", "1")
    assert decline.kind == "decline" and decline.suggestions
    assert picked.kind != "decline"


# -- the profile ----------------------------------------------------------------------------


def test_negation_and_moves_update_the_profile(engine: Engine) -> None:
    ask(engine, "I'm a student in Seattle", "I'm not a student anymore", "I moved to Austin")
    rows = dict(engine.explain("answering").profile)
    assert "You are" not in rows and "Austin" in rows.get("Region", "")


@pytest.mark.parametrize(
    "text",
    ["I got my first job right out of college", "I finished university two years ago"],
)
def test_school_in_the_past_does_not_make_a_student(engine: Engine, text: str) -> None:
    ask(engine, text)
    assert "You are" not in dict(engine.explain("answering").profile)


def test_a_hypothetical_move_follows_the_last_answer_up_without_moving_the_person(
    engine: Engine,
) -> None:
    first, what_if = ask(
        engine, "how much do ml engineers make in Seattle?", "what if I moved to Austin instead?"
    )
    assert what_if.kind == "answer" and what_if.intent == first.intent == "salary"
    assert what_if.slots != first.slots and "Austin" in what_if.text
    assert "Region" not in dict(engine.explain("answering").profile)
    ask(engine, "how much do ml engineers make in Seattle?", "I moved to Austin")
    assert "Austin" in dict(engine.explain("answering").profile).get("Region", "")


def test_a_follow_up_after_a_place_the_guides_lack_keeps_the_topic(engine: Engine) -> None:
    gap, follow = ask(engine, "how much do ml engineers make in Chicago?", "and in Austin?")
    assert gap.kind == "decline" and "Chicago" in gap.text
    assert follow.kind == "answer" and follow.intent == "salary" and "Austin" in follow.text


def test_a_follow_up_may_ask_again_any_question_of_a_long_post(engine: Engine) -> None:
    post, follow = ask(
        engine,
        "I write Go at a logistics company and I'm looking at ML roles. How much do ML engineers "
        "make in Texas? And what skills do they need that a backend developer lacks?",
        "what if I moved to Washington instead?",
    )
    assert post.kind == "multi" and post.parts[0].intent == "salary"
    assert post.parts[-1].intent != "salary"
    assert follow.kind == "answer" and follow.intent == "salary" and "Washington" in follow.text
    assert engine.session("answering").part_intents == []  # a single question clears them


def test_their_points_at_the_last_answers_company(engine: Engine) -> None:
    text = "what stages does their interview have?"
    top, second = engine.rank(text)[:2]  # alone, the general interview stages come first
    assert (top.intent, second.intent) == ("interview_stages", "company_hiring")
    assert second.score >= engine.threshold
    _, reply = ask(engine, "what does Nvidia focus on?", text)
    assert reply.intent == "company_hiring" and reply.slots == {"company": "nvidia"}


def test_the_topic_survives_what_a_person_says_of_themselves(engine: Engine) -> None:
    _, _, projects = ask(
        engine, "what does Meta look for?", "I live in Seattle", "what are their projects?"
    )
    assert projects.slots.get("company") == "meta"


# -- the unanswered log ---------------------------------------------------------------------


def test_the_unanswered_log_is_private_and_groups_alike_messages(tmp_path: Path) -> None:
    path = tmp_path / "state" / "unanswered.jsonl"
    engine = Engine.load(unanswered=UnansweredLog(path))
    for text in (
        "what is the capital of france",
        "what's the capital of France?",
        "how much do senior ml engineers make",
    ):
        engine.reply(text, session="log")
    entries = read(path)
    assert [e["text"] for e in entries] == [
        "what is the capital of france",
        "what's the capital of France?",
    ]
    assert all("session" not in json.dumps(e) for e in entries)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    groups = group(entries)
    assert len(groups) == 1 and groups[0].count == 2


def test_a_clarifying_choice_keeps_only_the_slots_the_chosen_intent_takes(engine: Engine) -> None:
    engine.reset("clarify")
    state = engine.session("clarify")
    state.options, state.pending_slots = ["top_skills", "company_hiring"], {"company": "meta"}
    engine.restore("clarify", state)
    first = engine.reply("1", session="clarify")
    assert first.intent == "top_skills" and dict(first.slots) == {}
    assert engine.session("clarify").pending_slots == {}


def test_the_one_from_a_named_company_is_found_in_the_last_list(engine: Engine) -> None:
    _, ibm = ask(engine, "which certifications are worth getting?", "is there one from IBM?")
    assert "Professional Certificate in Deep Learning from IBM" in ibm.text
    assert "Google's ML Crash Course" not in ibm.text


def test_their_refers_to_the_companies_a_long_message_named(engine: Engine) -> None:
    (reply,) = ask(
        engine,
        "Quick background: I have interviews lined up with Apple and Meta next month. "
        "What do their hiring processes look for? And how many ML roles are open?",
    )
    hiring = reply.parts[0]
    assert hiring.kind == "multi" and "Apple" in hiring.text and "Meta" in hiring.text


def test_a_short_message_declined_whole_is_read_sentence_by_sentence(engine: Engine) -> None:
    text = "I've written Java for a decade at a bank. Do ML engineers use C++?"
    (split,) = ask(engine, text, session="split")
    assert split.kind == "answer" and "C++" in split.text, split.text
    assert engine.session("split").profile.skills == ["java"]  # the statement, noted


def test_a_question_without_i_or_my_is_not_a_statement_about_the_person(engine: Engine) -> None:
    (reply,) = ask(engine, "is python the main language for ml")
    assert reply.intent != "profile_statement"
    assert engine.session("answering").profile.skills == []
    (told,) = ask(engine, "my main language is python", session="told")
    assert told.intent == "profile_statement"


def test_a_question_naming_the_domain_needs_less_of_it_held_to_be_retrieved(
    content_copy: Path,
) -> None:
    """Read with the guides' own words only (how people ask for the passages would find it
    either way)."""
    (content_copy / "knowledge" / "asked.yaml").unlink()
    engine = Engine.load(content_copy, cache=False)
    (anchored,) = ask(engine, "do ml engineers check models for bias?")
    (loose,) = ask(engine, "do auditors check models for bias?", session="loose")
    assert anchored.kind == "retrieved" and "bias" in anchored.text, anchored.text
    assert loose.kind == "decline", loose.text


def test_one_word_of_the_guides_is_enough_in_a_question_about_the_domain(engine: Engine) -> None:
    """ "Should ML engineers bother with reliability?" holds one word a passage holds: enough,
    as the question is about the domain itself and the word is no everyday one; "what time is
    it?" is neither."""
    (reliable,) = ask(engine, "should ML engineers bother with reliability?")
    assert reliable.kind == "retrieved" and "rollback plans" in reliable.text, reliable.text
    (time,) = ask(engine, "what time is it", session="time")
    assert time.kind == "decline", time.text


def test_this_job_or_these_engineers_name_the_domain(engine: Engine) -> None:
    """Asked of this bot, "these engineers" are ML engineers: one word of the guides is enough,
    as for "ML engineers"; with nothing naming the domain it is not."""
    (named,) = ask(engine, "do these engineers have to think about cost?")
    assert named.kind == "retrieved" and "cost" in named.text, named.text
    (bare,) = ask(engine, "do I have to think about cost?", session="bare")
    assert bare.kind == "decline", bare.text


def test_a_passage_is_found_by_how_people_ask_for_it(content_copy: Path) -> None:
    """`asked` lines in the knowledge folder are searched with their passage, never shown."""
    question = "who does the zorble quibbets?"
    before = Engine.load(content_copy, cache=False).reply(question)
    assert before.kind == "decline", before.text
    kb = load_knowledge(content_copy / "knowledge")
    passage = next(p for p in passages(kb) if p.topic == "responsibilities")
    start = " ".join(passage.text.split()[:4])
    (content_copy / "knowledge" / "asked_test.yaml").write_text(
        yaml.safe_dump({"asked": [{"passage": start, "lines": ["zorble the quibbets"]}]}),
        encoding="utf-8",
    )
    after = Engine.load(content_copy, cache=False).reply(question)
    assert after.kind == "retrieved" and passage.text in after.text, after.text
    assert "zorble" not in after.text


def test_a_passage_already_shown_is_found_again_by_its_own_words_only() -> None:
    cite = Citation("g", "Guide", "Challenges")
    found = [
        Passage(
            "Handling messy datasets", "Challenges", cite, "c", (), asked="how to deal with it"
        ),
        Passage("Meeting deadlines", "Challenges", cite, "c", ()),
        Passage("Elsewhere: messy", "Other", Citation("g", "Guide", "Other"), "o", ()),
    ]
    index = PassageIndex(found, {}, (), Lexicon(()))
    sections = [("g", "Challenges")]
    assert [p.text for p in index.under(sections, ["messi"], 0.5)] == ["Handling messy datasets"]
    said = "Handling messy datasets"
    assert [p.text for p in index.under(sections, ["messi"], 0.5, said)] == [said]
    # asked of it only in how people ask for it: not shown again, though found when not shown
    assert [p.text for p in index.under(sections, ["deal"], 0.5)] == [found[0].text]
    assert index.under(sections, ["deal"], 0.5, said) == []


def test_an_everyday_word_says_less_of_what_is_asked_than_its_rarity_suggests() -> None:
    """Each word below is in one passage, so all are equally rare in the guides; "still" and
    "well" are everyday English, so a question holding them is still about monitoring."""
    cite = Citation("g", "Guide", "Duties")
    texts = ["Monitor models after launch", "Still images are classified", "Well-known tools"]
    found = [Passage(text, "Duties", cite, "duties", ()) for text in texts]
    question = ["still", "well", "monitor", "launch"]
    plain = PassageIndex(found, {}, (), Lexicon(()))
    everyday = PassageIndex(found, {}, (), Lexicon(()), common=["still", "well", "moon"])
    assert plain.search(question, {}) == []
    assert [f.passage.text for f in everyday.search(question, {})] == [texts[0]]
    # a word no passage holds is a sign of another subject, an everyday one half as strong
    assert everyday.weights(["moon"])["moon"] == pytest.approx(plain.weights(["moon"])["moon"] / 2)
    # so is a modifier no passage holds: how, not what, is asked
    moon = plain.weights(["moon"])["moon"]
    assert plain.weights(["fiercest", "eagerly"]) == {"fiercest": moon / 2, "eagerly": moon / 2}
    assert plain.weights(["best"])["best"] == moon  # too short to tell


def test_a_comparison_naming_what_another_intent_takes_is_handed_to_it(engine: Engine) -> None:
    """The question reads like the level comparison, which it does not fill; the states it names
    are what that intent's `followups` hands to the pay intent."""
    (reply,) = ask(engine, "how does pay compare between california and texas")
    assert reply.kind == "multi" and [p.intent for p in reply.parts] == ["salary", "salary"]
    assert "California" in reply.parts[0].text and "Texas" in reply.parts[1].text
    assert "Entry level" not in reply.text
    (levels,) = ask(engine, "how does pay compare between entry level and senior")
    assert levels.intent == "salary_compare_levels"


def test_an_answer_showing_only_a_label_gets_what_the_label_stands_for(engine: Engine) -> None:
    """The steps answer shows "Complete high school" and the skills answer "Cloud Platforms";
    asked about them, their detail (an item's text, a list's items) follows."""
    found = passages(engine.knowledge)
    (school,) = ask(engine, "what should i be doing in high school to become an ml engineer?")
    step = next(p for p in found if p.label.lower() == "complete high school")
    assert "Complete high school" in school.text.split("More specifically")[0]
    assert step.text in school.text
    (cloud,) = ask(engine, "which cloud platforms are ml engineers expected to know?")
    items = [p.text for p in found if p.label == "Cloud Platforms"]
    assert len(items) >= 2 and all(f"- {item} (" in cloud.text for item in items), cloud.text
    (steps,) = ask(engine, "what are the steps to become an ml engineer?")
    assert "More specifically" not in steps.text
    # a company's name heads its hiring process; asked about the company, that is not asked
    (company,) = ask(engine, "what does amazon use ml for")
    assert "Hiring Process" not in company.text, company.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "What ML roles and focus areas does Tesla have?",
            ["What ML roles does Tesla have?", "What focus areas does Tesla have?"],
        ),
        (
            "what are the perks and the pay for seniors",
            ["what are the perks for seniors", "what are the pay for seniors"],
        ),
        # tersely, after a dash or a colon
        ("Meta: focus and perks?", ["Meta: focus?", "Meta: perks?"]),
        # ... or after a possessive
        ("Apple's open roles and perks?", ["Apple's open roles?", "Apple's perks?"]),
        ("my friend's cat and dog", []),
        ("apple openings and projects", []),
        ("how much do they make and what do they do", []),  # two clauses, split elsewhere
        ("is python and sql enough", []),
        ("what is the difference between data science and machine learning engineering", []),
    ],
)
def test_two_things_joined_by_and_are_two_questions(text: str, expected: list[str]) -> None:
    assert paired(text) == expected


def test_a_question_asking_two_things_of_one_subject_answers_both(engine: Engine) -> None:
    (both,) = ask(engine, "What ML roles and focus areas does Tesla have?")
    assert [p.intent for p in both.parts] == ["company_open_roles", "company_focus"]
    (half,) = ask(engine, "what is the salary and interview process at google")
    assert [p.kind for p in half.parts] == ["decline", "answer"]
    assert "Google" in half.parts[0].text and half.parts[1].intent == "company_hiring"
    # the same thing of two subjects is one intent, answered for each
    (each,) = ask(engine, "what do google and meta focus on")
    assert {p.intent for p in each.parts} == {"company_focus"}


def test_words_about_the_guides_are_no_evidence_against_a_passage(engine: Engine) -> None:
    (reply,) = ask(engine, "you mentioned a model card earlier, what is that")
    assert reply.kind == "retrieved" and "model card" in reply.text, reply.text


def test_a_question_that_never_speaks_of_pay_gets_no_pay_answer(engine: Engine) -> None:
    """The pay intents `needs` a word of pay: "best state" alone is about the jobs there."""
    (best,) = ask(engine, "which state is best for ml engineers")
    assert best.intent == "job_locations", best.text
    (paid,) = ask(engine, "which state is best paid for ml engineers")
    assert paid.intent == "salary_by_location"
    (sign,) = ask(engine, "ballpark $ for a senior ml engineer?")
    assert sign.intent == "salary"
    # two levels named, but their work asked: not the level comparison's pay, nor one level's
    (work,) = ask(engine, "what does an entry level ml engineer do compared to a senior one?")
    assert work.intent not in ("salary", "salary_compare_levels"), work.text
    (bare,) = ask(engine, "senior?")
    assert bare.intent == "salary"


def test_a_place_in_a_message_is_not_taken_for_an_unknown_company(engine: Engine) -> None:
    (reply,) = ask(engine, "We're a software company in Stuttgart. What do ML engineers do?")
    assert "don't cover Stuttgart" not in reply.text, reply.text


def test_a_name_written_as_one_is_not_respelt_into_an_everyday_word(engine: Engine) -> None:
    """ "does Boeing hire...?": capitalised inside the sentence, "Boeing" is a name the guides
    lack, not "being"; a misspelt name the content knows is still repaired ("Gogle")."""
    (boeing,) = ask(engine, "so does Boeing hire ML engineers?")
    assert boeing.kind == "decline" and "Boeing" in boeing.text, boeing.text
    (google,) = ask(engine, "what does Gogle look for in ML engineers?", session="google")
    assert google.kind == "answer" and "Google" in google.text, google.text


@pytest.mark.parametrize(
    "text", ["USA salary for a senior machine learning engineer", "entry level salary, USA"]
)
def test_the_guides_own_country_is_not_an_unknown_name(engine: Engine, text: str) -> None:
    (reply,) = ask(engine, text)
    assert reply.kind == "answer" and reply.intent == "salary", reply.text


def test_ranking_places_is_not_about_the_place_you_live(engine: Engine) -> None:
    _, yours, ranked = ask(
        engine, "I live in Chicago", "so what would I make?", "what's the highest paying state?"
    )
    assert yours.kind == "decline" and "Chicago" in yours.text
    assert ranked.kind == "answer" and "Chicago" not in ranked.text, ranked.text


def test_a_company_the_guides_name_without_the_asked_detail_is_a_decline(engine: Engine) -> None:
    (reply,) = ask(engine, "what is Netflix's interview process for ML engineers?")
    assert reply.kind == "decline" and "Netflix" in reply.text, reply.text
    assert "Google" in reply.text  # the companies whose process they do describe


@pytest.mark.parametrize(
    ("pattern", "starts"),
    [
        (r"\b(visa|visas|green card|h1b)\b", {"visa", "visas", "green card", "h1b"}),
        (r"\bfine ?tun(e|es)\b", {"fine tune", "fine tunes", "finetune", "finetunes"}),
        (r"^(?!.*\bfrom\b)how (long|many)\b", {"how long", "how many"}),
        (r"(?<!machine )\blearning rates?\b", {"learning rat"}),  # twelve characters
        (r"\b(l3|e[0-9])\b", {"l3", "e"}),  # a class ends what is known
        (r"\b(ab)+c", {"ab"}),  # "abab..." or "abc": only "ab" is sure
        (r"kaggle", None),  # may match inside a word: every message is searched
        (r"\b[a-z]+ing\b", None),  # nothing literal at the start
    ],
)
def test_a_gap_pattern_is_searched_only_in_messages_with_a_word_it_may_start(
    pattern: str, starts: set[str] | None
) -> None:
    from bot.gaps import word_starts

    found = word_starts(pattern)
    assert (None if found is None else set(found)) == starts


def test_gaps_are_found_as_a_search_of_every_pattern_would(engine: Engine) -> None:
    finder = engine._dialogue.answerers[0].__self__.gaps  # type: ignore[attr-defined]
    texts = [q["text"] for q in yaml.safe_load((DATA / "questions.yaml").read_text())["questions"]]
    for text in texts:
        u = engine.understand(text)
        joined = " ".join(u.tokens)
        slow = next(
            (
                g
                for g in finder.gaps.topics
                if any(re.search(p, joined) for p in g.patterns) and g.unless.isdisjoint(u.tokens)
            ),
            None,
        )
        found = finder.find(u)
        fast = found.gap if found is not None and found.gap in finder.gaps.topics else None
        assert fast == slow, text


def test_a_lower_case_word_is_a_company_only_where_a_company_surely_stands(engine: Engine) -> None:
    """ "does spotify hire" names a company; "does pytorch matter" (a known word) and "is
    fooba hard" (an unknown word, but no company word after it) do not."""
    (known,) = ask(engine, "does pytorch matter for ml jobs")
    assert "don't cover" not in known.text, known.text
    (unplaced,) = ask(engine, "is fooba hard to learn for ml engineers")
    assert "don't cover Fooba" not in unplaced.text, unplaced.text


def test_a_label_named_by_another_name_of_an_entity_gets_its_detail(engine: Engine) -> None:
    """The skills answer shows "Mathematical expertise" only by name; "math" is another name of
    that entity, so the question asks about the label and gets what the guide says under it."""
    (reply,) = ask(engine, "What math do I need to become a machine learning engineer?")
    assert "Mathematical expertise" in reply.text
    assert "linear algebra" in reply.text and "calculus" in reply.text, reply.text


def test_someone_already_in_the_role_gets_the_career_path_not_the_way_in(engine: Engine) -> None:
    """An ML engineer asking where to go next is answered with the career progression, whether
    the message or an earlier one says so; someone not yet in the role gets the way in."""
    (same,) = ask(engine, "I've been an ML engineer for about 3 years. Where can I go from here?")
    assert same.intent == "career_progression", same.text
    _, later = ask(engine, "I'm an MLE at a fintech startup.", "could I become a CTO someday?")
    assert engine.session("answering").profile.role == "ml_engineer"
    assert later.intent == "career_progression", later.text
    (aspiring,) = ask(engine, "I'm not an ML engineer yet, how do I become one?")
    assert aspiring.intent == "become_ml_engineer", aspiring.text
    (wanting,) = ask(engine, "I want to be an ML engineer. How do I become one?")
    assert wanting.intent == "become_ml_engineer"
    assert engine.session("answering").profile.role is None


def test_a_company_s_projects_come_with_what_it_uses_ml_for(engine: Engine) -> None:
    """ "What does Amazon use ML for?" reads like its projects; its focus areas follow them."""
    (reply,) = ask(engine, "what does Amazon use ML for?")
    assert "Prime Delivery Optimization" in reply.text and "Alexa" in reply.text, reply.text
    # ... and the focus areas with its projects ("what is DeepMind working on?")
    (focus,) = ask(engine, "what is DeepMind focused on?")
    assert focus.intent == "company_focus" and "AlphaGo" in focus.text, focus.text


def test_which_of_a_kind_asked_of_an_answer_naming_none_lists_the_kind(engine: Engine) -> None:
    """ "Which of the big companies do robotics?" reads like startups against big tech, whose
    answer names no company: the companies whose passages hold robotics are listed instead. An
    answer naming several of the kind ("which industry pays the most?") stands."""
    (reply,) = ask(engine, "which of the big companies do robotics?")
    assert "Tesla" in reply.text and "NVIDIA" in reply.text, reply.text
    (industries,) = ask(engine, "which industry pays ml engineers the most")
    assert industries.intent == "salary_by_industry", industries.text


def test_which_of_a_kind_answered_by_a_list_saying_nothing_of_the_rest_lists_the_holders(
    engine: Engine,
) -> None:
    """ "Which companies do on-device ML?" matches the list of employers, which says nothing
    of devices: the companies whose passages say it are listed, the one whose own words say it
    first, before one that holds the word only in the aliases of its industry ("medical
    devices"), and alone when one company is asked for. A list the matcher chose for the
    question's words ("employ the biggest number") stands."""
    (reply,) = ask(engine, "which companies do on-device ML?")
    assert reply.kind == "retrieved" and reply.text.index("- Apple:") < reply.text.find(
        "- Pfizer:"
    ), reply.text
    (one,) = ask(engine, "which company is known for on-device ML?")
    assert "- Apple:" in one.text and "Pfizer" not in one.text, one.text
    (biggest,) = ask(engine, "which companies employ the biggest number of ML engineers?")
    assert biggest.intent == "major_employers", biggest.text


def test_a_question_lacking_every_pay_word_is_not_ranked_against_pay(engine: Engine) -> None:
    """ "what other sectors?" shares "sectors" with the pay by industry, but asks no pay: the
    industries that use ML answer it. A bare level ("senior?") is still the level's pay."""
    (sectors,) = ask(engine, "what other sectors use ml?")
    assert sectors.intent == "industries", sectors.text
    assert all(c.intent != "salary_by_industry" for c in engine.rank("what other sectors use ml?"))
    (bare,) = ask(engine, "senior?")
    assert bare.intent == "salary"


def test_a_number_no_passage_holds_weighs_nothing(engine: Engine) -> None:
    """ "My 15-year-old": an age, not what is asked; it must not outweigh the question's words."""
    index = engine._dialogue.answerers[0].__self__.passages  # type: ignore[attr-defined]
    assert index.weights(["15", "school"])["15"] == 0.0
    (reply,) = ask(engine, "What high school subjects should my 15-year-old focus on for ML?")
    assert "physics" in reply.text, reply.text


def test_a_certificate_named_after_a_skill_is_the_certificate(engine: Engine) -> None:
    (reply,) = ask(engine, "TensorFlow certificate?")
    assert reply.intent == "certifications" and "TensorFlow Developer Certificate" in reply.text


def test_two_career_intents_nearly_tied_share_their_confidence(engine: Engine) -> None:
    """ "Tips to become a solid machine learning engineer" is the way in or getting better at
    the job; the matcher splits its confidence between them, neither alone reaching the
    threshold. Together they do, so the first is answered. A bare entity is left to its kind's
    intent ("nvidia?" is the company's overview, not whichever company intent ranks first)."""
    question = "tips to become a solid machine learning engineer"
    first, second = engine.rank(question)[:2]
    assert first.score < engine.threshold and second.score >= 0.9 * first.score
    (reply,) = ask(engine, question)
    assert reply.kind == "answer" and reply.intent == first.intent, reply.text
    (bare,) = ask(engine, "nvidia?")
    assert bare.intent == "company_overview"
    # two acts on the last answer nearly tied: the first
    _, act = ask(engine, "whats the median salary for ML engineers", "is that a lot?")
    assert act.kind == "act", act.text


def test_the_job_market_of_a_place_the_guides_cover_is_answered(engine: Engine) -> None:
    """Only a market in a place the guides lack is declined; where the person lives is not
    what a question about skills asks."""
    (texas,) = ask(engine, "is there demand for ML engineers in Texas?")
    assert texas.kind != "decline", texas.text
    (skills,) = ask(engine, "I live in Berlin, what skills do ML jobs need?")
    assert "Berlin" not in skills.text and skills.kind != "decline", skills.text


# -- which entity, and what follows it ------------------------------------------------------


def test_which_company_in_the_singular_names_the_best_and_the_conversation_follows_it(
    engine: Engine,
) -> None:
    which_firm = "which firm does mixed reality with computer vision?"
    which, follow = ask(engine, which_firm, "what's their interview like?")
    assert which.kind == "retrieved" and "Microsoft" in which.text
    assert sum(f"- {name}:" in which.text for name in engine.names("company")) == 1
    assert follow.intent == "company_hiring" and "Microsoft" in follow.text


def test_a_question_naming_what_its_intent_is_about_is_answered_below_the_threshold(
    engine: Engine,
) -> None:
    text = "what is IBM doing?"
    top = engine.rank(text)[0]
    assert top.score < engine.threshold  # the matcher alone is unsure
    (reply,) = ask(engine, text)
    assert reply.kind == "answer" and reply.intent == top.intent and "IBM" in reply.text
    # ... but a bare name still gets what its kind's intent answers, and no name no such help
    assert ask(engine, "ibm?")[0].intent == "company_overview"
    assert ask(engine, "what is it doing?")[0].kind != "answer"


def test_a_company_overview_names_every_project_named_or_not(engine: Engine) -> None:
    (reply,) = ask(engine, "tell me about IBM")
    assert "Project Debater" in reply.text and "Watson Health" in reply.text


def test_suggestions_are_questions_as_people_type_them(engine: Engine) -> None:
    suggested = set()
    for text in ("what do new ml folks tend to lack", "how do i get a job in ml"):
        (reply,) = ask(engine, text)
        suggested.update(reply.suggestions)
    assert suggested
    for suggestion in suggested:
        assert suggestion[0].isupper() and " ml " not in f" {suggestion} ", suggestion
        assert engine.rank(suggestion)[0].score >= engine.threshold, suggestion


def test_a_judgement_asked_of_passages_gets_what_they_said(engine: Engine) -> None:
    said, judged = ask(
        engine, "do ML engineers keep track of model and data versions?", "would that help me?"
    )
    assert said.kind == "retrieved" and judged.kind == "act"
    first = said.text.split("\n- ", 1)[1].split(" (")[0]
    assert first in judged.text and judged.citations
    assert ask(engine, "would that help me?")[0].text == engine.settings.texts["no_context"]


def test_a_short_question_no_intent_answers_is_asked_of_what_the_last_answer_cited(
    engine: Engine,
) -> None:
    where, who = ask(engine, "where do ML engineers work?", "and who do they collaborate with?")
    assert where.kind == "answer" and who.kind == "retrieved"
    assert "data scientists" in who.text
    assert {c.section for c in who.citations} <= {c.section for c in where.citations}
    # what it showed may be shown again when its own words hold what is asked
    duties, bias = ask(engine, "what are the duties of an ML engineer?", "and the bias part?")
    item = "Evaluate models for quality, bias, and stability."
    assert item in duties.text and item in bias.text
    # "cope with" is overcoming the challenges, under the heading of the strategies
    _, cope = ask(engine, "what challenges come with the job?", "ways to cope with them?")
    assert cope.kind == "retrieved" and "time management" in cope.text
    # ... and of many, a few, those holding it in their own words first
    _, lead = ask(engine, "what does the career ladder look like?", "and if management appeals?")
    assert lead.kind == "retrieved" and "manages teams" in lead.text
    assert lead.text.count("\n- ") <= 3


def test_a_programme_is_not_programming(engine: Engine) -> None:
    assert engine.rank("which programming languages to learn first")[0].intent == (
        "technical_skills"
    )
    assert engine.rank("which programmes teach machine learning?")[0].intent == "certifications"


def test_known_for_asks_what_the_guides_say_of_a_company(engine: Engine) -> None:
    (reply,) = ask(engine, "what else is Tesla known for?")
    assert reply.kind == "answer" and "Autopilot" in reply.text


def test_a_bare_name_retrieved_brings_the_passages_that_say_something(engine: Engine) -> None:
    (reply,) = ask(engine, "do ML engineers evaluate models beyond accuracy?")
    assert reply.kind == "retrieved"
    assert "- Model Evaluation (" in reply.text  # an item of a list of skills: a name only
    assert "Evaluate models for quality, bias, and stability." in reply.text


def test_of_two_nearly_tied_intents_the_one_knowing_the_named_entity_answers(
    engine: Engine,
) -> None:
    text = "What statistics do MLEs actually need?"
    first, second = engine.rank(text)[:2]
    # not within the absolute margin, but within the share of the top that counts as a tie
    assert first.score - second.score > engine.settings.tie_margin
    (reply,) = ask(engine, text)
    assert reply.intent == "skill_info" != first.intent
    assert reply.text.startswith("Statistics") and "linear algebra" in reply.text


def test_a_general_answer_not_naming_the_asked_entity_yields_to_one_about_it(
    engine: Engine,
) -> None:
    # the perks do not name the lead engineer, the pay by level does
    text = "what total compensation does a lead ml engineer get with equity?"
    first, second = engine.rank(text)[:2]
    assert first.intent == "perks" and second.intent == "salary"
    assert second.score >= engine.threshold and second.score < 0.9 * first.score
    assert ask(engine, text)[0].intent == "salary"
    # ... and the soft skills, asked of communication, which they name, keep the question
    assert ask(engine, "does an ML engineer need good communication?")[0].intent == "soft_skills"
    # ... but not of mathematics: a question about soft skills says so
    assert ask(engine, "does math matter for ML engineers")[0].intent == "skill_info"


def test_question_marks_in_a_row_ask_one_question() -> None:
    assert not needs_splitting("is big tech better for a new grad?? kinda lost")
    assert needs_splitting("is big tech better? or a startup?")


def test_it_beside_one_named_entity_is_that_entity_not_the_last_list(engine: Engine) -> None:
    _, reply = ask(
        engine, "how do the top companies hire ML engineers?", "what does Tesla look for in it?"
    )
    assert not reply.parts and reply.text.startswith("Tesla's hiring")


def test_a_terse_question_carries_the_entity_the_conversation_is_about(engine: Engine) -> None:
    _, reply = ask(engine, "what is Tesla's ML focus?", "interview process?")
    assert reply.intent == "company_hiring" and reply.text.startswith("Tesla's hiring")


def test_an_item_of_the_last_list_is_named_by_its_words_or_its_entity(engine: Engine) -> None:
    stages, coding, design = ask(
        engine,
        "walk me through the ML interview rounds",
        "tell me more about the coding one",
        "what about system design?",
    )
    assert "Coding Round" in stages.text and "System Design" in stages.text
    assert coding.text.splitlines()[1:] == [
        "- Coding Round: Data structures, algorithms, and basic ML tasks."
    ]
    assert design.intent == "interview_stages" and "ML System Design:" in design.text
    # ... not when the last answer takes such an entity: "and Amazon?" asks it again
    _, amazon = ask(engine, "what does Google focus on in ML?", "and Amazon?")
    assert amazon.text.startswith("Amazon's ML/AI focus areas")


def test_a_question_in_words_of_its_own_is_not_a_bare_follow_up(engine: Engine) -> None:
    # "famous for" reads as "about" to the matcher, but it is not "and DeepMind?"
    _, reply = ask(
        engine, "list the big employers of ML engineers", "DeepMind is famous for what exactly?"
    )
    assert reply.intent == "company_overview" and "AlphaGo" in reply.text


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("why learn a low level language for ML?", "performance-critical"),
        ("will I need rates of change for ML engineering?", "calculus"),
        ("how much matrices and vectors math does an ML engineer use?", "linear algebra"),
        ("toughest parts of working as an ML engineer, overall?", "evolves daily"),
        ("does client facing experience count for anything in ML?", "Communication"),
        ("what does an ML engineer handle from start to finish?", "entire lifecycle"),
        ("at what time do these engineers start and end, weekdays only?", "9 am to 5 pm"),
    ],
)
def test_plain_words_reach_the_guides_own_terms(engine: Engine, text: str, says: str) -> None:
    (reply,) = ask(engine, text)
    assert reply.kind != "decline" and says in reply.text, reply.text


def test_the_hours_say_that_incident_response_is_a_duty(engine: Engine) -> None:
    """Urgent issues out of hours: the card counts incident response among the duties."""
    (reply,) = ask(engine, "are ML engineers ever on call for outages?")
    assert reply.intent == "work_hours" and "Support incident response" in reply.text, reply.text
    assert {c.source for c in reply.citations} == {"guide", "card"}


def test_a_move_sideways_asked_as_progression_gets_what_the_guides_say_of_it(
    engine: Engine,
) -> None:
    (reply,) = ask(engine, "where can the product manager route lead an ML engineer?")
    assert reply.intent == "career_progression" and "hands-on coding" in reply.text, reply.text


def test_a_step_of_the_career_path_is_compared_by_what_each_step_does(engine: Engine) -> None:
    """The blog's table of related roles lacks ML architects, but its career path says what each
    step does: that, not the table of other roles."""
    (reply,) = ask(engine, "is an ML architect's job different from a plain ML engineer's?")
    assert reply.intent == "related_roles", reply.text
    assert "overarching frameworks" in reply.text and "Leads projects" in reply.text, reply.text
    assert "Jupyter" not in reply.text, reply.text


def test_what_each_item_of_the_last_answer_says_of_something(engine: Engine) -> None:
    roles, tools = ask(
        engine,
        "how do data scientists differ from ML engineers?",
        "which tools does each of them use?",
    )
    assert roles.intent == "related_roles"
    assert tools.text.startswith(engine.settings.texts["named_items"])
    assert "Jupyter" in tools.text and "Kubernetes" in tools.text


def test_a_role_is_the_persons_only_when_they_say_it_is(engine: Engine) -> None:
    (reply,) = ask(engine, "Backend engineer with 5 years of Java. How do I become an ML engineer?")
    assert "roadmap for you as a Back-end Engineer with 5 years" in reply.text
    (reply,) = ask(engine, "data analyst here, how do I become an ML engineer?")
    assert "roadmap for you as a Data Analyst" in reply.text
    ask(engine, "I'm torn between data scientist jobs and ML engineer jobs. I know Python.")
    assert engine.session("answering").profile.role is None
    assert engine.session("answering").profile.skills == ["python"]


def test_comparing_companies_the_guides_do_not_describe_is_a_decline(engine: Engine) -> None:
    (neither,) = ask(engine, "compare Netflix and Airbnb for ML engineers")
    assert neither.kind == "decline" and "don't describe" in neither.text
    (one,) = ask(engine, "compare Google and Netflix for ML engineers")
    assert one.kind == "answer" and "~700+" in one.text and "Netflix: the guides don't" in one.text


def test_a_follow_up_naming_several_entities_is_answered_for_each(engine: Engine) -> None:
    _, both = ask(
        engine, "how much do ML engineers make in Texas?", "and in California and Massachusetts?"
    )
    assert [p.intent for p in both.parts] == ["salary", "salary"]
    assert "California" in both.parts[0].text and "Massachusetts" in both.parts[1].text


def test_a_company_named_once_in_the_guides_is_an_answer_with_what_they_say(engine: Engine) -> None:
    (reply,) = ask(engine, "tell me about Pfizer")
    assert reply.kind == "answer" and "COVID-19 vaccine" in reply.text and reply.citations


def test_a_companys_careers_page_comes_with_its_open_roles(engine: Engine) -> None:
    """Where to apply and how many roles are open are asked alike ("tesla open roles?"): each
    answer gives both, as the guides state them."""
    (page,) = ask(engine, "where can I apply to Google?")
    assert "Google Careers" in page.text and "~700+ open ML/AI roles" in page.text, page.text


def test_how_many_of_something_other_than_jobs_is_no_count_of_open_roles(engine: Engine) -> None:
    """The open roles `needs` a word of jobs: "how many" alone counts anything."""
    (kinds,) = ask(engine, "how many specialisations are there for ML engineers?")
    assert kinds.intent == "specialisations", kinds.text
    (roles,) = ask(engine, "how many ml positions does apple have")
    assert roles.intent == "company_open_roles" and "~300+" in roles.text


def test_two_places_named_to_compare_get_the_pay_of_each(engine: Engine) -> None:
    (reply,) = ask(engine, "compare seattle with new york city")
    assert reply.kind == "multi" and [p.intent for p in reply.parts] == ["salary", "salary"]
    assert "Seattle" in reply.parts[0].text and "New York" in reply.parts[1].text, reply.text


@pytest.mark.parametrize(
    ("text", "first", "second"),
    [
        # a city and a state: each its own figures
        ("is pay higher in Seattle or New York?", "Washington (state): $138,400", "$155,000"),
        # two cities: the second with its own state, not the first one's
        ("San Francisco vs Seattle ML salary?", "$180,000", "Washington (state): $138,400"),
    ],
)
def test_each_place_compared_gets_its_own_figures(
    engine: Engine, text: str, first: str, second: str
) -> None:
    (reply,) = ask(engine, text)
    assert reply.kind == "multi" and len(reply.parts) == 2, reply.text
    assert first in reply.parts[0].text and second in reply.parts[1].text, reply.text
    assert "California" not in reply.parts[1].text and "New York" not in reply.parts[0].text


def test_entities_whose_answers_are_the_same_get_that_answer_once(engine: Engine) -> None:
    (reply,) = ask(engine, "tensorflow vs opencv, which ones do ML engineers use")
    assert reply.kind == "answer" and not reply.parts, reply.text
    assert reply.text.count("Technical must-haves") == 1


def test_which_other_companies_leaves_out_the_one_just_talked_about(engine: Engine) -> None:
    _, others = ask(
        engine, "what is Tesla doing in ML?", "which other firms work on autonomous driving?"
    )
    assert others.kind == "retrieved" and "NVIDIA" in others.text, others.text
    assert "Tesla" not in others.text, others.text


def test_an_item_named_by_its_label_is_answered_by_that_item(engine: Engine) -> None:
    """ "Explain Project Debater" names one project: what the guides say of it, not every
    company's projects; and "they" is then IBM."""
    debater, hiring = ask(engine, "explain Project Debater to me", "how do they hire?")
    assert debater.kind == "retrieved" and "reasoning on complex topics" in debater.text
    assert "AlphaFold" not in debater.text, debater.text
    assert hiring.slots == {"company": "ibm"}, hiring.text


def test_an_entity_the_intent_has_nothing_on_gets_the_passages_naming_it(engine: Engine) -> None:
    """Pfizer has no projects listed, but the guides say what it did with ML elsewhere; how it
    hires they don't say anywhere, and the honest decline stands."""
    engine.reset("pfizer")
    did = engine.reply("what did pfizer do", session="pfizer")
    assert did.kind == "retrieved" and "COVID-19" in did.text, did.text
    engine.reset("pfizer")
    # asking for an example asks nothing more than what it did
    example = engine.reply("any pfizer AI examples?", session="pfizer")
    assert example.kind != "decline" and "COVID-19" in example.text, example.text
    engine.reset("pfizer")
    hires = engine.reply("how does pfizer hire?", session="pfizer")
    assert hires.kind == "decline" and "COVID" not in hires.text, hires.text


def test_which_companies_is_not_answered_by_the_industry_the_words_resemble(
    engine: Engine,
) -> None:
    """The industries' answer speaks of autonomous vehicle tech and names Google and Amazon
    elsewhere: no company it names does driverless cars; Tesla and NVIDIA do."""
    engine.reset("driverless")
    reply = engine.reply("which firms do driverless things", session="driverless")
    assert "Tesla" in reply.text and "NVIDIA" in reply.text, reply.text


def test_a_request_wrapped_around_a_question_weighs_nothing(engine: Engine) -> None:
    """ "Can you tell me" is how the question is asked, chatter, not "tell me more"."""
    read = engine.understand("can you tell me what their interviews focus on")
    assert "tell" not in read.matched and "can" not in read.matched, read.matched
    (reply,) = ask(engine, "could you tell me what Apple's ML interviews look for?")
    assert reply.intent == "company_hiring" and reply.slots == {"company": "apple"}, reply.text
    (more,) = ask(engine, "tell me more")
    assert more.intent == "more"


def test_having_no_clue_oneself_is_not_the_essays_companies_with_no_clue(engine: Engine) -> None:
    (own,) = ask(engine, "I have no clue where to start with ML, what should I learn first?")
    assert own.intent != "company_maturity", own.text
    (alone,) = ask(engine, "I have no clue where to start with ML")
    assert "no clue about ML" not in alone.text, alone.text
    (theirs,) = ask(engine, "companies with no clue about ML, should I join one?")
    assert theirs.intent == "company_maturity", theirs.text


def test_a_runner_up_as_sure_as_the_top_is_checked_for_a_companys_detail(engine: Engine) -> None:
    """Unsure of both, the policy put the major employers first only because they know Google;
    the work environment, ranked second though as sure, may answer in the end: asked of Google,
    it is the detail the guides give only in general."""
    from bot.answerers import Turn
    from bot.matching import Candidate
    from bot.session import Session

    answerers = engine._dialogue.answerers[0].__self__  # type: ignore[attr-defined]
    u = engine.understand("could somebody in ML at Google just stay home to work")
    ranked = (
        Candidate("major_employers", 0.13, "", 0.13),
        Candidate("work_environment", 0.16, "", 0.16),
    )
    reply = answerers.gap(Turn(u, Session(), ranked, None))
    assert reply is not None and "at Google in particular" in reply.text, reply
    lower = (ranked[0], Candidate("work_environment", 0.10, "", 0.10))
    assert answerers.gap(Turn(u, Session(), lower, None)) is None


def test_who_an_ml_engineer_works_with_is_the_work_environment(engine: Engine) -> None:
    (reply,) = ask(engine, "who does an ML engineer work with?")
    assert reply.intent == "work_environment" and "data scientists" in reply.text, reply.text


def test_a_text_listing_others_of_its_kind_is_about_them_too(engine: Engine) -> None:
    """The guides' "... a senior or principal ML engineer or even architect", tagged with the
    senior ML engineer and listing "Principal ML engineer", is about the principal too: a question
    naming the principal may find it (another role's passage is left out)."""
    assert engine.knowledge is not None
    texts = [
        p
        for p in passages(engine.knowledge)
        if "principal ML engineer" in p.text and "role:senior_ml_engineer" in p.tags
    ]
    assert texts and all("role:principal_ml_engineer" in p.tags for p in texts)
    # not the entities of another kind its items name
    focus = [p for p in passages(engine.knowledge) if p.tags == ("company:amazon",)]
    assert focus, "Amazon's own passages are tagged with Amazon alone"


def test_someone_in_the_persons_life_is_not_the_topic(engine: Engine) -> None:
    """An occupation the guides do not cover, named as someone the person knows ("her teacher
    told her...") or as what they are ("as a former actuary"), is not what is asked about; asked
    about, it is declined."""
    (told,) = ask(
        engine, "her teacher told her soft skills matter too, which ones do top companies want?"
    )
    assert told.intent == "soft_skills", told.text
    (former,) = ask(engine, "as a former actuary, is math really important?", session="former")
    assert former.intent == "skill_info" and "linear algebra" in former.text, former.text
    (asked,) = ask(engine, "how much does a teacher earn?", session="asked")
    assert asked.kind == "decline" and "teacher" in asked.text, asked.text


def test_a_reason_told_before_so_does_not_hide_the_question(engine: Engine) -> None:
    """ "<something heard>, so how do...?": the question is what follows "so"."""
    (reply,) = ask(
        engine, "a blog said notebooks are toys, so how do ML engineers get models to production?"
    )
    assert reply.kind != "decline" and "production" in reply.text, reply.text


def test_a_company_found_by_its_name_alone_gets_what_the_guides_say_of_it(engine: Engine) -> None:
    """ "Microsoft and ML, what's going on there" holds no term but the name: not the lists
    naming Microsoft among others, but what the guides say of Microsoft."""
    (reply,) = ask(engine, "Microsoft and ML, what's going on there")
    assert reply.kind == "answer" and "Azure" in reply.text, reply.text


def test_a_pay_word_that_asks_no_pay_makes_no_pay_decline(engine: Engine) -> None:
    """ "make" asks pay at the end of a question or before an amount, a place or a time, not in
    "people who can make models fast"."""
    (reply,) = ask(engine, "does Apple want people who can make models run fast on phones?")
    assert "pay for Apple" not in reply.text, reply.text
    (pay,) = ask(engine, "what would a junior ML engineer make in Lisbon?", session="pay")
    assert pay.kind == "decline" and "Lisbon" in pay.text, pay.text


def test_an_item_asked_by_its_name_alone_is_found(engine: Engine) -> None:
    """ "What is AlphaGo?" names the label of one item of the guides and asks nothing else."""
    (reply,) = ask(engine, "AlphaGo, what is it")
    assert reply.kind == "retrieved" and "defeat a human champion" in reply.text, reply.text
    (unknown,) = ask(engine, "what is a zorblatt?", session="unknown")
    assert unknown.kind == "decline", unknown.text


def test_a_label_the_question_names_whole_is_shown_though_the_answer_lacks_it(
    engine: Engine,
) -> None:
    """ "Google DeepMind's AlphaFold" is the label of Google's project: named whole by the
    question, its passage follows the answer about DeepMind that does not show it."""
    (reply,) = ask(engine, "Google DeepMind's AlphaFold - what did it achieve?")
    assert "protein-folding" in reply.text, reply.text


@pytest.mark.parametrize(
    ("text", "intent", "shown", "hidden"),
    [
        # the job is where they are going: the way in, for the role they come from
        (
            "could a product manager switch to ML engineering?",
            "become_ml_engineer",
            "Product Manager",
            "Complete high school",
        ),
        (
            "I'm a data scientist, how do I become an ML engineer?",
            "become_ml_engineer",
            "as a Data Scientist",
            "Transitioning into a data scientist role",
        ),
        # the job is where they start: moving out of it
        ("can an ML engineer switch to product management?", "transitions", "product", "roadmap"),
        (
            "if I become an ML engineer, can I later move into product management?",
            "transitions",
            "product",
            "roadmap",
        ),
    ],
)
def test_the_direction_of_a_move_decides_between_the_way_in_and_the_way_out(
    engine: Engine, text: str, intent: str, shown: str, hidden: str
) -> None:
    (reply,) = ask(engine, text)
    assert reply.intent == intent and shown in reply.text, reply.text
    assert hidden not in reply.text, reply.text


@pytest.mark.parametrize(
    ("text", "shown"),
    [("what's ARKit?", "ARKit"), ("anything about reproducibility?", "repeatable results")],
)
def test_one_rare_term_asked_by_itself_finds_its_passage(
    engine: Engine, text: str, shown: str
) -> None:
    """A term few passages hold, asked with nothing else the guides know, is what is asked."""
    (reply,) = ask(engine, text)
    assert reply.kind == "retrieved" and shown in reply.text, reply.text


def test_a_common_term_asked_of_the_last_answer_is_no_search(engine: Engine) -> None:
    """ "how much does it cost?" after a certification asks a price the guides lack; the many
    passages holding "cost" do not answer it."""
    _, price = ask(engine, "which certifications do the guides list?", "how much does it cost?")
    assert price.kind == "decline", price.text


def test_asking_for_companies_after_an_unknown_one_is_not_asked_of_it(engine: Engine) -> None:
    """After "the guides don't cover Spotify", "which companies do the guides list?" asks for
    the companies; "what about their interviews?" still asks of Spotify."""
    _, listed = ask(
        engine, "Does Spotify hire ML engineers?", "which companies do the guides list?"
    )
    assert listed.kind == "answer" and "Spotify" not in listed.text, listed.text
    _, theirs = ask(
        engine, "Does Spotify hire ML engineers?", "what about their interviews?", session="s2"
    )
    assert theirs.kind == "decline" and "Spotify" in theirs.text, theirs.text


@pytest.mark.parametrize(
    "text", ["what are the main things to learn?", "what will I need to learn for this job?"]
)
def test_what_to_learn_asks_for_the_skills(engine: Engine, text: str) -> None:
    (reply,) = ask(engine, text)
    assert reply.intent == "top_skills", reply.text


def test_a_name_that_hires_is_a_company_though_a_city_bears_it(engine: Engine) -> None:
    """Kawasaki is a city in the gazetteer, but a city does not hire: "does Kawasaki hire...?"
    asks of a company the guides lack; its pay is still a place's."""
    hires, pay = ask(
        engine,
        "does Kawasaki hire machine learning engineers?",
        "what do ML engineers earn in Kawasaki?",
    )
    assert hires.kind == "decline" and "don't cover Kawasaki." in hires.text, hires.text
    assert pay.kind == "decline" and "pay in Kawasaki" in pay.text, pay.text


@pytest.mark.parametrize(
    ("text", "kind", "shown"),
    [
        ("Google ML interview questions", "answer", "Coding round focused on algorithms"),
        ("Netflix ML interview questions", "decline", "don't describe Netflix's hiring"),
    ],
)
def test_a_company_named_with_a_general_topic_is_asked_of(
    engine: Engine, text: str, kind: str, shown: str
) -> None:
    """Nearly tied with the general interview stages, the company's own process is meant: the
    guides' for Google, and for Netflix a decline saying they lack it."""
    (reply,) = ask(engine, text)
    assert reply.kind == kind and shown in reply.text, reply.text


@pytest.mark.parametrize(
    "text",
    [
        "I'm a chef. how do I become an ML engineer?",
        "I work as a civil engineer, what are the steps to become an ML engineer?",
    ],
)
def test_work_the_guides_have_no_role_for_still_skips_the_school_steps(
    engine: Engine, text: str
) -> None:
    """A person who says what work they do is changing careers: the roadmap for them, not
    "complete high school"."""
    (reply,) = ask(engine, text)
    assert reply.intent == "become_ml_engineer", reply.text
    assert "Complete high school" not in reply.text and "coming from work as" in reply.text


@pytest.mark.parametrize(
    ("text", "for_whom"),
    [
        ("can a plumber become an ML engineer?", "A roadmap for a plumber:"),
        ("how would an electrician move into ML engineering?", "A roadmap for an electrician:"),
        ("how do I go from accountant to ML engineer?", "A roadmap for an accountant:"),
    ],
)
def test_work_the_question_names_as_the_way_in_skips_the_school_steps(
    engine: Engine, text: str, for_whom: str
) -> None:
    """Work the guides have no role for, named as where someone comes from: the roadmap for
    that work, not "complete high school" (nothing is kept in the profile)."""
    (reply,) = ask(engine, text)
    assert reply.intent == "become_ml_engineer", reply.text
    assert for_whom in reply.text and "Complete high school" not in reply.text, reply.text
    assert "Work" not in dict(engine.explain("answering").profile)


def test_an_ml_engineer_asking_the_way_in_gets_the_way_up(engine: Engine) -> None:
    (reply,) = ask(engine, "I'm an ML engineer. how do I become an ML engineer?")
    assert reply.intent == "career_progression", reply.text


@pytest.mark.parametrize(
    ("text", "read_as"),
    [
        ("what do people who build predictors earn?", "models"),
        ("is self teaching software a good field?", "machine learning"),
        ("which rungs come after senior?", "progression"),
    ],
)
def test_words_for_the_domain_without_its_words_read_as_its_words(
    engine: Engine, text: str, read_as: str
) -> None:
    """Written around "model" and "machine learning", a question still names them."""
    assert read_as in " ".join(engine.understand(text).matched)


def test_what_a_company_does_with_machine_learning_is_its_focus(engine: Engine) -> None:
    (reply,) = ask(engine, "so what's NVIDIA doing with ML?")
    assert reply.intent == "company_focus" and "focus areas" in reply.text, reply.text


@pytest.mark.parametrize("text", ["oh well", "uh", "hm"])
def test_fillers_said_alone_are_an_acknowledgement(engine: Engine, text: str) -> None:
    _, reaction = ask(engine, "what do ML engineers make?", text)
    assert reaction.kind == "smalltalk" and reaction.intent == "acknowledge", reaction.text


def test_a_follow_up_after_a_reaction_is_asked_of_the_last_answer(engine: Engine) -> None:
    """ "wow, that's a lot. and in Texas?": the reaction says nothing; "and in Texas?" asks the
    last answer's question of Texas."""
    _, texas = ask(engine, "how much do ML engineers make in SF?", "wow that's a lot. and Texas?")
    assert texas.intent == "salary" and "140,000" in texas.text, texas.text


def test_a_role_the_question_names_decides_the_roadmap_over_the_profile(engine: Engine) -> None:
    """A chef asking whether a data analyst could switch asks about the analyst."""
    _, analyst = ask(engine, "I'm a chef.", "could a data analyst switch to ML engineering?")
    assert "A roadmap for a Data Analyst" in analyst.text, analyst.text
