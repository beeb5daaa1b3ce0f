"""The intent matcher: ranking, tie-breaks, placeholders, confidence range, degenerate input."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.matching import Candidate, IntentExamples, Matcher, features
from bot.settings import Settings
from bot.text import normalise


def tokens(text: str) -> tuple[str, ...]:
    """Normalised tokens, keeping "@type" placeholders
    as the engine inserts them after normalising.
    """
    out: list[str] = []
    for word in text.split():
        out.extend([word] if word.startswith("@") else normalise(word))
    return tuple(out)


def intent(name: str, examples: list[str], keywords: tuple[str, ...] = ()) -> IntentExamples:
    return IntentExamples(
        name,
        tuple(tokens(e) for e in examples),
        tuple(tokens(k) for k in keywords),
        tuple(examples),
    )


INTENTS = [
    intent(
        "salary",
        [
            "how much do ml engineers make",
            "what is the salary of a machine learning engineer",
            "how much does an @level engineer earn",
            "what does @company pay",
            "average pay for ml engineers",
            "salary range for @level roles",
            "what is the typical compensation",
            "how well paid is this job",
        ],
        keywords=("salary", "pay"),
    ),
    intent(
        "skills",
        [
            "what skills do i need",
            "which programming languages should i learn",
            "do i need to know python",
            "what are the most important skills",
            "what technical skills matter for ml engineers",
            "which tools should i master",
            "what soft skills help",
            "is math important for this job",
        ],
    ),
    intent(
        "company_hiring",
        [
            "is @company hiring",
            "how many open roles does @company have",
            "does @company hire ml engineers",
            "jobs at @company",
            "open positions at @company",
            "where can i apply at @company",
            "is @company recruiting right now",
            "@company careers page",
        ],
    ),
    intent(
        "greeting",
        [
            "hello",
            "hi",
            "hey there",
            "good morning",
            "hi bot",
            "hello there",
            "hey",
            "good evening",
        ],
    ),
]


def rank(matcher: Matcher, text: str, limit: int = 3) -> list[Candidate]:
    return matcher.rank(tokens(text), limit)


def test_ranks_the_right_intent_first() -> None:
    matcher = Matcher(INTENTS)
    assert rank(matcher, "how much do senior ML engineers earn")[0].intent == "salary"
    assert rank(matcher, "which skills should I learn")[0].intent == "skills"
    assert rank(matcher, "hello!")[0].intent == "greeting"


def test_candidates_are_best_first_with_scores_in_unit_interval() -> None:
    matcher = Matcher(INTENTS)
    candidates = rank(matcher, "what skills do ml engineers need", limit=4)
    assert len(candidates) == 4
    assert len({c.intent for c in candidates}) == 4
    scores = [c.score for c in candidates]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert rank(matcher, "hello", limit=1)[0].intent == "greeting"
    assert len(rank(matcher, "hello", limit=1)) == 1


def test_placeholders_carry_strong_evidence() -> None:
    matcher = Matcher(INTENTS)
    assert matcher.rank(["is", "@company", "hiring"])[0].intent == "company_hiring"
    assert matcher.rank(["tell", "me", "about", "@company"])[0].intent == "company_hiring"
    assert matcher.rank(["what", "does", "@company", "pay"])[0].intent == "salary"


def test_keywords_add_evidence() -> None:
    without = Matcher([intent(i.name, list(i.texts)) for i in INTENTS])
    with_keywords = Matcher(INTENTS)
    tokens = ["pay", "please"]
    score = {c.intent: c.score for c in with_keywords.rank(tokens, 4)}["salary"]
    before = {c.intent: c.score for c in without.rank(tokens, 4)}["salary"]
    assert score >= before
    assert with_keywords.rank(tokens)[0].intent == "salary"


def test_confident_in_domain_and_not_out_of_domain() -> None:
    matcher = Matcher(INTENTS)
    inside = rank(matcher, "what is the salary of an ml engineer")[0]
    outside = rank(matcher, "what do pangolins eat in the rainforest")[0]
    assert inside.score >= Settings().threshold > outside.score


def test_ties_go_to_the_intent_declared_first() -> None:
    twins = [intent("first", ["alpha beta"] * 8), intent("second", ["alpha beta"] * 8)]
    assert [c.intent for c in Matcher(twins).rank(["alpha", "beta"])] == ["first", "second"]
    reverse = [intent("second", ["alpha beta"] * 8), intent("first", ["alpha beta"] * 8)]
    assert [c.intent for c in Matcher(reverse).rank(["alpha", "beta"])] == ["second", "first"]


def test_best_example_is_the_closest_original_text() -> None:
    matcher = Matcher(INTENTS)
    top = rank(matcher, "Which programming languages should I learn?")[0]
    assert top.example == "which programming languages should i learn"
    top = matcher.rank(["jobs", "at", "@company"])[0]
    assert top.example == "jobs at @company"


def test_empty_and_unknown_tokens_give_no_candidates() -> None:
    matcher = Matcher(INTENTS)
    assert matcher.rank([]) == []
    assert matcher.rank(["zzzqx", "blorf"]) == []
    assert matcher.rank(["hello"], limit=0) == []
    assert Matcher([]).rank(["hello"]) == []
    numbers = Matcher(
        [*INTENTS, intent("years", [f"i have {n} years of experience" for n in range(8)])]
    )
    assert numbers.rank(["42"]) == [] and numbers.rank(["5", "10"]) == []
    assert numbers.rank(["5", "years"])[0].intent == "years"


def test_single_intent_and_stopword_only_queries() -> None:
    only = Matcher([intent("only", ["tell me about pay", "what is the pay", "pay please"] * 3)])
    candidates = only.rank(["pay"])
    assert candidates[0].intent == "only" and 0.0 <= candidates[0].score <= 1.0
    matcher = Matcher(INTENTS)
    for candidate in matcher.rank(["the", "is", "a"]):
        assert 0.0 <= candidate.score <= 1.0


def test_lacking_what_an_intent_usually_says_ranks_it_lower() -> None:
    # every cancel_reservation example says "reservation"; a bare "cancel now" is the general intent
    cancel = [
        intent(
            "cancel_reservation",
            [
                "cancel my reservation",
                "cancel the reservation",
                "cancel reservation",
                "cancel a reservation",
                "cancel reservation at @company",
                "cancel my table reservation",
                "cancel this reservation",
                "cancel the reservation i made",
            ],
        ),
        intent(
            "cancel",
            [
                "cancel",
                "never mind",
                "forget about it",
                "stop doing that",
                "cancel that",
                "scratch that please",
                "i changed my mind",
                "do not do it",
                "stop right there",
                "abort",
                "nevermind about that",
                "hold on stop",
            ],
        ),
    ]
    matcher = Matcher(cancel)
    assert rank(matcher, "cancel now")[0].intent == "cancel"
    assert rank(matcher, "ok cancel")[0].intent == "cancel"
    assert rank(matcher, "cancel my reservation now")[0].intent == "cancel_reservation"


CARS = [
    *INTENTS,
    intent(
        "car_service",
        [
            "when was my car last serviced",
            "when did i last get an oil change",
            "when is my next oil change due",
            "how long since the last tire rotation",
            "when was the last time my car was in the shop",
            "is my car due for service",
            "when should i rotate my tires",
            "last maintenance date for my car",
        ],
    ),
]


class _NoExampleShare(Matcher):
    def _example_share(self, index: int, known: dict[str, float], size: float) -> float:
        return 1.0


def test_a_message_stitched_from_several_examples_is_less_confident() -> None:
    matcher, without = Matcher(CARS), _NoExampleShare(CARS)
    restated = "when was the last time my car was in the shop"
    stitched = "when was the last time the president visited the shop"  # no one example says this
    assert rank(matcher, restated)[0].score == rank(without, restated)[0].score
    assert rank(matcher, stitched)[0].score < rank(without, stitched)[0].score


def test_own_score_is_the_confidence_before_the_cap_of_higher_candidates() -> None:
    greeting, salary = rank(Matcher(CARS), "hey engineers pay", limit=2)
    assert (greeting.intent, salary.intent) == ("greeting", "salary")
    assert salary.own is not None and salary.own > salary.score == greeting.score


def test_features_are_stems_numbers_and_bigrams() -> None:
    found = features(["booking", "flights", "at", "5pm", "126"])
    assert {"book", "flight", "0pm", "0", "book flight", "at 0pm"} <= found


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["how", "much", "salary", "@company", "skills", "hello", "xyzzy", "the", "5"]
        ),
        max_size=12,
    )
)
def test_rank_never_fails_and_stays_in_range(tokens: list[str]) -> None:
    candidates = MATCHER.rank(tokens, 3)
    assert len(candidates) <= 3
    assert all(0.0 <= c.score <= 1.0 for c in candidates)
    ceiling = 1.0
    for candidate in candidates:  # capped by the candidates above, never by itself
        assert candidate.own is not None and candidate.score == min(ceiling, candidate.own)
        ceiling = candidate.score


MATCHER = Matcher(INTENTS)
