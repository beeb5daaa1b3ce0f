"""Normalisation, stemming, spelling repair and entity mentions."""

from __future__ import annotations

import threading

from hypothesis import given
from hypothesis import strategies as st

from bot import Engine
from bot.entities import EntityIndex
from bot.knowledge import Entity
from bot.spelling import Speller
from bot.text import MAX_CHARS, holds_phrase, normalise, occurrence, stem


def test_normalise_lowercases_and_splits_on_punctuation() -> None:
    assert normalise("How much do Senior ML-engineers make?!") == [
        "how",
        "much",
        "do",
        "senior",
        "ml",
        "engineers",
        "make",
    ]


def test_normalise_unicode_accents_and_compatibility_forms() -> None:
    assert normalise("Café ÉCOLE naïve ﬁne ＡＢＣ Straße") == [
        "cafe",
        "ecole",
        "naive",
        "fine",
        "abc",
        "strasse",
    ]


def test_normalise_apostrophes_join_words() -> None:
    assert normalise("what's") == normalise("What’s") == normalise("whats") == ["whats"]
    assert normalise("I don't know") == normalise("I don´t know") == ["i", "dont", "know"]


def test_normalise_drops_possessives_but_keeps_contractions() -> None:
    assert normalise("Siri’s voice, Google's ads") == ["siri", "voice", "google", "ads"]
    assert normalise("what's it's let's WHAT'S") == ["whats", "its", "lets", "whats"]


def test_normalise_control_and_format_characters() -> None:
    assert normalise("a\x00b\tc\r\nd") == ["a", "b", "c", "d"]
    assert normalise("zero\u200bwidth") == ["zerowidth"]  # format characters vanish inside words
    assert normalise("ma\u00adchine") == ["machine"]  # soft hyphen (a format character) is dropped


def test_normalise_underscores_and_symbols_separate() -> None:
    assert normalise("ml_ops & data/science $120,000") == [
        "ml",
        "ops",
        "data",
        "science",
        "120",
        "000",
    ]


def test_normalise_empty_and_blank() -> None:
    assert normalise("") == []
    assert normalise("  ?!  ") == []


def test_normalise_abbreviations_expand_to_several_tokens() -> None:
    abbreviations = {"ml": "machine learning", "sf": "San Francisco", "swe": "software-engineer"}
    assert normalise("ML jobs in SF", abbreviations) == [
        "machine",
        "learning",
        "jobs",
        "in",
        "san",
        "francisco",
    ]
    assert normalise("swe", abbreviations) == ["software", "engineer"]
    assert normalise("html", abbreviations) == ["html"]  # only whole tokens


def test_normalise_caps_long_input() -> None:
    text = "salary " * 20_000  # 140 KB
    tokens = normalise(text)
    assert len(tokens) <= MAX_CHARS // 2
    assert set(tokens) == {"salary"}


@given(st.text(max_size=300))
def test_normalise_never_fails_and_tokens_are_clean(text: str) -> None:
    tokens = normalise(text)
    for token in tokens:
        assert token and token == token.strip()
        assert all(char.isalnum() for char in token)
    assert normalise(" ".join(tokens)) == tokens  # idempotent on its own output


def test_stem_maps_inflections_together() -> None:
    assert stem("booking") == stem("booked") == stem("books") == stem("book")
    assert stem("salaries") == stem("salary")
    assert stem("making") == stem("make")
    assert stem("running") == stem("run")
    assert stem("transfers") == stem("transferring") == stem("transfer")


def test_stem_spells_british_ise_words_as_american() -> None:
    assert stem("recognise") == stem("recognizing") == stem("recognized")
    assert stem("specialisation") == stem("specializations")
    assert stem("optimised") == stem("optimize")
    assert stem("rise") != stem("rize") and stem("this") == "this"  # short words kept


def test_stem_keeps_short_eer_words_apart_from_shorter_words() -> None:
    assert stem("careers") == stem("career") != stem("cars")
    assert stem("career") != stem("care")
    assert stem("engineers") == stem("engineer")


def test_stem_leaves_short_numeric_and_placeholder_tokens() -> None:
    for token in ("is", "the", "bus", "2024", "5pm", "@company", "@level"):
        assert stem(token) == token


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=20))
def test_stem_is_deterministic_and_never_empty(word: str) -> None:
    assert stem(word) == stem(word)
    assert stem(word)


VOCABULARY = [
    "salary",
    "salary",
    "engineer",
    "senior",
    "company",
    "remote",
    "interview",
    "what",
    "is",
    "the",
]


def test_speller_fixes_typos_against_the_vocabulary() -> None:
    speller = Speller(VOCABULARY)
    assert speller.correct(["slary", "enginer", "senoir", "intreview"]) == [
        "salary",
        "engineer",
        "senior",
        "interview",
    ]


def test_speller_leaves_known_short_numeric_and_unknown_words() -> None:
    speller = Speller(VOCABULARY)
    tokens = ["what", "is", "teh", "2024", "@company", "pangolin", "salary"]
    assert speller.correct(tokens) == tokens


def test_speller_does_not_pull_unrelated_words_into_the_domain() -> None:
    speller = Speller(["moon", "golf", "rice", "remote", "promotion"])
    assert speller.correct(["soon", "wolf", "price", "emote", "motion"]) == [
        "soon",
        "wolf",
        "price",
        "emote",
        "motion",
    ]


def test_speller_leaves_a_known_word_with_a_suffix() -> None:
    speller = Speller(["mechanic", "statistic", "engineer"])
    assert speller.correct(["mechanical", "statistical", "enginer"]) == [
        "mechanical",
        "statistical",
        "engineer",
    ]


def test_speller_leaves_inflections_of_known_words() -> None:
    speller = Speller(["salary", "engineer"])
    assert speller.correct(["salaries", "engineering"]) == ["salaries", "engineering"]


def test_a_typo_seen_once_makes_no_word_family_of_its_own() -> None:
    """An example written with a typo ("scikit-lern") makes "lern" a known word, but not a
    family that keeps "lerning" from its repair."""
    speller = Speller(["learning", "learning", "learn", "lern"])
    assert speller.correct(["lerning"]) == ["learning"]


def test_speller_ties_go_to_the_more_frequent_word() -> None:
    speller = Speller(["party", "pasty", "pasty"])
    assert speller.correct(["paxty"]) == ["pasty"]


def test_speller_leaves_common_english_words_unless_the_respelling_is_far_more_common() -> None:
    english = {"heard": 820_000, "hard": 576_000, "dose": 10_000, "does": 1_370_000}
    speller = Speller(["hard", "does", "salary"], english)
    assert speller.correct(["heard", "dose", "salery"]) == ["heard", "does", "salary"]
    # without the frequency list, a real word near a content word is respelt into it
    assert Speller(["hard", "does"]).correct(["heard"]) == ["hard"]


def test_speller_leaves_a_typo_nearer_an_english_word_than_any_content_word() -> None:
    english = {"receiving": 9_000, "salary": 20_000}
    speller = Speller(["reviewing", "salary"], english)
    # two edits from "reviewing", one from the English "receiving": a misspelt English word
    assert speller.correct(["recieving", "salray"]) == ["recieving", "salary"]
    assert Speller(["reviewing"]).correct(["recieving"]) == ["reviewing"]


def test_the_engines_speller_knows_general_english(engine: Engine) -> None:
    read = [engine.understand(text).tokens for text in ("i heard regression matters", "enginer")]
    assert read == [("i", "heard", "regression", "matters"), ("engineer",)]


def test_speller_is_safe_across_threads() -> None:
    speller = Speller(VOCABULARY)
    results: list[list[str]] = []

    def work() -> None:
        for _ in range(200):
            results.append(speller.correct(["slary", "enginer", "pangolin"]))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(result == ["salary", "engineer", "pangolin"] for result in results)


def test_entities_are_found_in_the_singular_and_the_plural() -> None:
    index = EntityIndex(
        [
            Entity("skill", "neural_networks", "Neural Networks"),
            Entity("role", "data_scientist", "Data Scientist"),
            Entity("skill", "pandas", "pandas"),
        ]
    )

    def found(text: str) -> list[str]:
        return [m.entities[0].id for m in index.find(normalise(text))]

    assert found("train a neural network") == ["neural_networks"]
    assert found("neural networks and data scientists") == ["neural_networks", "data_scientist"]
    assert found("a data scientist") == ["data_scientist"]
    assert found("the red panda") == []  # one word alone is too often a name to singularise


def test_a_company_named_inside_a_longer_name_comes_after_what_that_name_names() -> None:
    index = EntityIndex(
        [
            Entity("company", "google", "Google"),
            Entity("certification", "crash", "Google's ML Crash Course", ("google crash course",)),
            Entity("level", "senior", "Senior", ("senior",)),
            Entity("role", "senior_mle", "Senior ML Engineer", ("senior ml engineer",)),
        ]
    )

    def found(text: str) -> list[list[str]]:
        return [[e.id for e in m.entities] for m in index.find(normalise(text))]

    assert found("is the google crash course good") == [["crash", "google"]]
    assert found("google interviews") == [["google"]]
    # other types keep their order: a level before a role
    assert found("senior ml engineer pay") == [["senior", "senior_mle"]]


def test_an_abbreviation_of_two_words_overrides_the_second_alone() -> None:
    abbreviations = {"cv": "computer vision", "my cv": "my resume", "ml": "machine learning"}
    assert normalise("how do I make my CV stand out?", abbreviations) == [
        *("how", "do", "i", "make", "my", "resume", "stand", "out"),
    ]
    assert normalise("cv or ml?", abbreviations) == [
        *("computer", "vision", "or", "machine", "learning"),
    ]
    assert normalise("my ml cv", abbreviations) == [
        *("my", "machine", "learning", "computer", "vision"),
    ]


def test_a_contraction_with_would_reads_as_would(engine: Engine) -> None:
    assert engine.understand("any stats i'd need?").tokens[:4] == ("any", "stats", "i", "would")


@given(
    st.lists(
        st.sampled_from(["i", "m", "a", "nurse", "in", "new", "york", "c++", "."]), max_size=8
    ),
    st.lists(
        st.lists(st.sampled_from(["i", "m", "a", "nurse", "new", "york", "c++", "."]), max_size=3),
        max_size=4,
    ),
)
def test_holds_phrase_finds_whole_words_as_a_plain_search_would(
    tokens: list[str], phrases: list[list[str]]
) -> None:
    joined = tuple(" ".join(p) for p in phrases if p)
    text = " " + " ".join(tokens) + " "
    assert holds_phrase(tokens, joined) == any(f" {p} " in text for p in joined)


@given(
    st.lists(
        st.sampled_from(["my", "nurse", "nurses", "a", "as", "in", "new", "york"]), max_size=8
    ),
    st.lists(st.sampled_from(["nurse", "new", "york", "a"]), min_size=1, max_size=2),
)
def test_occurrence_finds_the_first_term_as_a_scan_would(
    tokens: list[str], term: list[str]
) -> None:
    not_after = frozenset(("my", "as a"))
    n, plurals = len(term), (term[-1], term[-1] + "s", term[-1] + "es")
    expected = None
    for i in range(len(tokens) - n + 1):
        before = (tokens[i - 1], " ".join(tokens[max(0, i - 2) : i])) if i else ()
        window = tokens[i : i + n]
        if window[:-1] == term[:-1] and window[-1] in plurals and not set(before) & not_after:
            expected = " ".join(window)
            break
    assert occurrence(tokens, term, not_after) == expected


@given(
    st.lists(st.sampled_from(["get", "a", "job", "pay", "salary", "earn", "well", "x"]), max_size=9)
)
def test_a_concept_phrase_becomes_its_name_longest_first(tokens: list[str]) -> None:
    from bot.lexicon import Lexicon

    lexicon = Lexicon([["land", "get a job", "get a"], ["salary", "pay", "earn well"]])
    table = {("get", "a", "job"): ("land",), ("get", "a"): ("land",), ("pay",): ("salary",)}
    table[("earn", "well")] = ("salary",)
    expected: list[str] = []
    i = 0
    while i < len(tokens):  # the plain scan: at each word, the longest phrase starting there
        n = next((n for n in (3, 2, 1) if tuple(tokens[i : i + n]) in table), 0)
        expected.extend(table[tuple(tokens[i : i + n])] if n else (tokens[i],))
        i += n or 1
    assert lexicon.apply(tokens) == expected


def test_c_plus_plus_and_c_sharp_are_words_not_the_letter_c() -> None:
    assert normalise("Is C++ used? And C#? (c++)") == [
        *("is", "cplusplus", "used", "and", "csharp", "cplusplus"),
    ]
    assert normalise("abc++ or c+ grades") == ["abc", "or", "c", "grades"]
