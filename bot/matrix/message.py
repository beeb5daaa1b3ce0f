"""Matrix message content: a reply (or command output) as HTML with the same text as plain fallback.

Both bodies are rendered from one list of blocks, so a client that shows only `body` loses the
styling, never the content. Every piece of text is HTML-escaped; nothing a user wrote can become
markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..reply import Reply

HTML_FORMAT = "org.matrix.custom.html"
NUMBER_HINT = "reply with a number to ask one"
_BULLET = re.compile(r"[-*•] ")


@dataclass(frozen=True)
class Block:
    """One paragraph-level piece: `kind` is p (text), h (a heading), ul or ol (items), note (small
    print, such as the sources) or hr (a rule between the parts of a multi-part reply)."""

    kind: str
    text: str = ""
    items: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Message:
    """What the bot sends: plain `body` and HTML `html` with the same content."""

    body: str
    html: str

    def content(self, msgtype: str = "m.notice") -> dict[str, Any]:
        """The event content; bots answer with m.notice, which other bots do not answer."""
        return {
            "msgtype": msgtype,
            "body": self.body,
            "format": HTML_FORMAT,
            "formatted_body": self.html,
        }


def render(blocks: Iterable[Block]) -> Message:
    """The blocks as one message; blocks are separated by a blank line in the plain body."""
    blocks = list(blocks)
    plain = "\n\n".join(filter(None, (_plain(b) for b in blocks)))
    markup = "".join(_html(b) for b in blocks)
    return Message(plain, markup)


def text_blocks(text: str) -> list[Block]:
    """Engine text as blocks: runs of "- " lines become a list, a line ending in ":" a heading,
    other lines paragraphs (consecutive ones stay one paragraph, as the engine wrote them)."""
    blocks: list[Block] = []
    lines: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if lines:
            blocks.append(Block("p", "\n".join(lines)))
            lines.clear()
        if items:
            blocks.append(Block("ul", items=tuple(items)))
            items.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif _BULLET.match(line):
            if lines:
                flush()
            items.append(line[2:].strip())
        elif line.endswith(":") and len(line) < 200:
            flush()
            blocks.append(Block("h", line))
        else:
            if items:
                flush()
            lines.append(line)
    flush()
    return blocks


def reply_blocks(reply: Reply, asked: str | None = None) -> list[Block]:
    """A reply as blocks: the question a number picked (`asked`), notice, answer, sources, then
    numbered suggestions. A multi-part reply shows each part under its own "1/2" label with its
    own sources, rules between parts."""
    blocks: list[Block] = [Block("note", f"→ {asked}")] if asked else []
    if reply.notice:
        blocks.append(Block("note", reply.notice))
    if reply.parts:
        for i, part in enumerate(reply.parts, 1):
            if i > 1:
                blocks.append(Block("hr"))
            blocks += _labelled(f"{i}/{len(reply.parts)}", _answer_blocks(part))
    else:
        blocks += _answer_blocks(reply)
    suggestions = shown_suggestions(reply)
    if suggestions:
        head = "Try" if reply.fallback else "You could ask"
        blocks.append(Block("h", f"{head} ({NUMBER_HINT}):"))
        blocks.append(Block("ol", items=tuple(suggestions)))
    return blocks


def reply_message(reply: Reply, asked: str | None = None) -> Message:
    return render(reply_blocks(reply, asked))


def shown_suggestions(reply: Reply) -> tuple[str, ...]:
    """The suggestions a reply's message numbers (a multi-part reply: its own, else its last
    part's)."""
    return reply.suggestions or (reply.parts[-1].suggestions if reply.parts else ())


def sources_line(titles: Sequence[str]) -> str:
    return "Sources: " + "; ".join(titles)


def _answer_blocks(reply: Reply) -> list[Block]:
    blocks = text_blocks(reply.text)
    if reply.sources:
        blocks.append(Block("note", sources_line(reply.sources)))
    return blocks


def _labelled(label: str, blocks: list[Block]) -> list[Block]:
    """The part's label put before its first block, or alone if that block is a list."""
    if blocks and blocks[0].kind in ("p", "h"):
        first = blocks[0]
        return [Block(first.kind, f"[{label}] {first.text}"), *blocks[1:]]
    return [Block("h", f"[{label}]"), *blocks]


def _plain(block: Block) -> str:
    if block.kind == "ul":
        return "\n".join(f"- {item}" for item in block.items)
    if block.kind == "ol":
        return "\n".join(f"{i}. {item}" for i, item in enumerate(block.items, 1))
    if block.kind == "hr":
        return "———"
    return block.text


def _html(block: Block) -> str:
    if block.kind in ("ul", "ol"):
        items = "".join(f"<li>{_escape(item)}</li>" for item in block.items)
        return f"<{block.kind}>{items}</{block.kind}>"
    if block.kind == "hr":
        return "<hr>"
    if block.kind == "h":
        return f"<p><strong>{_escape(block.text)}</strong></p>"
    if block.kind == "note":
        return f"<p><em>{_escape(block.text)}</em></p>"
    return f"<p>{_escape(block.text)}</p>"


def _escape(text: str) -> str:
    return html.escape(text, quote=False).replace("\n", "<br>")
