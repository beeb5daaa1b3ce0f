"""Rasa's REST channel: the shape of its webhook's request and response, for widgets speaking it.

Checked against Rasa's own source, rasa/core/channels/rest.py (RestInput) and channel.py
(CollectingOutputChannel), and its HTTP API reference ("Post user message from a REST channel",
POST /webhooks/{rest_channel}/webhook): `POST /webhooks/rest/webhook` takes
`{"sender": ..., "message": ..., "metadata": {...}}` and answers a JSON list of the bot's
messages, each
`{"recipient_id": sender, "text": ..., "buttons": [{"title": ..., "payload": ...}]}` with keys
that have no value left out; a button's payload is what the widget sends back when clicked.
"""

from __future__ import annotations

from typing import Any

from .reply import Reply


def messages(reply: Reply, recipient_id: str) -> list[dict[str, Any]]:
    """The reply as Rasa REST messages: a notice first if any, one message per part (each with
    its heading and its sources), the suggestions as buttons on the last."""
    out: list[dict[str, Any]] = []
    if reply.notice:
        out.append({"recipient_id": recipient_id, "text": reply.notice})
    parts = reply.parts or (reply,)
    for part, heading in zip(parts, headings(reply), strict=True):
        text = f"{heading}\n{part.text}" if heading else part.text
        if part.sources:
            text += "\n\nSources: " + "; ".join(part.sources)
        out.append({"recipient_id": recipient_id, "text": text})
    if reply.suggestions:
        out[-1]["buttons"] = [{"title": s, "payload": s} for s in reply.suggestions]
    return out


def headings(reply: Reply) -> list[str]:
    """What the joined text of a multi-part reply says before each part (its question, e.g.
    "1. What is Google's hiring process?"); "" where nothing does, or for a single reply."""
    if not reply.parts:
        return [""]
    found, start = [], 0
    for part in reply.parts:
        at = reply.text.find(part.text, start) if part.text else -1
        if at < 0:
            found.append("")
            continue
        found.append(reply.text[start:at].strip())
        start = at + len(part.text)
    return found
