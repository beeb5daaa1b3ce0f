"""The content's settings (thresholds, word lists,
texts): one frozen, validated value with every default.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import msgspec
from msgspec import Struct, field

#: what the bot says in situations the content does not word itself (`texts:` overrides each)
DEFAULT_TEXTS: Mapping[str, str] = {
    "empty": "Please type a question.",
    "fallback": "I don't know that.",
    "fallback_suggest": "Did you mean one of these?",
    "clarify": "Do you mean {options}?",
    "profile_note": "Using what you told me: {values}.",
    "profile_ack": "Got it, I'll remember that for this chat.",
    "no_more": "That's all I have on this.",
    "no_reason": "I have no reason to give for that.",
    "no_context": "Ask me a question first; then I can tell you more about it.",
    "sources": "That answer comes from:",
    "error": "Sorry, something went wrong on my side. Please try rephrasing.",
    "out_of_scope_term": "I don't know that: {term} is outside what I cover.",
    "truncated": "Your message was long, so I read only its first {limit:,} characters.",
    "part_heading": "{number}. {question}",
    "gap": "I don't know that: the guides don't cover {what}.",
    "gap_nearby": "Nearby, they cover: {nearby}.",
    "gap_entities": "They cover these {count}: {nearby}.",
    "place_within": "The guides give no ML engineer pay for {place} itself; it is in {state}, for "
    "which they give:",
    "more_questions": "(I answered your first {limit} questions; ask me the others on their own.)",
    "unfound": "(Nothing in the guides answers: {questions}.)",
    "profile_noted": "(Noted about you: {values}.)",
    "item": "Item {number} of my last answer:\n- {item}",
    "named_items": "From my last answer:",
    "sharpened": "More specifically, the guides say:",
    "retrieved": "Here is what the guides say that comes closest to your question:",
    "figures": "The figures of my last answer, as the guides state them:",
    "figures_rough": "A ~ means the guides give it roughly, a + that it is a floor: they give no "
    "more exact number.",
    "no_figure": "My last answer gave no figure.",
    "topic_figures": "The figures the guides give on this:",
    "judge": "The guides can't weigh your own case; the reason they give:",
    "judge_said": "What my last answer said about that:",
    "judge_lines": "The guides can't weigh your own case; what they say about it:",
    "which": "Of the {kind} the guides cover, these come up for that:",
    "extreme_highest": "The highest figure of my last answer:",
    "extreme_lowest": "The lowest figure of my last answer:",
}
DEFAULT_ORDINAL_WORDS: Mapping[str, int] = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "last": -1,
    "middle": -2,
    "former": 1,
    "latter": 2,
}
DEFAULT_CHOICE_WORDS: Mapping[str, int] = {
    "first": 1,
    "one": 1,
    "second": 2,
    "two": 2,
    "third": 3,
    "three": 3,
    "last": -1,
}


class Settings(Struct, frozen=True):
    """Every tunable of matching and dialogue, with its default; built once when content loads."""

    threshold: float = 0.5  # confidence below which the bot declines
    clarify_margin: float = 0.0  # two career intents this close get a clarifying question
    context_boost: float = 0.0  # a terse turn's lean towards intents taking the last answer's slots
    tie_margin: float = (
        0.0  # near-equal candidates: the one whose answer knows the named entity wins
    )
    ignore_entities: tuple[str, ...] = ()  # "type:id" never found in text
    common_words: tuple[str, ...] = ()  # everyday words, no evidence
    domain_words: tuple[str, ...] = ()  # the subject's, the guides' words: no evidence of a topic
    subject_terms: tuple[str, ...] = ()  # make a question about the domain
    out_of_scope_terms: tuple[str, ...] = ()  # other occupations
    followup_words: tuple[str, ...] = ()  # may surround "and Amazon?"
    # "and in the US?": the country the guides' figures are for, named as a follow-up
    home_names: tuple[str, ...] = ()
    anaphora_words: tuple[str, ...] = ()  # "their", "it": keep the slots
    # "what if I moved to New York instead?": with one of these, the person's own words
    # (`person_words`) may surround a follow-up too; without, "I moved to Austin" tells about them
    hypothetical_words: tuple[str, ...] = ()
    # "how much is that?" asks the last answer's figures (the act `exact`)
    amount_words: tuple[str, ...] = ()
    filler_words: tuple[
        str, ...
    ] = ()  # said around an acknowledgement ("lol ok"): see Intent.whole
    person_words: tuple[str, ...] = ()
    # "fewest of all ten?" after the open roles at Apple: the last answer's intent for every entity
    superlative_words: tuple[str, ...] = ()
    least_words: tuple[str, ...] = ()  # ... those asking for the lowest ("and the lowest?")
    # "which of the two is hiring more?": words pointing at the two last entities of a kind, and
    # words comparing them
    pair_words: tuple[str, ...] = ()
    comparison_words: tuple[str, ...] = ()
    years_words: tuple[str, ...] = ()  # "5 years" in the profile
    student_words: tuple[str, ...] = ()
    interest_words: tuple[str, ...] = ()
    self_words: tuple[str, ...] = ()  # a person describing themselves: "i m a", "as a", "work as"
    # "I'm an ML engineer", "I've been an MLE for 3 years": words saying the person already works
    # in the domain's own role (an `ignore_entities` role), when its name follows them; and the
    # roles that make someone such an insider (see `Intent.insiders`)
    insider_words: tuple[str, ...] = ()
    insider_roles: tuple[str, ...] = ()
    # "from data science to ML engineering", "can a nurse become an MLE?": words after which the
    # domain's own role is where the person is going (see `Intent.entrants`)
    entering_words: tuple[str, ...] = ()
    # the last word of a job's name ("civil engineer", "lab technician"): after `insider_words`, a
    # job the content has no role for, kept as the person's occupation; so are `out_of_scope_terms`
    job_words: tuple[str, ...] = ()
    negation_words: tuple[str, ...] = ()  # deny what follows: "not a student", "no longer a..."
    each_words: tuple[str, ...] = ()  # "each", "all": ask of every entity the last answer named
    # "besides", "other than": the words after them name what the person knows, not what they ask
    except_words: tuple[str, ...] = ()
    # "which companies do robotics?": the words that ask for some entities of a kind, the words
    # naming each kind (companies -> company), and words that only point at the last answer's list
    which_words: tuple[str, ...] = ()
    kind_words: Mapping[str, str] = field(default_factory=dict)
    list_words: tuple[str, ...] = ()
    starter_questions: tuple[str, ...] = ()
    topic_groups: tuple[str, ...] = ()  # the order of /topics' headings
    # sets of words meaning the same here (pay, salary, earn...): the first is the set's name
    concepts: tuple[tuple[str, ...], ...] = ()
    retrieval_coverage: float = 0.6  # share of a question's informative terms a passage must hold
    # mappings are plain dicts (the compiled content is pickled); nothing writes to them
    choice_words: Mapping[str, int] = field(
        default_factory=lambda: dict(DEFAULT_CHOICE_WORDS)
    )  # -1: the last
    # "the second one" about the last answer's items; -1 is the last
    ordinal_words: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_ORDINAL_WORDS))
    entity_intents: Mapping[str, str] = field(
        default_factory=dict
    )  # a bare entity's type -> intent
    texts: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_TEXTS))

    def merged(self, raw: Mapping[str, Any], report: Callable[[str, str], None]) -> Settings:
        """These settings with a `settings:` mapping's values; each bad or unknown key is reported
        (key, message) and left as it was."""
        kinds = dict.fromkeys(self.__struct_fields__)
        values: dict[str, Any] = {}
        for key, value in raw.items():
            if key not in kinds:
                report(str(key), f"unknown setting {key!r} (allowed: {', '.join(kinds)})")
                continue
            problem, checked = _check(key, value, getattr(self, key))
            if problem:
                report(key, problem)
            else:
                values[key] = checked
        if "texts" in values:
            values["texts"] = {**self.texts, **values["texts"]}
        return msgspec.structs.replace(self, **values)


def _check(key: str, value: Any, default: Any) -> tuple[str | None, Any]:
    """(problem or None, the value as stored)."""
    if isinstance(default, float) and not isinstance(default, bool):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            return f"'{key}' must be a number from 0 to 1, got {value!r}", None
        return None, float(value)
    if isinstance(default, Mapping):
        kind = int if key in ("choice_words", "ordinal_words") else str
        if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, kind) and not isinstance(v, bool)
            for k, v in value.items()
        ):
            return f"'{key}' must map strings to {kind.__name__} values", None
        return None, dict(value)
    if key == "concepts":
        if not isinstance(value, list) or not all(
            isinstance(group, list)
            and len(group) > 1
            and all(isinstance(v, str) and v.strip() for v in group)
            for group in value
        ):
            return f"'{key}' must be a list of lists of two or more words", None
        return None, tuple(tuple(group) for group in value)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        bad = (
            next((v for v in value if not isinstance(v, str)), value)
            if isinstance(value, list)
            else value
        )
        return (
            f"'{key}' must be a list of strings, got {bad!r} (quote words such as yes, no, on)",
            None,
        )
    return None, tuple(value)
