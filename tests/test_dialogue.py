"""Conversation behaviour that the dialogue scripts rely on, checked turn by turn."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import Engine
from bot.session import Session


def chat(engine: Engine, session: str, *turns: str):
    engine.reset(session)
    return [engine.reply(t, session=session) for t in turns]


def test_a_short_turn_changing_a_slot_reuses_the_intent(engine: Engine) -> None:
    first, second, third = chat(
        engine, "follow", "what is google's hiring process?", "and amazon?", "what about nvidia"
    )
    assert first.intent == second.intent == third.intent == "company_hiring"
    assert second.slots == {"company": "amazon"} and third.slots == {"company": "nvidia"}


def test_what_a_company_does_with_something_is_not_a_bare_follow_up(engine: Engine) -> None:
    """ "and Apple?" after Google's hiring asks Apple's; "and what does Apple do with ML?" asks
    what it does, though each of its other words may come in a bare follow-up."""
    _, bare, doing = chat(
        engine,
        "doing",
        "how does Google hire ML engineers?",
        "and Apple?",
        "and what does Apple do with ML?",
    )
    assert bare.intent == "company_hiring", bare.text
    assert doing.intent != "company_hiring" and "Siri" in doing.text, doing.text


def test_and_with_an_entity_the_last_intent_takes_follows_it_up(engine: Engine) -> None:
    """ "and AI researchers, what do they focus on?" after the roles compared reads like the
    companies' focus areas, which take no role: it asks the comparison of another role. A
    question that reads as an intent taking the entity named is that intent ("and Amazon, what
    is their interview like?" after the focus areas)."""
    _, roles = chat(
        engine,
        "and",
        "how is an ml engineer different from a data scientist?",
        "and AI researchers, what do they focus on?",
    )
    assert roles.intent == "related_roles" and "algorithm innovation" in roles.text, roles.text
    _, hiring = chat(
        engine,
        "and2",
        "what is google focused on in ml?",
        "and amazon, what is their interview like?",
    )
    assert hiring.intent == "company_hiring" and hiring.slots == {"company": "amazon"}


def test_they_after_a_list_of_another_kind_is_still_the_company_talked_about(
    engine: Engine,
) -> None:
    """The certifications name Google, Amazon and IBM, but "they" right after them is still
    Microsoft, the company talked about; after a list of companies it is each of them."""
    *_, roles = chat(
        engine,
        "they",
        "what's Microsoft doing with ML?",
        "is there a cert for that",
        "how many people are they hiring",
    )
    assert roles.intent == "company_open_roles" and roles.slots == {"company": "microsoft"}
    _, each = chat(engine, "they2", "which companies do robotics?", "how many roles do they have?")
    assert len(each.parts) == 2, each.text


def test_tell_me_more_after_one_company_found_is_about_that_company(engine: Engine) -> None:
    which, more = chat(
        engine,
        "more",
        "which company cares most about running models on low-power hardware?",
        "tell me more about that",
    )
    assert "Apple" in which.text
    assert more.intent == "company_overview" and more.slots == {"company": "apple"}, more.text


def test_and_with_an_entity_and_no_sure_reading_follows_the_last_answer_up(
    engine: Engine,
) -> None:
    _, texas = chat(
        engine,
        "and3",
        "what do ML engineers earn in Washington state?",
        "and what's the number for Texas, roughly?",
    )
    assert texas.intent == "salary" and texas.slots == {"state": "texas"}, texas.text


def test_what_about_another_company_s_process_keeps_the_hiring_intent(engine: Engine) -> None:
    _, other = chat(
        engine, "about", "how does Meta hire ML engineers?", "what about Apple's process?"
    )
    assert other.intent == "company_hiring" and other.slots == {"company": "apple"}, other.text


def test_a_new_topic_keeps_the_company(engine: Engine) -> None:
    _, reply = chat(engine, "topic", "tell me about meta", "what's their interview process?")
    assert reply.intent == "company_hiring" and reply.slots == {"company": "meta"}
    assert "ethical AI" in reply.text


def test_location_follow_up_keeps_the_level_and_shows_both_guides(engine: Engine) -> None:
    _, reply = chat(engine, "place", "how much do senior ml engineers make", "in new york?")
    assert reply.slots == {"level": "senior", "state": "new_york"}
    assert (
        "~$155,000" in reply.text and "$137,900" in reply.text and "$210,000–$300,000" in reply.text
    )


def test_a_bare_topic_word_is_not_held_back_by_an_intent_that_needs_more(engine: Engine) -> None:
    # "salary?" ranks the level comparison first, which needs two levels: set aside, it must
    # not cap the confidence of the plain salary answer
    (reply,) = chat(engine, "bare", "salary?")
    assert reply.intent == "salary" and "$110,000–$150,000" in reply.text


def test_profile_is_remembered_and_used_and_said(engine: Engine) -> None:
    ack, pay = chat(engine, "profile", "I live in Seattle", "how much would I make?")
    assert ack.intent == "profile_statement" and "Seattle" in ack.text
    assert pay.slots.get("state") == "washington" and "Using what you told me" in pay.text
    assert "$138,400" in pay.text
    assert engine.session("profile").profile.region == "seattle"


def test_roadmap_adapts_to_the_profile(engine: Engine) -> None:
    _, engineer = chat(
        engine,
        "swe",
        "I'm a software engineer with 3 years of experience",
        "how do I become an ML engineer?",
    )
    _, student = chat(engine, "student", "I am a student", "how do I become an ML engineer?")
    assert "Complete high school" not in engineer.text and "Build a Portfolio" in engineer.text
    assert "Complete high school" in student.text


def test_skill_gap_lists_what_was_not_named(engine: Engine) -> None:
    (reply,) = chat(engine, "gap", "I know Python and SQL, what am I missing?")
    assert reply.intent == "skill_gap_check"
    assert "Software Engineering" in reply.text and "- Python" not in reply.text
    assert "(often missing)" in reply.text


def test_more_sources_and_why_refer_to_the_last_answer(engine: Engine) -> None:
    _, more, source, why = chat(
        engine, "acts", "what are the red flags at a startup", "tell me more", "source?", "why?"
    )
    assert (
        source.intent == "sources"
        and "Machine Learning Jobs and Which Company to Start With" in source.text
    )
    assert why.intent == "why" and "revenue" in why.text
    assert more.intent == "more" or more.intent == "startup_red_flags"


def test_small_talk_and_out_of_domain_turns_do_not_break_the_context(engine: Engine) -> None:
    _, hi, weather, follow = chat(
        engine,
        "ctx",
        "what is google's hiring process?",
        "thanks!",
        "what's the weather like?",
        "and meta?",
    )
    assert hi.intent == "thanks" and weather.fallback
    assert follow.intent == "company_hiring" and follow.slots == {"company": "meta"}


def test_another_occupation_gets_an_honest_answer(engine: Engine) -> None:
    (reply,) = chat(engine, "occupation", "how much do dentists make in texas")
    assert reply.fallback and reply.intent is None and "dentist" in reply.text
    # a word that only begins like one ("mechanical" engineer) is not that occupation
    (reply,) = chat(engine, "occupation", "as a mechanical engineer, would Tesla hire me?")
    assert "mechanic" not in reply.text


def test_a_number_asks_the_suggestion(engine: Engine) -> None:
    first, picked = chat(engine, "number", "how much do ML engineers make?", "1")
    assert picked.intent == engine.reply(first.suggestions[0], session="number-check").intent


def test_clarification_asks_and_the_next_turn_resolves_it(tmp_path: Path) -> None:
    examples = "[" + ", ".join(f"how do i apply for a loan {i}" for i in range(8)) + "]"
    (tmp_path / "bank.yaml").write_text(
        "settings: {clarify_margin: 0.2, threshold: 0.1}\n"
        "intents:\n"
        f"  - {{name: car_loan, title: Car loans, examples: {examples}, "
        "answer: Car loans are here.}\n"
        f"  - {{name: home_loan, title: Home loans, examples: {examples}, "
        "answer: Home loans are here.}\n",
        encoding="utf-8",
    )
    engine = Engine.load(tmp_path)
    ask = engine.reply("how do i apply for a loan", session="c")
    assert (
        ask.kind == "clarify" and ask.intent is None and "1) car loans or 2) home loans" in ask.text
    )
    assert engine.reply("the second one", session="c").text == "Home loans are here."
    engine.reply("how do i apply for a loan", session="c")
    assert engine.reply("1", session="c").text == "Car loans are here."


def test_a_superlative_after_one_entity_asks_the_last_intent_of_all(engine: Engine) -> None:
    one, most, least = chat(
        engine,
        "most",
        "how many ML roles does Meta have open?",
        "which one has the most?",
        "fewest?",
    )
    assert one.intent == "company_open_roles" and one.slots == {"company": "meta"}
    for reply in (most, least):
        assert reply.intent == "company_open_roles" and not reply.slots, reply.text
        assert "Google" in reply.text and "DeepMind" in reply.text
    # alone, or after an answer about no entity, a superlative asks nothing the bot can read
    (alone,) = chat(engine, "alone", "fewest?")
    _, after_overview = chat(engine, "overview", "what does an ml engineer do?", "fewest?")
    assert alone.kind == after_overview.kind == "decline"


def test_a_follow_up_on_a_subject_gets_the_last_entitys_passage_holding_it(engine: Engine) -> None:
    _, robots, other = chat(
        engine,
        "subject",
        "tell me about Nvidia",
        "and on the robotics front?",
        "what is the weather like there?",
    )
    assert robots.kind == "retrieved" and "NVIDIA" in robots.text, robots.text
    assert "robotics" in robots.text.lower()
    assert other.kind == "decline", other.text


def test_one_day_is_a_time_not_an_item_of_the_last_answer(engine: Engine) -> None:
    _, later = chat(
        engine, "oneday", "what comes after senior ML engineer?", "could that lead to CTO one day?"
    )
    assert "chief technology officer" in later.text, later.text
    # "the first thing I should learn" is what to learn first, not the last answer's first item
    _, first = chat(
        engine,
        "thing",
        "which languages matter for ML?",
        "ok, and the first thing to learn, which is it?",
    )
    assert "Python comes up" not in first.text, first.text


def test_which_of_the_two_compares_the_last_two_entities_of_a_kind(engine: Engine) -> None:
    *_, pair = chat(
        engine,
        "pair",
        "what does Nvidia focus on?",
        "and Tesla?",
        "which of the two has more open roles?",
    )
    assert pair.intent == "compare_companies", pair.text
    assert pair.slots == {"company": "tesla", "other": "nvidia"}
    assert "~250+" in pair.text and "~150+" in pair.text
    # one entity so far: nothing to compare, and no entity compared with itself
    _, alone = chat(engine, "alone2", "what does Nvidia focus on?", "which of the two is better?")
    assert alone.intent != "compare_companies" or alone.slots.get("other") != "nvidia"


def test_would_that_help_me_quotes_what_the_guides_say_about_the_last_answer(
    engine: Engine,
) -> None:
    first, judged = chat(
        engine, "judge", "which certifications are worth getting?", "would that help me?"
    )
    assert judged.intent == "judge" and judged.kind == "act"
    quoted = judged.text.splitlines()[1].removeprefix("- ")
    assert quoted in first.text and judged.citations
    # asked of something the last answer says: the lines that say it
    _, said = chat(
        engine, "judge2", "what should my resume highlight?", "personal projects, would that help?"
    )
    assert said.intent == "judge" and "personal projects" in said.text
    # with nothing answered yet there is nothing to judge
    (alone,) = chat(engine, "judge3", "would that help me?")
    assert alone.kind == "act" and "question first" in alone.text


def test_a_superlative_needs_figures_to_rank(engine: Engine) -> None:
    _, best = chat(
        engine, "best", "which certifications are worth getting?", "which one's the best?"
    )
    assert best.kind == "decline", best.text


def test_a_preamble_that_blurs_a_clear_question_is_read_apart(engine: Engine) -> None:
    text = "I work in sales and I'm curious about tech. Is the job market for ML engineers growing?"
    (reply,) = chat(engine, "preamble", text)
    assert reply.intent == "demand", reply.text


def test_a_retrieved_answer_about_one_named_company_keeps_the_talk_on_it(engine: Engine) -> None:
    """A question naming one company, answered from its passages alone, makes it what "they"
    means next."""
    found, roles = chat(
        engine,
        "retrieved-focus",
        "is Microsoft doing anything with mixed reality headsets?",
        "how many openings do they list for ML?",
    )
    assert found.kind == "retrieved" and "HoloLens" in found.text, found.text
    assert roles.intent == "company_open_roles" and "Microsoft has" in roles.text, roles.text


def test_a_retrieved_answer_about_one_company_no_one_named_makes_it_they(engine: Engine) -> None:
    """Passages all about one company, found for a question naming none, make it what "they"
    means next; not when "they" already meant another ("weren't they..." of DeepMind, answered
    by Google's "Google DeepMind's AlphaFold")."""
    found, hiring = chat(
        engine,
        "retrieved-unnamed",
        "is anyone in big tech doing predictive healthcare?",
        "and what do they test candidates on?",
    )
    assert found.kind == "retrieved" and "Watson Health" in found.text, found.text
    assert hiring.intent == "company_hiring" and "IBM" in hiring.text, hiring.text
    assert "Google" not in hiring.text, hiring.text
    *_, still = chat(
        engine,
        "retrieved-they",
        "what is DeepMind busy with these days?",
        "weren't they the protein-folding people too?",
        "how does their hiring work?",
    )
    assert "DeepMind" in still.text and "Google's" not in still.text, still.text


def test_an_act_whose_other_words_ask_nothing_answerable_is_the_act(engine: Engine) -> None:
    """ "What else is it famous for?": its other words ask nothing the guides answer on their
    own, so it is "tell me more" about the last answer, not a decline."""
    _, more = chat(engine, "act-rest", "tell me about IBM", "what else is it famous for?")
    assert more.kind == "act" and "IBM" in more.text, more.text


def test_a_follow_up_reads_the_sections_the_last_answer_quoted_as_well_as_cited(
    engine: Engine,
) -> None:
    """The maturity answer cites the essay's opening section but quotes how to recognise a
    company on its way, from the section below: "how would I recognise one of them?" gets it
    ("recognise", British, is the guide's "recognize"; "MLOPs" is the essay's spelling)."""
    _, spot = chat(
        engine,
        "quoted-sections",
        "how do companies differ in ML maturity?",
        "how would I recognise one of them?",
    )
    assert spot.kind == "retrieved" and "MLOPs" in spot.text, spot.text


def test_a_step_named_by_its_number_is_what_its_label_stands_for(engine: Engine) -> None:
    """ "Step 3" is the third item of the last list, like "the third one"; an item that is only
    a label ("Specialized study in machine learning") is shown with what the guide says under it."""
    _, third = chat(
        engine, "step-number", "how do I become an ML engineer, step by step?", "tell me step 3"
    )
    assert third.kind == "answer" and third.text.startswith("Item 3 of my last answer:")
    assert "data mining" in third.text, third.text


def test_a_good_first_step_is_a_start_not_the_first_item_of_the_last_list(engine: Engine) -> None:
    _, start = chat(
        engine,
        "first-step",
        "what are the main challenges of the job?",
        "what's a practical first step to learn the cloud part?",
    )
    assert not start.text.startswith("Item 1"), start.text
    assert "managed service" in start.text, start.text
    _, first = chat(engine, "the-first-step", "what are the eight steps?", "and the first step?")
    assert first.text.startswith("Item 1 of my last answer:"), first.text


def test_a_judgement_in_a_long_post_with_nothing_answered_yet_reads_what_came_before(
    engine: Engine,
) -> None:
    """ "Would that background really help?" has no last answer to judge: it is read with the
    sentence before it, which names the skills, and gets them compared with the guides' lists."""
    text = (
        "Hi! I have run a shop for years. I know SQL and statistics pretty well and I have done "
        "some Python at night. Would that background really help, and which skills should I "
        "learn first?"
    )
    (reply,) = chat(engine, "lean-act", text)
    assert reply.parts and reply.parts[0].intent == "skill_gap_check", reply.text


def test_a_superlative_of_the_last_list_picks_its_item_by_figure(engine: Engine) -> None:
    """ "And the lowest of those?" after the highest paying states: the item of the last list
    whose figure is the lowest (the figures are the guide's, read from the list)."""
    states, lowest = chat(
        engine, "extreme", "top paying US states for ML engineers?", "and the lowest of those?"
    )
    assert "Massachusetts" in states.text
    assert lowest.text.startswith("The lowest figure of my last answer:"), lowest.text
    assert "Massachusetts: $136,700" in lowest.text, lowest.text


def test_an_item_the_last_answer_cut_short_is_shown_whole_when_asked_about(
    engine: Engine,
) -> None:
    """The types of ML engineers are listed cut short ("..."); asked about again by name or by
    number, an item is shown whole, as the guide says it."""
    types, named = chat(
        engine,
        "whole-item",
        "what are the main types of ML engineers?",
        "tell me about the deep learning one",
    )
    assert "reasoning..." in types.text, types.text
    assert "neural networks" in named.text and "..." not in named.text, named.text
    _, second = chat(
        engine, "whole-item", "what are the main types of ML engineers?", "the second one"
    )
    assert "..." not in second.text, second.text


def test_the_next_step_up_is_the_career_ladder(engine: Engine) -> None:
    """ "The next step up" is a promotion (the progression concept), not the recommended next
    steps; "step up my skills" is still getting better at the job."""
    (up,) = chat(engine, "step-up", "so what's the next step up?")
    assert up.intent == "career_progression", up.text
    (skills,) = chat(engine, "step-up-skills", "how do I step up my skills?")
    assert skills.intent != "career_progression", skills.text


def test_what_an_entity_does_is_a_question_of_its_own_not_a_follow_up(engine: Engine) -> None:
    """After pay in a state, "what does a senior ML engineer do?" asks what they do, not the
    senior pay there; "and a senior?" is still the pay."""
    _, does = chat(
        engine,
        "does-follow",
        "ML engineer salary in Massachusetts?",
        "what does a senior ML engineer do?",
    )
    assert not does.intent or not does.intent.startswith("salary"), does.text
    _, pay = chat(engine, "does-follow2", "ML engineer salary in Massachusetts?", "and a senior?")
    assert pay.intent == "salary", pay.text


def test_which_ones_names_the_items_the_last_answer_listed(engine: Engine) -> None:
    engine.reset("items")
    engine.reply("what certifications do the guides recommend?", session="items")
    named = engine.reply("ok, like which ones in particular", session="items")
    assert named.kind == "act" and named.intent == "items", named.text
    assert "AWS Machine Learning Specialty" in named.text and named.citations
    # with words of its own, it is a question ("which ones pay best?" asks pay)
    paid = engine.reply("which ones pay best?", session="items")
    assert paid.intent != "items"


def test_the_one_named_in_a_list_of_names_is_asked_of_that_entity(engine: Engine) -> None:
    """After a "which" answer listing companies by name, "the Amazon one" asks of Amazon itself:
    quoting the bare name back would say nothing."""
    listed, one = chat(
        engine,
        "named-one",
        "which companies work on human language tech?",
        "ok tell me more about the Amazon one",
    )
    assert listed.kind == "retrieved" and "Amazon" in listed.text, listed.text
    assert one.intent == "company_overview" and "Alexa" in one.text, one.text


def test_pay_with_bonuses_is_the_total_compensation(engine: Engine) -> None:
    _, total = chat(
        engine,
        "bonus",
        "how much does a mid-level ML engineer take home?",
        "so what's that with bonus included",
    )
    assert "$170,000–$210,000 total compensation" in total.text, total.text
    assert "base salary" not in total.text, total.text


def test_a_company_the_guides_lack_stays_what_the_next_question_asks_of(engine: Engine) -> None:
    """After "the guides don't cover Canva", "how does their hiring work?" and a bare question
    of its interviews ask of Canva again; a question of the domain ("are there many ML jobs
    in finance?", "what skills do I need?") or another company is answered."""
    first, their, bare = chat(
        engine,
        "unknown-co",
        "is Canva a good place for ML engineers?",
        "how does their hiring work?",
        "what's the interview process like",
    )
    assert first.kind == "decline" and "Canva" in first.text, first.text
    assert their.kind == "decline" and "Canva" in their.text, their.text
    assert bare.kind == "decline" and "Canva" in bare.text, bare.text
    _, skills = chat(
        engine, "unknown-co2", "is Canva a good place for ML engineers?", "what skills do I need?"
    )
    assert skills.kind == "answer" and "Canva" not in skills.text
    _, google = chat(
        engine, "unknown-co3", "is Canva a good place for ML engineers?", "and Google's interviews?"
    )
    assert google.kind == "answer" and "Coding round" in google.text, google.text
    saved = engine.session("unknown-co")
    assert Session.from_dict(saved.to_dict()) == saved


def test_thanks_with_a_pleasantry_is_small_talk_but_thanks_with_a_question_is_not(
    engine: Engine,
) -> None:
    (bye,) = chat(engine, "sign-off", "thanks, have a safe trip home")
    assert bye.kind == "smalltalk", bye.text
    (asked,) = chat(engine, "sign-off2", "thanks, but what about visas")
    assert asked.kind == "decline" and "visa" in asked.text.lower(), asked.text


def test_an_acknowledgement_is_small_talk_and_leaves_the_talk_where_it_was(
    engine: Engine,
) -> None:
    """ "hmm ok" takes the last answer in: small talk, not "I don't know that"; "ok, and in
    Texas?" still asks, of the last answer's topic."""
    pay, ack, texas = chat(
        engine, "ack", "what do senior ML engineers earn?", "hmm ok", "ok, and in Texas?"
    )
    assert ack.kind == "smalltalk" and ack.intent == "acknowledge", ack.text
    assert texas.intent == pay.intent == "salary" and "Texas" in texas.text, texas.text


def test_what_the_person_says_is_never_quoted_back_as_the_bots_last_answer(engine: Engine) -> None:
    (reply,) = chat(
        engine,
        "told",
        "A friend told me to build one big project. What exactly should that project do?",
    )
    assert "From my last answer" not in reply.text and "A friend" not in reply.text, reply.text


def test_a_follow_up_may_name_the_figure_and_the_guide_it_wants(engine: Engine) -> None:
    _, austin = chat(
        engine,
        "figure",
        "what do ML engineers earn in Washington?",
        "what about the Austin number from the blog?",
    )
    assert austin.intent == "salary" and "$140,000" in austin.text, austin.text


def test_how_much_of_the_last_answer_gives_its_figures(engine: Engine) -> None:
    """ "and how much is it?" after the top states gives their figures; after an answer with
    none it is declined."""
    _, much = chat(engine, "much", "which states pay ML engineers best?", "and how much is it?")
    assert much.kind == "act" and "$139,620" in much.text, much.text
    _, none = chat(engine, "much2", "what does an ML engineer do?", "and how much is it?")
    assert none.kind == "decline", none.text


@pytest.mark.parametrize(
    "text",
    [
        "I see. Thank you for your patience with a retired sailor.",
        "Fine, I will look elsewhere. Au revoir",
        "Thanks a million, my friend.",
        "ok spasibo",
        "grazie mille amico",
    ],
)
def test_a_message_asking_nothing_with_thanks_or_goodbye_in_it_is_small_talk(
    engine: Engine, text: str
) -> None:
    """Thanks or a goodbye among words the bot reads as nothing surely is small talk, even
    beside another job's name ("sailor")."""
    _, reply = chat(engine, f"pleasant{len(text)}", "what does an ML engineer do?", text)
    assert reply.kind == "smalltalk" and reply.intent in ("thanks", "goodbye"), reply.text


def test_a_polite_form_of_address_says_nothing_of_the_question(engine: Engine) -> None:
    _, hire = chat(engine, "sir", "what does Amazon do with ML?", "and how do they hire, sir?")
    assert hire.intent == "company_hiring" and hire.slots == {"company": "amazon"}, hire.text
    (docker,) = chat(engine, "bru", "bru do i really need to learn docker?")
    assert docker.kind != "decline" and "Docker" in docker.text, docker.text


def test_what_to_ask_other_people_is_no_request_for_help(engine: Engine) -> None:
    """ "What can I ask?" asks the bot for help; "what should I ask the hiring manager?"
    asks something else."""
    (help_,) = chat(engine, "help1", "what sort of things can I ask?")
    assert help_.intent == "help", help_.text
    (other,) = chat(engine, "help2", "what should I ask the hiring manager?")
    assert other.intent != "help", other.text


@pytest.mark.parametrize("text", ["got it", "hmm, fine", "ok cool", "obrigado", "gracias", "danke"])
def test_an_acknowledgement_or_thanks_in_a_few_words_is_small_talk(
    engine: Engine, text: str
) -> None:
    _, reply = chat(engine, f"ack-{text}", "what does an ML engineer do?", text)
    assert reply.kind == "smalltalk", reply.text


def test_why_an_item_the_last_answer_named_quotes_what_it_says_of_it(engine: Engine) -> None:
    _, why = chat(engine, "why-item", "which languages and frameworks should I know?", "why R?")
    assert why.text.startswith(engine.settings.texts["named_items"]), why.text
    assert "data-heavy environments" in why.text, why.text


def test_they_refers_to_the_company_of_the_last_answer_before_a_general_reading(
    engine: Engine,
) -> None:
    """After Amazon, "they" is Amazon: its passage holding what is asked, not the specialisations
    the question also resembles; pay asked of it is declined as pay at Amazon would be."""
    _, voice, pay = chat(
        engine,
        "their",
        "tell me about amazon",
        "what do they do with voice assistants?",
        "how much do they pay?",
    )
    assert voice.kind == "retrieved" and "Alexa" in voice.text, voice.text
    assert pay.kind == "decline" and "pay for Amazon" in pay.text, pay.text
    _, general = chat(engine, "their2", "tell me about amazon", "and how are people hired there?")
    assert general.intent == "company_hiring" and general.slots == {"company": "amazon"}


def test_a_question_declined_whole_is_read_again_without_its_trailing_aside(
    engine: Engine,
) -> None:
    (cloud,) = chat(
        engine,
        "aside",
        "which cloud platforms should I learn, since my flatmate reckons everything is moving"
        " somewhere weird?",
    )
    assert cloud.intent == "technical_skills", cloud.text
    # a decline naming what the guides lack stands
    (visa,) = chat(engine, "aside2", "can I get an H-1B visa, since I studied in Ohio?")
    assert visa.kind == "decline" and "visa" in visa.text.lower(), visa.text
    # ... unless what they lack is only in the aside
    (courses,) = chat(
        engine, "aside3", "do online courses add any credibility since I can't afford a masters?"
    )
    assert courses.kind == "answer" and "credibility" in courses.text, courses.text


def test_a_question_declined_whole_is_read_again_without_whom_it_chooses_among(
    engine: Engine,
) -> None:
    """ "Of all the ones you track, which has the fewest?" after the openings asks which has
    the fewest openings."""
    *_, fewest = chat(
        engine,
        "among",
        "Google is hiring for how many ML jobs?",
        "of all the ones you track, which has the fewest?",
    )
    assert fewest.intent == "company_open_roles" and "IBM" in fewest.text, fewest.text


def test_a_turn_naming_an_entity_in_words_another_intent_needs_asks_that_intent(
    engine: Engine,
) -> None:
    """After which sectors hire, "what's the pay at software publishers?" asks their pay, not
    whether they hire; "and in finance?" still follows the pay up."""
    _, pay, finance = chat(
        engine,
        "other",
        "does manufacturing use ML engineers?",
        "what's the pay at software publishers?",
        "and in finance?",
    )
    assert pay.intent == "salary" and "135,330" in pay.text, pay.text
    assert finance.intent == "salary", finance.text


def test_a_thin_answer_adds_what_the_last_answers_sections_say_of_it(engine: Engine) -> None:
    """ "Testing Practices comes up in the guides" says little; just after an answer from the
    responsibilities, what they say of testing follows it."""
    *_, testing = chat(
        engine,
        "thin",
        "what are an ML engineer's core duties?",
        "do they keep models and data versioned?",
        "does testing matter?",
    )
    assert "clean, tested code" in testing.text, testing.text
    (alone,) = chat(engine, "thin2", "does testing matter?")
    assert "clean, tested code" not in alone.text, alone.text


def test_an_item_named_in_a_question_shows_what_its_label_stands_for(engine: Engine) -> None:
    _, step = chat(
        engine,
        "label",
        "what path leads into ML engineering?",
        "is gaining practical experience one?",
    )
    assert "Gain practical experience: Try to get hands-on projects" in step.text, step.text


def test_numbers_asked_of_an_answer_stating_them_in_words_quote_its_topics(
    engine: Engine,
) -> None:
    """The outlook states no pay or count, but its topics give growth figures in words."""
    _, numbers = chat(engine, "figures", "how is the job outlook for ML engineers?", "any numbers?")
    assert "74%" in numbers.text and numbers.citations, numbers.text
    _, pay = chat(engine, "figures2", "what do seniors in ML earn?", "any numbers?")
    assert "$210,000" in pay.text, pay.text


def test_and_how_many_at_another_company_follows_the_count_up(engine: Engine) -> None:
    _, meta = chat(engine, "many", "Tesla: ML jobs open, how many?", "and how many at Meta?")
    assert meta.intent == "company_open_roles" and "~450+" in meta.text, meta.text


def test_a_numbered_step_after_an_answer_in_parts_is_of_the_list_of_steps(engine: Engine) -> None:
    """The industries came last, but "step 2" counts the steps, and goes on counting them."""
    multi, two, eight = chat(
        engine,
        "parts",
        "I design bridges. What are the steps to become an ML engineer? And which industries use"
        " ML the most?",
        "what is step 2 about?",
        "and step 8?",
    )
    assert multi.kind == "multi"
    assert "Earn a bachelor's degree" in two.text, two.text
    assert "Job application and interviews" in eight.text, eight.text


def test_a_terse_pair_is_two_questions_and_a_new_company_asks_both_again(engine: Engine) -> None:
    """ "Apple: open roles and projects?" is two questions of Apple; "and Meta?" asks both of
    Meta, not only the last."""
    pair, meta = chat(engine, "pair", "Apple: open roles and projects?", "and Meta?")
    assert pair.kind == "multi" and "~300+" in pair.text, pair.text
    assert meta.kind == "multi" and "~450+" in meta.text and "Content" in meta.text, meta.text


def test_a_product_named_is_not_read_as_the_kind_of_model_it_resembles(engine: Engine) -> None:
    """DALL-E is OpenAI's text-to-image project, not "language models" in general."""
    _, dalle = chat(engine, "dalle", "tell me about OpenAI's projects", "DALL-E is what exactly?")
    assert "Text-to-image generation" in dalle.text, dalle.text


def test_which_of_those_keeps_to_the_last_list_whatever_else_it_resembles(
    engine: Engine,
) -> None:
    """ "Driverless" reads as the automotive industry, but "which of those" asks of the
    companies just listed."""
    _, cars = chat(
        engine, "ofthose", "which companies do robotics?", "which of those do driverless?"
    )
    assert "Tesla" in cars.text and "industries" not in cars.text.lower(), cars.text


def test_an_acknowledgement_after_a_decline_does_not_say_it_helped(engine: Engine) -> None:
    declined, hmm = chat(engine, "hmm", "what's the weather in Paris?", "hmm")
    assert declined.kind == "decline"
    assert hmm.kind == "smalltalk" and "help" not in hmm.text.lower(), hmm.text


def test_the_guides_own_country_as_a_follow_up_gets_their_figures_for_all_of_it(
    engine: Engine,
) -> None:
    """Pay abroad is declined; "and in the US?" then asks the guides' figures, with no place
    kept from before ("Texas" after senior pay in Texas)."""
    declined, home = chat(engine, "home", "what do ML engineers earn in Germany?", "and in the US?")
    assert declined.kind == "decline" and home.kind == "answer", home.text
    assert home.intent == "salary" and "Germany" not in home.text
    _, _, national = chat(
        engine,
        "home2",
        "what do senior ML engineers earn in Texas?",
        "what about Austin?",
        "what about the US?",
    )
    assert national.kind == "answer" and "Austin" not in national.text, national.text
    assert "$210,000" in national.text, national.text
