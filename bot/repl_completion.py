"""Tab completion for the REPL: slash commands, company names and topic words."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from .engine import Engine

# Title words that name no topic on their own ("a company's ML work" -> "company", "work").
_STOPWORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "or",
        "other",
        "the",
        "to",
        "with",
        "what",
        "which",
        "who",
        "your",
        "you",
        "ml",
        "machine",
        "learning",
        "engineer",
        "engineers",
    }
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9.&'-]*")


def topic_words(engine: Engine) -> list[str]:
    """Lower-case words of the topics' titles, sorted."""
    words: set[str] = set()
    titles = [topic.title for group in engine.topics() for topic in group.topics]
    for title in titles:
        for word in _WORD.findall(title):
            word = word.lower().removesuffix("'s").strip("'")
            if len(word) >= 3 and word not in _STOPWORDS:
                words.add(word)
    return sorted(words)


def company_names(engine: Engine) -> list[str]:
    """Display names of the companies the guides know, in sorted order."""
    return sorted(engine.names("company"), key=str.lower)


class CareerCompleter(Completer):
    """Completes `/commands` at the start of the line, otherwise the word before the cursor.

    Words come from two vocabularies: companies (kept in their own spelling, "OpenAI") and
    topic words taken from the intent titles ("salary", "certifications"). Matching is by
    case-insensitive prefix; companies are offered first.
    """

    def __init__(
        self, commands: Mapping[str, str], companies: Iterable[str], topics: Iterable[str]
    ) -> None:
        self.commands = dict(commands)
        self.companies = list(companies)
        lowered = {c.lower() for c in self.companies}
        self.topics = [t for t in topics if t not in lowered]

    @classmethod
    def for_engine(cls, engine: Engine, commands: Mapping[str, str]) -> CareerCompleter:
        return cls(commands, company_names(engine), topic_words(engine))

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterator[Completion]:
        before = document.text_before_cursor
        if before.lstrip().startswith("/"):
            if " " in before.strip():
                return  # commands take no arguments
            typed = before.lstrip().lower()
            for name, help_text in self.commands.items():
                if name.startswith(typed):
                    yield Completion(name, -len(before.lstrip()), display_meta=help_text)
            return
        word = document.get_word_before_cursor(WORD=True)
        # Strip leading punctuation such as a quote or bracket, so "(goo" still completes.
        match = re.search(r"[A-Za-z0-9][A-Za-z0-9.&'-]*$", word)
        if not match:
            return
        typed = match.group(0)
        low = typed.lower()
        for name in self.companies:
            if name.lower().startswith(low) and name != typed:
                yield Completion(name, -len(typed), display_meta="company")
        for topic in self.topics:
            if topic.startswith(low) and topic != low:
                yield Completion(topic, -len(typed), display_meta="topic")
